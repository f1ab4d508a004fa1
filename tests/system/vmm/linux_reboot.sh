#!/usr/bin/env bash
# Console input reaches the guest; a guest reboot boots the VM again, whose poweroff then
# exits 0; with --no-reboot the first reboot ends berth-vmm with status 0.
# timeout: 1000
. "$(dirname "$0")/guest.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
echo "command?"
read -r cmd
case $cmd in
reboot) reboot -f ;;
*) poweroff -f ;;
esac
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
work=$(mktemp -d /run/berth-reboot.XXXXXX)
mkfifo "$work/in"
exec 3<>"$work/in"
"${GUEST_VMM[@]}" <"$work/in" >"$work/out" 2>&1 &
pid=$!
wait_for "$work/out" "command?" 1
echo reboot >&3
wait_for "$work/out" "command?" 2
echo poweroff >&3
wait_exit "$pid" 120 "$work/out"
[ "$RC" -eq 0 ] || fail "exit $RC after poweroff: $(tail -20 "$work/out")"
[ "$(grep -c 'booting it again' "$work/out")" -eq 1 ] || fail "expected 1 reboot: $(cat "$work/out")"

"${GUEST_VMM[@]}" --no-reboot <"$work/in" >"$work/out" 2>&1 &
pid=$!
wait_for "$work/out" "command?" 1
echo reboot >&3
wait_exit "$pid" 120 "$work/out"
[ "$RC" -eq 0 ] || fail "exit $RC after reboot with --no-reboot: $(tail -20 "$work/out")"
grep -q "exiting (--no-reboot)" "$work/out" || fail "no --no-reboot line: $(tail "$work/out")"
rm -rf "$work"
echo ok
