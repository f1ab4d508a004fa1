/* vmm_log.c - stdout and stderr through a caplog (see vmm_log.h). */
#include "vmm_log.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "common/caplog.h"

static struct caplog vmm_log;
static pthread_mutex_t vmm_log_lock = PTHREAD_MUTEX_INITIALIZER;

/* Both streams write here, from any thread. */
static ssize_t vmm_log_write(void *cookie, const char *buf, size_t len)
{
	int before;

	(void)cookie;
	pthread_mutex_lock(&vmm_log_lock);
	before = vmm_log.fd;
	caplog_write(&vmm_log, buf, len);
	if (vmm_log.fd != before && vmm_log.fd >= 0) { /* rotated: fds 1 and 2 follow */
		dup2(vmm_log.fd, STDOUT_FILENO);
		dup2(vmm_log.fd, STDERR_FILENO);
	}
	pthread_mutex_unlock(&vmm_log_lock);
	return (ssize_t)len; /* a log is best effort: a failed write is not the caller's */
}

static FILE *vmm_log_stream(void)
{
	FILE *f = fopencookie(NULL, "w", (cookie_io_functions_t){ .write = vmm_log_write });

	if (f)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int vmm_log_open(const char *path, uint64_t max, struct berth_error *err)
{
	FILE *out, *errs;

	if (caplog_open(&vmm_log, path, max, err))
		return berr(err, err->errnum, "--log: cannot open %s", path);
	out = vmm_log_stream();
	errs = vmm_log_stream();
	if (!out || !errs || dup2(vmm_log.fd, STDOUT_FILENO) < 0 ||
	    dup2(vmm_log.fd, STDERR_FILENO) < 0) {
		if (out)
			fclose(out);
		if (errs)
			fclose(errs);
		caplog_close(&vmm_log);
		return berr(err, 0, "--log %s: cannot redirect output", path);
	}
	fflush(stdout);
	fflush(stderr);
	stdout = out;
	stderr = errs;
	return 0;
}
