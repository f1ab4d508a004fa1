#!/usr/bin/env bash
# rootfs.sh - root.path is refused up front, with a message naming it, when it is a
# symbolic link (to / here: the case that once ran on until a cgroup bind failed), passes
# through one, or is not a directory; a relative root.path with "./" and a trailing "/"
# still works.
# timeout: 60
. "$(dirname "$0")/lib/ct.bash"

main() {
	local b r
	r=$(ct_rootfs)
	ln -sfn / "$CT_TMP/root-link"
	b=$(ct_bundle link true)
	ct_cfg "$b" --arg r "$CT_TMP/root-link" '.root.path = $r'
	ct_refuses "$b" link "root.path \`$CT_TMP/root-link\` is a symbolic link" "a rootfs that is a symlink to /"
	[ -z "$(ct list -q)" ] || fail "a container was left: $(ct list -q)"
	[ ! -e "$(ct_cgroup_dir link pids)" ] || fail "the cgroup of a refused container was left"

	ln -sfn "$CT_TMP" "$CT_TMP/dir-link"
	b=$(ct_bundle through true)
	ct_cfg "$b" --arg r "$CT_TMP/dir-link/rootfs" '.root.path = $r'
	ct_refuses "$b" through "root.path \`$CT_TMP/dir-link/rootfs\` passes through a symbolic link" \
		"a rootfs under a symlinked directory"

	touch "$CT_TMP/root-file"
	b=$(ct_bundle file true)
	ct_cfg "$b" --arg r "$CT_TMP/root-file" '.root.path = $r'
	ct_refuses "$b" file "root.path \`$CT_TMP/root-file\` is not a directory" "a rootfs that is a file"

	b=$(ct_bundle missing true)
	ct_cfg "$b" '.root.path = "no-such-rootfs"'
	ct_refuses "$b" missing "root.path \`$b/no-such-rootfs\`: No such file" "a missing rootfs"
	ok "symlinked, symlink-crossing, non-directory and missing root.path refused, naming it"

	b=$(ct_bundle relative sh -c 'echo in-root')
	ln -sfn "$r" "$b/unused" # a symlink beside the rootfs is no concern
	cp -a "$r" "$b/rootfs"
	ct_cfg "$b" '.root.path = "./rootfs/"'
	[ "$(ct run --bundle "$b" relative)" = in-root ] || fail "relative root.path ./rootfs/"
	ok "a relative root.path with ./ and a trailing / runs"
}
ct_run_both
