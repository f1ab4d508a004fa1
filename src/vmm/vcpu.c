/* vcpu.c - the vCPU run loop: one switch on the exit reason, I/O handed to a bus. */
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/seccomp/seccomp.h"

#define VCPU_KICK_SIGNAL SIGUSR1
#define VCPU_STACK	 (256 * 1024)

static void vcpu_kick_handler(int sig)
{
	(void)sig;
}

void vcpu_install_kick_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler; /* no SA_RESTART: KVM_RUN must return EINTR */
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

int vcpu_create(struct vcpu *v, struct vcpu_host *host, int vm_fd, unsigned id, size_t run_size,
		struct berth_error *err)
{
	memset(v, 0, sizeof(*v));
	v->host = host;
	v->id = id;
	v->run_size = run_size;
	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return berr(err, errno, "cannot create vCPU %u", id);
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		close(v->fd);
		v->fd = -1;
		return berr(err, errno, "cannot map vCPU %u's run area", id);
	}
	return 0;
}

static const char *internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "event delivery failed";
	default:
		return "unexpected internal error";
	}
}

static void vcpu_internal_error(struct vcpu *v)
{
	struct kvm_regs regs;
	char msg[512];
	int n;

	memset(&regs, 0, sizeof(regs));
	ioctl(v->fd, KVM_GET_REGS, &regs);
	n = snprintf(msg, sizeof(msg), "vCPU %u stopped: KVM internal error (%s) at RIP 0x%llx",
		     v->id, internal_error_name(v->run->internal.suberror),
		     (unsigned long long)regs.rip);
	if (v->host->kvm_is_pvm && n > 0 && (size_t)n < sizeof(msg))
		snprintf(
		    msg + n, sizeof(msg) - n,
		    ". This host's /dev/kvm is kvm_pvm, a software hypervisor without hardware "
		    "virtualisation (no VT-x/AMD-V); it cannot run a stock Linux kernel. Run the "
		    "guest "
		    "inside the test rig instead: tests/rig/run -- berth-vmm ...");
	v->host->stop(v->host, VM_FAILED, msg);
}

/* Handle one exit; returns false when the vCPU should stop running. */
static bool vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	char msg[256];
	uint32_t i;

	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		uint8_t *data = (uint8_t *)run + run->io.data_offset;

		for (i = 0; i < run->io.count; i++, data += run->io.size)
			bus_dispatch(v->host->pio, run->io.port, data, run->io.size,
				     run->io.direction == KVM_EXIT_IO_OUT);
		return true;
	}
	case KVM_EXIT_MMIO:
		bus_dispatch(v->host->mmio, run->mmio.phys_addr, run->mmio.data,
			     run->mmio.len > 8 ? 8 : run->mmio.len, run->mmio.is_write);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	case KVM_EXIT_SHUTDOWN: {
		struct kvm_regs regs = { 0 };
		struct kvm_sregs sregs = { 0 };

		ioctl(v->fd, KVM_GET_REGS, &regs);
		ioctl(v->fd, KVM_GET_SREGS, &sregs);
		snprintf(msg, sizeof(msg),
			 "vCPU %u: the guest triple-faulted (the CPU shut down) at RIP 0x%llx, CR0 "
			 "0x%llx, CR3 0x%llx, CR4 0x%llx",
			 v->id, (unsigned long long)regs.rip, (unsigned long long)sregs.cr0,
			 (unsigned long long)sregs.cr3, (unsigned long long)sregs.cr4);
		v->host->stop(v->host, VM_TRIPLE_FAULT, msg);
		return false;
	}
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			v->host->stop(v->host, VM_RESET, NULL);
		else if (run->system_event.type == KVM_SYSTEM_EVENT_CRASH)
			v->host->stop(v->host, VM_PANIC, NULL);
		else
			v->host->stop(v->host, VM_POWEROFF, NULL);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_internal_error(v);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(msg, sizeof(msg),
			 "vCPU %u: KVM could not enter the guest (hardware reason 0x%llx)", v->id,
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		v->host->stop(v->host, VM_FAILED, msg);
		return false;
	default:
		snprintf(msg, sizeof(msg), "vCPU %u: unexpected KVM exit reason %u", v->id,
			 run->exit_reason);
		v->host->stop(v->host, VM_FAILED, msg);
		return false;
	}
}

/* After KVM_RUN was interrupted: park while the VM is paused; false if the vCPU must stop. */
static bool vcpu_wait_resume(struct vcpu *v)
{
	struct vcpu_pause *p = &v->host->pause;
	bool go;

	pthread_mutex_lock(&p->lock);
	if (p->paused && !v->stopping) {
		p->running--;
		pthread_cond_broadcast(&p->cond);
		while (p->paused && !v->stopping)
			pthread_cond_wait(&p->cond, &p->lock);
		p->running++;
	}
	go = !v->stopping;
	if (go)
		v->run->immediate_exit = 0;
	pthread_mutex_unlock(&p->lock);
	return go;
}

static void vcpu_thread_end(struct vcpu *v)
{
	struct vcpu_pause *p = &v->host->pause;

	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	char msg[128];
	sigset_t kick;

	struct berth_error err = { 0 };

	if (vmm_seccomp_enter(VMM_THREAD_VCPU, &err)) {
		v->host->stop(v->host, VM_FAILED, err.msg);
		vcpu_thread_end(v);
		return NULL;
	}
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (!vcpu_wait_resume(v))
					break; /* kicked: the VM is stopping */
				continue;
			}
			snprintf(msg, sizeof(msg), "vCPU %u: KVM_RUN failed: %s", v->id,
				 strerror(errno));
			v->host->stop(v->host, VM_FAILED, msg);
			break;
		}
		if (!vcpu_handle_exit(v))
			break;
	}
	vcpu_thread_end(v);
	return NULL;
}

int vcpu_start(struct vcpu *v, struct berth_error *err)
{
	struct vcpu_pause *p = &v->host->pause;
	pthread_attr_t attr;
	int r;

	pthread_mutex_lock(&p->lock);
	v->run->immediate_exit = p->paused; /* a paused VM's vCPUs park before their first entry */
	p->running++;
	pthread_mutex_unlock(&p->lock);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK);
	r = pthread_create(&v->thread, &attr, vcpu_thread, v);
	pthread_attr_destroy(&attr);
	if (r) {
		vcpu_thread_end(v);
		return berr(err, r, "cannot start vCPU %u's thread", v->id);
	}
	v->started = true;
	return 0;
}

void vcpu_stop(struct vcpu *v)
{
	if (!v->started)
		return;
	/* immediate_exit makes any later KVM_RUN return at once; the signal interrupts a running
	 * one; the broadcast wakes a parked one. */
	pthread_mutex_lock(&v->host->pause.lock);
	v->stopping = true;
	v->run->immediate_exit = 1;
	pthread_cond_broadcast(&v->host->pause.cond);
	pthread_mutex_unlock(&v->host->pause.lock);
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	pthread_join(v->thread, NULL);
	v->started = false;
}

int vcpus_pause(struct vcpu_host *h, struct vcpu *v, unsigned n, unsigned timeout_ms,
		struct berth_error *err)
{
	struct vcpu_pause *p = &h->pause;
	struct timespec deadline;
	unsigned i, stuck;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&p->lock);
	if (p->paused) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	p->paused = true;
	for (i = 0; i < n; i++) {
		if (v[i].started && !v[i].stopping) {
			v[i].run->immediate_exit = 1;
			pthread_kill(v[i].thread, VCPU_KICK_SIGNAL);
		}
	}
	while (p->running > 0 &&
	       pthread_cond_clockwait(&p->cond, &p->lock, CLOCK_MONOTONIC, &deadline) != ETIMEDOUT)
		;
	stuck = p->running;
	if (stuck) {
		/* All or nothing: the parked ones run again, the others never stopped. */
		p->paused = false;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	if (stuck)
		return berr(
		    err, 0,
		    "could not pause: %u vCPU(s) stayed busy in the host for %u ms; the VM runs on "
		    "(try again)",
		    stuck, timeout_ms);
	return 1;
}

int vcpus_resume(struct vcpu_host *h)
{
	struct vcpu_pause *p = &h->pause;
	int r;

	pthread_mutex_lock(&p->lock);
	r = p->paused;
	p->paused = false;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return r;
}

bool vcpus_paused(struct vcpu_host *h)
{
	bool r;

	pthread_mutex_lock(&h->pause.lock);
	r = h->pause.paused;
	pthread_mutex_unlock(&h->pause.lock);
	return r;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
