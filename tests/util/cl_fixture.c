/* cl_fixture.c — shared OpenCL test setup: device from $CLCNN_TEST_DEVICE,
 * skip-or-fail policy, and kernel fetching that fails with the build log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>

#include <cmocka.h>

#include "util/cl_fixture.h"

void clfx_check(clcnn_status st, const clcnn_err *err, const char *what)
{
    if (st == CLCNN_OK)
        return;
    print_error("%s: %s: %s\n%s\n", what, clcnn_status_str(st), err ? err->msg : "",
                err && err->detail ? err->detail : "");
    fail_msg("%s failed", what);
}

rt_ctx *clfx_create_opt(const rt_options *opt)
{
    const char *spec = getenv("CLCNN_TEST_DEVICE");
    if (!spec || !*spec)
        spec = "auto";
    rt_ctx *rt = NULL;
    clcnn_err err = {0};
    clcnn_status st = rt_create(spec, opt, &rt, &err);
    if (st == CLCNN_ERR_NO_DEVICE) {
        print_message("skipping: no OpenCL device for '%s': %s\n", spec, err.msg);
        err_clear(&err);
        return NULL;
    }
    clfx_check(st, &err, "rt_create");
    err_clear(&err);
    return rt;
}

rt_ctx *clfx_create(void) { return clfx_create_opt(NULL); }

cl_kernel clfx_kernel(rt_ctx *rt, const char *program, const char *kernel, const char *options)
{
    clcnn_err err = {0};
    cl_program p = NULL;
    clfx_check(rt_program(rt, program, options, &p, &err), &err, program);
    err_clear(&err);
    cl_int rc = CL_SUCCESS;
    cl_kernel k = clCreateKernel(p, kernel, &rc);
    if (rc != CL_SUCCESS)
        fail_msg("clCreateKernel(%s, %s): %s", program, kernel, rt_cl_error_name(rc));
    return k;
}

size_t clfx_round_up(size_t n, size_t wg) { return (n + wg - 1) / wg * wg; }

/* Small deterministic generator: tests must not depend on rand()'s state. */
static float lcg_float(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)(*s >> 8) / 16777216.0f * 8.0f - 4.0f;
}

void clfx_check_smoke(rt_ctx *rt, int n)
{
    clfx_check_smoke_wg(rt, n, 64);
}

void clfx_check_smoke_wg(rt_ctx *rt, int n, size_t wg)
{
    const float a = 1.75f, b = -0.5f;
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    uint32_t seed = 12345u + (uint32_t)n;
    for (int i = 0; i < n; i++)
        x[i] = lcg_float(&seed);
    cl_int rc = CL_SUCCESS;
    cl_mem dx = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                               (size_t)n * sizeof *x, x, &rc);
    assert_int_equal(rc, CL_SUCCESS);
    cl_mem dy = clCreateBuffer(rt_cl_context(rt), CL_MEM_WRITE_ONLY, (size_t)n * sizeof *y, NULL,
                               &rc);
    assert_int_equal(rc, CL_SUCCESS);
    cl_kernel k = clfx_kernel(rt, "smoke", "axpb", NULL);
    assert_int_equal(clSetKernelArg(k, 0, sizeof dx, &dx), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(k, 1, sizeof dy, &dy), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(k, 2, sizeof a, &a), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(k, 3, sizeof b, &b), CL_SUCCESS);
    assert_int_equal(clSetKernelArg(k, 4, sizeof n, &n), CL_SUCCESS);
    size_t global = clfx_round_up((size_t)n, wg);
    assert_int_equal(clEnqueueNDRangeKernel(rt_queue(rt), k, 1, NULL, &global, &wg, 0, NULL,
                                            NULL),
                     CL_SUCCESS);
    assert_int_equal(clEnqueueReadBuffer(rt_queue(rt), dy, CL_TRUE, 0, (size_t)n * sizeof *y, y,
                                         0, NULL, NULL),
                     CL_SUCCESS);
    int bad = -1;
    for (int i = 0; i < n && bad < 0; i++) {
        float want = a * x[i] + b; /* device may fuse into an fma: allow an ulp or two */
        if (fabsf(y[i] - want) > 1e-6f + 1e-6f * fabsf(want))
            bad = i;
    }
    if (bad >= 0)
        print_error("smoke axpb n=%d: first bad index %d: got %.9g want %.9g (x=%.9g)\n", n, bad,
                    (double)y[bad], (double)(a * x[bad] + b), (double)x[bad]);
    clReleaseKernel(k);
    clReleaseMemObject(dx);
    clReleaseMemObject(dy);
    free(x);
    free(y);
    assert_int_equal(bad, -1);
}
