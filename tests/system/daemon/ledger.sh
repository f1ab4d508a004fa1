#!/usr/bin/env bash
# ledger.sh - berthd never oversells: with --host-memory 2G two 1 GiB servers fit and a third
# is refused with 409 naming free memory; 20 concurrent creates never reserve more than the
# capacity (GET /1.0/host and the database agree); deleting releases.
# timeout: 120
. "$(dirname "$0")/lib/daemon.bash"

start_berthd --host-memory 2G --host-cpus 4
busybox_rootfs "$SCRATCH/rootfs"
import_ct bb "$SCRATCH/rootfs"

for n in one two; do
	expect_api 202 POST /1.0/servers "{\"name\":\"$n\",\"kind\":\"ct\",\"image\":\"bb\",\"cpus\":1,\"memory\":\"1G\"}"
	wait_op "$(jq -r .operation <<<"$REPLY")"
done
expect_api 409 POST /1.0/servers '{"name":"three","kind":"ct","image":"bb","cpus":1,"memory":1073741824}'
[[ $(jq -r .error <<<"$REPLY") == "not enough memory: asked 1 GiB, free 0 bytes of 2 GiB" ]] ||
	fail "refusal does not name free memory: $REPLY"
api GET /1.0/host >/dev/null
[ "$(jq .memory.reserved <<<"$REPLY")" = $((2 << 30)) ] || fail "reserved memory: $REPLY"
[ "$(jq .memory.free <<<"$REPLY")" = 0 ] || fail "free memory: $REPLY"
[ "$(jq .servers <<<"$REPLY")" = 2 ] || fail "server count: $REPLY"

# Deleting releases: a 1 GiB server fits again.
expect_api 202 DELETE /1.0/servers/two
wait_op "$(jq -r .operation <<<"$REPLY")"
[ ! -e "$STATE/servers/two" ] || fail "deleted server's files are still there"
expect_api 404 GET /1.0/servers/two
expect_api 202 POST /1.0/servers '{"name":"three","kind":"ct","image":"bb","cpus":1,"memory":"1G"}'
wait_op "$(jq -r .operation <<<"$REPLY")"
for n in one three; do
	expect_api 202 DELETE /1.0/servers/$n
	wait_op "$(jq -r .operation <<<"$REPLY")"
done

# 20 creates at once of 1 vCPU and 384 MiB: the 4 vCPUs allow 4, memory would allow 5.
pids=()
for i in $(seq 20); do
	curl -s --unix-socket "$SOCK" -o "$SCRATCH/race.$i" -w '%{http_code}' -X POST \
		--data-binary "{\"name\":\"r$i\",\"kind\":\"ct\",\"image\":\"bb\",\"cpus\":1,\"memory\":\"384M\"}" \
		http://berthd/1.0/servers >"$SCRATCH/race.$i.code" &
	pids+=($!)
done
wait "${pids[@]}"
ok=$(grep -l '^202$' "$SCRATCH"/race.*.code | wc -l)
refused=$(grep -l '^409$' "$SCRATCH"/race.*.code | wc -l)
[ "$ok" -eq 4 ] && [ "$refused" -eq 16 ] || fail "20 concurrent creates: $ok accepted, $refused refused (want 4, 16)"
api GET /1.0/host >/dev/null
[ "$(jq .cpus.reserved <<<"$REPLY")" -le 4 ] || fail "CPUs oversold: $REPLY"
[ "$(jq .memory.reserved <<<"$REPLY")" -le $((2 << 30)) ] || fail "memory oversold: $REPLY"
[ "$(db 'SELECT sum(cpus) FROM servers')" -le 4 ] || fail "database oversold CPUs"
[ "$(db 'SELECT sum(memory) FROM servers')" -le $((2 << 30)) ] || fail "database oversold memory"
echo "ledger: 2 of 3 x 1 GiB fit; 20 racing creates: $ok accepted, $refused refused"
