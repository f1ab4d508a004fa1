# berth-vmm: one process per VM.
PROGRAMS += vmm
vmm_BIN := berth-vmm
# liburing (virtio-blk I/O); jansson (the API socket's JSON) statically, as berth-ct does;
# libslirp (user-mode networking) whose pkg-config file wants glib's as well.
vmm_LIBS := -Wl,-Bstatic -ljansson -Wl,-Bdynamic -lpthread -luring $(shell pkg-config --libs slirp)
