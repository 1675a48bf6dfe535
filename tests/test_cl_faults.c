/* test_cl_faults.c — OpenCL fault injection over a whole MobileNetV2 run
 * (built-in, width 0.35, 64x64 input): the Nth call of clCreateBuffer,
 * clEnqueueNDRangeKernel, clBuildProgram or clEnqueueReadBuffer fails (with
 * CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES,
 * CL_BUILD_PROGRAM_FAILURE, CL_OUT_OF_RESOURCES), for every N the clean run
 * makes. Each injected run must end in CLCNN_ERR_CL/KERNEL_BUILD with one line
 * naming the CL error (or succeed, where clcnn recovers: a failed build of a
 * cached binary falls back to the source), release every buffer it created,
 * and the next run in the same context must succeed with the reference's
 * numbers. Host leaks are LeakSanitizer's job (ci/asan.sh runs this suite).
 * The hook is the linker: this suite alone links with --wrap for the four
 * calls (tests/CMakeLists.txt), so the library carries no fault code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "util/api_fixture.h"
#include "clcnn.h"

enum { F_BUFFER, F_NDRANGE, F_BUILD, F_READ, F_COUNT };
static const char *const f_call[F_COUNT] = {"clCreateBuffer", "clEnqueueNDRangeKernel",
                                            "clBuildProgram", "clEnqueueReadBuffer"};
static const char *const f_error[F_COUNT] = {"CL_MEM_OBJECT_ALLOCATION_FAILURE",
                                             "CL_OUT_OF_RESOURCES", "CL_BUILD_PROGRAM_FAILURE",
                                             "CL_OUT_OF_RESOURCES"};
static const cl_int f_code[F_COUNT] = {CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES,
                                       CL_BUILD_PROGRAM_FAILURE, CL_OUT_OF_RESOURCES};

/* Calls seen per function since the last reset; fail_at[f] = N fails calls
 * N .. N + span - 1 (1-based), 0 none. */
static long calls[F_COUNT], fail_at[F_COUNT], span = 1;
/* Buffers clcnn created and has not released: a failed run must not leak one. */
#define MAX_LIVE 4096
static cl_mem live[MAX_LIVE];
static int n_live;

static int inject(int f)
{
    ++calls[f];
    return fail_at[f] && calls[f] >= fail_at[f] && calls[f] < fail_at[f] + span;
}

cl_mem __real_clCreateBuffer(cl_context, cl_mem_flags, size_t, void *, cl_int *);
cl_int __real_clEnqueueNDRangeKernel(cl_command_queue, cl_kernel, cl_uint, const size_t *,
                                     const size_t *, const size_t *, cl_uint, const cl_event *,
                                     cl_event *);
cl_int __real_clBuildProgram(cl_program, cl_uint, const cl_device_id *, const char *,
                             void(CL_CALLBACK *)(cl_program, void *), void *);
cl_int __real_clEnqueueReadBuffer(cl_command_queue, cl_mem, cl_bool, size_t, size_t, void *,
                                  cl_uint, const cl_event *, cl_event *);
cl_int __real_clReleaseMemObject(cl_mem);

cl_mem __wrap_clCreateBuffer(cl_context c, cl_mem_flags fl, size_t size, void *host, cl_int *rc)
{
    if (inject(F_BUFFER)) {
        if (rc)
            *rc = f_code[F_BUFFER];
        return NULL;
    }
    cl_mem m = __real_clCreateBuffer(c, fl, size, host, rc);
    if (m && n_live < MAX_LIVE)
        live[n_live++] = m;
    return m;
}

cl_int __wrap_clReleaseMemObject(cl_mem m)
{
    for (int i = 0; i < n_live; i++)
        if (live[i] == m) {
            live[i] = live[--n_live];
            break;
        }
    return __real_clReleaseMemObject(m);
}

cl_int __wrap_clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dim, const size_t *off,
                                     const size_t *gws, const size_t *lws, cl_uint n_ev,
                                     const cl_event *wait, cl_event *ev)
{
    if (inject(F_NDRANGE))
        return f_code[F_NDRANGE];
    return __real_clEnqueueNDRangeKernel(q, k, dim, off, gws, lws, n_ev, wait, ev);
}

cl_int __wrap_clBuildProgram(cl_program p, cl_uint n, const cl_device_id *devs, const char *opts,
                             void(CL_CALLBACK *cb)(cl_program, void *), void *user)
{
    if (inject(F_BUILD))
        return f_code[F_BUILD];
    return __real_clBuildProgram(p, n, devs, opts, cb, user);
}

cl_int __wrap_clEnqueueReadBuffer(cl_command_queue q, cl_mem m, cl_bool block, size_t off,
                                  size_t size, void *dst, cl_uint n_ev, const cl_event *wait,
                                  cl_event *ev)
{
    if (inject(F_READ))
        return f_code[F_READ];
    return __real_clEnqueueReadBuffer(q, m, block, off, size, dst, n_ev, wait, ev);
}

#define INPUT 64

/* The reference output of the model, and the input every run uses. */
static float *ref_out, *input;
static size_t out_n, in_n;

static clcnn_status build_model(clcnn_context *ctx, clcnn_model **m)
{
    clcnn_builtin_options o;
    clcnn_builtin_options_init(&o);
    o.width = 0.35f;
    o.input_size = INPUT;
    o.classes = 10;
    o.seed = 13;
    return clcnn_model_builtin(ctx, "mobilenet_v2", &o, m);
}

/* Session + one run on ctx; status of the first failing call, message in msg. */
static clcnn_status one_run(clcnn_context *ctx, const clcnn_model *m, float *out, char *msg,
                            size_t len)
{
    clcnn_session *s = NULL;
    clcnn_status st = clcnn_session_create(ctx, m, NULL, &s);
    if (st) {
        snprintf(msg, len, "%s", clcnn_context_last_error(ctx));
        return st;
    }
    const float *ins[1] = {input};
    float *outs[1] = {out};
    st = clcnn_session_run(s, ins, outs);
    if (st)
        snprintf(msg, len, "%s", clcnn_session_last_error(s));
    clcnn_session_destroy(s);
    return st;
}

static int setup(void **state)
{
    (void)state;
    clcnn_context *ref = afx_context(0);
    clcnn_model *m = NULL;
    assert_int_equal(build_model(ref, &m), CLCNN_OK);
    clcnn_tensor_info ti;
    clcnn_model_input(m, 0, &ti);
    in_n = 1;
    for (int d = 0; d < ti.ndim; d++)
        in_n *= (size_t)ti.dims[d];
    clcnn_model_output(m, 0, &ti);
    out_n = 1;
    for (int d = 0; d < ti.ndim; d++)
        out_n *= (size_t)ti.dims[d];
    input = malloc(in_n * sizeof(float));
    ref_out = malloc(out_n * sizeof(float));
    assert_non_null(input);
    assert_non_null(ref_out);
    afx_seeded(input, (int64_t)in_n, 7);
    char msg[1024];
    assert_int_equal(one_run(ref, m, ref_out, msg, sizeof msg), CLCNN_OK);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ref);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(input);
    free(ref_out);
    return 0;
}

static void expect_close(const float *got, const char *what)
{
    for (size_t i = 0; i < out_n; i++)
        if (!(got[i] - ref_out[i] < 1e-3f + 1e-3f * (ref_out[i] < 0 ? -ref_out[i] : ref_out[i]) &&
              ref_out[i] - got[i] < 1e-3f + 1e-3f * (ref_out[i] < 0 ? -ref_out[i] : ref_out[i])))
            fail_msg("%s: output %zu is %g, reference %g", what, i, (double)got[i], (double)ref_out[i]);
}

/* Walks N over every call of f a clean session + run makes. Programs are
 * memoized per context, so each N gets a fresh context (on the shared test
 * cache: binaries load in milliseconds) when f is clBuildProgram, and one
 * context serves the whole walk otherwise. */
static void walk(int f, long fail_span)
{
    span = fail_span;
    clcnn_context *ctx = afx_context(1);
    if (!ctx) {
        skip();
        return;
    }
    clcnn_model *m = NULL;
    assert_int_equal(build_model(ctx, &m), CLCNN_OK);
    float *out = malloc(out_n * sizeof(float));
    assert_non_null(out);
    char msg[2048];
    /* warm: programs built (or loaded) once, so the count below is the steady one */
    assert_int_equal(one_run(ctx, m, out, msg, sizeof msg), CLCNN_OK);
    if (f == F_BUILD) { /* count on a fresh context: builds happen only there */
        clcnn_model_destroy(m);
        clcnn_context_destroy(ctx);
        ctx = afx_context(1);
        assert_int_equal(build_model(ctx, &m), CLCNN_OK);
    }
    memset(calls, 0, sizeof calls);
    memset(fail_at, 0, sizeof fail_at);
    assert_int_equal(one_run(ctx, m, out, msg, sizeof msg), CLCNN_OK);
    const long total = calls[f];
    assert_true(total > 0);
    int failed = 0, recovered = 0;
    for (long n = 1; n <= total; n++) {
        if (f == F_BUILD) {
            clcnn_model_destroy(m);
            clcnn_context_destroy(ctx);
            ctx = afx_context(1);
            assert_int_equal(build_model(ctx, &m), CLCNN_OK);
        }
        memset(calls, 0, sizeof calls);
        fail_at[f] = n;
        int live_before = n_live;
        clcnn_status st = one_run(ctx, m, out, msg, sizeof msg);
        fail_at[f] = 0;
        char what[160];
        snprintf(what, sizeof what, "%s call %ld of %ld", f_call[f], n, total);
        if (st == CLCNN_OK) { /* recovered (a cached binary's build fell back to source) */
            expect_close(out, what);
            recovered++;
        } else {
            failed++;
            if (st != CLCNN_ERR_CL && st != CLCNN_ERR_KERNEL_BUILD)
                fail_msg("%s: status %s, want CLCNN_ERR_CL: %s", what, clcnn_status_str(st), msg);
            if (!strstr(msg, f_error[f]) || strchr(msg, '\n'))
                fail_msg("%s: message is not one line naming %s: '%s'", what, f_error[f], msg);
        }
        if (n_live != live_before)
            fail_msg("%s: %d buffer(s) created and not released", what, n_live - live_before);
        /* the same context must still work */
        memset(out, 0, out_n * sizeof(float));
        if (one_run(ctx, m, out, msg, sizeof msg) != CLCNN_OK)
            fail_msg("%s: the next run failed: %s", what, msg);
        expect_close(out, what);
    }
    printf("%s (%ld consecutive): %ld injection points, %d ended in a one-line error, %d recovered\n",
           f_call[f], fail_span, total, failed, recovered);
    /* a failed build of a cached binary is rebuilt from source; both failing is an error */
    if (f == F_BUILD && fail_span == 2 && !failed)
        fail_msg("clBuildProgram failing twice in a row never surfaced as an error");
    free(out);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

static void test_create_buffer(void **state) { (void)state; walk(F_BUFFER, 1); }
static void test_ndrange(void **state) { (void)state; walk(F_NDRANGE, 1); }
/* span 1: the cached binary's build fails and clcnn falls back to the source;
 * span 2: the source build fails too, which must be an error */
static void test_build_program(void **state) { (void)state; walk(F_BUILD, 1); walk(F_BUILD, 2); }
static void test_read_buffer(void **state) { (void)state; walk(F_READ, 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_buffer),
        cmocka_unit_test(test_ndrange),
        cmocka_unit_test(test_build_program),
        cmocka_unit_test(test_read_buffer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
