# berth-vmm: one process per VM.
PROGRAMS += vmm
vmm_BIN := berth-vmm
# jansson (the API socket's JSON) statically, as berth-ct does; libslirp (user-mode
# networking) whose pkg-config file wants glib's as well.
vmm_LIBS := -Wl,-Bstatic -ljansson -Wl,-Bdynamic -lpthread $(shell pkg-config --libs slirp)
