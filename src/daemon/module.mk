# berthd: the daemon. Its storage parts (copy, images) build into build/libdaemon.a;
# the program itself (main.c, daemon_BIN and daemon_LIBS) comes with the daemon core.
PROGRAMS += daemon
daemon_BIN :=
daemon_LIBS := -Wl,-Bstatic -ljansson -Wl,-Bdynamic
