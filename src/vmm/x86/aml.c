/* aml.c - AML encoding (ACPI spec, chapter 20). */
#include "aml.h"

#include <string.h>

enum {
	AML_ZERO = 0x00,
	AML_ONE = 0x01,
	AML_NAME_OP = 0x08,
	AML_BYTE = 0x0A,
	AML_WORD = 0x0B,
	AML_DWORD = 0x0C,
	AML_STRING = 0x0D,
	AML_QWORD = 0x0E,
	AML_SCOPE = 0x10,
	AML_BUFFER = 0x11,
	AML_PACKAGE = 0x12,
	AML_EXT = 0x5B,
	AML_DEVICE = 0x82,
	AML_ROOT = 0x5C,
	AML_DUAL = 0x2E,
	AML_MULTI = 0x2F,
};

enum { BUFFER_MARK = 1u << 31 }; /* in open[]: this construct is a buffer needing a size */

void aml_init(struct aml *a)
{
	memset(a, 0, sizeof(*a));
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->overflow || n > AML_MAX - a->len) {
		a->overflow = 1;
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void aml_byte(struct aml *a, uint8_t b)
{
	aml_bytes(a, &b, 1);
}

/* Name segments are 4 characters, padded with '_'. */
static void aml_nameseg(struct aml *a, const char *seg, size_t n)
{
	char s[4] = { '_', '_', '_', '_' };

	memcpy(s, seg, n > 4 ? 4 : n);
	aml_bytes(a, s, 4);
}

void aml_name(struct aml *a, const char *name)
{
	const char *p = name, *dot;
	unsigned nseg = 1;

	if (*p == '\\') {
		aml_byte(a, AML_ROOT);
		p++;
	}
	for (dot = p; (dot = strchr(dot, '.')); dot++)
		nseg++;
	if (nseg == 2)
		aml_byte(a, AML_DUAL);
	else if (nseg > 2) {
		aml_byte(a, AML_MULTI);
		aml_byte(a, (uint8_t)nseg);
	}
	while (nseg--) {
		dot = strchr(p, '.');
		aml_nameseg(a, p, dot ? (size_t)(dot - p) : strlen(p));
		p = dot ? dot + 1 : p;
	}
}

void aml_int(struct aml *a, uint64_t v)
{
	unsigned n;

	if (v <= 1) {
		aml_byte(a, v ? AML_ONE : AML_ZERO);
		return;
	}
	if (v <= 0xff) {
		aml_byte(a, AML_BYTE);
		n = 1;
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD);
		n = 2;
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD);
		n = 4;
	} else {
		aml_byte(a, AML_QWORD);
		n = 8;
	}
	while (n--) {
		aml_byte(a, (uint8_t)v);
		v >>= 8;
	}
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING);
	aml_bytes(a, s, strlen(s) + 1);
}

static void aml_begin(struct aml *a, unsigned flags)
{
	if (a->depth == AML_DEPTH) {
		a->overflow = 1;
		return;
	}
	a->open[a->depth++] = a->len | flags;
}

void aml_scope(struct aml *a, const char *name)
{
	aml_byte(a, AML_SCOPE);
	aml_begin(a, 0);
	aml_name(a, name);
}

void aml_device(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT);
	aml_byte(a, AML_DEVICE);
	aml_begin(a, 0);
	aml_name(a, name);
}

void aml_package(struct aml *a, unsigned nelems)
{
	aml_byte(a, AML_PACKAGE);
	aml_begin(a, 0);
	aml_byte(a, (uint8_t)nelems);
}

void aml_buffer(struct aml *a)
{
	aml_byte(a, AML_BUFFER);
	aml_begin(a, BUFFER_MARK);
}

void aml_name_decl(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name(a, name);
}

/* Insert n bytes at offset at, shifting what follows. */
static void aml_insert(struct aml *a, size_t at, const uint8_t *p, size_t n)
{
	if (a->overflow || n > AML_MAX - a->len) {
		a->overflow = 1;
		return;
	}
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
}

void aml_end(struct aml *a)
{
	uint8_t enc[4], size[9];
	size_t start, body, total;
	unsigned k, i;
	struct aml tmp;

	if (a->overflow || a->depth == 0) {
		a->overflow = 1;
		return;
	}
	start = a->open[--a->depth];
	if (start & BUFFER_MARK) {
		start &= ~(size_t)BUFFER_MARK;
		/* A buffer's contents begin with their own size as an integer. */
		aml_init(&tmp);
		aml_int(&tmp, a->len - start);
		memcpy(size, tmp.buf, tmp.len);
		aml_insert(a, start, size, tmp.len);
	}
	body = a->len - start;
	for (k = 1; k <= 4; k++) {
		total = body + k;
		if ((k == 1 && total <= 0x3f) || (k > 1 && total < (1ULL << (4 + 8 * (k - 1)))))
			break;
	}
	if (k > 4) {
		a->overflow = 1;
		return;
	}
	if (k == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)(((k - 1) << 6) | (total & 0xf));
		for (i = 1; i < k; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	aml_insert(a, start, enc, k);
}

void aml_res_io(struct aml *a, uint16_t port, uint8_t len)
{
	const uint8_t d[8] = { 0x47,	      0x01,
			       (uint8_t)port, (uint8_t)(port >> 8),
			       (uint8_t)port, (uint8_t)(port >> 8),
			       0x01,	      len };

	aml_bytes(a, d, sizeof(d));
}

static void aml_le(uint8_t *p, uint64_t v, unsigned n)
{
	while (n--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

/* Address space descriptors (6.4.3.5): general flags say a producer with fixed minimum and
 * maximum, decoding positively. */
#define AML_ADDR_FIXED 0x0C

void aml_res_bus(struct aml *a, uint16_t min, uint16_t max)
{
	uint8_t d[16] = { 0x88, 13, 0, 2 /* bus numbers */, AML_ADDR_FIXED, 0 };

	aml_le(d + 8, min, 2);
	aml_le(d + 10, max, 2);
	aml_le(d + 14, (uint32_t)max - min + 1, 2);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_mem_window(struct aml *a, uint32_t base, uint32_t len)
{
	uint8_t d[26] = { 0x87,		  23,  0, 0 /* memory */,
			  AML_ADDR_FIXED, 0x01 /* read-write, non-cacheable */ };

	aml_le(d + 10, base, 4);
	aml_le(d + 14, (uint64_t)base + len - 1, 4);
	aml_le(d + 22, len, 4);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_mem32(struct aml *a, uint32_t base, uint32_t len)
{
	uint8_t d[12] = { 0x86, 9, 0, 0x01 /* read-write */ };

	aml_le(d + 4, base, 4);
	aml_le(d + 8, len, 4);
	aml_bytes(a, d, sizeof(d));
}

void aml_res_end(struct aml *a)
{
	const uint8_t d[2] = { 0x79, 0x00 };

	aml_bytes(a, d, sizeof(d));
}
