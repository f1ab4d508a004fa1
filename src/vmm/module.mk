# berth-vmm: one process per VM.
PROGRAMS += vmm
vmm_BIN := berth-vmm
vmm_LIBS := -lpthread -luring
