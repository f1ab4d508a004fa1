/* spec.h - `spec` (a starter config.json) and `features` (what berth-ct supports). */
#ifndef BERTH_CT_SPEC_H
#define BERTH_CT_SPEC_H

#include <stdbool.h>

#include "common/error.h"

/* The OCI runtime spec version berth-ct implements: `--version`, `features`
 * (ociVersionMax), the state JSON and the starter config.json all report this one. */
#define CT_SPEC_VERSION "1.1.0"

/* Write a default config.json into dir (refuses to overwrite one). */
int spec_write(const char *dir, bool rootless, struct berth_error *err);

/* Print the OCI features document to stdout. */
int spec_features(struct berth_error *err);

#endif
