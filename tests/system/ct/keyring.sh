#!/usr/bin/env bash
# keyring.sh - each container process gets a fresh session keyring (as runc does): a key
# added to the session keyring in one container is not found from another, nor is a key of
# the session keyring berth-ct was started in; `exec` gets a fresh one too. The rootfs
# borrows the host's /usr (read-only) for keyutils' keyctl.
# timeout: 60
. "$(dirname "$0")/lib/ct.bash"

command -v keyctl >/dev/null || skip "needs keyctl (package keyutils)"

# ct_key_bundle NAME CMD...: a bundle whose rootfs has the host's /usr, so keyctl runs.
ct_key_bundle() {
	local b
	b=$(ct_bundle "$@")
	if [ ! -d "$CT_TMP/keyroot" ]; then
		cp -a "$(ct_rootfs)" "$CT_TMP/keyroot"
		mkdir -p "$CT_TMP/keyroot/usr"
		ln -s usr/lib "$CT_TMP/keyroot/lib"
		ln -s usr/lib64 "$CT_TMP/keyroot/lib64"
	fi
	ct_cfg "$b" --arg r "$CT_TMP/keyroot" '.root.path = $r |
		.mounts += [{destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro"]}]'
	echo "$b"
}

main() {
	local b out
	b=$(ct_key_bundle first sh -c 'keyctl add user berth-secret first-secret @s >/dev/null &&
		keyctl search @s user berth-secret >/dev/null && echo found >/tmp/own-key; exec sleep 1000')
	ct run --detach --bundle "$b" first
	for _ in $(seq 1 100); do
		[ -n "$(ct exec first cat /tmp/own-key 2>/dev/null)" ] && break
		sleep 0.05
	done
	# first found its own key: keyrings work in there at all
	[ "$(ct exec first cat /tmp/own-key)" = found ] || fail "first did not find its own key"
	# the host's session keyring holds a key too: the one berth-ct is run in
	b=$(ct_key_bundle second sh -c 'keyctl search @s user berth-secret 2>&1 || echo no-first-key;
		keyctl search @s user berth-host-secret 2>&1 || echo no-host-key')
	out=$(keyctl session - sh -c 'keyctl add user berth-host-secret host-secret @s >/dev/null &&
		keyctl search @s user berth-host-secret >/dev/null || echo "host key not added";
		"$0" --root "$1" run --bundle "$2" second' "$CT" "$CT_ROOT" "$b" 2>&1) ||
		fail "second: $out"
	echo "$out" | grep -qx no-first-key || fail "first's session key found from second: $out"
	echo "$out" | grep -qx no-host-key || fail "the host's session key found from a container: $out"
	out=$(ct exec first sh -c 'keyctl search @s user berth-secret 2>&1 || echo exec-fresh')
	echo "$out" | grep -qx exec-fresh || fail "exec shares the session keyring: $out"
	ct delete --force first
	ok "a fresh session keyring per container and per exec"
}
ct_run_both
