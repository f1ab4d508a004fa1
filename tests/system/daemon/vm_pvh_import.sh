#!/usr/bin/env bash
# vm_pvh_import.sh - a VM image imported from a bzImage boots through PVH, on this host's KVM:
# the bzImage here wraps the tiny PVH guest (tests/guests/tiny_pvh.S) as a gzip payload, as a
# kernel's build packs its vmlinux; the import extracts it once as the image's vmlinux, `berth
# show` says `entry pvh`, the server boots it (its console shows the guest's hvm_start_info
# line with berth's command line) and stops on the power button. An image of a bzImage without
# a payload (a tiny guest) keeps booting its bzImage: `entry bzimage`, no vmlinux.
# The kit kernel through berthd in the rig: vm_lifecycle.sh.
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"
need_kvm
need_berth_cli
if [ ! -f "$GUESTS/tiny-pvh.elf" ] || [ ! -f "$GUESTS/tiny-hello.bzImage" ]; then
	skip "build the tiny guests first (make guests)"
fi

# A bzImage header (boot protocol 2.15, 64-bit) whose payload is the gzip-packed guest with
# its size appended (scripts/Makefile.lib's size_append).
python3 - "$GUESTS/tiny-pvh.elf" "$SCRATCH/pvh.bzImage" <<'PY'
import gzip, struct, sys
elf = open(sys.argv[1], 'rb').read()
payload = gzip.compress(elf) + struct.pack('<I', len(elf))
setup = 2 * 512
body = bytearray(0x100) + payload
body += bytes(-len(body) % 16)
img = bytearray(setup) + body
struct.pack_into('<B', img, 0x1f1, 1)                     # setup_sects
struct.pack_into('<I', img, 0x1f4, len(body) // 16)       # syssize
struct.pack_into('<H', img, 0x1fe, 0xAA55)                # boot_flag
struct.pack_into('<I', img, 0x202, 0x53726448)            # "HdrS"
struct.pack_into('<H', img, 0x206, 0x020f)                # version
struct.pack_into('<B', img, 0x211, 1)                     # loadflags: LOADED_HIGH
struct.pack_into('<I', img, 0x22c, 0x7fffffff)            # initrd_addr_max
struct.pack_into('<I', img, 0x230, 0x200000)              # kernel_alignment
struct.pack_into('<H', img, 0x236, 1)                     # xloadflags: XLF_KERNEL_64
struct.pack_into('<I', img, 0x238, 2047)                  # cmdline_size
struct.pack_into('<II', img, 0x248, 0x100, len(payload))  # payload_offset, payload_length
struct.pack_into('<Q', img, 0x258, 0x1000000)             # pref_address
struct.pack_into('<I', img, 0x260, 0x800000)              # init_size
open(sys.argv[2], 'wb').write(img)
PY

start_berthd --host-cpus 4 --host-memory 2G
expect_status 0 berth image import pvh --kind vm --kernel "$SCRATCH/pvh.bzImage" --cmdline "pvh-import-test"
expect_status 0 berth image import plain --kind vm --kernel "$GUESTS/tiny-hello.bzImage"
cmp -s "$GUESTS/tiny-pvh.elf" "$STATE/images/pvh/vmlinux" || fail "the import did not store the guest as vmlinux: $(ls -la "$STATE/images/pvh")"
[ ! -e "$STATE/images/plain/vmlinux" ] || fail "a bzImage without a payload got a vmlinux"
grep -q "berthd: image 'plain': .*its servers boot the bzImage" "$SCRATCH/berthd.log" ||
	fail "berthd did not say why plain keeps its bzImage: $(tail -5 "$SCRATCH/berthd.log")"
echo "ok: the import extracted the vmlinux of a bzImage with a PVH payload, and only of it"

expect_status 0 berth create p --kind vm --image pvh --cpus 1 --memory 64M --start
expect_status 0 berth show p --format json
jq -e '.entry == "pvh" and .boot == "kernel"' <<<"$OUT" >/dev/null || fail "p: $OUT"
expect_status 0 berth show p
expect_output "entry"
wait_until 20 grep -q "pvh from tiny: magic ok, version 1, modules 0, rsdp ok, memmap 4, cmdline 'console=ttyS0 reboot=k panic=-1 pvh-import-test'" \
	"$STATE/servers/p/console.log" || fail "no PVH line on p's console: $(cat -v "$STATE/servers/p/console.log")"
expect_status 0 berth stop --timeout 10 p
expect_status 0 berth create q --kind vm --image plain --cpus 1 --memory 64M
expect_status 0 berth show q --format json
jq -e '.entry == "bzimage"' <<<"$OUT" >/dev/null || fail "q: $OUT"
expect_status 0 berth delete p
expect_status 0 berth delete q
echo "ok: the server boots its image's vmlinux through PVH and says so; a bzImage alone says bzimage"
