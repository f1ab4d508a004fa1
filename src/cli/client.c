/* client.c - berthd's REST API over a Unix socket, through libcurl. */
#include "cli/client.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

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
	c->socket = socket_path;
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

int client_call(struct client *c, const char *method, const char *path, const json_t *body,
		unsigned timeout_s, json_t **reply, struct berth_error *err)
{
	_cleanup_free_ char *url = NULL, *sent = NULL;
	struct reply_buf b = { 0 };
	struct curl_slist *headers = NULL;
	json_error_t jerr;
	long status = 0, os_errno = 0;
	CURLcode rc;
	int ret = -1;

	*reply = NULL;
	if (asprintf(&url, "http://berthd%s", path) < 0) {
		url = NULL;
		return berr(err, ENOMEM, "request");
	}
	if (body) {
		sent = json_dumps(body, JSON_COMPACT);
		headers = curl_slist_append(NULL, "Content-Type: application/json");
		if (!sent || !headers) {
			curl_slist_free_all(headers);
			return berr(err, ENOMEM, "request");
		}
	}
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	/* Keep "..": a bad name must reach the daemon, which says why it is bad. */
	curl_easy_setopt(c->curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &b);
	if (sent) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, sent);
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
	}
	rc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
	if (b.too_big)
		berr(err, 0, "berthd at %s sent a reply over %u MiB", c->socket,
		     CLIENT_REPLY_MAX >> 20);
	else if (rc != CURLE_OK)
		unreachable(c, rc, os_errno, err);
	else if (status < 200 || status > 299)
		daemon_error(status, &b, err);
	else if (b.len && !(*reply = json_loads(b.data, 0, &jerr)))
		berr(err, 0, "berthd sent a reply that is not JSON (%s)", jerr.text);
	else
		ret = 0;
	curl_slist_free_all(headers);
	free(b.data);
	return ret;
}
