/* aml.h - just enough of an ACPI Machine Language writer for berth-vmm's DSDT.
 *
 * Constructs that carry a PkgLength (scopes, devices, packages, buffers) are written
 * as begin/end pairs; aml_end() fills in the length once the contents are known. */
#ifndef BERTH_VMM_X86_AML_H
#define BERTH_VMM_X86_AML_H

#include <stddef.h>
#include <stdint.h>

#define AML_MAX	  4096
#define AML_DEPTH 8

struct aml {
	uint8_t buf[AML_MAX];
	size_t len;
	size_t open[AML_DEPTH]; /* where each open construct's contents start */
	unsigned depth;
	int overflow; /* set when anything did not fit; the result must then not be used */
};

/* Start an empty AML stream. */
void aml_init(struct aml *a);
/* Append raw bytes. */
void aml_bytes(struct aml *a, const void *p, size_t n);
/* Append a (possibly rooted, dotted) name such as "\\_SB_" or "_HID". */
void aml_name(struct aml *a, const char *name);
/* Append an integer constant in its shortest encoding. */
void aml_int(struct aml *a, uint64_t v);
/* Append a string constant. */
void aml_string(struct aml *a, const char *s);
/* Open Scope(name) { ... }. */
void aml_scope(struct aml *a, const char *name);
/* Open Device(name) { ... }. */
void aml_device(struct aml *a, const char *name);
/* Open Package(n) { ... }. */
void aml_package(struct aml *a, unsigned nelems);
/* Open Buffer { ... } whose size is set at aml_end(). */
void aml_buffer(struct aml *a);
/* Append Name(name, ...): the value follows as the next element. */
void aml_name_decl(struct aml *a, const char *name);
/* Close the innermost open construct. */
void aml_end(struct aml *a);
/* Append an I/O port resource descriptor (16-bit decode, fixed range). */
void aml_res_io(struct aml *a, uint16_t port, uint8_t len);
/* Append a WordBusNumber descriptor: the bridge decodes buses [min, max]. */
void aml_res_bus(struct aml *a, uint16_t min, uint16_t max);
/* Append a DWordMemory descriptor: the bridge forwards [base, base+len) (a window it produces). */
void aml_res_mem_window(struct aml *a, uint32_t base, uint32_t len);
/* Append a Memory32Fixed descriptor: the device occupies [base, base+len). */
void aml_res_mem32(struct aml *a, uint32_t base, uint32_t len);
/* Append the end-tag resource descriptor. */
void aml_res_end(struct aml *a);

#endif
