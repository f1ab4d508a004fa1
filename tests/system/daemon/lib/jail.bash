# tests/system/daemon/lib/jail.bash - checks of a jailed VMM (sourced after daemon.bash or
# rig_daemon.bash, whose `berth` and $STATE it uses).

pid_of() { berth show "$1" --format json | jq .pid; }
field() { awk -v f="$2:" '$1 == f {$1 = ""; print substr($0, 2)}' "/proc/$1/status"; }

# check_jailed NAME UID: NAME's VMM runs in its jail as UID.
check_jailed() {
	local pid n
	pid=$(pid_of "$1")
	[ "$(field "$pid" Uid)" = "$2 $2 $2 $2" ] || fail "$1's VMM uids: $(field "$pid" Uid)"
	[ "$(field "$pid" Gid)" = "$2 $2 $2 $2" ] || fail "$1's VMM gids: $(field "$pid" Gid)"
	[ "$(field "$pid" Groups)" = "" ] || fail "$1's VMM groups: $(field "$pid" Groups)"
	[ "$(field "$pid" CapEff)" = 0000000000000000 ] || fail "$1's VMM CapEff $(field "$pid" CapEff)"
	[ "$(field "$pid" CapPrm)" = 0000000000000000 ] || fail "$1's VMM CapPrm $(field "$pid" CapPrm)"
	[ "$(field "$pid" CapBnd)" = 0000000000000000 ] || fail "$1's VMM CapBnd $(field "$pid" CapBnd)"
	[ "$(field "$pid" NoNewPrivs)" = 1 ] || fail "$1's VMM NoNewPrivs $(field "$pid" NoNewPrivs)"
	[ "$(field "$pid" Seccomp)" = 2 ] || fail "$1's VMM Seccomp $(field "$pid" Seccomp)"
	[ "$(field "$pid" NSpid | awk '{print $NF}')" = 1 ] || fail "$1's VMM NSpid $(field "$pid" NSpid)"
	for n in mnt pid ipc uts; do
		[ "$(readlink "/proc/$pid/ns/$n")" != "$(readlink "/proc/self/ns/$n")" ] ||
			fail "$1's VMM shares our $n namespace"
	done
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)" ] ||
		fail "$1's VMM has a network namespace of its own (its tap is the host's)"
	# its root: no /etc (not /etc/hostname, not /etc/shadow); its server's files; its /dev/kvm
	[ -e /etc/hostname ] && [ ! -e "/proc/$pid/root/etc/hostname" ] || fail "$1's VMM sees /etc/hostname"
	[ ! -e "/proc/$pid/root/etc/shadow" ] || fail "$1's VMM sees /etc/shadow"
	[ ! -e "/proc/$pid/root$STATE/berth.db" ] || fail "$1's VMM sees berthd's database"
	[ -S "/proc/$pid/root$STATE/servers/$1/api.sock" ] || fail "$1's VMM does not see its api.sock"
	[ "$(stat -c %u "/proc/$pid/root/dev/kvm")" = "$2" ] || fail "$1's /dev/kvm is not its uid's"
	[ -c "/proc/$pid/root/dev/net/tun" ] || fail "$1's VMM has no /dev/net/tun"
	[ "$(nsenter -t "$pid" -u hostname)" = "$1" ] || fail "$1's VMM's host name: $(nsenter -t "$pid" -u hostname)"
	[ "$(stat -c %u "$STATE/servers/$1")" = "$2" ] || fail "$STATE/servers/$1 is not its uid's"
}
