/* Unit tests for the pause bookkeeping in src/vmm/vcpu.c, without KVM: a pause waits for
 * every running vCPU to park, is all or nothing when one does not, and is idempotent.
 * (Real vCPUs are paused by tests/system/vmm/api_control.sh.) */
#include "testlib.h"

#include <time.h>

#include "vmm/vcpu.h"

static struct vcpu_host host = {
	.pause = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER },
};

static void pause_resume(void **state)
{
	struct berth_error err = { 0 };

	(void)state;
	host.pause.running = 0; /* no vCPU thread runs guest code */
	assert_false(vcpus_paused(&host));
	assert_int_equal(vcpus_pause(&host, NULL, 0, 100, &err), 1);
	assert_true(vcpus_paused(&host));
	assert_int_equal(vcpus_pause(&host, NULL, 0, 100, &err), 0);
	assert_int_equal(vcpus_resume(&host), 1);
	assert_false(vcpus_paused(&host));
	assert_int_equal(vcpus_resume(&host), 0);
}

static void stuck_vcpu(void **state)
{
	struct berth_error err = { 0 };
	struct timespec t0, t1;
	long ms;

	(void)state;
	host.pause.running = 1; /* a vCPU that never parks */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vcpus_pause(&host, NULL, 0, 1100, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 1100 && ms < 3000);
	assert_contains(err.msg, "1 vCPU(s) stayed busy in the host for 1100 ms; the VM runs on");
	assert_false(vcpus_paused(&host));
	host.pause.running = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pause_resume),
		cmocka_unit_test(stuck_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
