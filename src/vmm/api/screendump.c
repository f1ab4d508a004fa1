/* screendump.c - PNG encoding with libpng into a memory file (see screendump.h). */
#include "screendump.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct png_out {
	int fd;
	uint64_t len;
	bool failed;
};

static void png_out_write(png_structp png, png_bytep data, size_t n)
{
	struct png_out *o = png_get_io_ptr(png);

	while (n && !o->failed) {
		ssize_t w = write(o->fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			o->failed = true;
			break;
		}
		data += w;
		n -= (size_t)w;
		o->len += (uint64_t)w;
	}
}

static void png_out_flush(png_structp png)
{
	(void)png;
}

/* libpng reports errors by longjmp; everything it allocated is freed by the caller. */
static int screendump_encode(png_structp png, png_infop info, const struct screen *s, uint8_t *row)
{
	uint32_t x, y;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_set_IHDR(png, info, s->width, s->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 1); /* screens of text compress well even so */
	png_write_info(png, info);
	for (y = 0; y < s->height; y++) {
		const uint32_t *p = s->pixels + (size_t)y * s->width;

		for (x = 0; x < s->width; x++) {
			row[3 * x] = (uint8_t)(p[x] >> 16);
			row[3 * x + 1] = (uint8_t)(p[x] >> 8);
			row[3 * x + 2] = (uint8_t)p[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	return 0;
}

int screendump_png(const struct screen *s, int *fd, uint64_t *len, struct berth_error *err)
{
	struct png_out o = { .fd = memfd_create("berth-screendump",
						MFD_CLOEXEC | MFD_ALLOW_SEALING) };
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row = malloc((size_t)s->width * 3);
	int r = -1;

	if (o.fd < 0) {
		berr(err, errno, "screendump: memfd_create");
		goto out;
	}
	png = row ? png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL) : NULL;
	info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		berr(err, ENOMEM, "screendump: PNG encoder");
		goto out;
	}
	png_set_write_fn(png, &o, png_out_write, png_out_flush);
	if (screendump_encode(png, info, s, row) || o.failed) {
		berr(err, o.failed ? errno : 0, "screendump: encoding the PNG");
		goto out;
	}
	/* The client gets a file it can read but neither write nor grow. */
	if (lseek(o.fd, 0, SEEK_SET) < 0 ||
	    fcntl(o.fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) <
		0) {
		berr(err, errno, "screendump: sealing the PNG");
		goto out;
	}
	*fd = o.fd;
	*len = o.len;
	o.fd = -1;
	r = 0;
out:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(row);
	if (o.fd >= 0)
		close(o.fd);
	return r;
}
