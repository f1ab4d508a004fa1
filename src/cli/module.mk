# berth: the command line client of berthd (its REST API over a Unix socket).
PROGRAMS += cli
cli_BIN := berth
# libcurl speaks HTTP over the daemon's socket; jansson statically, as berth-ct does.
cli_LIBS := -Wl,-Bstatic -ljansson -Wl,-Bdynamic -lcurl
