/* fuzz_oci_json - an OCI image's index.json, manifest and config (and the process berthd
 * keeps from one), read as berthd reads them at import. Nothing may crash, leak or read out of
 * bounds; a descriptor read names a 64-digit lowercase hex digest, and a process read has
 * bounded strings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/images/oci_json.h"

static struct oci_desc layers[OCI_LAYERS_MAX];

static void check_desc(const struct oci_desc *d)
{
	if (strlen(d->hex) != 64 || strspn(d->hex, "0123456789abcdef") != 64)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct berth_error err = { 0 };
	struct oci_desc d;
	struct oci_process p;
	json_t *j;
	size_t n = 0;

	if (oci_index_parse((const char *)data, size, &d, &err) == 0)
		check_desc(&d);
	if (oci_manifest_parse((const char *)data, size, &d, layers, &n, &err) == 0) {
		check_desc(&d);
		for (size_t i = 0; i < n; i++)
			check_desc(&layers[i]);
	}
	if (oci_config_parse((const char *)data, size, &p, &err) == 0) {
		for (size_t i = 0; p.args[i]; i++)
			if (strlen(p.args[i]) > OCI_STRING_MAX)
				abort();
		/* What is stored reads back the same. */
		j = oci_process_json(&p);
		oci_process_free(&p);
		if (!j || oci_process_from_json(j, &p, &err))
			abort();
		json_decref(j);
		oci_process_free(&p);
	}
	return 0;
}
