/* tls_cert.h - the network listener's certificate and key (PEM): the operator's
 * (tls_cert/tls_key in berthd.conf), else STATE_DIR/tls/{cert,key}.pem, made at the first
 * start as a self-signed certificate of a fresh EC P-256 key (libcrypto). Clients pin its
 * public key (berth remote add), so no CA is involved. */
#ifndef BERTH_DAEMON_TLS_CERT_H
#define BERTH_DAEMON_TLS_CERT_H

#include "common/error.h"
#include "common/tls_pin.h"

struct tls_material {
	char *cert_pem, *key_pem;  /* malloc'd */
	char pin[TLS_PIN_LEN + 1]; /* of the certificate's public key */
};

/* Load (or make, when cert_path and key_path are NULL and STATE_DIR/tls has none) the
 * certificate and key; the key must be the certificate's. */
int tls_material_load(const char *state_dir, const char *cert_path, const char *key_path,
		      struct tls_material *m, struct berth_error *err);

void tls_material_free(struct tls_material *m);

#endif
