/* disk_size.c - the size rules of servers' disks. */
#include "daemon/images/disk_size.h"

#include <errno.h>

#include "common/size.h"
#include "common/error.h"

#define MIB (1ULL << 20)

/* Sizes beyond this are refused before any arithmetic on them (SQLite keeps int64). */
#define DISK_MAX (1ULL << 60)

uint64_t ct_disk_min(uint64_t tree_bytes)
{
	uint64_t need;

	if (tree_bytes > DISK_MAX)
		tree_bytes = DISK_MAX;
	need = tree_bytes + tree_bytes / 8 + 32 * MIB;
	return (need + MIB - 1) / MIB * MIB;
}

int disk_size(enum server_kind kind, uint64_t asked, uint64_t image_bytes, uint64_t *size,
	      struct berth_error *err)
{
	char a[32], m[32], t[32];
	uint64_t min;

	if (asked > DISK_MAX || image_bytes > DISK_MAX)
		return refuse(err, EINVAL, "disk too large: at most %s",
			      size_format(DISK_MAX, a, sizeof(a)));
	if (kind == KIND_VM) {
		*size = asked > image_bytes ? asked : image_bytes;
		return 0;
	}
	min = ct_disk_min(image_bytes);
	if (asked == 0) {
		*size = min + CT_DISK_HEADROOM;
		return 0;
	}
	if (asked < min)
		return refuse(err, EINVAL,
			      "disk too small: asked %s, but the image's tree takes %s; with its "
			      "file system it needs a disk of at least %s",
			      size_format(asked, a, sizeof(a)),
			      size_format(image_bytes, t, sizeof(t)),
			      size_format(min, m, sizeof(m)));
	*size = asked;
	return 0;
}
