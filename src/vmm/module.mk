# berth-vmm: one process per VM.
PROGRAMS += vmm
vmm_BIN := berth-vmm
# liburing (virtio-blk I/O) and jansson (the API socket's JSON) statically, as berth-ct
# links its libraries; libslirp (user-mode networking, with glib behind it) is not linked
# but loaded when a VM asks for it (virtio/slirp_lib.c).
# libpng encodes screendump's PNG; the decompressors and nettle serve --decompress.
vmm_LIBS := -Wl,-Bstatic -ljansson -luring -lseccomp $(KERNEL_PAYLOAD_LIBS) -Wl,-Bdynamic -lpng -lpthread
