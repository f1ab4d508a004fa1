/* api_web.c - the web console's files, on the HTTPS listener: "/" is its page, /web/NAME one
 * of a fixed list of files in the configured web_dir (built by scripts/web-build from web/).
 * No path a client sends becomes a file name: only the list's names are opened. The page
 * itself is public; everything it shows comes from the API with the user's token. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/api/api.h"

#define WEB_FILE_MAX (4 * 1024 * 1024)

static const struct web_file {
	const char *path; /* as requested */
	const char *name; /* in web_dir */
	const char *type;
} files[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/web/app.js", "app.js", "text/javascript; charset=utf-8" },
	{ "/web/app.css", "app.css", "text/css; charset=utf-8" },
	{ "/web/xterm.js", "xterm.js", "text/javascript; charset=utf-8" },
	{ "/web/xterm.css", "xterm.css", "text/css; charset=utf-8" },
	{ "/web/novnc.js", "novnc.js", "text/javascript; charset=utf-8" },
};

/* The whole file name in dir (at most WEB_FILE_MAX bytes), or NULL. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX];
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= WEB_FILE_MAX &&
	    (buf = malloc(st.st_size ? st.st_size : 1))) {
		n = read(fd, buf, st.st_size);
		if (n != st.st_size) {
			free(buf);
			buf = NULL;
		}
		*len = st.st_size;
	}
	close(fd);
	return buf;
}

bool api_web(struct berthd *d, const struct http_request *rq, struct http_reply *rep)
{
	size_t i, len = 0;
	char *buf;

	if (!rq->remote || strcmp(rq->method, "GET"))
		return false;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(rq->path, files[i].path))
			continue;
		buf = slurp(d->cfg.web_dir, files[i].name, &len);
		if (!buf)
			http_reply_error(
			    rep, 404,
			    "the web console is not installed (%s/%s: %s; scripts/setup "
			    "builds it)",
			    d->cfg.web_dir, files[i].name, strerror(errno));
		else
			http_reply_bytes(rep, buf, len, files[i].type);
		return true;
	}
	return false;
}
