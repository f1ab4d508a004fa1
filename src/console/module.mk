# berth-console: the keeper of a container's terminal and the exec session (docs/berthd.md).
PROGRAMS += console
console_BIN := berth-console
console_LIBS :=
