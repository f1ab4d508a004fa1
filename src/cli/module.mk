# berth: the command line client of berthd (its REST API over a Unix socket).
PROGRAMS += cli
cli_BIN := berth
# libcurl speaks HTTP over the daemon's socket (or HTTPS to a remote one); jansson
# statically, as berth-ct does; libcrypto for a remote's certificate pin (common/tls_pin.h).
cli_LIBS := -Wl,-Bstatic -ljansson -Wl,-Bdynamic -lcurl -lcrypto
