/* tls_pin.h - the pin of a TLS certificate: "sha256//" and the base64 of the SHA-256 of its
 * public key (SubjectPublicKeyInfo, DER), the form of curl's CURLOPT_PINNEDPUBLICKEY.
 * berthd logs its own at start; berth remote add stores it (libcrypto). */
#ifndef BERTH_COMMON_TLS_PIN_H
#define BERTH_COMMON_TLS_PIN_H

#include <stddef.h>

#include "common/error.h"

#define TLS_PIN_LEN (8 + 44)

/* The pin of the first certificate in pem (len bytes). */
int tls_pin_of_pem(const char *pem, size_t len, char pin[TLS_PIN_LEN + 1], struct berth_error *err);

#endif
