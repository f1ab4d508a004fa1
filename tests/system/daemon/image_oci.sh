#!/usr/bin/env bash
# image_oci.sh - a container image brought as an OCI image: podman makes one from a local
# busybox rootfs (podman import with ENV, ENTRYPOINT, CMD and WORKDIR, then podman save
# --format oci-archive); berth imports the archive, and the same image as a layout
# directory; a container created from it runs the image's entrypoint with its args, env and
# working directory (its console log says so). A hostile layout is refused, leaving nothing: a
# blob whose bytes do not match its digest, a blob that is a symlink to a host file, a
# manifest naming a digest that is not sha256.
# timeout: 240
. "$(dirname "$0")/lib/daemon.bash"
need_root
need_berth_cli
command -v podman >/dev/null || skip "needs podman"
command -v python3 >/dev/null || skip "needs python3 (to edit the layout's JSON)"

# podman's default ulimits must fit under this host's hard limits (no CAP_SYS_RESOURCE).
cat >"$SCRATCH/containers.conf" <<EOF2
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF2
export CONTAINERS_CONF=$SCRATCH/containers.conf
pm() {
	podman --root "$SCRATCH/pm/root" --runroot "$SCRATCH/pm/run" --tmpdir "$SCRATCH/pm/tmp" \
		--storage-driver vfs "$@"
}

busybox_rootfs "$SCRATCH/rootfs"
mkdir -p "$SCRATCH/rootfs/work"
cat >"$SCRATCH/rootfs/bin/hello" <<'EOF2'
#!/bin/sh
echo "entrypoint ran: GREETING=$GREETING cwd=$(pwd) args=$*"
exec sleep 3600
EOF2
chmod 755 "$SCRATCH/rootfs/bin/hello"
tar -C "$SCRATCH/rootfs" -c . | pm import --change 'ENV GREETING=ahoy' \
	--change 'ENTRYPOINT ["/bin/hello"]' --change 'CMD ["one", "two"]' \
	--change 'WORKDIR /work' - localhost/berth-oci >/dev/null
pm save --format oci-archive -o "$SCRATCH/image.tar" localhost/berth-oci 2>/dev/null
[ -s "$SCRATCH/image.tar" ] || fail "podman save made no archive"

start_berthd

nothing_left() {
	wait_until 10 eval "[ ! -e '$STATE/images/$1' ] && [ ! -e '$STATE/images/$1.tmp' ]" ||
		fail "image $1 left files: $(ls -la "$STATE/images")"
	api GET "/1.0/images/$1" >/dev/null
	[ "$STATUS" = 404 ] || fail "image $1 left a row: $STATUS $REPLY"
}

expect_status 0 berth image import oci1 --kind ct --rootfs "$SCRATCH/image.tar"
[ -x "$STATE/images/oci1/rootfs/bin/hello" ] || fail "the layer was not applied"
[ ! -e "$STATE/images/oci1/rootfs/index.json" ] || fail "the layout itself was kept as the rootfs"
jq -e '.args == ["/bin/hello", "one", "two"] and .env == ["GREETING=ahoy"] and .cwd == "/work"' \
	"$STATE/images/oci1/process.json" >/dev/null ||
	fail "the image's process: $(cat "$STATE/images/oci1/process.json")"

expect_status 0 berth create c1 --kind ct --image oci1 --cpus 1 --memory 128M --start
wait_until 10 grep -q "entrypoint ran" "$STATE/servers/c1/console.log" ||
	fail "the entrypoint did not run: $(cat "$STATE/servers/c1/console.log")"
grep -q "entrypoint ran: GREETING=ahoy cwd=/work args=one two" "$STATE/servers/c1/console.log" ||
	fail "the entrypoint ran without its env, cwd or args: $(cat "$STATE/servers/c1/console.log")"
expect_status 0 berth delete c1 --force
echo "ok: an oci-archive made by podman, its entrypoint run with its env"

# The layout as a directory.
mkdir "$SCRATCH/layout"
tar -C "$SCRATCH/layout" -xf "$SCRATCH/image.tar"
expect_status 0 berth image import oci2 --kind ct --rootfs "$SCRATCH/layout"
cmp "$STATE/images/oci1/process.json" "$STATE/images/oci2/process.json" ||
	fail "the directory's process differs from the archive's"
echo "ok: the same image as a layout directory"

# scripts/mkimage busybox-oci: busybox-ct's rootfs with an entrypoint, as an oci-archive.
"$ROOT/scripts/mkimage" busybox-oci "$SCRATCH/bb-oci.tar" >/dev/null 2>&1 ||
	fail "scripts/mkimage busybox-oci failed"
expect_status 0 berth image import bb --kind ct --rootfs "$SCRATCH/bb-oci.tar"
expect_status 0 berth create c2 --kind ct --image bb --cpus 1 --memory 64M --start
wait_until 10 grep -q "hello-oci from /root" "$STATE/servers/c2/console.log" ||
	fail "busybox-oci's entrypoint: $(cat "$STATE/servers/c2/console.log")"
expect_status 0 berth delete c2 --force
echo "ok: scripts/mkimage busybox-oci"

# Hostile layouts.
LAYER=$(jq -r '.layers[0].digest' "$SCRATCH/layout/blobs/sha256/$(jq -r '.manifests[0].digest' \
	"$SCRATCH/layout/index.json" | cut -d: -f2)" | cut -d: -f2)
cp -a "$SCRATCH/layout" "$SCRATCH/bad1"
printf 'X' | dd of="$SCRATCH/bad1/blobs/sha256/$LAYER" bs=1 seek=100 conv=notrunc status=none
expect_status 1 berth image import b1 --kind ct --rootfs "$SCRATCH/bad1"
expect_output "does not match its sha256 digest"
nothing_left b1

cp -a "$SCRATCH/layout" "$SCRATCH/bad2"
echo "host secret" >"$SCRATCH/host-file"
ln -sf "$SCRATCH/host-file" "$SCRATCH/bad2/blobs/sha256/$LAYER"
expect_status 1 berth image import b2 --kind ct --rootfs "$SCRATCH/bad2"
expect_output "is not a file in blobs/sha256/"
nothing_left b2

cp -a "$SCRATCH/layout" "$SCRATCH/bad3"
python3 - "$SCRATCH/bad3/index.json" <<'EOF2'
import json, sys
p = sys.argv[1]
j = json.load(open(p))
j["manifests"][0]["digest"] = "sha256:../../../etc/passwd"
json.dump(j, open(p, "w"))
EOF2
expect_status 1 berth image import b3 --kind ct --rootfs "$SCRATCH/bad3"
expect_output "not sha256:HEX"
nothing_left b3
echo "ok: a tampered blob, a symlinked blob and a digest that is a path are refused"
