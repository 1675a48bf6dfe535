/* test_passes.c — each graph pass leaves outputs unchanged (reference
 * executor before vs after, on seeded input) and removes what it claims to. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ir.h"
#include "exec/exec_ref.h"
#include "ops/op.h"
#include "passes/passes.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float frand(void) /* uniform [-1, 1), xorshift: fixed seed, fixed sequence */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (float)((rng_state >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}

static int add_const(ir_graph *g, const char *name, int dtype, int ndim, const int64_t *dims,
                     float lo, float hi)
{
    int t = ir_add_tensor(g, name, dtype, ndim, dims);
    ir_tensor *tt = &g->tensors[t];
    size_t n = (size_t)ir_numel(tt);
    tt->data = malloc(n * ir_dtype_size(dtype));
    tt->is_param = 1;
    for (size_t i = 0; i < n && dtype == IR_DT_FLOAT; i++)
        ((float *)tt->data)[i] = lo + (frand() + 1.0f) * 0.5f * (hi - lo);
    return t;
}

/* Makes x the graph's one input and y its one output, sorts it and infers its
 * shapes. */
static ir_graph *finish_graph(ir_graph *g, int x, int y)
{
    g->inputs = malloc(sizeof(int));
    g->inputs[0] = x;
    g->n_inputs = 1;
    g->outputs = malloc(sizeof(int));
    g->outputs[0] = y;
    g->n_outputs = 1;
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    if (ops_infer_graph(g, &err) != CLCNN_OK)
        fail_msg("shape inference: %s", err.msg);
    return g;
}

/* x[1,3,9,7] -> Pad(h 1/2, w 0/1) -> Conv 5x3x3x3 s2 (pads 1,0,0,1) -> BN -> Relu -> y */
static ir_graph *make_graph(void)
{
    ir_graph *g = ir_graph_new();
    g->opset = 13;
    int64_t xd[4] = {1, 3, 9, 7}, wd[4] = {5, 3, 3, 3}, cd[1] = {5}, pd[1] = {8};
    int x = ir_add_tensor(g, "x", IR_DT_FLOAT, 4, xd);
    int pads = add_const(g, "pads", IR_DT_INT64, 1, pd, 0, 0);
    int64_t pv[8] = {0, 0, 1, 0, 0, 0, 2, 1};
    memcpy(g->tensors[pads].data, pv, sizeof pv);
    g->tensors[pads].is_param = 0;
    int w = add_const(g, "w", IR_DT_FLOAT, 4, wd, -0.5f, 0.5f);
    int gam = add_const(g, "gamma", IR_DT_FLOAT, 1, cd, 0.5f, 1.5f);
    int bet = add_const(g, "beta", IR_DT_FLOAT, 1, cd, -0.2f, 0.2f);
    int mu = add_const(g, "mean", IR_DT_FLOAT, 1, cd, -0.1f, 0.1f);
    int var = add_const(g, "var", IR_DT_FLOAT, 1, cd, 0.5f, 1.5f);
    int xp = ir_add_tensor(g, "xp", IR_DT_FLOAT, -1, NULL);
    int c = ir_add_tensor(g, "c", IR_DT_FLOAT, -1, NULL);
    int b = ir_add_tensor(g, "b", IR_DT_FLOAT, -1, NULL);
    int y = ir_add_tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int pin[2] = {x, pads}, cin[2] = {xp, w}, bin[5] = {c, gam, bet, mu, var};
    ir_add_node(g, IR_OP_PAD, "pad", pin, 2, &xp, 1);
    int cn = ir_add_node(g, IR_OP_CONV, "conv", cin, 2, &c, 1);
    int64_t cpads[4] = {1, 0, 0, 1}, strides[2] = {2, 2};
    ir_set_attr_ints(g, cn, "pads", cpads, 4);
    ir_set_attr_ints(g, cn, "strides", strides, 2);
    int bnn = ir_add_node(g, IR_OP_BATCHNORM, "bn", bin, 5, &b, 1);
    ir_set_attr_float(g, bnn, "epsilon", 1e-3f);
    ir_add_node(g, IR_OP_RELU, "relu", &b, 1, &y, 1);
    return finish_graph(g, x, y);
}

static int count_op(const ir_graph *g, ir_op op)
{
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++)
        n += g->nodes[i].op == op;
    return n;
}

static void run(const ir_graph *g, const float *x, float *y)
{
    clcnn_err err = {0};
    const float *in[1] = {x};
    float *out[1] = {y};
    clcnn_status st = exec_ref_run(g, in, out, NULL, &err);
    if (st != CLCNN_OK)
        print_error("exec_ref_run: %s\n", err.msg);
    assert_int_equal(st, CLCNN_OK);
}

/* A clone of g after every pass, its shapes inferred again; *rep what they did. */
static ir_graph *passed_clone(const ir_graph *g, passes_report *rep)
{
    ir_graph *f = ir_clone(g);
    assert_non_null(f);
    clcnn_err err = {0};
    assert_int_equal(passes_run(f, rep, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(f, &err), CLCNN_OK);
    return f;
}

static void test_pad_and_bn_fold_keep_outputs(void **state)
{
    (void)state;
    ir_graph *g = make_graph();
    passes_report rep;
    ir_graph *f = passed_clone(g, &rep);
    assert_int_equal(rep.pads_folded, 1);
    assert_int_equal(rep.bn_folded, 1);
    assert_int_equal(count_op(f, IR_OP_PAD), 0);
    assert_int_equal(count_op(f, IR_OP_BATCHNORM), 0);
    assert_int_equal(f->n_nodes, 2); /* Conv, Relu */

    const ir_tensor *yt = &g->tensors[g->outputs[0]];
    const ir_tensor *ft = &f->tensors[f->outputs[0]];
    assert_int_equal(ir_numel(yt), ir_numel(ft));
    for (int d = 0; d < 4; d++)
        assert_int_equal(yt->dims[d], ft->dims[d]);
    size_t n = (size_t)ir_numel(yt);
    float x[3 * 9 * 7], y0[256], y1[256];
    assert_true(n <= 256);
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        x[i] = frand();
    run(g, x, y0);
    run(f, x, y1);
    double maxref = 0;
    for (size_t i = 0; i < n; i++)
        maxref = fmax(maxref, fabs(y0[i]));
    assert_true(maxref > 0.01); /* the case must exercise non-zero outputs */
    for (size_t i = 0; i < n; i++) {
        if (fabs(y0[i] - y1[i]) > 1e-5 + 1e-5 * maxref) {
            print_error("first bad index %zu: before %g after %g\n", i, y0[i], y1[i]);
            fail();
        }
    }
    ir_graph_free(g);
    ir_graph_free(f);
}

/* A session's graph borrows its model's weights (ir_clone_shared): the passes
 * on the clone, making one tensor its own and freeing the clone leave every
 * byte of the model as it was (ASan: no double free), and the model still runs. */
static void test_shared_clone_leaves_model_intact(void **state)
{
    (void)state;
    ir_graph *g = make_graph();
    void *before[64];
    assert_true(g->n_tensors <= 64);
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        before[t] = x->data ? malloc(ir_nbytes(x) + 1) : NULL;
        if (x->data)
            memcpy(before[t], x->data, ir_nbytes(x));
    }
    ir_graph *f = ir_clone_shared(g);
    assert_non_null(f);
    int w = -1;
    for (int t = 0; t < f->n_tensors; t++)
        if (f->tensors[t].data) {
            assert_ptr_equal(f->tensors[t].data, g->tensors[t].data); /* no copy */
            assert_int_equal(f->tensors[t].borrowed, 1);
            if (strcmp(f->tensors[t].name, "pads") == 0)
                w = t;
        }
    assert_true(w >= 0);
    int64_t *own = ir_tensor_own(&f->tensors[w]); /* a writer's private copy */
    assert_non_null(own);
    assert_ptr_not_equal(own, g->tensors[w].data);
    assert_int_equal(f->tensors[w].borrowed, 0);
    own[2] = 7;
    clcnn_err err = {0};
    assert_int_equal(passes_run(f, NULL, &err), CLCNN_OK); /* folds pad and BN */
    ir_graph_free(f);
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        if (before[t])
            assert_memory_equal(x->data, before[t], ir_nbytes(x));
        free(before[t]);
    }
    float x[3 * 9 * 7] = {0}, y[256];
    run(g, x, y);
    ir_graph_free(g);
}

/* Tensor data is aligned for a CPU device to compute on in place. */
static void test_data_alloc_alignment(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 127, 128, 4095, 4096, 4097, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *p = ir_data_alloc(sizes[i]);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % (sizes[i] >= 4096 ? 4096 : 128), 0);
        memset(p, 1, sizes[i] ? sizes[i] : 1); /* ASan: the whole size is usable */
        free(p);
    }
}

static void test_bn_not_folded_when_conv_output_shared(void **state)
{
    (void)state;
    ir_graph *g = make_graph();
    /* make the conv output a second graph output: folding would change it */
    int c = ir_find_tensor(g, "c");
    g->outputs = realloc(g->outputs, sizeof(int) * 2);
    g->outputs[1] = c;
    g->n_outputs = 2;
    clcnn_err err = {0};
    int folded = -1;
    assert_int_equal(pass_fold_bn(g, &folded, &err), CLCNN_OK);
    assert_int_equal(folded, 0);
    assert_int_equal(count_op(g, IR_OP_BATCHNORM), 1);
    ir_graph_free(g);
}

/* x (dims) -> Relu -> ReduceMean(axes, keepdims) -> y; axes as an attribute
 * (opset 13) or a constant input (opset 18). The Relu keeps the mean's input
 * a computed tensor, as an SE squeeze's is. */
static ir_graph *mean_graph(int ndim, const int64_t *dims, const int64_t *axes, int na,
                            int keepdims, int opset)
{
    ir_graph *g = ir_graph_new();
    g->opset = opset;
    int x = ir_add_tensor(g, "x", IR_DT_FLOAT, ndim, dims);
    int r = ir_add_tensor(g, "r", IR_DT_FLOAT, -1, NULL);
    int y = ir_add_tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    ir_add_node(g, IR_OP_RELU, "relu", &x, 1, &r, 1);
    int in[2] = {r, -1}, m;
    if (opset >= 18) {
        int64_t ad[1] = {na};
        in[1] = add_const(g, "axes", IR_DT_INT64, 1, ad, 0, 0);
        memcpy(g->tensors[in[1]].data, axes, sizeof(int64_t) * (size_t)na);
        g->tensors[in[1]].is_param = 0;
        m = ir_add_node(g, IR_OP_REDUCEMEAN, "mean", in, 2, &y, 1);
    } else {
        m = ir_add_node(g, IR_OP_REDUCEMEAN, "mean", in, 1, &y, 1);
        ir_set_attr_ints(g, m, "axes", axes, na);
    }
    if (keepdims >= 0)
        ir_set_attr_int(g, m, "keepdims", keepdims);
    return finish_graph(g, x, y);
}

/* The spatial ReduceMean of a 4-D tensor with keepdims 1 (attribute or input
 * axes, negative, either order, keepdims left at its default) becomes
 * GlobalAveragePool with the same outputs and no axes tensor left; other
 * axes, keepdims 0 and other ranks stay ReduceMean. */
static void test_mean_to_pool(void **state)
{
    (void)state;
    static const int64_t d4[4] = {2, 5, 7, 9}, d3[3] = {5, 7, 9};
    static const struct {
        int ndim, na, keepdims, opset, pooled;
        int64_t axes[3];
    } cases[] = {
        {4, 2, 1, 13, 1, {2, 3}},   {4, 2, -1, 13, 1, {3, 2}}, {4, 2, 1, 18, 1, {-1, -2}},
        {4, 2, 1, 18, 1, {2, -1}},  {4, 2, 0, 13, 0, {2, 3}},  {4, 1, 1, 13, 0, {3}},
        {4, 2, 1, 18, 0, {1, 2}},   {4, 3, 1, 13, 0, {0, 2, 3}}, {3, 2, 1, 13, 0, {1, 2}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ir_graph *g = mean_graph(cases[c].ndim, cases[c].ndim == 4 ? d4 : d3, cases[c].axes,
                                 cases[c].na, cases[c].keepdims, cases[c].opset);
        passes_report rep;
        ir_graph *f = passed_clone(g, &rep);
        if (rep.means_pooled != cases[c].pooled)
            fail_msg("case %zu: %d rewritten, expected %d", c, rep.means_pooled, cases[c].pooled);
        assert_int_equal(count_op(f, IR_OP_GLOBALAVGPOOL), cases[c].pooled);
        assert_int_equal(count_op(f, IR_OP_REDUCEMEAN), !cases[c].pooled);
        if (cases[c].pooled) {
            assert_int_equal(ir_find_tensor(f, "axes"), -1);
            const ir_node *p = &f->nodes[f->n_nodes - 1];
            assert_int_equal(p->n_in, 1);
            assert_int_equal(p->n_attr, 0);
            assert_string_equal(p->name, "mean");
        }
        const ir_tensor *yt = &g->tensors[g->outputs[0]], *ft = &f->tensors[f->outputs[0]];
        assert_int_equal(yt->ndim, ft->ndim);
        for (int d = 0; d < yt->ndim; d++)
            assert_int_equal(yt->dims[d], ft->dims[d]);
        float x[2 * 5 * 7 * 9], y0[2 * 5 * 7 * 9], y1[2 * 5 * 7 * 9];
        for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
            x[i] = frand();
        run(g, x, y0);
        run(f, x, y1);
        for (int64_t i = 0; i < ir_numel(yt); i++)
            if (fabsf(y0[i] - y1[i]) > 1e-6f)
                fail_msg("case %zu: element %lld before %g after %g", c, (long long)i, y0[i], y1[i]);
        ir_graph_free(g);
        ir_graph_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pad_and_bn_fold_keep_outputs),
        cmocka_unit_test(test_shared_clone_leaves_model_intact),
        cmocka_unit_test(test_data_alloc_alignment),
        cmocka_unit_test(test_bn_not_folded_when_conv_output_shared),
        cmocka_unit_test(test_mean_to_pool),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
