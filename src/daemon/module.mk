# berthd: the daemon that sells VMs and containers of one host (docs/berthd.md).
PROGRAMS += daemon
daemon_BIN := berthd
# libmicrohttpd (the API over a Unix socket), SQLite (state), libcrypto (sha256 of OCI
# image blobs), jansson statically as berth-ct and berth-vmm link it, libcap (statically,
# as berth-ct) for the names of the capabilities a container keeps.
daemon_LIBS := -Wl,-Bstatic -ljansson -lcap -Wl,-Bdynamic -lmicrohttpd -lsqlite3 -lpthread -lm -lnl-route-3 -lnl-3 -lnftables -lcrypto $(KERNEL_PAYLOAD_LIBS)
# libnl's headers live in a directory of their own
CFLAGS += -I/usr/include/libnl3
FUZZ_FLAGS += -I/usr/include/libnl3
