/* cells.h - JSON values of the daemon's replies as table cells: sizes for people
 * ("1.0 GiB", "512 MiB"), numbers, text and times. A missing or null value is "-". */
#ifndef BERTH_CLI_CELLS_H
#define BERTH_CLI_CELLS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes rounded for reading: "900 B", "1.5 KiB", "1.0 GiB", "512 MiB" (one decimal below
 * 10 of a unit, whole numbers above, as `ls -h` does). */
const char *cell_bytes(uint64_t bytes, char *buf, size_t len);

/* A size: an integer of bytes through cell_bytes; a string (such as "512M") as it is. */
const char *cell_size(const json_t *v, char *buf, size_t len);

/* Text, an integer, a real (one decimal) or a boolean ("yes"/"no"). */
const char *cell_text(const json_t *v, char *buf, size_t len);

/* Unix seconds as local "YYYY-MM-DD HH:MM". */
const char *cell_time(const json_t *v, char *buf, size_t len);

/* A container's host ids, from its whole server object: "privileged" (its root is the
 * host's), the range its ids 0..65535 are ("1000000-1065535"), else "-" (a VM). */
/* A server's cloud-init seed: "INSTANCE-ID: N SSH keys, N bytes of user-data", or "-". */
const char *cell_seed(const json_t *seed, char *buf, size_t len);

const char *cell_ids(const json_t *server, char *buf, size_t len);

#endif
