/* api_fixture.h — what the public-API tests (test_api_*.c) share: contexts on
 * the reference backend or the OpenCL device (NULL, after saying so, when the
 * machine has none, so the test can skip), and tiny IR graphs wrapped as
 * clcnn_model through the library's own load path (shape inference +
 * constant folding, as a built-in gets).
 *
 * Include after <cmocka.h>'s prerequisites (stdarg, stddef, stdint, setjmp). */
#ifndef CLCNN_TESTS_API_FIXTURE_H
#define CLCNN_TESTS_API_FIXTURE_H

#include "clcnn.h"
#include "core/ir.h"

/* "ref", or the OpenCL device of $CLCNN_TEST_DEVICE (default "auto"); for
 * OpenCL, NULL after printing "skipping: ..." when there is no device (auto
 * falling back to the reference counts as none). Fails the test on any other
 * error. */
clcnn_context *afx_context(int opencl);

/* Graph building: each fails the test on error. */
int afx_input(ir_graph *g, const char *name, int ndim, const int64_t *dims, int dynamic_batch);
void afx_output(ir_graph *g, int t);
int afx_tensor(ir_graph *g, const char *name, int dtype);
int afx_const_f(ir_graph *g, const char *name, int ndim, const int64_t *dims, const float *v);
int afx_node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in, const int *out,
             int n_out);

/* Infers shapes, folds constants and wraps g (taken) as a model on ctx. */
clcnn_model *afx_model(clcnn_context *ctx, ir_graph *g);

/* n seeded floats in [-1, 1). */
void afx_seeded(float *v, int64_t n, uint32_t seed);
/* A float constant of the given dims filled by afx_seeded(seed), plus add
 * (add > 1: strictly positive, a BN variance). */
int afx_const_seeded(ir_graph *g, const char *name, int ndim, const int64_t *dims, uint32_t seed,
                     float add);

#endif
