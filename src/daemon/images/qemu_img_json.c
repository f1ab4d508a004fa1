/* qemu_img_json.c - the judge of a customer's qcow2, from qemu-img's own JSON. A backing file
 * or an external data file names a file on berthd's host that a conversion would read into
 * the customer's disk: either refuses the image before a byte of it is converted. */
#include "daemon/images/qemu_img_json.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

/* Parse buf as one JSON object (bounded, duplicate keys refused). */
static json_t *load(const char *buf, size_t len, const char *tool, const char *what,
		    struct berth_error *err)
{
	json_error_t jerr;
	json_t *j;

	if (len > QEMU_IMG_JSON_MAX) {
		refuse(err, EINVAL, "qemu-img %s said more than %d bytes of %s", tool,
		       QEMU_IMG_JSON_MAX, what);
		return NULL;
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j || !json_is_object(j)) {
		json_decref(j);
		refuse(err, EINVAL, "qemu-img %s gave no JSON object for %s", tool, what);
		return NULL;
	}
	return j;
}

int qemu_img_info_judge(const char *json, size_t len, const char *what, uint64_t *virtual_size,
			struct berth_error *err)
{
	json_t *j = load(json, len, "info", what, err);
	json_t *data, *size, *v;
	const char *format;
	int rc = -1;

	*virtual_size = 0;
	if (!j)
		return -1;
	data = json_object_get(json_object_get(j, "format-specific"), "data");
	format = json_string_value(json_object_get(j, "format"));
	size = json_object_get(j, "virtual-size");
	if (!format || strcmp(format, "qcow2"))
		refuse(err, EINVAL, "%s is not a qcow2 image", what);
	else if (json_object_get(j, "backing-filename") ||
		 json_object_get(j, "full-backing-filename"))
		refuse(err, EINVAL,
		       "%s has a backing file: a qcow2 must hold its whole disk (qemu-img "
		       "convert -O qcow2 makes one that does)",
		       what);
	else if (json_object_get(data, "data-file") ||
		 json_is_true(json_object_get(data, "data-file-raw")))
		refuse(err, EINVAL,
		       "%s keeps its data in an external data file: a qcow2 must hold its whole "
		       "disk",
		       what);
	else if (json_is_true(json_object_get(j, "encrypted")) ||
		 ((v = json_object_get(data, "encrypt")) && !json_is_null(v)))
		refuse(err, EINVAL, "%s is encrypted: berth takes unencrypted disks", what);
	else if (json_is_true(json_object_get(data, "corrupt")))
		refuse(err, EINVAL, "%s is marked corrupt by qemu", what);
	else if (!json_is_integer(size) || json_integer_value(size) <= 0)
		refuse(err, EINVAL, "%s has no valid virtual size", what);
	else {
		*virtual_size = (uint64_t)json_integer_value(size);
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/* The count field of a check report (0 when absent; -1 when not a count). */
static json_int_t count(const json_t *j, const char *field)
{
	const json_t *v = json_object_get(j, field);

	if (!v)
		return 0;
	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
}

int qemu_img_check_judge(const char *json, size_t len, const char *what, struct berth_error *err)
{
	json_t *j = load(json, len, "check", what, err);
	json_int_t corrupt, errors;
	int rc = 0;

	if (!j)
		return -1;
	corrupt = count(j, "corruptions");
	errors = count(j, "check-errors");
	if (corrupt < 0 || errors < 0)
		rc = refuse(err, EINVAL, "qemu-img check gave a report of %s it cannot read", what);
	else if (corrupt || errors)
		rc = refuse(err, EINVAL,
			    "%s is truncated or corrupt: qemu-img check found %lld corruption%s "
			    "and %lld error%s",
			    what, (long long)corrupt, corrupt == 1 ? "" : "s", (long long)errors,
			    errors == 1 ? "" : "s");
	json_decref(j);
	return rc;
}
