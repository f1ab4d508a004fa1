/* qemu_img.c - qemu-img run on a customer's qcow2. The image is hostile: qemu-img is told the
 * format (no probing), opens the image with "backing": null (a backing file is never
 * followed, whatever the image says), runs as berthd's child with a clean environment, is
 * killed past its time, limited to 1 GiB of address space, and what it prints is read in bounded
 * pieces: JSON up to QEMU_IMG_JSON_MAX, progress one short line at a time, the last bytes of its
 * stderr to quote. `info` opens no backing or data file (checked on qemu-img 7.2, which fixed
 * CVE-2024-4467); `check` and `convert` would open an external data file, so they run only
 * on an image `info` passed. */
#include "daemon/images/qemu_img.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/size.h"
#include "daemon/images/qemu_img_json.h"
#include "daemon/servers/spawn.h"

#define JUDGE_MS    (60 * 1000)
#define WATCH_MS    50
#define ERR_TAIL    300
#define PROG_LINE   32
#define QEMU_IMG_AS "--as=1073741824" /* prlimit: qemu-img's address space, 1 GiB */

bool qcow2_magic(const void *head, size_t len)
{
	return len >= 4 && !memcmp(head, "QFI\xfb", 4);
}

int qcow2_file(const char *path, bool *is_qcow2, struct berth_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	unsigned char head[4];
	ssize_t n;

	*is_qcow2 = false;
	if (fd < 0)
		return berr(err, errno, "cannot open %s", path);
	n = pread(fd, head, sizeof(head), 0);
	if (n < 0)
		return berr(err, errno, "cannot read %s", path);
	*is_qcow2 = qcow2_magic(head, (size_t)n);
	return 0;
}

/* A child qemu-img and what it said. */
struct run {
	char *out; /* stdout when collected (NUL-terminated), else NULL: progress lines */
	size_t out_len, out_cap;
	bool overflow;
	char tail[ERR_TAIL + 1]; /* the last bytes of stderr */
	size_t tail_len;
	char line[PROG_LINE]; /* a progress line being read */
	size_t line_len;
	progress_fn progress;
	void *ctx;
	int shown;
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void keep_tail(struct run *r, const char *buf, size_t n)
{
	if (n >= ERR_TAIL) {
		memcpy(r->tail, buf + n - ERR_TAIL, ERR_TAIL);
		r->tail_len = ERR_TAIL;
	} else {
		if (r->tail_len + n > ERR_TAIL) {
			size_t drop = r->tail_len + n - ERR_TAIL;

			memmove(r->tail, r->tail + drop, r->tail_len - drop);
			r->tail_len -= drop;
		}
		memcpy(r->tail + r->tail_len, buf, n);
		r->tail_len += n;
	}
	r->tail[r->tail_len] = '\0';
}

/* qemu-img convert -p writes "    (12.34/100%)\r" as it goes. */
static void take_progress(struct run *r, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		double v;

		if (c == '(') {
			r->line_len = 0;
		} else if (c == '/' && r->line_len < PROG_LINE) {
			r->line[r->line_len] = '\0';
			v = strtod(r->line, NULL);
			if (v >= 0 && v <= 100 && (int)v != r->shown && r->progress) {
				r->shown = (int)v;
				r->progress(r->ctx, r->shown);
			}
			r->line_len = PROG_LINE; /* until the next '(' */
		} else if (r->line_len < PROG_LINE - 1) {
			r->line[r->line_len++] = c;
		}
	}
}

/* Read what fd has now: false at its end. */
static bool drain(struct run *r, int fd, bool is_err)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		if (n == 0)
			return false;
		if (is_err)
			keep_tail(r, buf, (size_t)n);
		else if (!r->out)
			take_progress(r, buf, (size_t)n);
		else if (r->out_len + (size_t)n >= r->out_cap)
			r->overflow = true;
		else {
			memcpy(r->out + r->out_len, buf, (size_t)n);
			r->out_len += (size_t)n;
			r->out[r->out_len] = '\0';
		}
	}
}

/* qemu-img's last words, one line. */
static const char *said(struct run *r)
{
	char *p = r->tail;

	while (r->tail_len &&
	       (r->tail[r->tail_len - 1] == '\n' || r->tail[r->tail_len - 1] == '\r'))
		r->tail[--r->tail_len] = '\0';
	for (char *c = p; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	if (!strncmp(p, "qemu-img: ", 10))
		p += 10;
	/* "Could not open 'json:{...berthd's own path...}': why": the why is what matters. */
	if (!strncmp(p, "Could not open '", 16) && strstr(p, "': "))
		p = strstr(p, "': ") + 3;
	return *p ? p : "no message";
}

/* Run qemu-img with args until it ends, within timeout_ms; *status its wait status. */
static int run_qemu_img(char *const args[], struct run *r, long long timeout_ms, tar_watch_fn watch,
			void *wctx, int *status, struct berth_error *err)
{
	/* Bounded in memory too, from its first instruction: util-linux's prlimit sets the
	 * limit, then execs qemu-img (qemu's own caps keep a qcow2's tables far below it). */
	char *argv[20] = { "prlimit", QEMU_IMG_AS, "--", "qemu-img" };
	char *envp[] = { "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int out[2] = { -1, -1 }, er[2] = { -1, -1 };
	long long deadline = now_ms() + timeout_ms, watched = 0;
	struct pollfd pfd[2];
	bool out_open = true, err_open = true;
	pid_t pid = 0, w;
	int rc = -1;
	size_t n = 4;

	for (size_t i = 0; args[i] && n < 19; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(er, O_CLOEXEC | O_NONBLOCK) < 0) {
		berr(err, errno, "cannot run qemu-img");
		goto out;
	}
	if (spawn_child(argv, envp, &(struct spawn_fds){ -1, out[1], er[1] }, false, &pid, err)) {
		berr_wrap(err, "cannot run qemu-img (is qemu-utils installed?)");
		pid = 0;
		goto out;
	}
	close(out[1]);
	close(er[1]);
	out[1] = er[1] = -1;
	while (out_open || err_open) {
		if (now_ms() > deadline) {
			refuse(err, ETIMEDOUT, "qemu-img %s took longer than %lld s: stopped",
			       args[0], timeout_ms / 1000);
			goto out;
		}
		if (watch && now_ms() - watched >= WATCH_MS) {
			watched = now_ms();
			if (watch(wctx, err))
				goto out;
		}
		pfd[0] = (struct pollfd){ .fd = out_open ? out[0] : -1, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = err_open ? er[0] : -1, .events = POLLIN };
		if (poll(pfd, 2, WATCH_MS) < 0 && errno != EINTR) {
			berr(err, errno, "cannot read qemu-img's output");
			goto out;
		}
		if (out_open && pfd[0].revents)
			out_open = drain(r, out[0], false);
		if (err_open && pfd[1].revents)
			err_open = drain(r, er[0], true);
		if (r->overflow) {
			refuse(err, EINVAL, "qemu-img %s said too much", args[0]);
			goto out;
		}
	}
	/* Its output closed: it is ending. */
	while ((w = waitpid(pid, status, WNOHANG)) == 0 || (w < 0 && errno == EINTR)) {
		if (now_ms() > deadline) {
			refuse(err, ETIMEDOUT, "qemu-img %s took longer than %lld s: stopped",
			       args[0], timeout_ms / 1000);
			goto out;
		}
		nanosleep(&(struct timespec){ 0, WATCH_MS * 1000000L }, NULL);
	}
	if (w < 0) {
		berr(err, errno, "cannot wait for qemu-img");
		goto out;
	}
	pid = 0;
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (er[i] >= 0)
			close(er[i]);
	}
	return rc;
}

/* The image path as qemu-img opens it: a qcow2 whose backing file is never opened. */
static char *source(const char *path)
{
	json_t *j = json_pack("{s:s, s:n, s:{s:s, s:s}}", "driver", "qcow2", "backing", "file",
			      "driver", "file", "filename", path);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	char *out = NULL;

	json_decref(j);
	if (s && asprintf(&out, "json:%s", s) < 0)
		out = NULL;
	free(s);
	return out;
}

/* Run qemu-img TOOL --output=json on src; out gets its JSON. Fails with its stderr unless it
 * exited with one of ok (a 0-terminated list of statuses besides 0). */
static int run_json(const char *tool, const char *src, const char *what, const int *ok, char *out,
		    size_t cap, size_t *len, struct berth_error *err)
{
	char *args[] = { (char *)tool, "-U", "--output=json", (char *)src, NULL };
	struct run r = { .out = out, .out_cap = cap, .shown = -1 };
	int status, code;

	out[0] = '\0';
	if (run_qemu_img(args, &r, JUDGE_MS, NULL, NULL, &status, err))
		return berr_wrap(err, "%s", what);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	for (; code > 0 && *ok; ok++)
		if (code == *ok)
			code = 0;
	if (code)
		return refuse(err, EINVAL, "%s is not a valid qcow2 image (qemu-img %s: %s)", what,
			      tool, said(&r));
	*len = r.out_len;
	return 0;
}

int qemu_img_judge(const char *path, const char *what, uint64_t max_size, const char *limit,
		   uint64_t *virtual_size, struct berth_error *err)
{
	static const int info_ok[] = { 0 };
	/* check: 2 corruptions, 3 leaks only; the JSON says which. */
	static const int check_ok[] = { 2, 3, 0 };
	_cleanup_free_ char *src = source(path);
	_cleanup_free_ char *out = malloc(QEMU_IMG_JSON_MAX + 1);
	char a[32], b[32];
	size_t len = 0;

	*virtual_size = 0;
	if (!src || !out)
		return berr(err, ENOMEM, "%s", what);
	if (run_json("info", src, what, info_ok, out, QEMU_IMG_JSON_MAX + 1, &len, err) ||
	    qemu_img_info_judge(out, len, what, virtual_size, err))
		return -1;
	if (*virtual_size > max_size)
		return refuse(err, EFBIG, "%s is a disk of %s, more than %s (%s)", what,
			      size_format(*virtual_size, a, sizeof(a)), limit,
			      size_format(max_size, b, sizeof(b)));
	if (run_json("check", src, what, check_ok, out, QEMU_IMG_JSON_MAX + 1, &len, err))
		return -1;
	return qemu_img_check_judge(out, len, what, err);
}

int qemu_img_convert(const char *src, const char *dst, const char *what, uint64_t virtual_size,
		     progress_fn progress, void *ctx, tar_watch_fn watch, void *wctx,
		     struct berth_error *err)
{
	_cleanup_free_ char *in = source(src);
	char *args[] = { "convert", "-p", "-U", "-O", "raw", in, (char *)dst, NULL };
	struct run r = { .progress = progress, .ctx = ctx, .shown = -1 };
	/* A generous floor of 16 MiB/s, plus a minute to start. */
	long long timeout = 60000 + (long long)(virtual_size >> 24) * 1000;
	int status;

	if (!in)
		return berr(err, ENOMEM, "%s", what);
	if (run_qemu_img(args, &r, timeout, watch, wctx, &status, err)) {
		unlink(dst);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		unlink(dst);
		return refuse(err, EINVAL, "cannot convert %s to a raw disk (qemu-img convert: %s)",
			      what, said(&r));
	}
	return 0;
}
