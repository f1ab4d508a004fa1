/* ssh_key.c - checking an OpenSSH public key line (ssh_key.h). The blob is decoded with
 * libcrypto's base64 and its first field, the key's type name in SSH wire format (a
 * 32-bit big-endian length, then the name), must be the line's type: a line of garbage
 * that merely looks like base64 is refused. */
#include "daemon/cloud/ssh_key.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

static const char *const key_types[] = {
	"ssh-ed25519",
	"ssh-rsa",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521",
	"sk-ssh-ed25519@openssh.com",
	"sk-ecdsa-sha2-nistp256@openssh.com",
	NULL,
};

static bool is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Decode the n base64 bytes of b64 (n a multiple of 4, padding only at its end) into
 * out (n / 4 * 3 bytes); the decoded length, or -1 when it is not base64. */
static long b64_decode(const char *b64, size_t n, unsigned char *out)
{
	size_t i, pad = 0;
	int got;

	if (n == 0 || n % 4)
		return -1;
	if (b64[n - 1] == '=')
		pad = b64[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n - pad; i++) {
		if (!is_b64((unsigned char)b64[i]))
			return -1;
	}
	got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (got < 0 || (size_t)got != n / 4 * 3)
		return -1;
	return got - (long)pad;
}

int ssh_key_check(const char *line, size_t len, struct berth_error *err)
{
	unsigned char blob[SSH_KEY_MAX / 4 * 3 + 3];
	const char *type_end, *b64, *b64_end;
	size_t type_len, i;
	uint32_t name_len;
	long n;

	if (len == 0)
		return refuse(err, EINVAL, "the SSH key is empty");
	if (len > SSH_KEY_MAX)
		return refuse(err, EINVAL, "the SSH key is %zu bytes: at most %d", len,
			      SSH_KEY_MAX);
	for (i = 0; i < len; i++) {
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			return refuse(err, EINVAL,
				      "the SSH key must be one line of printable characters "
				      "(byte 0x%02x at %zu is not)",
				      (unsigned char)line[i], i);
	}
	type_end = memchr(line, ' ', len);
	if (!type_end)
		return refuse(err, EINVAL,
			      "the SSH key must be \"TYPE BASE64 [COMMENT]\", as in a .pub file");
	type_len = (size_t)(type_end - line);
	for (i = 0; key_types[i]; i++) {
		if (strlen(key_types[i]) == type_len && !memcmp(line, key_types[i], type_len))
			break;
	}
	if (!key_types[i])
		return refuse(err, EINVAL,
			      "the SSH key's type '%.*s' is not one of ssh-ed25519, ssh-rsa, "
			      "ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com, "
			      "sk-ecdsa-sha2-nistp256@openssh.com",
			      (int)(type_len > 40 ? 40 : type_len), line);
	b64 = type_end + 1;
	b64_end = memchr(b64, ' ', len - (size_t)(b64 - line));
	if (!b64_end)
		b64_end = line + len;
	n = b64_decode(b64, (size_t)(b64_end - b64), blob);
	if (n < 0)
		return refuse(err, EINVAL, "the SSH key's second field is not base64");
	if (n < 4)
		return refuse(err, EINVAL, "the SSH key's blob is too short to be a key");
	name_len =
	    (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 | (uint32_t)blob[2] << 8 | blob[3];
	if (name_len != type_len || (size_t)n < 4 + type_len || memcmp(blob + 4, line, type_len))
		return refuse(err, EINVAL,
			      "the SSH key's blob is not a key of type %.*s (is the key cut or "
			      "pasted from another?)",
			      (int)type_len, line);
	if ((size_t)n == 4 + type_len)
		return refuse(err, EINVAL, "the SSH key's blob holds no key after its type");
	return 0;
}
