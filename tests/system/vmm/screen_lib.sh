# tests/system/vmm/screen_lib.sh - sourced (after ../lib.sh) by the display tests that run
# SeaBIOS on --display: skips without SeaBIOS's display ROM; a scratch directory with an
# empty 1 MiB disk ($SCRATCH/empty.img); pids, whose VMs are killed at exit (SeaBIOS without
# a bootable disk reboots for ever, so a failed check must not leave one running); and
# screen_lib.py importable.
need_kvm
[ -r /usr/share/seabios/vgabios-bochs-display.bin ] || skip "no SeaBIOS ROMs (apt-get install seabios)"
scratch
pids=()
trap 'kill -KILL "${pids[@]}" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
truncate -s 1M "$SCRATCH/empty.img"
PYTHONPATH=$(dirname "${BASH_SOURCE[0]}")
export PYTHONPATH
