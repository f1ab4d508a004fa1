/* client.c - berthd's REST API over a Unix socket, through libcurl. */
#include "cli/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/tls_pin.h"

/* A reply body as it arrives. */
struct reply_buf {
	char *data;
	size_t len;
	bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct reply_buf *b = userdata;
	size_t n = size * nmemb;
	char *grown;

	if (n > CLIENT_REPLY_MAX - b->len) {
		b->too_big = true;
		return 0; /* abort the transfer */
	}
	grown = realloc(b->data, b->len + n + 1);
	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, n);
	b->data = grown;
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

int client_open(struct client *c, const char *socket_path, struct berth_error *err)
{
	static bool inited;

	if (!inited && curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
		return berr(err, 0, "cannot initialise libcurl");
	inited = true;
	*c = (struct client){ .socket = socket_path }; /* the socket until told a remote */
	c->curl = curl_easy_init();
	if (!c->curl)
		return berr(err, ENOMEM, "cannot initialise libcurl");
	return 0;
}

void client_close(struct client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

/* Why the daemon could not be reached, with what to do about it. */
static int unreachable(const struct client *c, CURLcode rc, long os_errno, struct berth_error *err)
{
	if (c->url && rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
		return berr(err, 0,
			    "the certificate of remote %s (%s) is not the one pinned by berth "
			    "remote add: refusing to talk to it (someone may be in between). If "
			    "its certificate was changed on purpose, check its new pin in "
			    "berthd's log, then berth remote remove %s and add it again",
			    c->remote, c->url, c->remote);
	if (c->url)
		return berr(err, 0, "cannot reach remote %s at %s: %s", c->remote, c->url,
			    curl_easy_strerror(rc));
	if (os_errno == EACCES)
		return berr(err, 0,
			    "cannot reach berthd at %s: permission denied (run as root or "
			    "as a member of the berth group)",
			    c->socket);
	if (rc == CURLE_COULDNT_CONNECT)
		return berr(err, 0,
			    "cannot reach berthd at %s: is it running? (start it with: "
			    "berthd --state-dir /var/lib/berth --socket %s, or point berth "
			    "at it with --socket PATH or BERTH_SOCKET)",
			    c->socket, c->socket);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return berr(err, 0,
			    "berthd at %s did not answer in time: is it stuck? (see its "
			    "log)",
			    c->socket);
	return berr(err, 0, "talking to berthd at %s failed: %s", c->socket,
		    curl_easy_strerror(rc));
}

/* The message of an error reply: its "error" field, else the start of the body. */
static int daemon_error(long status, const struct reply_buf *b, struct berth_error *err)
{
	json_auto_t *j = b->data ? json_loads(b->data, 0, NULL) : NULL;
	const char *msg = json_string_value(json_object_get(j, "error"));

	if (msg)
		return berr(err, 0, "%s", msg);
	return berr(err, 0, "berthd answered HTTP %ld: %.200s", status,
		    b->len ? b->data : "(no message)");
}

/* After a transfer: *reply on 2xx, else the reason it failed. */
static int finish(struct client *c, CURLcode rc, const struct reply_buf *b, json_t **reply,
		  struct berth_error *err)
{
	long status = 0, os_errno = 0;
	json_error_t jerr;

	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (b->too_big)
		return berr(err, 0, "berthd at %s sent a reply over %u MiB",
			    c->url ? c->url : c->socket, CLIENT_REPLY_MAX >> 20);
	/* berthd may answer an upload before its end (a refusal): its answer says why. */
	if (status >= 400 && (rc == CURLE_OK || rc == CURLE_SEND_ERROR))
		return daemon_error(status, b, err);
	if (rc != CURLE_OK)
		return unreachable(c, rc, os_errno, err);
	if (status < 200 || status > 299)
		return daemon_error(status, b, err);
	if (b->len && !(*reply = json_loads(b->data, 0, &jerr)))
		return berr(err, 0, "berthd sent a reply that is not JSON (%s)", jerr.text);
	return 0;
}

/* A remote: its pinned certificate (the chain and the name are not checked: the pin is
 * the trust) and its token, on headers. */
static int setup_remote(struct client *c, struct curl_slist **headers, struct berth_error *err)
{
	_cleanup_free_ char *auth = NULL;

	curl_easy_setopt(c->curl, CURLOPT_PINNEDPUBLICKEY, c->pin);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	if (asprintf(&auth, "Authorization: Bearer %s", c->token) < 0) {
		auth = NULL;
		return berr(err, ENOMEM, "request");
	}
	*headers = curl_slist_append(NULL, auth);
	return *headers ? 0 : berr(err, ENOMEM, "request");
}

/* The common options of a call on path; *headers gets the ones every call has. */
static int setup(struct client *c, const char *method, const char *path, char **url,
		 struct curl_slist **headers, struct reply_buf *b, struct berth_error *err)
{
	char project[128] = "";

	*headers = NULL;
	if (c->project)
		snprintf(project, sizeof(project), "%sproject=%s", strchr(path, '?') ? "&" : "?",
			 c->project);
	if (asprintf(url, "%s%s%s", c->url ? c->url : "http://berthd", path, project) < 0) {
		*url = NULL;
		return berr(err, ENOMEM, "request");
	}
	curl_easy_reset(c->curl);
	if (c->url && setup_remote(c, headers, err))
		return -1;
	if (!c->url)
		curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	curl_easy_setopt(c->curl, CURLOPT_URL, *url);
	/* Keep "..": a bad name must reach the daemon, which says why it is bad. */
	curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, b);
	return 0;
}

struct upload_src {
	client_read_fn read;
	void *ctx;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *userdata)
{
	struct upload_src *u = userdata;
	ssize_t n = u->read(u->ctx, buf, size * nmemb);

	return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

int client_upload(struct client *c, const char *path, client_read_fn read, void *ctx,
		  unsigned stall_s, json_t **reply, struct berth_error *err)
{
	_cleanup_free_ char *url = NULL;
	struct upload_src u = { read, ctx };
	struct reply_buf b = { 0 };
	struct curl_slist *headers = NULL, *h;
	CURLcode rc;
	int ret;

	*reply = NULL;
	if (setup(c, "POST", path, &url, &headers, &b, err))
		return -1;
	h = curl_slist_append(headers, "Content-Type: application/x-tar");
	if (h) {
		headers = h;
		h = curl_slist_append(headers, "Transfer-Encoding: chunked");
	}
	if (!h) {
		curl_slist_free_all(headers);
		return berr(err, ENOMEM, "request");
	}
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c->curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(c->curl, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20); /* fewer, larger writes */
	/* No limit on the whole (an image may be large), only on a stall. */
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, (long)stall_s);
	rc = curl_easy_perform(c->curl);
	ret = rc == CURLE_ABORTED_BY_CALLBACK ? -1 : finish(c, rc, &b, reply, err);
	curl_slist_free_all(headers);
	free(b.data);
	return ret;
}

int client_call(struct client *c, const char *method, const char *path, const json_t *body,
		unsigned timeout_s, json_t **reply, struct berth_error *err)
{
	_cleanup_free_ char *url = NULL, *sent = NULL;
	struct reply_buf b = { 0 };
	struct curl_slist *headers = NULL;
	CURLcode rc;
	int ret;

	*reply = NULL;
	if (setup(c, method, path, &url, &headers, &b, err))
		return -1;
	if (body) {
		struct curl_slist *h;

		sent = json_dumps(body, JSON_COMPACT);
		h = curl_slist_append(headers, "Content-Type: application/json");
		if (!sent || !h) {
			curl_slist_free_all(headers);
			return berr(err, ENOMEM, "request");
		}
		headers = h;
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, sent);
	}
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	rc = curl_easy_perform(c->curl);
	ret = finish(c, rc, &b, reply, err);
	curl_slist_free_all(headers);
	free(b.data);
	return ret;
}

int client_fetch_pin(const char *url, char pin[TLS_PIN_LEN + 1], struct berth_error *err)
{
	_cleanup_free_ char *full = NULL;
	struct curl_certinfo *info = NULL;
	struct reply_buf b = { 0 };
	struct curl_slist *l;
	CURLcode rc;
	CURL *curl;
	int ret = -1;

	if (asprintf(&full, "%s/1.0", url) < 0) {
		full = NULL;
		return berr(err, ENOMEM, "request");
	}
	curl = curl_easy_init();
	if (!curl)
		return berr(err, ENOMEM, "cannot initialise libcurl");
	curl_easy_setopt(curl, CURLOPT_URL, full);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		berr(err, 0, "cannot reach %s: %s", url, curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info);
	for (l = info && info->num_of_certs > 0 ? info->certinfo[0] : NULL; l; l = l->next)
		if (!strncmp(l->data, "Cert:", 5)) {
			ret = tls_pin_of_pem(l->data + 5, strlen(l->data + 5), pin, err);
			goto out;
		}
	berr(err, 0, "%s showed no certificate", url);
out:
	free(b.data);
	curl_easy_cleanup(curl);
	return ret;
}
