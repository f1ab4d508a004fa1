# tests/kit/lib.sh - helpers shared by tests/kit/* and tests/rig/* (sourced, bash).
# shellcheck shell=bash
#
# Everything built here is cached under $BERTH_CACHE (default ~/.cache/berth) and built
# at most once: builders take an flock on the cache directory and mark a finished build
# with a ".ready" stamp, so readers need no lock and a crash never leaves a half-built
# cache that looks finished.

: "${BERTH_CACHE:=${HOME:-/root}/.cache/berth}"
export BERTH_CACHE

kit_log() { echo "${KIT_PROG:-kit}: $*" >&2; }
kit_die() { kit_log "$*"; exit 1; }

# kit_locked LOCKFILE CMD... - run CMD holding an exclusive lock on LOCKFILE.
kit_locked() {
	local lockfile=$1
	shift
	mkdir -p "$(dirname "$lockfile")"
	(
		flock 9
		"$@"
	) 9>"$lockfile"
}

# kit_apt_dep METAPKG - the versioned kernel package a meta package depends on,
# e.g. linux-image-cloud-amd64 -> linux-image-6.1.0-56-cloud-amd64.
kit_apt_dep() {
	apt-cache depends "$1" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# kit_apt_download PKG DIR - fetch PKG's .deb into DIR. If apt's lists are missing or stale
# (the download fails), update them once and retry.
kit_apt_download() {
	local pkg=$1 dir=$2 opts=(-q)
	# As root, apt drops to user _apt for downloads and warns when _apt cannot write DIR.
	[ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
	if ! (cd "$dir" && apt-get "${opts[@]}" download "$pkg" >/dev/null 2>&1); then
		kit_log "apt-get download $pkg failed; running apt-get update"
		apt-get -q update >/dev/null || kit_die "apt-get update failed"
		(cd "$dir" && apt-get "${opts[@]}" download "$pkg" >/dev/null) || kit_die "cannot download $pkg"
	fi
}

# kit_kernel_unpacked METAPKG DIR - make DIR an unpacked kernel package (boot/vmlinuz-*,
# lib/modules/KVER with depmod run) for the kernel METAPKG depends on. Cached: a no-op once
# DIR/.ready exists. The package chosen on first build stays until the cache is removed,
# so tests do not change kernels under you after an apt update.
kit_kernel_unpacked() {
	local meta=$1 dir=$2
	[ -e "$dir/.ready" ] && return 0
	kit_locked "$dir.lock" _kit_kernel_build "$meta" "$dir"
}

_kit_kernel_build() {
	local meta=$1 dir=$2 pkg tmp kver
	[ -e "$dir/.ready" ] && return 0 # built while we waited for the lock
	pkg=$(kit_apt_dep "$meta")
	if [ -z "$pkg" ]; then
		apt-get -q update >/dev/null || true
		pkg=$(kit_apt_dep "$meta")
	fi
	[ -n "$pkg" ] || kit_die "cannot resolve $meta to a kernel package (apt-cache depends $meta)"
	kit_log "downloading kernel package $pkg..."
	rm -rf "$dir" "$dir.tmp"
	tmp=$dir.tmp
	mkdir -p "$tmp/deb"
	kit_apt_download "$pkg" "$tmp/deb"
	kit_log "unpacking $pkg..."
	dpkg-deb -x "$tmp"/deb/*.deb "$tmp/root"
	kver=$(ls "$tmp/root/lib/modules")
	[ -n "$kver" ] && [ -e "$tmp/root/boot/vmlinuz-$kver" ] || kit_die "$pkg has no kernel image"
	depmod -b "$tmp/root" "$kver"
	echo "$kver" >"$tmp/root/kver"
	echo "$pkg" >"$tmp/root/package"
	rm -rf "$tmp/deb"
	mv "$tmp/root" "$dir"
	rmdir "$tmp"
	touch "$dir/.ready"
}

# kit_module_files ROOT KVER MODULE... - the .ko files (paths relative to
# ROOT/lib/modules/KVER) needed to load MODULEs, dependencies first, each once. Modules
# the kernel lacks or has built in are skipped silently.
kit_module_files() {
	local root=$1 kver=$2 m
	shift 2
	for m in "$@"; do
		modprobe -d "$root" -S "$kver" --show-depends "$m" 2>/dev/null || true
	done | awk -v base="$root/lib/modules/$kver/" '
		$1 == "insmod" { f = $2; sub(base, "", f); if (!seen[f]++) print f }'
}

# kit_busybox_tree DIR - install a static busybox into DIR/bin with a link per applet.
kit_busybox_tree() {
	local dir=$1 bb applet
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || kit_die "busybox not found (apt-get install busybox-static)"
	# The initramfs has no libc, so the busybox must be static (Debian: busybox-static).
	if LC_ALL=C readelf -l "$bb" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		kit_die "$bb is dynamically linked; install busybox-static"
	fi
	mkdir -p "$dir/bin" "$dir/sbin" "$dir/usr/bin" "$dir/usr/sbin"
	cp "$bb" "$dir/bin/busybox"
	for applet in $("$bb" --list-full); do
		# The list names busybox itself; a link over the binary would be a loop (ELOOP).
		[ "${applet##*/}" = busybox ] && continue
		[ -e "$dir/$applet" ] || ln -s /bin/busybox "$dir/$applet"
	done
}

# kit_cpio DIR OUT - pack DIR as a gzip'd newc cpio (what the kernel unpacks as initramfs).
kit_cpio() {
	local dir=$1 out=$2
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
		gzip -n -6 >"$out.tmp.$$"
	mv "$out.tmp.$$" "$out"
}

# kit_deb_unpacked PKG DIR - make DIR the unpacked Debian package PKG (dpkg-deb -x), for
# guests that are files of a package (memtest86+, GNU Mach, SeaBIOS). Cached like the
# kernels: built once under a lock, marked with DIR/.ready.
kit_deb_unpacked() {
	local pkg=$1 dir=$2
	[ -e "$dir/.ready" ] && return 0
	kit_locked "$dir.lock" _kit_deb_build "$pkg" "$dir"
}

_kit_deb_build() {
	local pkg=$1 dir=$2 tmp=$2.tmp
	[ -e "$dir/.ready" ] && return 0 # built while we waited for the lock
	kit_log "downloading package $pkg..."
	rm -rf "$dir" "$tmp"
	mkdir -p "$tmp/deb"
	kit_apt_download "$pkg" "$tmp/deb"
	dpkg-deb -x "$tmp"/deb/*.deb "$tmp/root"
	rm -rf "$tmp/deb"
	mv "$tmp/root" "$dir"
	rmdir "$tmp"
	touch "$dir/.ready"
}
