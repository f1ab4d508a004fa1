#!/usr/bin/env bash
# The Debian cloud kernel finds berth-vmm's PCI host bridge at 00:00.0, reaches config space
# through ECAM (MCFG, reserved in e820 and as a motherboard resource) and has no complaint
# about it. The guest's PCI lines of dmesg go to the test log.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
dev=/sys/bus/pci/devices/0000:00:00.0
echo "pci-id=$(cat $dev/vendor 2>&1):$(cat $dev/device 2>&1) class=$(cat $dev/class 2>&1)"
echo "pci-devices=$(ls /sys/bus/pci/devices | tr '\n' ' ')"
dmesg | grep -iE 'pci|mmconfig|ecam|PNP0A0|PNP0C02|system 00:|e820.*0xe0000000' | sed 's/^/dmesg: /'
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
expect_status 0 guest_vmm --mem 512M
OUT=$(printf '%s\n' "$OUT" | tr -d '\r')
printf '%s\n' "$OUT" | grep -E '^(dmesg: |pci-|berth-vmm: )' || true
expect_output "berth-kit: exit 0"
expect_output "pci-id=0x1b36:0x0008 class=0x060000"
expect_output "pci-devices=0000:00:00.0 "
dmesg=$(printf '%s\n' "$OUT" | sed -n 's/^dmesg: //p')
grep -qE 'MMCONFIG for .*\[bus 00-00\] at \[mem 0xe0000000-0xe00fffff\]' <<<"$dmesg" ||
	fail "the guest did not take ECAM from the MCFG table"
grep -qE 'MMCONFIG at \[mem 0xe0000000-0xe00fffff\] reserved' <<<"$dmesg" ||
	fail "the guest did not find ECAM reserved"
! grep -qE 'PCI: Fatal|not reserved|could not be reserved|type 1 for extended access|MMCONFIG.*disabled' <<<"$dmesg" ||
	fail "the guest complained about PCI: $(grep -E 'Fatal|not reserved|could not|type 1 for ext|disabled' <<<"$dmesg")"
grep -qE 'PCI host bridge to bus 0000:00' <<<"$dmesg" || fail "the guest found no PCI host bridge in ACPI"
grep -qE 'system 00:.*\[mem 0xe0000000-0xe00fffff\] has been reserved' <<<"$dmesg" ||
	fail "the motherboard-resources device did not reserve ECAM"
echo ok
