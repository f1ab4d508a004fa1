# berth-vmm: one process per VM.
PROGRAMS += vmm
vmm_BIN := berth-vmm
# libslirp (user-mode networking); its pkg-config file wants glib's as well.
vmm_LIBS := -lpthread $(shell pkg-config --libs slirp)
