/* api_fixture.c — see api_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/api_fixture.h"
#include "api/api_internal.h"
#include "ops/op.h"

clcnn_context *afx_context(int opencl)
{
    const char *spec = getenv("CLCNN_TEST_DEVICE");
    clcnn_context_options o;
    clcnn_context_options_init(&o);
    o.device = opencl ? (spec && spec[0] ? spec : "auto") : "ref";
    clcnn_context *ctx = NULL;
    char err[1024];
    clcnn_status st = clcnn_context_create(&o, &ctx, err, sizeof err);
    if (opencl && st == CLCNN_ERR_NO_DEVICE) {
        print_message("skipping: no OpenCL device for '%s': %s\n", o.device, err);
        return NULL;
    }
    if (st != CLCNN_OK)
        fail_msg("clcnn_context_create(%s): %s", o.device, err);
    if (opencl && clcnn_context_is_reference(ctx)) {
        print_message("skipping: device '%s' fell back to the reference backend\n", o.device);
        clcnn_context_destroy(ctx);
        return NULL;
    }
    return ctx;
}

int afx_tensor(ir_graph *g, const char *name, int dtype)
{
    int t = ir_add_tensor(g, name, dtype, -1, NULL);
    assert_true(t >= 0);
    return t;
}

int afx_input(ir_graph *g, const char *name, int ndim, const int64_t *dims, int dynamic_batch)
{
    int t = ir_add_tensor(g, name, IR_DT_FLOAT, ndim, dims);
    assert_true(t >= 0);
    g->tensors[t].dynamic_batch = dynamic_batch;
    g->inputs = realloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
    assert_non_null(g->inputs);
    g->inputs[g->n_inputs++] = t;
    return t;
}

void afx_output(ir_graph *g, int t)
{
    g->outputs = realloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
    assert_non_null(g->outputs);
    g->outputs[g->n_outputs++] = t;
}

int afx_const_f(ir_graph *g, const char *name, int ndim, const int64_t *dims, const float *v)
{
    int t = ir_add_tensor(g, name, IR_DT_FLOAT, ndim, dims);
    assert_true(t >= 0);
    size_t nb = ir_nbytes(&g->tensors[t]);
    g->tensors[t].data = malloc(nb ? nb : 1);
    assert_non_null(g->tensors[t].data);
    memcpy(g->tensors[t].data, v, nb);
    g->tensors[t].is_param = 1;
    return t;
}

int afx_node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in, const int *out,
             int n_out)
{
    int i = ir_add_node(g, op, name, in, n_in, out, n_out);
    assert_true(i >= 0);
    return i;
}

clcnn_model *afx_model(clcnn_context *ctx, ir_graph *g)
{
    clcnn_err err = {0};
    if (ops_infer_graph(g, &err) != CLCNN_OK || ops_fold_constants(g, &err) != CLCNN_OK) {
        ir_graph_free(g);
        fail_msg("preparing the test graph: %s", err.msg);
    }
    clcnn_model *m = NULL;
    if (api_model_from_graph(ctx, g, &m) != CLCNN_OK)
        fail_msg("api_model_from_graph: %s", clcnn_context_last_error(ctx));
    return m;
}

void afx_seeded(float *v, int64_t n, uint32_t seed)
{
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

int afx_const_seeded(ir_graph *g, const char *name, int ndim, const int64_t *dims, uint32_t seed,
                     float add)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= dims[d];
    float *v = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    assert_non_null(v);
    afx_seeded(v, n, seed);
    for (int64_t i = 0; i < n; i++)
        v[i] += add;
    int t = afx_const_f(g, name, ndim, dims, v);
    free(v);
    return t;
}
