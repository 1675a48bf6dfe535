/* cl_fixture.h — what every OpenCL test shares: a runtime context on
 * $CLCNN_TEST_DEVICE (default "auto") that is NULL when the machine has no
 * device, so the test can skip, and one-line helpers that fail loudly.
 *
 *     rt_ctx *rt = clfx_create();
 *     if (!rt) { skip(); return; }   // clfx_create already said why
 *     cl_kernel k = clfx_kernel(rt, "smoke", "axpb", NULL);
 *     ...
 *     clReleaseKernel(k); rt_destroy(rt);
 *
 * Include after <cmocka.h>'s prerequisites (stdarg, stddef, stdint, setjmp). */
#ifndef CLCNN_TESTS_CL_FIXTURE_H
#define CLCNN_TESTS_CL_FIXTURE_H

#include "runtime/rt.h"

/* Context on $CLCNN_TEST_DEVICE with the default cache. NULL after printing a
 * "skipping" message when there is no such device; any other error fails the
 * test with the runtime's message. */
rt_ctx *clfx_create(void);
/* Same with explicit options (e.g. a private cache_dir). */
rt_ctx *clfx_create_opt(const rt_options *opt);

/* Kernel `kernel` from kernels_cl/<program>.cl built with options (may be
 * NULL); fails the test with the message and build log on any error. */
cl_kernel clfx_kernel(rt_ctx *rt, const char *program, const char *kernel, const char *options);

/* Fails the test, printing what/msg/detail, when st is not CLCNN_OK. */
void clfx_check(clcnn_status st, const clcnn_err *err, const char *what);

/* Rounds n up to a multiple of wg: POCL needs uniform work-groups, so
 * kernels guard their tail and the host launches the rounded size. */
size_t clfx_round_up(size_t n, size_t wg);

/* Runs kernels_cl/smoke.cl axpb on n seeded floats and checks every element
 * against y = a*x + b computed here in C; fails naming the first bad index. */
void clfx_check_smoke(rt_ctx *rt, int n);
/* The same in work-groups of wg (clfx_check_smoke: 64). */
void clfx_check_smoke_wg(rt_ctx *rt, int n, size_t wg);

#endif
