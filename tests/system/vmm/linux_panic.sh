#!/usr/bin/env bash
# A guest kernel panic reaches berth-vmm through pvpanic: status 1 and a one-line reason.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<<'echo c > /proc/sysrq-trigger'
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
expect_status 1 guest_vmm
expect_output "berth-vmm: the guest kernel panicked"
echo ok
