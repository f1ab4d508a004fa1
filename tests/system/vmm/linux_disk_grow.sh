#!/usr/bin/env bash
# A running Linux guest sees its disk grow without a reboot: the host grows the image file
# and sends `disk-resize` on the API socket; the guest's /sys/block/vda/size changes (the
# config-change interrupt), and it writes the new last sector. Refused on the way: a disk
# number the VM lacks, and a file that shrank (the guest keeps its size).
# timeout: 1000
. "$(dirname "$0")/guest.sh"
. "$(dirname "$0")/api_lib.sh"
if [ "${1:-}" != --inside ]; then
	guest_prepare <<'GUEST'
first=$(cat /sys/block/vda/size)
echo "disk: size=$first"
i=0
while [ "$(cat /sys/block/vda/size)" = "$first" ] && [ $i -lt 3000 ]; do
	sleep 0.1
	i=$((i + 1))
done
now=$(cat /sys/block/vda/size)
echo "disk: grown=$now"
yes berth-grown | head -c 512 | dd of=/dev/vda bs=512 seek=$((now - 1)) conv=fsync 2>/dev/null
echo "disk: last-written=$?"
GUEST
	guest_run_inside "$0"
	exit
fi
guest_inside "$2"
run=$(mktemp -d /run/berth-disk-grow.XXXXXX)
S=$run/api.sock # Unix sockets cannot live on the rig's 9p /tmp
truncate -s 8M "$run/vda.img"
"${GUEST_VMM[@]}" --disk "$run/vda.img" --api-sock "$S" </dev/null >"$run/out" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$run"' EXIT
wait_for "$run/out" "disk: size=16384" 1 240
expect_seccomp "$pid"

res=$(api "$S" '{"cmd":"disk-resize","disk":1}')
[ "$res" = '{"ok":false,"error":"no disk 1: the VM has 1 disk(s), numbered from 0"}' ] ||
	fail "disk-resize of a disk the VM lacks: $res"
res=$(api "$S" '{"cmd":"disk-resize"}')
[ "$res" = '{"ok":true,"disk":0,"old_size":8388608,"size":8388608}' ] ||
	fail "disk-resize of a disk that did not grow: $res"
truncate -s 4M "$run/vda.img"
res=$(api "$S" '{"cmd":"disk-resize","disk":0}')
grep -q '"ok":false.*shrank to 4194304 bytes; a disk can only grow' <<<"$res" ||
	fail "disk-resize of a shrunk file: $res"
truncate -s 8M "$run/vda.img"
tr -d '\r' <"$run/out" | grep -q "disk: grown" && fail "the guest saw a change: $(tail -5 "$run/out")"
echo "ok: refused: another disk, a shrunk file: $res"

truncate -s 24M "$run/vda.img"
res=$(api "$S" '{"cmd":"disk-resize","disk":0,"id":7}')
[ "$res" = '{"ok":true,"id":7,"disk":0,"old_size":8388608,"size":25165824}' ] ||
	fail "disk-resize: $res"
wait_for "$run/out" "disk: last-written=" 1 120
OUT=$(tr -d '\r' <"$run/out")
expect_output "disk: grown=49152"
expect_output "disk: last-written=0"
wait_exit "$pid" 120 "$run/out"
[ "$RC" -eq 0 ] || fail "exit $RC: $(tail -20 "$run/out")"
[ "$(tail -c 512 "$run/vda.img")" = "$(yes berth-grown | head -c 512)" ] ||
	fail "the guest's write to its new last sector is not in the image"
echo "ok: the running guest saw 8 MiB grow to 24 MiB ($(grep -o 'new size.*' <<<"$OUT" | head -1))"
