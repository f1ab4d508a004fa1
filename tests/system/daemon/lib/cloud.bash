# tests/system/daemon/lib/cloud.bash - helpers of the cloud-init tests and benchmark
# (sourced): an SSH key and user-data whose runcmd writes a file, and ssh to a server.

# cloud_inputs DIR: DIR/key (+ .pub), a fresh ed25519 key, and DIR/user-data, a cloud-config
# whose runcmd writes "made-by-runcmd" into /var/tmp/runcmd-was-here.
cloud_inputs() {
	rm -f "$1/key" "$1/key.pub"
	ssh-keygen -q -t ed25519 -N '' -C berth-cloud-test -f "$1/key"
	printf '#cloud-config\nruncmd:\n  - [sh, -c, "echo made-by-runcmd > /var/tmp/runcmd-was-here"]\n' \
		>"$1/user-data"
}

# cloud_ssh KEY USER@ADDRESS CMD...: CMD over ssh with KEY, no host key checks (a new
# server's keys are new), at most 5 s to connect.
cloud_ssh() {
	local key=$1 dest=$2
	shift 2
	ssh -i "$key" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o ConnectTimeout=5 -o LogLevel=ERROR "$dest" "$@"
}

# cloud_ssh_within SECONDS KEY USER@ADDRESS CMD...: true once CMD succeeds over ssh.
cloud_ssh_within() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		cloud_ssh "$@" 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

# cloud_ct_image: print the path of the debian-cloud-ct image (scripts/mkimage: a debootstrap,
# minutes), built once into $BERTH_CACHE/images under a lock; fail with the build's log tail.
cloud_ct_image() {
	local cache=${BERTH_CACHE:-$HOME/.cache/berth}/images suite image
	suite=${SUITE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
	image=$cache/debian-cloud-ct-$suite.tar.zst
	mkdir -p "$cache"
	IMAGE=$image SCRATCH=$SCRATCH ROOT=$ROOT flock "$cache/debian-cloud-ct.lock" bash -c '
		[ -s "$IMAGE" ] && exit 0
		"$ROOT/scripts/mkimage" debian-cloud-ct "$IMAGE.tmp.tar.zst" >"$SCRATCH/mkimage-ct.log" 2>&1 ||
			{ rm -f "$IMAGE.tmp.tar.zst"; exit 1; }
		mv "$IMAGE.tmp.tar.zst" "$IMAGE"' ||
		fail "scripts/mkimage debian-cloud-ct: $(tail -n 20 "$SCRATCH/mkimage-ct.log")"
	echo "$image"
}
