/* tls_cert.c - making, reading and pinning the network listener's certificate. */
#include "daemon/api/tls_cert.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PEM_MAX	     (64 * 1024)
#define CERT_DAYS    3650
#define CERT_SUBJECT "berthd"

/* The whole file at path (at most PEM_MAX bytes), NUL-terminated. */
static char *read_pem(const char *path, struct berth_error *err)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		berr(err, errno, "cannot open %s", path);
		return NULL;
	}
	buf = malloc(PEM_MAX + 1);
	n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n == 0 || n > PEM_MAX) {
		free(buf);
		berr(err, buf ? EINVAL : ENOMEM, "%s: empty, or over %d bytes", path, PEM_MAX);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Write len bytes of data to path, mode mode, whole or not at all. */
static int write_file(const char *path, const char *data, size_t len, mode_t mode,
		      struct berth_error *err)
{
	char tmp[PATH_MAX];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return berr(err, ENAMETOOLONG, "%s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return berr(err, errno, "cannot write %s", tmp);
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		berr(err, errno, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return berr(err, errno, "cannot write %s", path);
	}
	return 0;
}

/* The PEM of what write wrote to a memory BIO, malloc'd. */
static char *bio_text(BIO *bio)
{
	char *data, *out;
	long n = BIO_get_mem_data(bio, &data);

	out = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (out) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	return out;
}

/* A fresh key and a self-signed certificate of it, as PEM in m. */
static int make_pair(struct tls_material *m, struct berth_error *err)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
	X509_NAME *name;
	char host[256] = "localhost";
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	int rc = -1;

	gethostname(host, sizeof(host) - 1);
	if (!key || !x || !kb || !cb || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f; /* positive */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	name = X509_get_subject_name(x);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) || !X509_set_version(x, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), (long)CERT_DAYS * 86400) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (unsigned char *)CERT_SUBJECT, -1,
					-1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (unsigned char *)host, -1, -1,
					0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, key) ||
	    !X509_sign(x, key, EVP_sha256()) || !PEM_write_bio_X509(cb, x) ||
	    !PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL))
		goto out;
	m->cert_pem = bio_text(cb);
	m->key_pem = bio_text(kb);
	rc = m->cert_pem && m->key_pem ? 0 : -1;
out:
	if (rc)
		berr(err, EIO, "cannot make a TLS key and certificate (libcrypto)");
	BN_free(bn);
	BIO_free(kb);
	BIO_free(cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* Does key_pem hold the private key of cert_pem's public key? */
static bool pair_matches(const char *cert_pem, const char *key_pem)
{
	BIO *cb = BIO_new_mem_buf(cert_pem, -1), *kb = BIO_new_mem_buf(key_pem, -1);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL) : NULL;
	bool ok = x && k && X509_check_private_key(x, k) == 1;

	EVP_PKEY_free(k);
	X509_free(x);
	BIO_free(cb);
	BIO_free(kb);
	return ok;
}

int tls_material_load(const char *state_dir, const char *cert_path, const char *key_path,
		      struct tls_material *m, struct berth_error *err)
{
	char dir[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];

	*m = (struct tls_material){ 0 };
	if (!cert_path || !key_path) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/tls", state_dir) >= sizeof(dir) ||
		    (size_t)snprintf(cert, sizeof(cert), "%s/cert.pem", dir) >= sizeof(cert) ||
		    (size_t)snprintf(key, sizeof(key), "%s/key.pem", dir) >= sizeof(key))
			return berr(err, ENAMETOOLONG, "%s", state_dir);
		cert_path = cert;
		key_path = key;
		if (access(cert, F_OK) && access(key, F_OK)) {
			if ((mkdir(dir, 0700) && errno != EEXIST && berr(err, errno, "%s", dir)) ||
			    make_pair(m, err) ||
			    write_file(key, m->key_pem, strlen(m->key_pem), 0600, err) ||
			    write_file(cert, m->cert_pem, strlen(m->cert_pem), 0644, err))
				goto fail;
			fprintf(stderr, "berthd: made a self-signed TLS certificate: %s\n", cert);
		}
	}
	if ((!m->cert_pem && !(m->cert_pem = read_pem(cert_path, err))) ||
	    (!m->key_pem && !(m->key_pem = read_pem(key_path, err))))
		goto fail;
	if (!pair_matches(m->cert_pem, m->key_pem)) {
		berr(err, EINVAL, "%s is not the key of the certificate %s", key_path, cert_path);
		goto fail;
	}
	if (tls_pin_of_pem(m->cert_pem, strlen(m->cert_pem), m->pin, err))
		goto fail;
	return 0;
fail:
	tls_material_free(m);
	return -1;
}

void tls_material_free(struct tls_material *m)
{
	if (m->key_pem)
		OPENSSL_cleanse(m->key_pem, strlen(m->key_pem));
	free(m->key_pem);
	free(m->cert_pem);
	m->key_pem = m->cert_pem = NULL;
}
