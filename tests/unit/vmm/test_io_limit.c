/* Unit tests for src/vmm/io_limit.c: the token bucket by simulated time, and the limiter's
 * timer through a real event loop. */
#include "testlib.h"

#include <time.h>

#include "vmm/io_limit.h"

#define MS 1000000ULL
#define S  1000000000ULL

static void bucket_unlimited(void **state)
{
	struct io_bucket b = { 0 };

	(void)state;
	io_bucket_take(&b, 1000000, 5 * S);
	assert_true(io_bucket_ready(&b, 0));
	assert_true(io_bucket_ready(&b, 5 * S));
}

/* A greedy taker at 100/s gets the burst (100 ms: 10, and the one at hand) at once, then
 * one every 10 ms. */
static void bucket_rate_and_burst(void **state)
{
	struct io_bucket b = { .rate = 100 };
	uint64_t now = 50 * S, end = now + 10 * S, t;
	unsigned n = 0;

	(void)state;
	while (io_bucket_ready(&b, now)) {
		io_bucket_take(&b, 1, now);
		n++;
	}
	assert_int_equal(n, 11);
	assert_false(io_bucket_ready(&b, now + 10 * MS - 1));
	assert_true(io_bucket_ready(&b, now + 10 * MS));
	/* every microsecond for 10 s: exactly the rate (at 10 ms, 20 ms, ... 9990 ms), whatever
	 * the granularity */
	n = 0;
	for (t = now; t < end; t += 1000)
		if (io_bucket_ready(&b, t)) {
			io_bucket_take(&b, 1, t);
			n++;
		}
	assert_int_equal(n, 999);
}

/* An idle bucket fills up to its burst, no further. */
static void bucket_idle_caps(void **state)
{
	struct io_bucket b = { .rate = 1000 };
	uint64_t now = 3600 * S;
	unsigned n = 0;

	(void)state;
	io_bucket_take(&b, 1, S);
	while (io_bucket_ready(&b, now)) {
		io_bucket_take(&b, 1, now);
		n++;
	}
	assert_int_equal(n, 101); /* 100 ms of 1000/s, and the one at hand */
}

/* A request bigger than the bucket goes, and its debt holds back the next for its time. */
static void bucket_debt(void **state)
{
	struct io_bucket b = { .rate = 1 << 20 }; /* 1 MiB/s */
	uint64_t now = 100 * S;

	(void)state;
	assert_true(io_bucket_ready(&b, now));
	io_bucket_take(&b, 4 << 20, now); /* 4 MiB, with 100 ms of credit */
	assert_false(io_bucket_ready(&b, now + 3900 * MS - 1));
	assert_true(io_bucket_ready(&b, now + 3900 * MS));
	/* a debt of centuries saturates instead of wrapping round to none */
	b.rate = 1;
	io_bucket_take(&b, UINT64_MAX, now);
	assert_int_equal(b.empty_ns, UINT64_MAX);
	io_bucket_take(&b, UINT64_MAX, now);
	assert_false(io_bucket_ready(&b, UINT64_MAX - 1));
}

static void no_limits(void **state)
{
	struct io_limit_config cfg = { 0 };
	struct berth_error err;
	struct io_limit l;

	(void)state;
	assert_int_equal(io_limit_init(&l, &cfg, NULL, NULL, NULL, &err), 0);
	assert_int_equal(l.tfd, -1); /* no fd for a device without limits */
	for (int i = 0; i < 100000; i++) {
		assert_true(io_limit_ready(&l));
		io_limit_charge(&l, 1, 1 << 20);
	}
	io_limit_destroy(&l);
}

struct driver {
	struct io_limit l;
	struct loop loop;
	uint64_t ops, resumes, until;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

/* As a device does: take requests while the limit allows, then wait for the timer. */
static void drive(struct driver *d)
{
	while (io_limit_ready(&d->l)) {
		io_limit_charge(&d->l, 1, 4096);
		d->ops++;
	}
	assert_true(d->l.armed);
}

static void resumed(void *opaque)
{
	struct driver *d = opaque;

	d->resumes++;
	if (now_ns() >= d->until)
		d->loop.stop = true;
	else
		drive(d);
}

/* Through the loop for 300 ms at 1000 IOPS and 2 MiB/s (512 4 KiB requests/s: the bytes
 * bind): never more than the rate allows in the time that passed plus one burst. A
 * loaded machine may give fewer, never more. */
static void limit_on_loop(void **state)
{
	struct io_limit_config cfg = { .iops = 1000, .bps = 2 << 20 };
	struct berth_error err;
	struct driver d = { 0 };
	uint64_t start, elapsed, allowed;

	(void)state;
	assert_int_equal(loop_init(&d.loop, &err), 0);
	assert_int_equal(io_limit_init(&d.l, &cfg, &d.loop, resumed, &d, &err), 0);
	assert_true(d.l.tfd >= 0);
	start = now_ns();
	d.until = start + 300 * MS;
	drive(&d);
	assert_int_equal(loop_run(&d.loop, &err), 0);
	elapsed = now_ns() - start;
	allowed = (elapsed + IO_BUCKET_BURST_NS) * 512 / S + 1;
	assert_true(d.resumes > 0);
	assert_true(d.ops >= 51); /* the first burst at least */
	if (d.ops > allowed)
		fail_msg("%llu requests in %llu ns: more than %llu allowed",
			 (unsigned long long)d.ops, (unsigned long long)elapsed,
			 (unsigned long long)allowed);
	io_limit_destroy(&d.l);
	assert_int_equal(d.l.tfd, -1);
	loop_destroy(&d.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bucket_unlimited), cmocka_unit_test(bucket_rate_and_burst),
		cmocka_unit_test(bucket_idle_caps), cmocka_unit_test(bucket_debt),
		cmocka_unit_test(no_limits),	    cmocka_unit_test(limit_on_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
