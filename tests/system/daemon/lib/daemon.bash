# tests/system/daemon/lib/daemon.bash - helpers for berthd system tests (sourced): a
# berthd of the test's own (state dir, socket) driven with curl over its Unix socket.
. "$(dirname "${BASH_SOURCE[0]}")/../../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/state.bash"

BERTHD=$BUILD/berthd
[ -x "$BERTHD" ] || skip "build/berthd is not built (make)"
command -v curl >/dev/null || skip "needs curl"
command -v jq >/dev/null || skip "needs jq"
command -v sqlite3 >/dev/null || skip "needs sqlite3"

scratch
# a container's root (its own host uid) passes through here to its rootfs, as through /var/lib
chmod 711 "$SCRATCH"
STATE=$SCRATCH/state
SOCK=$SCRATCH/berth.sock
BERTHD_PID=
BERTHD_ARGS=()

# Stop our berthd (by its pid) and whatever servers the test left, then remove the scratch.
cleanup() {
	local n
	if [ -n "$BERTHD_PID" ]; then
		kill -TERM "$BERTHD_PID" 2>/dev/null || true
		wait "$BERTHD_PID" 2>/dev/null || true
	fi
	# Containers outlive berthd by design: stop the test's own with berth-ct.
	if [ -d "$STATE/run" ] && [ -x "$BUILD/berth-ct" ]; then
		for n in $(ls "$STATE/run" 2>/dev/null); do
			"$BUILD/berth-ct" --root "$STATE/run" kill "$n" KILL >/dev/null 2>&1 || true
			sleep 0.2
			"$BUILD/berth-ct" --root "$STATE/run" delete --force "$n" >/dev/null 2>&1 || true
		done
	fi
	# VMMs outlive berthd by design too: a test that failed may leave its own (their command
	# lines name the scratch directory).
	pkill -KILL -f "berth-vmm .*$SCRATCH/" 2>/dev/null || true
	# Containers' disks are mounted under servers/ while they run: never rm -rf through them.
	awk -v s="$SCRATCH/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r |
		while read -r n; do umount "$n" 2>/dev/null || umount -l "$n"; done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# test_bridge NAME ADDRESS/PREFIX NAT LINKS: berthd's settings (SCRATCH/berthd.conf) get a
# bridge of the test's own, named NAME plus this shell's pid (at most 15 characters: $BR),
# with NAT yes or no; at exit its dnsmasq, bridge and nftables tables (ip and bridge) go,
# and the links whose names match LINKS (an ERE: the test's taps and veths), before the
# usual cleanup.
test_bridge() {
	BR=$1$$
	BR=${BR:0:15}
	TABLE=berth_${BR//-/_}
	TEST_LINKS=$4
	printf 'bridge = %s\nbridge_address = %s\nnat = %s\n' "$BR" "$2" "$3" >"$SCRATCH/berthd.conf"
	trap bridge_cleanup EXIT
}

bridge_cleanup() {
	local pid l
	# our dnsmasq, by its pid file (it outlives berthd by design)
	pid=$(cat "$STATE/dhcp/dnsmasq.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && grep -q "$SCRATCH" "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid"; fi
	cleanup
	ip link del "$BR" 2>/dev/null || true
	nft delete table ip "$TABLE" 2>/dev/null || true
	nft delete table bridge "$TABLE" 2>/dev/null || true
	for l in $(ip -o link show | awk -F': ' '{print $2}' | grep -E "$TEST_LINKS" | sed 's/@.*//'); do
		ip link del "$l" 2>/dev/null || true
	done
}

# start_berthd [ARGS...]: start berthd (remembering ARGS for restarts) and wait for it.
start_berthd() {
	[ $# -gt 0 ] && BERTHD_ARGS=("$@")
	# An empty config of our own: the host's /etc/berth/berthd.conf must not change a test.
	: >>"$SCRATCH/berthd.conf"
	"$BERTHD" --state-dir "$STATE" --socket "$SOCK" --config "$SCRATCH/berthd.conf" "${BERTHD_ARGS[@]}" \
		>>"$SCRATCH/berthd.log" 2>&1 &
	BERTHD_PID=$!
	local i
	for i in $(seq 100); do
		curl -sf --unix-socket "$SOCK" http://berthd/1.0 >/dev/null 2>&1 && return 0
		kill -0 "$BERTHD_PID" 2>/dev/null || fail "berthd exited at start: $(tail -5 "$SCRATCH/berthd.log")"
		sleep 0.1
	done
	fail "berthd did not answer within 10 s"
}

# kill_berthd SIGNAL: send it to our berthd and reap it.
kill_berthd() {
	kill -"$1" "$BERTHD_PID"
	wait "$BERTHD_PID" 2>/dev/null || true
	BERTHD_PID=
}

# api METHOD PATH [BODY]: prints the reply body; $STATUS gets the HTTP status.
api() {
	local out
	out=$(curl -s --path-as-is --max-time 60 --unix-socket "$SOCK" -X "$1" -w '\n%{http_code}' \
		${3+-H 'Content-Type: application/json' --data-binary "$3"} "http://berthd$2") ||
		fail "curl $1 $2 failed (is berthd alive?)"
	STATUS=${out##*$'\n'}
	REPLY=${out%$'\n'*}
	printf '%s\n' "$REPLY"
}

# expect_api WANT_STATUS METHOD PATH [BODY]: like api, failing unless the status is WANT.
expect_api() {
	local want=$1
	shift
	api "$@" >/dev/null
	[ "$STATUS" = "$want" ] || fail "$1 $2 gave $STATUS, expected $want: $REPLY"
}

# wait_op OPERATION_PATH: wait for it; fail unless it succeeded.
wait_op() {
	api GET "$1/wait?timeout=60" >/dev/null
	[ "$(jq -r .status <<<"$REPLY")" = success ] || fail "operation $1: $REPLY"
}

# busybox_rootfs DIR: a minimal container root (busybox as /bin/sh and /sbin/init).
busybox_rootfs() {
	local bb
	bb=$(command -v busybox) || skip "needs busybox"
	mkdir -p "$1"/bin "$1"/sbin "$1"/etc "$1"/proc "$1"/sys "$1"/dev "$1"/tmp "$1"/root
	cp "$bb" "$1/bin/busybox"
	ln -sf busybox "$1/bin/sh"
	ln -sf ../bin/busybox "$1/sbin/init"
}

# two_projects_ct: projects alpha (2 CPUs, 1G) and beta; alpha's busybox image abb and its
# container asrv, running (for the tests of the network API's consoles).
two_projects_ct() {
	busybox_rootfs "$SCRATCH/rootfs"
	expect_api 201 POST /1.0/projects '{"name":"alpha","cpus":2,"memory":"1G"}'
	expect_api 201 POST /1.0/projects '{"name":"beta"}'
	expect_api 202 POST "/1.0/images?project=alpha" "{\"name\":\"abb\",\"kind\":\"ct\",\"rootfs\":\"$SCRATCH/rootfs\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 POST "/1.0/servers?project=alpha" '{"name":"asrv","kind":"ct","image":"abb","cpus":1,"memory":"256M"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
	expect_api 202 PUT /1.0/servers/asrv/state '{"action":"start"}'
	wait_op "$(jq -r .operation <<<"$REPLY")"
}

# add_junk DIR N: N directories of 50 small files under DIR/usr/share/junk, so that a copy of
# the tree takes long enough to be cut.
add_junk() {
	local d f
	mkdir -p "$1/usr/share/junk"
	for d in $(seq "$2"); do
		mkdir "$1/usr/share/junk/$d"
		for f in $(seq 50); do echo "$d $f" >"$1/usr/share/junk/$d/$f"; done
	done
}

# systemd_image: SYSTEMD_IMAGE is scripts/mkimage debian-systemd-ct's image (Debian minbase
# with systemd as init), built once (minutes: debootstrap from the host's mirror) into
# $BERTH_CACHE/images (default ~/.cache/berth).
systemd_image() {
	SYSTEMD_IMAGE=${BERTH_CACHE:-$HOME/.cache/berth}/images/debian-systemd-ct.tar.zst
	[ ! -s "$SYSTEMD_IMAGE" ] || return 0
	command -v debootstrap >/dev/null || skip "needs debootstrap (scripts/packages)"
	mkdir -p "${SYSTEMD_IMAGE%/*}"
	"$ROOT/scripts/mkimage" debian-systemd-ct "$SYSTEMD_IMAGE" >"$SCRATCH/mkimage.log" 2>&1 ||
		fail "scripts/mkimage debian-systemd-ct: $(tail -n 20 "$SCRATCH/mkimage.log")"
}

# import_ct NAME DIR: import DIR as container image NAME and wait for it.
import_ct() {
	expect_api 202 POST /1.0/images "{\"name\":\"$1\",\"kind\":\"ct\",\"rootfs\":\"$2\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
}

# need_berth_cli: the berth CLI and the programs consoles need; berth ARGS... runs it on SOCK.
need_berth_cli() {
	local p
	for p in berth berth-ct berth-console; do
		[ -x "$BUILD/$p" ] || skip "build/$p is not built (make)"
	done
	BERTH=$BUILD/berth
}
berth() { "$BERTH" --socket "$SOCK" "$@"; }

# wait_until SECONDS CMD...: true once CMD succeeds, false after SECONDS.
wait_until() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

