# tests/system/vmm/api_lib.sh - talking to berth-vmm's API socket from a test (sourced).
# A small Python client, since socat is not installed everywhere the tests run (the rig).

API_PY=$(command -v /usr/bin/python3 || command -v python3)

# api SOCK LINE...: send each LINE to the socket and print the one reply line for each.
api() {
	"$API_PY" - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rwb")
for line in sys.argv[2:]:
    f.write(line.encode() + b"\n")
    f.flush()
    sys.stdout.write(f.readline().decode())
PY
}

# api_wait_sock SOCK [SECONDS]: wait until the VMM listens on SOCK.
api_wait_sock() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		api "$1" '{"cmd":"status"}' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "nothing answers on $1"
}

# api_watch SOCK SECONDS: send "watch" and print every line received until the VMM closes
# the socket or SECONDS pass (run it in the background).
api_watch() {
	"$API_PY" - "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b'{"cmd":"watch"}\n')
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        data = s.recv(4096)
    except socket.timeout:
        break
    if not data:
        break
    sys.stdout.write(data.decode())
    sys.stdout.flush()
PY
}

# cpu_ticks PID: the user+system CPU time PID has used, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
