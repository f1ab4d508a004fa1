#!/usr/bin/env bash
# PVH boot on this host's KVM with a tiny ELF guest (tests/guests/tiny_pvh.S): it finds
# hvm_start_info in EBX with its magic, version 1, the initrd as module 0, the RSDP, the
# memory map and the command line, with 2 vCPUs, and with RAM above 4 GiB; a bad ELF is refused before the guest runs;
# --decompress with a bzImage that has no vmlinux to extract boots the bzImage with a warning.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
need_kvm
scratch

printf 'initrd-of-tiny' >"$SCRATCH/initrd"
expect_status 0 "$VMM" --kernel "$GUESTS/tiny-pvh.elf" --initrd "$SCRATCH/initrd" \
	--cmdline "pvh test line" --cpus 2 --mem 64M
expect_output "pvh from tiny: magic ok, version 1, modules 1, module0 'initrd-of-tiny', rsdp ok, memmap 4, cmdline 'pvh test line'"
# Not Linux (no build-salt note naming a release): no kvm_pvm warning.
[[ $OUT != *kvm_pvm* ]] || fail "warned about Linux for a tiny guest: $OUT"

expect_status 0 "$VMM" --kernel "$GUESTS/tiny-pvh.elf" --initrd "$SCRATCH/initrd" --mem 5G
expect_output "modules 1, module0 'initrd-of-tiny', rsdp ok, memmap 5,"

# The same file with its entry note's type changed: no PVH entry.
python3 - "$GUESTS/tiny-pvh.elf" "$SCRATCH/no-note.elf" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read())
i = data.index(b'\x04\x00\x00\x00\x04\x00\x00\x00\x12\x00\x00\x00Xen\x00')
data[i + 8] = 0x13
open(sys.argv[2], 'wb').write(data)
PY
expect_status 2 "$VMM" --kernel "$SCRATCH/no-note.elf"
expect_output "has no PVH entry note"

mkdir "$SCRATCH/cache"
expect_status 0 "$VMM" --decompress "$SCRATCH/cache" --kernel "$GUESTS/tiny-hello.bzImage"
expect_output "warning: --decompress:"
expect_output "booting the bzImage"
expect_output "hello from tiny"
[ -z "$(ls -A "$SCRATCH/cache")" ] || fail "files left in the cache: $(ls -A "$SCRATCH/cache")"
expect_status 2 "$VMM" --decompress "$SCRATCH/cache" --firmware --disk "$SCRATCH/initrd"
expect_output "--decompress is for --kernel"
echo "ok: tiny PVH guest"
