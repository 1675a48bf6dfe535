/* test_api_threads.c — the thread rules of clcnn.h, on the reference backend
 * and on the OpenCL device (skipped without one): two contexts used from two
 * threads, and two sessions of one model created and run from two threads on
 * one context, each give results bit-identical to a serial run; a session
 * failing in one thread (wrong input shape) leaves the other thread's session
 * error "" while its own names the input; failing creates from two threads on
 * one context record its last error under its lock. ci/tsan.sh runs this file under
 * ThreadSanitizer. Worker threads never call cmocka asserts (they longjmp):
 * they record what happened and the main thread checks it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>

#include "util/api_fixture.h"

#define ARCH "mobilenet_v2"
#define INPUT 64      /* small input: the point is concurrency, not work */
#define CLASSES 16
#define RUNS 4        /* runs per thread */
#define N_IN (3 * INPUT * INPUT)

typedef struct job {
    int opencl;
    clcnn_context *ctx;       /* NULL: the thread makes its own context and model */
    const clcnn_model *model; /* with ctx: shared; the thread makes its own session */
    const float *x;
    int bad;                  /* 1: run with a wrong input shape (must fail every time) */
    float y[RUNS][CLASSES];
    clcnn_status st;          /* first unexpected status, CLCNN_OK when none */
    char msg[1024];           /* its message, or the session's last error at the end */
} job;

static clcnn_status load_model(clcnn_context *ctx, clcnn_model **m)
{
    clcnn_builtin_options o;
    clcnn_builtin_options_init(&o);
    o.width = 0.35f;
    o.input_size = INPUT;
    o.classes = CLASSES;
    o.seed = 7;
    return clcnn_model_builtin(ctx, ARCH, &o, m);
}

static void job_fail(job *j, clcnn_status st, const char *msg)
{
    if (j->st == CLCNN_OK) {
        j->st = st;
        snprintf(j->msg, sizeof j->msg, "%s", msg);
    }
}

/* RUNS runs of s: good ones through run_tensors into y[r], bad ones with an
 * input one row too tall, which must be refused every time. */
static void job_runs(job *j, clcnn_session *s)
{
    for (int r = 0; r < RUNS; r++) {
        clcnn_tensor in = {CLCNN_DTYPE_FLOAT32, 4, {1, 3, INPUT, INPUT}, (void *)j->x, N_IN * sizeof(float)};
        clcnn_tensor out = {.data = j->y[r], .bytes = sizeof j->y[r]};
        if (j->bad)
            in.dims[2] = INPUT + 1;
        clcnn_status st = clcnn_session_run_tensors(s, &in, 1, &out, 1);
        if (j->bad && st != CLCNN_ERR_INVALID_ARG)
            job_fail(j, st == CLCNN_OK ? CLCNN_ERR_INTERNAL : st, "bad input was not refused");
        else if (!j->bad && st != CLCNN_OK)
            job_fail(j, st, clcnn_session_last_error(s));
    }
    if (j->st == CLCNN_OK)
        snprintf(j->msg, sizeof j->msg, "%s", clcnn_session_last_error(s));
}

static void *job_main(void *arg)
{
    job *j = arg;
    clcnn_context *own = NULL;
    clcnn_model *own_model = NULL;
    clcnn_session *s = NULL;
    char err[1024];
    clcnn_context *ctx = j->ctx;
    const clcnn_model *m = j->model;
    if (!ctx) {
        clcnn_context_options o;
        clcnn_context_options_init(&o);
        o.device = j->opencl ? (getenv("CLCNN_TEST_DEVICE") ? getenv("CLCNN_TEST_DEVICE") : "auto") : "ref";
        clcnn_status st = clcnn_context_create(&o, &own, err, sizeof err);
        if (st != CLCNN_OK) {
            job_fail(j, st, err);
            return NULL;
        }
        if ((st = load_model(own, &own_model)) != CLCNN_OK) {
            job_fail(j, st, clcnn_context_last_error(own));
            goto done;
        }
        ctx = own, m = own_model;
    }
    clcnn_status st = clcnn_session_create(ctx, m, NULL, &s);
    if (st != CLCNN_OK)
        job_fail(j, st, clcnn_context_last_error(ctx));
    else
        job_runs(j, s);
done:
    clcnn_session_destroy(s);
    clcnn_model_destroy(own_model);
    clcnn_context_destroy(own);
    return NULL;
}

/* Two jobs in two threads at once. */
static void run_pair(job *a, job *b)
{
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, job_main, a), 0);
    assert_int_equal(pthread_create(&tb, NULL, job_main, b), 0);
    assert_int_equal(pthread_join(ta, NULL), 0);
    assert_int_equal(pthread_join(tb, NULL), 0);
}

/* One serial run of the model on ctx: the expected output. */
static void serial_run(clcnn_context *ctx, const clcnn_model *m, const float *x, float *y)
{
    clcnn_session *s = NULL;
    if (clcnn_session_create(ctx, m, NULL, &s) != CLCNN_OK)
        fail_msg("serial session: %s", clcnn_context_last_error(ctx));
    const float *ins[1] = {x};
    float *outs[1] = {y};
    if (clcnn_session_run(s, ins, outs) != CLCNN_OK)
        fail_msg("serial run: %s", clcnn_session_last_error(s));
    clcnn_session_destroy(s);
}

static void assert_job_matches(const job *j, const float *want, const char *who)
{
    if (j->st != CLCNN_OK)
        fail_msg("%s: %s: %s", who, clcnn_status_str(j->st), j->msg);
    for (int r = 0; r < RUNS; r++)
        for (int k = 0; k < CLASSES; k++)
            if (memcmp(&j->y[r][k], &want[k], sizeof(float)) != 0)
                fail_msg("%s: run %d, class %d: %.9g, serial %.9g (not bit-identical)", who, r, k,
                         (double)j->y[r][k], (double)want[k]);
    assert_string_equal(j->msg, ""); /* the session's own last error after good runs */
}

typedef struct setup {
    clcnn_context *ctx;
    clcnn_model *m;
    float x[N_IN], want[CLASSES];
} setup;

/* Context + model + input + serial result; 0 when the device is missing. */
static int setup_open(setup *su, int opencl)
{
    if (!(su->ctx = afx_context(opencl)))
        return 0;
    if (load_model(su->ctx, &su->m) != CLCNN_OK)
        fail_msg("model: %s", clcnn_context_last_error(su->ctx));
    afx_seeded(su->x, N_IN, 1234);
    serial_run(su->ctx, su->m, su->x, su->want);
    return 1;
}

static void setup_close(setup *su)
{
    clcnn_model_destroy(su->m);
    clcnn_context_destroy(su->ctx);
}

static void check_two_contexts(int opencl)
{
    static setup su; /* large arrays: off the thread stack */
    if (!setup_open(&su, opencl)) {
        skip();
        return;
    }
    static job a, b;
    memset(&a, 0, sizeof a), memset(&b, 0, sizeof b);
    a.opencl = b.opencl = opencl;
    a.x = b.x = su.x;
    run_pair(&a, &b);
    assert_job_matches(&a, su.want, "context A");
    assert_job_matches(&b, su.want, "context B");
    setup_close(&su);
}

/* The shared context is a fresh one, so the two threads' session creates are
 * the first to ask it for programs: they fill its program cache at once. */
static void check_two_sessions(int opencl)
{
    static setup su;
    if (!setup_open(&su, opencl)) {
        skip();
        return;
    }
    clcnn_context *ctx = afx_context(opencl);
    clcnn_model *m = NULL;
    if (load_model(ctx, &m) != CLCNN_OK)
        fail_msg("model: %s", clcnn_context_last_error(ctx));
    static job a, b;
    memset(&a, 0, sizeof a), memset(&b, 0, sizeof b);
    a.opencl = b.opencl = opencl;
    a.ctx = b.ctx = ctx;
    a.model = b.model = m;
    a.x = b.x = su.x;
    run_pair(&a, &b);
    assert_job_matches(&a, su.want, "session A");
    assert_job_matches(&b, su.want, "session B");
    assert_string_equal(clcnn_context_last_error(ctx), "");
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    setup_close(&su);
}

#define FAILED_CREATES 16

/* Failing creates on one context from two threads: each failure records the
 * context's last error; the threads do not read it (clcnn.h: it is shared). */
static void *failing_creates(void *arg)
{
    clcnn_context *ctx = arg;
    for (int i = 0; i < FAILED_CREATES; i++) {
        clcnn_model *m = NULL;
        if (clcnn_model_builtin(ctx, "no_such_arch", NULL, &m) != CLCNN_ERR_INVALID_ARG || m)
            return arg; /* non-NULL: unexpected result */
    }
    return NULL;
}

static void test_concurrent_create_errors(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    pthread_t t[2];
    void *r[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, failing_creates, ctx), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], &r[i]), 0);
    assert_null(r[0]);
    assert_null(r[1]);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "unknown architecture 'no_such_arch'"));
    clcnn_context_destroy(ctx);
}

static void check_error_isolation(int opencl)
{
    static setup su;
    if (!setup_open(&su, opencl)) {
        skip();
        return;
    }
    static job good, bad;
    memset(&good, 0, sizeof good), memset(&bad, 0, sizeof bad);
    good.opencl = bad.opencl = opencl;
    good.ctx = bad.ctx = su.ctx;
    good.model = bad.model = su.m;
    good.x = bad.x = su.x;
    bad.bad = 1;
    run_pair(&good, &bad);
    assert_job_matches(&good, su.want, "good session");
    if (bad.st != CLCNN_OK)
        fail_msg("bad session: %s", bad.msg);
    print_message("bad session's error: %s\n", bad.msg);
    assert_non_null(strstr(bad.msg, "input 0"));
    assert_non_null(strstr(bad.msg, "[1,3,65,64], expected [1,3,64,64]"));
    assert_string_equal(clcnn_context_last_error(su.ctx), "");
    setup_close(&su);
}

static void test_two_contexts_ref(void **state) { (void)state; check_two_contexts(0); }
static void test_two_contexts_cl(void **state) { (void)state; check_two_contexts(1); }
static void test_two_sessions_ref(void **state) { (void)state; check_two_sessions(0); }
static void test_two_sessions_cl(void **state) { (void)state; check_two_sessions(1); }
static void test_error_isolation_ref(void **state) { (void)state; check_error_isolation(0); }
static void test_error_isolation_cl(void **state) { (void)state; check_error_isolation(1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_contexts_ref),
        cmocka_unit_test(test_two_sessions_ref),
        cmocka_unit_test(test_error_isolation_ref),
        cmocka_unit_test(test_concurrent_create_errors),
        cmocka_unit_test(test_two_contexts_cl),
        cmocka_unit_test(test_two_sessions_cl),
        cmocka_unit_test(test_error_isolation_cl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
