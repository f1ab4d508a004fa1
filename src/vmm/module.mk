# berth-vmm: one process per VM.
PROGRAMS += vmm
vmm_BIN := berth-vmm
# liburing (virtio-blk I/O) and jansson (the API socket's JSON) statically, as berth-ct
# links its libraries; libslirp (user-mode networking, with glib behind it) is not linked
# but loaded when a VM asks for it (virtio/slirp_lib.c).
# libpng encodes screendump's PNG; the decompressors and nettle serve --decompress.
vmm_LIBS := -Wl,-Bstatic -ljansson -luring -lseccomp $(KERNEL_PAYLOAD_LIBS) -Wl,-Bdynamic -lpng -lpthread

# The system-call filters, compiled at build time (src/vmm/seccomp/gen/main.c): one native
# compiler run by every build (SAN and fuzz ones too), so berth-vmm never compiles a filter.
vmm_GEN := build/gen/vmm/seccomp_programs.c
VMM_SECCOMP_SRC := src/vmm/seccomp/gen/main.c src/vmm/seccomp/rules.c src/common/error.c
build/tools/seccomp-gen: $(VMM_SECCOMP_SRC) $(wildcard src/vmm/seccomp/*.h src/vmm/*.h src/common/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -o $@ $(VMM_SECCOMP_SRC) -lseccomp
build/gen/vmm/seccomp_programs.c: build/tools/seccomp-gen
	@mkdir -p $(@D)
	$< > $@.tmp && mv $@.tmp $@
