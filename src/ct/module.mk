# berth-ct: the OCI container runtime.
PROGRAMS += ct
ct_BIN := berth-ct
ct_LIBS := -Wl,-Bstatic -ljansson -lseccomp -lcap -Wl,-Bdynamic
