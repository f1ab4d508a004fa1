/* tls_pin.c - a certificate's public key pin (libcrypto). */
#include "common/tls_pin.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

int tls_pin_of_pem(const char *pem, size_t len, char pin[TLS_PIN_LEN + 1], struct berth_error *err)
{
	BIO *bio = len <= 1u << 20 ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int n = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1;
	int rc = -1;

	if (n > 0 && EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32) {
		memcpy(pin, "sha256//", 8);
		EVP_EncodeBlock((unsigned char *)pin + 8, md, 32); /* 44 characters and a NUL */
		rc = 0;
	} else {
		berr(err, EINVAL, "not a PEM certificate");
	}
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return rc;
}
