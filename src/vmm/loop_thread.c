/* loop_thread.c - an event loop on a thread of its own (see loop_thread.h). */
#include "loop_thread.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/vm.h"

static void loop_thread_on_stop(struct loop_source *src, uint32_t events)
{
	struct loop_thread *t = src->opaque;

	(void)events;
	t->loop.stop = true;
}

static void *loop_thread_main(void *arg)
{
	struct loop_thread *t = arg;
	struct berth_error err = { 0 };

	/* Before any source is served: a thread that cannot be filtered must not serve one. */
	if (vmm_seccomp_enter(t->kind, &err)) {
		berr_print("berth-vmm", &err);
		_exit(VM_EXIT_SETUP);
	}
	if (loop_run(&t->loop, &err))
		berr_print("berth-vmm", &err);
	return NULL;
}

int loop_thread_start(struct loop_thread *t, const char *name, enum vmm_thread kind,
		      struct berth_error *err)
{
	sigset_t all, old;
	int e;

	*t = (struct loop_thread){ .kind = kind, .loop = { .epfd = -1 } };
	if (loop_init(&t->loop, err))
		return -1;
	t->stop_src = (struct loop_source){ .fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
					    .fn = loop_thread_on_stop,
					    .opaque = t };
	if (t->stop_src.fd < 0) {
		berr(err, errno, "%s: eventfd", name);
		loop_destroy(&t->loop);
		return -1;
	}
	if (loop_add(&t->loop, &t->stop_src, err))
		goto fail;
	/* Signals belong to the main thread's signalfd (and SIGUSR1 to vCPUs). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t->thread, NULL, loop_thread_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		berr(err, e, "cannot start thread %s", name);
		goto fail;
	}
	pthread_setname_np(t->thread, name);
	t->running = true;
	return 0;
fail:
	close(t->stop_src.fd);
	loop_destroy(&t->loop);
	return -1;
}

void loop_thread_stop(struct loop_thread *t)
{
	uint64_t one = 1;

	if (!t->running)
		return;
	if (write(t->stop_src.fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "berth-vmm: cannot stop a loop thread: %m\n");
	pthread_join(t->thread, NULL);
	t->running = false;
	close(t->stop_src.fd);
	loop_destroy(&t->loop);
}
