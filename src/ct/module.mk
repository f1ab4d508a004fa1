# berth-ct: the OCI container runtime.
PROGRAMS += ct
ct_BIN := berth-ct
ct_LIBS := -ljansson -lseccomp -lcap
