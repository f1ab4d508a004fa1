/* tar_out.c - making a tar archive of a few files as it is read. */
#include "cli/tar_out.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

#define BLOCK	   512
#define CHUNK	   (1u << 20)
#define ZERO_BLOCK (64 * 1024) /* the zeros that become a hole */
#define MAX_REGIONS                                                                                \
	16384 /* beyond, the rest of a file is one region, holes and all (the map                  \
	       must fit in CHUNK) */

enum { NEXT_FILE, DATA, END, DONE };

void tar_out_init(struct tar_out *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < TAR_OUT_FILES; i++)
		t->f[i].fd = -1;
}

/* A map of regions being built. */
struct region_list {
	struct tar_region *r;
	size_t n, cap;
};

/* Add [off, off + len) to l, joined to the last region when they touch. */
static int add_region(struct region_list *l, uint64_t off, uint64_t len, struct berth_error *err)
{
	struct tar_region *grown;

	if (l->n && l->r[l->n - 1].off + l->r[l->n - 1].len == off) {
		l->r[l->n - 1].len += len;
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		grown = realloc(l->r, l->cap * sizeof(*l->r));
		if (!grown)
			return berr(err, ENOMEM, "tar");
		l->r = grown;
	}
	l->r[l->n++] = (struct tar_region){ off, len };
	return 0;
}

/* Add the data of [off, end) to l, leaving out blocks of ZERO_BLOCK zeros: they become
 * holes, as GNU tar --sparse makes them (a disk image on a file system without SEEK_DATA,
 * such as 9p, or one copied without its holes). */
static int add_data(int fd, uint64_t off, uint64_t end, struct region_list *l, char *buf,
		    struct berth_error *err)
{
	static const char zeros[ZERO_BLOCK];
	ssize_t got;

	while (off < end) {
		if (l->n >= MAX_REGIONS - 1) /* too many: the rest as data */
			return add_region(l, off, end - off, err);
		got = pread(fd, buf, end - off < CHUNK ? end - off : CHUNK, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return berr(err, errno, "cannot read");
		if (got == 0) /* shrank: tar_out_read says so */
			return add_region(l, off, end - off, err);
		for (ssize_t b = 0; b < got; b += ZERO_BLOCK) {
			size_t len = got - b < ZERO_BLOCK ? (size_t)(got - b) : ZERO_BLOCK;

			if (memcmp(buf + b, zeros, len) &&
			    add_region(l, off + (uint64_t)b, len, err))
				return -1;
		}
		off += (uint64_t)got;
	}
	return 0;
}

/* The data regions of fd: SEEK_DATA/SEEK_HOLE's, less blocks of zeros. */
static int map_file(int fd, uint64_t size, struct tar_region **out, size_t *n,
		    struct berth_error *err)
{
	struct region_list l = { 0 };
	_cleanup_free_ char *buf = malloc(CHUNK);
	off_t data, end = 0;

	if (!buf)
		return berr(err, ENOMEM, "tar");
	while ((uint64_t)end < size) {
		data = lseek(fd, end, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break; /* a hole to the end */
		if (data < 0) {
			data = end; /* no SEEK_DATA here: the rest as data */
			end = (off_t)size;
		} else {
			end = lseek(fd, data, SEEK_HOLE);
			if (end < 0 || (uint64_t)end > size)
				end = (off_t)size;
		}
		if (add_data(fd, (uint64_t)data, (uint64_t)end, &l, buf, err)) {
			free(l.r);
			return -1;
		}
	}
	*out = l.r;
	*n = l.n;
	return 0;
}

int tar_out_add(struct tar_out *t, const char *name, const char *path, int fd, uint64_t *data,
		struct berth_error *err)
{
	struct stat st;
	unsigned i = t->n;

	if (i == TAR_OUT_FILES || fstat(fd, &st) < 0) {
		close(fd);
		return berr(err, i == TAR_OUT_FILES ? E2BIG : errno, "%s", path);
	}
	t->f[i].name = name;
	t->f[i].from = path;
	t->f[i].fd = fd;
	t->f[i].size = (uint64_t)st.st_size;
	if (map_file(fd, t->f[i].size, &t->f[i].map, &t->f[i].nmap, err)) {
		close(fd);
		t->f[i].fd = -1;
		return berr_wrap(err, "%s", path);
	}
	t->n++;
	*data = 0;
	for (size_t r = 0; r < t->f[i].nmap; r++)
		*data += t->f[i].map[r].len;
	return 0;
}

/* Numeric field: octal when it fits, else GNU's base-256. */
static void put_num(unsigned char *field, size_t width, uint64_t v)
{
	if (v < (1ULL << (3 * (width - 1)))) {
		snprintf((char *)field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
		return;
	}
	memset(field, 0, width);
	field[0] = 0x80;
	for (size_t i = width - 1; i > 0 && v; i--, v >>= 8)
		field[i] = v & 0xff;
}

/* A ustar header block at h. */
static void header(unsigned char *h, const char *name, char type, uint64_t size)
{
	unsigned sum = 0;

	memset(h, 0, BLOCK);
	snprintf((char *)h, 100, "%s", name);
	put_num(h + 100, 8, 0600);
	put_num(h + 108, 8, 0);
	put_num(h + 116, 8, 0);
	put_num(h + 124, 12, size);
	put_num(h + 136, 12, (uint64_t)time(NULL));
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
}

static size_t padded(size_t n)
{
	return (n + BLOCK - 1) / BLOCK * BLOCK;
}

/* One PAX record "LEN key=value\n" (LEN counting itself) appended at p. */
static size_t pax_record(char *p, const char *key, const char *value)
{
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;
	char digits[24];

	while (body + (size_t)snprintf(digits, sizeof(digits), "%zu", len) != len)
		len = body + (size_t)snprintf(digits, sizeof(digits), "%zu", len);
	return (size_t)sprintf(p, "%zu %s=%s\n", len, key, value);
}

/* The headers of f[cur] into t->buf: plain ustar, or PAX sparse 1.0 when it has holes. */
static int start_member(struct tar_out *t, struct berth_error *err)
{
	const struct tar_region *map = t->f[t->cur].map;
	size_t nmap = t->f[t->cur].nmap, need, pax = 0, mapl = 0;
	uint64_t size = t->f[t->cur].size, data = 0;
	bool sparse = !(nmap == 1 && map[0].off == 0 && map[0].len == size);
	char num[32], *p;

	for (size_t r = 0; r < nmap; r++)
		data += map[r].len;
	need = 4 * BLOCK + (sparse ? padded(48 * (nmap + 2)) : 0);
	if (need > CHUNK)
		return berr(err, E2BIG, "%s has too many holes", t->f[t->cur].from);
	t->len = t->pos = 0;
	if (sparse) {
		p = (char *)t->buf + BLOCK;
		pax += pax_record(p + pax, "GNU.sparse.major", "1");
		pax += pax_record(p + pax, "GNU.sparse.minor", "0");
		pax += pax_record(p + pax, "GNU.sparse.name", t->f[t->cur].name);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		pax += pax_record(p + pax, "GNU.sparse.realsize", num);
		header(t->buf, "./PaxHeaders/sparse", 'x', pax);
		t->len = BLOCK + padded(pax);
		/* The map: the count, then offset and length of each region; a hole at the
		 * end is a last region of length 0 at the file's size. */
		p = (char *)t->buf + t->len + BLOCK;
		bool tail = !nmap || map[nmap - 1].off + map[nmap - 1].len < size;
		mapl += (size_t)sprintf(p + mapl, "%zu\n", nmap + (tail ? 1 : 0));
		for (size_t r = 0; r < nmap; r++)
			mapl += (size_t)sprintf(p + mapl, "%llu\n%llu\n",
						(unsigned long long)map[r].off,
						(unsigned long long)map[r].len);
		if (tail)
			mapl += (size_t)sprintf(p + mapl, "%llu\n0\n", (unsigned long long)size);
		memset(p + mapl, 0, padded(mapl) - mapl);
		mapl = padded(mapl);
		snprintf(num, sizeof(num), "GNUSparseFile.0/%s", t->f[t->cur].name);
		header(t->buf + t->len, num, '0', mapl + data);
		t->len += BLOCK + mapl;
	} else {
		header(t->buf, t->f[t->cur].name, '0', size);
		t->len = BLOCK;
	}
	t->region = 0;
	t->done = 0;
	t->member = mapl;
	return 0;
}

/* The next piece of f[cur]'s data into t->buf; its padding once all is sent. */
static int next_data(struct tar_out *t, struct berth_error *err)
{
	typeof(t->f[0]) *f = &t->f[t->cur];
	const struct tar_region *r;
	uint64_t want;
	ssize_t n;

	t->len = t->pos = 0;
	while (t->region < f->nmap && t->done == f->map[t->region].len) {
		t->region++;
		t->done = 0;
	}
	if (t->region == f->nmap) {
		t->len = padded(t->member) - t->member;
		memset(t->buf, 0, t->len);
		close(f->fd);
		f->fd = -1;
		t->cur++;
		t->state = NEXT_FILE;
		return 0;
	}
	r = &f->map[t->region];
	want = r->len - t->done < CHUNK ? r->len - t->done : CHUNK;
	n = pread(f->fd, t->buf, want, (off_t)(r->off + t->done));
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0)
		return berr(err, errno, "cannot read %s", f->from);
	if (n == 0)
		return berr(err, 0, "%s shrank while it was read", f->from);
	t->len = (size_t)n;
	t->done += (uint64_t)n;
	t->member += (uint64_t)n;
	return 0;
}

ssize_t tar_out_read(struct tar_out *t, char *out, size_t max, struct berth_error *err)
{
	size_t n;

	if (!t->buf && !(t->buf = malloc(CHUNK)))
		return berr(err, ENOMEM, "tar");
	while (t->pos == t->len) {
		if (t->state == DONE)
			return 0;
		if (t->state == END) {
			t->len = 2 * BLOCK;
			t->pos = 0;
			memset(t->buf, 0, t->len);
			t->state = DONE;
		} else if (t->state == NEXT_FILE) {
			if (t->cur == t->n) {
				t->state = END;
				continue;
			}
			if (start_member(t, err))
				return -1;
			t->state = DATA;
		} else if (next_data(t, err)) {
			return -1;
		}
	}
	n = t->len - t->pos < max ? t->len - t->pos : max;
	memcpy(out, t->buf + t->pos, n);
	t->pos += n;
	return (ssize_t)n;
}

void tar_out_free(struct tar_out *t)
{
	for (unsigned i = 0; i < TAR_OUT_FILES; i++) {
		if (t->f[i].fd >= 0)
			close(t->f[i].fd);
		free(t->f[i].map);
	}
	free(t->buf);
	tar_out_init(t);
}
