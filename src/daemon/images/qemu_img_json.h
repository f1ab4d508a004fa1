/* qemu_img_json.h - reading what qemu-img says of a customer's qcow2 disk (`info` and `check`,
 * --output=json). The JSON carries the image's own strings (a backing file's name, an external
 * data file's), so it is untrusted input: bounded, and parsed only into the few facts a judge
 * needs. */
#ifndef BERTH_DAEMON_QEMU_IMG_JSON_H
#define BERTH_DAEMON_QEMU_IMG_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* The most qemu-img's JSON may be (a qcow2's info is under 1 KiB; its backing file's name is
 * at most 1023 bytes, an external data file's as long). */
#define QEMU_IMG_JSON_MAX (64 * 1024)

/* Judge `qemu-img info --output=json` of the qcow2 what (its name in messages): refused
 * (EINVAL) unless it is a qcow2 with no backing file, no external data file, no encryption, not
 * marked corrupt, and a virtual size of 1 byte or more; *virtual_size gets that size. */
int qemu_img_info_judge(const char *json, size_t len, const char *what, uint64_t *virtual_size,
			struct berth_error *err);

/* Judge `qemu-img check --output=json` of what: refused (EINVAL) when it found corruptions or
 * could not check everything (a truncated image: tables pointing past its end). Leaked
 * clusters are harmless to a copy and pass. */
int qemu_img_check_judge(const char *json, size_t len, const char *what, struct berth_error *err);

#endif
