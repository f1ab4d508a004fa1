# tests/system/vmm/devices.sh - guests with virtio disks, network and rng (sourced).
# shellcheck shell=bash
#
# Device tests and bench/vmm/io give a guest's devices in berth-vmm's syntax:
#   --disk PATH[,ro][,serial=ID]   --net tap=IFNAME[,mac=MAC]
#   --net user[,mac=MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT]...   --no-rng
# qemu_cmd turns such a command line into QEMU's (q35, KVM, virtio-*-pci, no vhost), so
# the same guest runs under QEMU: with TEST_VMM=qemu the tests prove their guest side
# before berth-vmm has the device, and the benchmark has its peer.

# qemu_cmd BERTH-VMM-OPTIONS...: set QEMU_CMD to the QEMU command line for the same guest.
qemu_cmd() {
	local mem=512M cpus=1 rng=1 n=0
	QEMU_CMD=(qemu-system-x86_64 -accel kvm -M q35 -cpu host -nodefaults -no-user-config
		-display none -no-reboot -serial stdio)
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) QEMU_CMD+=(-kernel "$2") ;;
		--initrd) QEMU_CMD+=(-initrd "$2") ;;
		--cmdline) QEMU_CMD+=(-append "$2") ;;
		--mem) mem=$2 ;;
		--cpus) cpus=$2 ;;
		--disk) _qemu_disk "$2" "disk$((n++))" ;;
		--net) _qemu_net "$2" "net$((n++))" || return 2 ;;
		--no-rng) rng=0; shift; continue ;;
		*) echo "qemu_cmd: no QEMU equivalent for $1" >&2; return 2 ;;
		esac
		shift 2
	done
	QEMU_CMD+=(-m "$mem" -smp "$cpus")
	[ "$rng" = 0 ] || QEMU_CMD+=(-device virtio-rng-pci)
}

# _qemu_disk PATH[,ro][,serial=ID] ID: a raw image as a virtio-blk-pci disk.
_qemu_disk() {
	local drive="file=${1%%,*},format=raw,if=none,id=$2" dev="virtio-blk-pci,drive=$2" o
	for o in $(tr , ' ' <<<"${1#"${1%%,*}"}"); do
		case $o in
		ro) drive+=,readonly=on ;;
		serial=*) dev+=",$o" ;;
		esac
	done
	QEMU_CMD+=(-drive "$drive" -device "$dev")
}

# _qemu_net user|tap=IFNAME[,mac=MAC][,hostfwd=...] ID: a virtio-net-pci NIC. vhost=off:
# berth-vmm moves packets in user space, and so shall its peer.
_qemu_net() {
	local kind=${1%%,*} netdev dev="virtio-net-pci,netdev=$2" o
	case $kind in
	user) netdev="user,id=$2" ;;
	tap=*) netdev="tap,id=$2,ifname=${kind#tap=},script=no,downscript=no,vhost=off" ;;
	*) echo "qemu_cmd: --net $1: want user or tap=IFNAME" >&2; return 2 ;;
	esac
	for o in $(tr , ' ' <<<"${1#"$kind"}"); do
		case $o in
		mac=*) dev+=",$o" ;;
		hostfwd=*) netdev+=",$o" ;;
		esac
	done
	QEMU_CMD+=(-netdev "$netdev" -device "$dev")
}

# vmm_cmd BERTH-VMM-OPTIONS...: set VMM_CMD to the guest prepared by guest_inside with these
# devices, under berth-vmm or, with TEST_VMM=qemu, under QEMU.
# shellcheck disable=SC2034 # VMM_CMD is the result
vmm_cmd() {
	if [ "${TEST_VMM:-berth}" = qemu ]; then
		qemu_cmd "${GUEST_VMM[@]:1}" "$@"
		VMM_CMD=("${QEMU_CMD[@]}")
	else
		VMM_CMD=("${GUEST_VMM[@]}" "$@")
	fi
}
