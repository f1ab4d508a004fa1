#!/usr/bin/env bash
# Bad command lines and bad files: a clear message and status 2, before any guest runs.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
scratch

expect_status 0 "$VMM" --help
expect_output "usage: berth-vmm --kernel FILE"
expect_status 2 "$VMM"
expect_output "no kernel given"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --bogus
expect_output "unknown option '--bogus'"
expect_status 2 "$VMM" --kernel "$SCRATCH/missing"
expect_output "cannot open kernel '$SCRATCH/missing': No such file or directory"
expect_status 2 "$VMM" --kernel "$SCRATCH"
expect_output "is not a regular file"
# A kernel berth-vmm may not read. Root reads anything, so as root the run drops to nobody,
# with its own copy of berth-vmm (the checkout's path may be closed to nobody).
cp "$GUESTS/tiny-hello.bzImage" "$SCRATCH/unreadable"
chmod 000 "$SCRATCH/unreadable"
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$SCRATCH"
	install -m 755 "$VMM" "$SCRATCH/berth-vmm"
	expect_status 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SCRATCH/berth-vmm" --kernel "$SCRATCH/unreadable"
else
	expect_status 2 "$VMM" --kernel "$SCRATCH/unreadable"
fi
expect_output "cannot open kernel '$SCRATCH/unreadable': Permission denied"
echo "just text" >"$SCRATCH/text"
expect_status 2 "$VMM" --kernel "$SCRATCH/text"
expect_output "not a Linux bzImage"
head -c 1500 "$GUESTS/tiny-hello.bzImage" >"$SCRATCH/truncated"
expect_status 2 "$VMM" --kernel "$SCRATCH/truncated"
expect_output "truncated bzImage"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --cpus 0
expect_output "--cpus '0'"
# I/O limits: zero, a sign, past the maximum, a NIC's iops, before any file is opened
truncate -s 1M "$SCRATCH/disk.img"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --disk "$SCRATCH/disk.img,iops=0"
expect_output "iops=0: a limit must be above 0 (leave iops out for none)"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --disk "$SCRATCH/disk.img,bps=-1M"
expect_output "bps=-1M: give a whole number above 0"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --disk "$SCRATCH/disk.img,iops=10000001"
expect_output "iops=10000001 is too large (at most 10000000)"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --net user,iops=5
expect_output "unknown item 'iops=5'"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --mem 100T
expect_output "more than this host's RAM"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --mem 12Q
expect_output "invalid size suffix"
# Messages whose errno would add nothing end without one.
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --mem 1.5G
[ "$OUT" = "berth-vmm: --mem: invalid size suffix in '1.5G' (use K, M, G or T)" ] || fail "unexpected: $OUT"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --initrd "$SCRATCH/missing"
expect_output "cannot open initrd"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --console file=/nonexistent/dir/log
expect_output "cannot open the console log"
# Firmware (--firmware): missing, empty, too big for the ROM window, not whole 64 KiB, and
# options that only direct boot takes.
expect_status 2 "$VMM" --firmware "$SCRATCH/missing"
expect_output "cannot open firmware '$SCRATCH/missing': No such file or directory"
: >"$SCRATCH/empty.rom"
expect_status 2 "$VMM" --firmware "$SCRATCH/empty.rom"
expect_output "firmware '$SCRATCH/empty.rom' is empty"
truncate -s 1M "$SCRATCH/big.rom"
expect_status 2 "$VMM" --firmware "$SCRATCH/big.rom"
expect_output "larger than the ROM window below 4 GiB (256 KiB)"
truncate -s 100000 "$SCRATCH/odd.rom"
expect_status 2 "$VMM" --firmware="$SCRATCH/odd.rom"
expect_output "not a whole number of 64 KiB"
expect_status 2 "$VMM" --firmware --kernel "$GUESTS/tiny-hello.bzImage"
expect_output "it takes no --kernel, --initrd or --cmdline"
expect_status 2 "$VMM" --firmware "" 
expect_output "--firmware: give a path"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --firmware-log "$SCRATCH/fw.log"
expect_output "--firmware-log is for --firmware"
[ ! -e "$SCRATCH/fw.log" ] || fail "a refused run left its firmware log behind"
need_kvm
truncate -s 40M "$SCRATCH/big-initrd"
expect_status 2 "$VMM" --kernel "$GUESTS/tiny-hello.bzImage" --mem 32M --initrd "$SCRATCH/big-initrd"
expect_output "the initrd (40 MiB) does not fit"
[[ $OUT == *"; give --mem more" ]] || fail "no errno text expected after the advice: $OUT"
echo ok
