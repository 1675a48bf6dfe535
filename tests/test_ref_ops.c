/* test_ref_ops.c — the reference ops and executor on tiny hand-built graphs.
 * Expected values never come from the code under test: they are written out
 * by hand, or computed here by a deliberately different formulation (conv as
 * explicit im2col + matmul, broadcasting by per-case index formulas). Also
 * checks shape-rule errors name the node, and constant folding of the
 * Shape->Gather->Unsqueeze->Concat->Reshape chain exporters emit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/ir.h"
#include "exec/exec_ref.h"
#include "ops/op.h"

/* ---- tiny graph builder --------------------------------------------- */

static int tensor(ir_graph *g, const char *name, int dtype, int ndim, const int64_t *dims)
{
    int t = ir_add_tensor(g, name, dtype, ndim, dims);
    assert_true(t >= 0);
    return t;
}

static int input(ir_graph *g, const char *name, int ndim, const int64_t *dims)
{
    int t = tensor(g, name, IR_DT_FLOAT, ndim, dims);
    g->inputs = realloc(g->inputs, sizeof(int) * (size_t)(g->n_inputs + 1));
    assert_non_null(g->inputs);
    g->inputs[g->n_inputs++] = t;
    return t;
}

static void output(ir_graph *g, int t)
{
    g->outputs = realloc(g->outputs, sizeof(int) * (size_t)(g->n_outputs + 1));
    assert_non_null(g->outputs);
    g->outputs[g->n_outputs++] = t;
}

static int const_f(ir_graph *g, const char *name, int ndim, const int64_t *dims, const float *v)
{
    int t = tensor(g, name, IR_DT_FLOAT, ndim, dims);
    size_t nb = ir_nbytes(&g->tensors[t]);
    g->tensors[t].data = malloc(nb ? nb : 1);
    assert_non_null(g->tensors[t].data);
    memcpy(g->tensors[t].data, v, nb);
    return t;
}

static int const_i(ir_graph *g, const char *name, int ndim, const int64_t *dims, const int64_t *v)
{
    int t = tensor(g, name, IR_DT_INT64, ndim, dims);
    size_t nb = ir_nbytes(&g->tensors[t]);
    g->tensors[t].data = malloc(nb ? nb : 1);
    assert_non_null(g->tensors[t].data);
    memcpy(g->tensors[t].data, v, nb);
    return t;
}

static int node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in, const int *out,
                int n_out)
{
    int i = ir_add_node(g, op, name, in, n_in, out, n_out);
    assert_true(i >= 0);
    return i;
}

static void seeded(float *v, int64_t n, uint32_t seed)
{
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        v[i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
    }
}

/* Sorts and infers, returning the status (and message in err). */
static clcnn_status prepare(ir_graph *g, clcnn_err *err)
{
    clcnn_status st = ir_toposort(g, err);
    return st ? st : ops_infer_graph(g, err);
}

/* Prepares and runs a graph with one input and one output; fails the test on error. */
static void run1(ir_graph *g, const float *in, float *out)
{
    clcnn_err err = {0};
    clcnn_status st = prepare(g, &err);
    if (st == CLCNN_OK)
        st = exec_ref_run(g, &in, &out, NULL, &err);
    if (st != CLCNN_OK)
        fail_msg("%s: %s", clcnn_status_str(st), err.msg);
    err_clear(&err);
}

static void expect_near(const float *got, const float *want, int64_t n, double tol, const char *what)
{
    for (int64_t i = 0; i < n; i++)
        if (fabs((double)got[i] - want[i]) > tol + 1e-5 * fabs(want[i]))
            fail_msg("%s: index %lld got %.7g want %.7g", what, (long long)i, got[i], want[i]);
}

static const ir_tensor *out_t(const ir_graph *g, int k) { return &g->tensors[g->outputs[k]]; }

/* ---- conv against im2col + matmul --------------------------------------- */

typedef struct conv_case {
    int64_t c, h, w, m, k, group, stride, dil[2], pads[4];
} conv_case;

/* An independent conv: build the column matrix of every group (rows =
 * (c,kh,kw), cols = output pixels, zero where the tap hits padding) and
 * multiply by the weight matrix of that group. */
static void conv_im2col(const conv_case *cc, const float *x, const float *wt, const float *b,
                        int64_t ho, int64_t wo, float *y)
{
    int64_t cg = cc->c / cc->group, mg = cc->m / cc->group, rows = cg * cc->k * cc->k;
    float *col = calloc((size_t)(rows * ho * wo), sizeof(float));
    assert_non_null(col);
    for (int64_t gi = 0; gi < cc->group; gi++) {
        for (int64_t r = 0; r < rows; r++) {
            int64_t c = r / (cc->k * cc->k), kh = (r / cc->k) % cc->k, kw = r % cc->k;
            for (int64_t p = 0; p < ho * wo; p++) {
                int64_t ih = (p / wo) * cc->stride - cc->pads[0] + kh * cc->dil[0];
                int64_t iw = (p % wo) * cc->stride - cc->pads[1] + kw * cc->dil[1];
                int in = ih >= 0 && ih < cc->h && iw >= 0 && iw < cc->w;
                col[r * ho * wo + p] = in ? x[((gi * cg + c) * cc->h + ih) * cc->w + iw] : 0.0f;
            }
        }
        for (int64_t m = 0; m < mg; m++)
            for (int64_t p = 0; p < ho * wo; p++) {
                double acc = b[gi * mg + m];
                for (int64_t r = 0; r < rows; r++)
                    acc += (double)wt[(gi * mg + m) * rows + r] * col[r * ho * wo + p];
                y[(gi * mg + m) * ho * wo + p] = (float)acc;
            }
    }
    free(col);
}

static void check_conv(const conv_case *cc)
{
    ir_graph *g = ir_graph_new();
    int64_t xd[4] = {1, cc->c, cc->h, cc->w}, wd[4] = {cc->m, cc->c / cc->group, cc->k, cc->k};
    int64_t nw = wd[0] * wd[1] * wd[2] * wd[3], nx = cc->c * cc->h * cc->w;
    float *x = malloc(sizeof(float) * (size_t)nx), *wt = malloc(sizeof(float) * (size_t)nw);
    float *b = malloc(sizeof(float) * (size_t)cc->m);
    seeded(x, nx, 1);
    seeded(wt, nw, 2);
    seeded(b, cc->m, 3);
    int in[3] = {input(g, "x", 4, xd), const_f(g, "w", 4, wd, wt), const_f(g, "b", 1, &cc->m, b)};
    int y = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, IR_OP_CONV, "conv", in, 3, &y, 1);
    ir_set_attr_int(g, nd, "group", cc->group);
    ir_set_attr_ints(g, nd, "strides", (int64_t[]){cc->stride, cc->stride}, 2);
    ir_set_attr_ints(g, nd, "dilations", cc->dil, 2);
    ir_set_attr_ints(g, nd, "pads", cc->pads, 4);
    output(g, y);
    clcnn_err err = {0};
    assert_int_equal(prepare(g, &err), CLCNN_OK);
    int64_t ho = (cc->h + cc->pads[0] + cc->pads[2] - cc->dil[0] * (cc->k - 1) - 1) / cc->stride + 1;
    int64_t wo = (cc->w + cc->pads[1] + cc->pads[3] - cc->dil[1] * (cc->k - 1) - 1) / cc->stride + 1;
    const ir_tensor *yt = out_t(g, 0);
    assert_int_equal(yt->ndim, 4);
    assert_int_equal(yt->dims[1], cc->m);
    assert_int_equal(yt->dims[2], ho);
    assert_int_equal(yt->dims[3], wo);
    float *got = malloc(sizeof(float) * (size_t)(cc->m * ho * wo));
    float *want = malloc(sizeof(float) * (size_t)(cc->m * ho * wo));
    run1(g, x, got);
    conv_im2col(cc, x, wt, b, ho, wo, want);
    char what[160];
    snprintf(what, sizeof what, "conv c=%lld %lldx%lld m=%lld k=%lld group=%lld stride=%lld dil=%lld,%lld",
             (long long)cc->c, (long long)cc->h, (long long)cc->w, (long long)cc->m, (long long)cc->k,
             (long long)cc->group, (long long)cc->stride, (long long)cc->dil[0], (long long)cc->dil[1]);
    expect_near(got, want, cc->m * ho * wo, 1e-5, what);
    /* MACs = N*Cout*Ho*Wo*(Cin/group)*kh*kw */
    assert_int_equal(op_get(IR_OP_CONV)->macs(g, &g->nodes[0]),
                     cc->m * ho * wo * (cc->c / cc->group) * cc->k * cc->k);
    free(x), free(wt), free(b), free(got), free(want);
    ir_graph_free(g);
}

static void test_conv_vs_im2col(void **state)
{
    const conv_case cases[] = {
        {6, 7, 9, 4, 3, 2, 2, {1, 2}, {1, 0, 2, 1}},  /* grouped, stride 2, dilation, asym pads */
        {5, 13, 17, 5, 3, 5, 1, {1, 1}, {1, 1, 1, 1}}, /* depthwise */
        {3, 7, 7, 17, 5, 1, 1, {1, 1}, {2, 2, 2, 2}},  /* ordinary, k5 */
        {1, 1, 1, 3, 1, 1, 1, {1, 1}, {0, 0, 0, 0}},   /* 1x1 on 1x1 */
        {4, 13, 7, 8, 7, 4, 2, {1, 1}, {3, 3, 3, 3}},  /* depthwise multiplier 2, k7 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_conv(&cases[i]);
}

static void test_conv_auto_pad(void **state)
{
    /* 1x1x5x5 input, 3x3 kernel, stride 2: SAME_UPPER pads 1/1 -> 3x3;
     * SAME_LOWER on a 4x4 input with total pad 1 puts it at the start. */
    const char *modes[] = {"SAME_UPPER", "SAME_LOWER", "VALID"};
    const int64_t want_hw[] = {3, 3, 2};
    for (int m = 0; m < 3; m++) {
        ir_graph *g = ir_graph_new();
        float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        int in[2] = {input(g, "x", 4, (int64_t[]){1, 1, 5, 5}),
                     const_f(g, "w", 4, (int64_t[]){1, 1, 3, 3}, ones)};
        int y = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        int nd = node(g, IR_OP_CONV, "c", in, 2, &y, 1);
        ir_set_attr_string(g, nd, "auto_pad", modes[m]);
        ir_set_attr_ints(g, nd, "strides", (int64_t[]){2, 2}, 2);
        output(g, y);
        float x[25], out[9];
        for (int i = 0; i < 25; i++)
            x[i] = 1;
        run1(g, x, out);
        assert_int_equal(out_t(g, 0)->dims[2], want_hw[m]);
        /* all-ones sums count the taps inside the input: corner of SAME is 4 */
        assert_true(out[0] == (m == 2 ? 9.0f : 4.0f));
        ir_graph_free(g);
    }
    /* SAME_LOWER vs SAME_UPPER on 4x4, k=2, s=1: total pad 1; LOWER pads top */
    for (int m = 0; m < 2; m++) {
        ir_graph *g = ir_graph_new();
        float w[4] = {1, 0, 0, 0}; /* picks the top-left tap */
        int in[2] = {input(g, "x", 4, (int64_t[]){1, 1, 4, 4}),
                     const_f(g, "w", 4, (int64_t[]){1, 1, 2, 2}, w)};
        int y = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        int nd = node(g, IR_OP_CONV, "c", in, 2, &y, 1);
        ir_set_attr_string(g, nd, "auto_pad", modes[m]);
        output(g, y);
        float x[16], out[16];
        for (int i = 0; i < 16; i++)
            x[i] = (float)(i + 1);
        run1(g, x, out);
        assert_int_equal(out_t(g, 0)->dims[2], 4);
        /* UPPER: out[0] = x[0][0] = 1; LOWER: window starts at -1 -> padding = 0 */
        assert_true(out[0] == (m == 0 ? 1.0f : 0.0f));
        assert_true(out[5] == (m == 0 ? 6.0f : 1.0f));
        ir_graph_free(g);
    }
}

/* ---- pooling on a hand-written 4x4 ------------------------------------- */

static ir_graph *pool_graph(ir_op op, int64_t k, int64_t s, const int64_t *pads, int ceil_mode,
                            int incl)
{
    ir_graph *g = ir_graph_new();
    int x = input(g, "x", 4, (int64_t[]){1, 1, 4, 4});
    int y = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, op, "pool", &x, 1, &y, 1);
    ir_set_attr_ints(g, nd, "kernel_shape", (int64_t[]){k, k}, 2);
    ir_set_attr_ints(g, nd, "strides", (int64_t[]){s, s}, 2);
    if (pads)
        ir_set_attr_ints(g, nd, "pads", pads, 4);
    ir_set_attr_int(g, nd, "ceil_mode", ceil_mode);
    if (op == IR_OP_AVGPOOL)
        ir_set_attr_int(g, nd, "count_include_pad", incl);
    output(g, y);
    return g;
}

static void test_pool_4x4(void **state)
{
    /*  1  2  3  4
     *  5  6  7  8
     *  9 10 11 12
     * 13 14 15 16 */
    float x[16], y[16];
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
    ir_graph *g = pool_graph(IR_OP_MAXPOOL, 2, 2, NULL, 0, 0);
    run1(g, x, y);
    expect_near(y, (float[]){6, 8, 14, 16}, 4, 0, "maxpool k2 s2");
    ir_graph_free(g);

    const int64_t pad1[4] = {1, 1, 1, 1};
    g = pool_graph(IR_OP_AVGPOOL, 3, 2, pad1, 0, 0); /* 2x2 out */
    run1(g, x, y);
    /* (0,0): rows 0-1, cols 0-1 = 1+2+5+6 = 14 over 4 taps; (0,1): cols 1-3 rows 0-1 */
    expect_near(y, (float[]){14 / 4.0f, (2 + 3 + 4 + 6 + 7 + 8) / 6.0f,
                             (5 + 6 + 9 + 10 + 13 + 14) / 6.0f, (6 + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16) / 9.0f},
                4, 1e-6, "avgpool exclude pad");
    ir_graph_free(g);
    g = pool_graph(IR_OP_AVGPOOL, 3, 2, pad1, 0, 1);
    run1(g, x, y);
    expect_near(y, (float[]){14 / 9.0f, 30 / 9.0f, 57 / 9.0f, 99 / 9.0f}, 4, 1e-6, "avgpool include pad");
    ir_graph_free(g);

    /* k3 s2 no pad: floor gives 1x1, ceil gives 2x2 with clipped windows */
    g = pool_graph(IR_OP_MAXPOOL, 3, 2, NULL, 1, 0);
    run1(g, x, y);
    assert_int_equal(out_t(g, 0)->dims[3], 2);
    expect_near(y, (float[]){11, 12, 15, 16}, 4, 0, "maxpool ceil");
    ir_graph_free(g);
    g = pool_graph(IR_OP_AVGPOOL, 3, 2, NULL, 1, 0);
    run1(g, x, y);
    expect_near(y, (float[]){6, (3 + 4 + 7 + 8 + 11 + 12) / 6.0f, (9 + 10 + 11 + 13 + 14 + 15) / 6.0f,
                             (11 + 12 + 15 + 16) / 4.0f},
                4, 1e-6, "avgpool ceil");
    ir_graph_free(g);

    g = ir_graph_new();
    int xi = input(g, "x", 4, (int64_t[]){1, 2, 2, 4}), yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    node(g, IR_OP_GLOBALAVGPOOL, "gap", &xi, 1, &yo, 1);
    output(g, yo);
    run1(g, x, y);
    assert_int_equal(out_t(g, 0)->dims[2], 1);
    expect_near(y, (float[]){4.5f, 12.5f}, 2, 1e-6, "global avg");
    ir_graph_free(g);
}

/* ---- broadcasting ------------------------------------------------------- */

static void test_broadcast_add(void **state)
{
    /* a: 2x3x1 input, b: 3x4 constant -> 2x3x4: y[i][j][k] = a[i][j] + b[j][k] */
    {
        ir_graph *g = ir_graph_new();
        float a[6], b[12], y[24];
        seeded(a, 6, 7);
        seeded(b, 12, 8);
        int in[2] = {input(g, "a", 3, (int64_t[]){2, 3, 1}), const_f(g, "b", 2, (int64_t[]){3, 4}, b)};
        int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        node(g, IR_OP_ADD, "add", in, 2, &yo, 1);
        output(g, yo);
        run1(g, a, y);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    assert_true(y[(i * 3 + j) * 4 + k] == a[i * 3 + j] + b[j * 4 + k]);
        ir_graph_free(g);
    }
    /* scalar-like 1 - 2x2: y = s - a (Sub, constant first) */
    {
        ir_graph *g = ir_graph_new();
        float s = 10, a[4] = {1, 2, 3, 4}, y[4];
        int in[2] = {const_f(g, "s", 1, (int64_t[]){1}, &s), input(g, "a", 2, (int64_t[]){2, 2})};
        int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        node(g, IR_OP_SUB, "sub", in, 2, &yo, 1);
        output(g, yo);
        run1(g, a, y);
        expect_near(y, (float[]){9, 8, 7, 6}, 4, 0, "sub broadcast");
        ir_graph_free(g);
    }
    /* 2x1x3 * 1x4x1 -> 2x4x3: y[i][j][k] = a[i][k] * b[j] */
    {
        ir_graph *g = ir_graph_new();
        float a[6], b[4] = {1, -2, 0.5f, 3}, y[24];
        seeded(a, 6, 9);
        int in[2] = {input(g, "a", 3, (int64_t[]){2, 1, 3}), const_f(g, "b", 3, (int64_t[]){1, 4, 1}, b)};
        int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        node(g, IR_OP_MUL, "mul", in, 2, &yo, 1);
        output(g, yo);
        run1(g, a, y);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++)
                for (int k = 0; k < 3; k++)
                    assert_true(y[(i * 4 + j) * 3 + k] == a[i * 3 + k] * b[j]);
        ir_graph_free(g);
    }
    /* mismatch 3 vs 4 names the node */
    {
        ir_graph *g = ir_graph_new();
        int in[2] = {input(g, "a", 1, (int64_t[]){3}), input(g, "b", 1, (int64_t[]){4})};
        int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        node(g, IR_OP_ADD, "bad_add", in, 2, &yo, 1);
        output(g, yo);
        clcnn_err err = {0};
        assert_int_equal(prepare(g, &err), CLCNN_ERR_SHAPE);
        assert_non_null(strstr(err.msg, "bad_add"));
        ir_graph_free(g);
    }
}

/* int64 arithmetic as shape chains use it; Div truncates toward zero. */
static void test_int64_div(void **state)
{
    ir_graph *g = ir_graph_new();
    int in[2] = {const_i(g, "a", 1, (int64_t[]){4}, (int64_t[]){-7, 7, -8, 9}),
                 const_i(g, "b", 1, (int64_t[]){1}, (int64_t[]){2})};
    int yo = tensor(g, "y", IR_DT_INT64, -1, NULL);
    node(g, IR_OP_DIV, "div", in, 2, &yo, 1);
    output(g, yo);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_fold_constants(g, &err), CLCNN_OK);
    assert_int_equal(g->n_nodes, 0); /* folded away */
    const int64_t *y = out_t(g, 0)->data;
    assert_non_null(y);
    assert_int_equal(y[0], -3);
    assert_int_equal(y[1], 3);
    assert_int_equal(y[2], -4);
    assert_int_equal(y[3], 4);
    ir_graph_free(g);
}

/* ---- data movement ------------------------------------------------------ */

static ir_graph *slice_graph(int64_t n, const int64_t *s, const int64_t *e, const int64_t *ax,
                             const int64_t *st, int len)
{
    ir_graph *g = ir_graph_new();
    int in[5] = {input(g, "x", 2, (int64_t[]){2, n}), const_i(g, "s", 1, (int64_t[]){len}, s),
                 const_i(g, "e", 1, (int64_t[]){len}, e), const_i(g, "a", 1, (int64_t[]){len}, ax),
                 const_i(g, "k", 1, (int64_t[]){len}, st)};
    int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    node(g, IR_OP_SLICE, "slice", in, 5, &yo, 1);
    output(g, yo);
    return g;
}

static void test_slice_negative_step(void **state)
{
    float x[20], y[20];
    for (int i = 0; i < 20; i++)
        x[i] = (float)i; /* 2x10 */
    ir_graph *g = slice_graph(10, (int64_t[]){8}, (int64_t[]){1}, (int64_t[]){-1}, (int64_t[]){-3}, 1);
    run1(g, x, y);
    assert_int_equal(out_t(g, 0)->dims[1], 3);
    expect_near(y, (float[]){8, 5, 2, 18, 15, 12}, 6, 0, "slice 8:1:-3");
    ir_graph_free(g);
    /* full reverse with the exporters' INT64 sentinels, both axes */
    g = slice_graph(10, (int64_t[]){-1, INT64_MAX}, (int64_t[]){INT64_MIN, INT64_MIN},
                    (int64_t[]){0, 1}, (int64_t[]){-1, -2}, 2);
    run1(g, x, y);
    assert_int_equal(out_t(g, 0)->dims[0], 2);
    assert_int_equal(out_t(g, 0)->dims[1], 5);
    expect_near(y, (float[]){19, 17, 15, 13, 11, 9, 7, 5, 3, 1}, 10, 0, "slice reverse");
    ir_graph_free(g);
    /* positive step with clamped end */
    g = slice_graph(10, (int64_t[]){-4}, (int64_t[]){INT64_MAX}, (int64_t[]){1}, (int64_t[]){2}, 1);
    run1(g, x, y);
    expect_near(y, (float[]){6, 8, 16, 18}, 4, 0, "slice -4:end:2");
    ir_graph_free(g);
}

static void test_reshape_zero_minus_one(void **state)
{
    float x[24], y[24];
    seeded(x, 24, 4);
    const int64_t shapes[][3] = {{0, -1, 0}, {-1, 4, 0}, {0, 0, -1}};
    const int64_t want[][3] = {{2, 3, 4}, {6, 4, 0}, {2, 3, 4}};
    for (int c = 0; c < 3; c++) {
        ir_graph *g = ir_graph_new();
        int in[2] = {input(g, "x", 3, (int64_t[]){2, 3, 4}), const_i(g, "s", 1, (int64_t[]){3}, shapes[c])};
        int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        node(g, IR_OP_RESHAPE, "r", in, 2, &yo, 1);
        output(g, yo);
        clcnn_err err = {0};
        clcnn_status st = prepare(g, &err);
        if (c == 1) { /* 0 copies dim 2 (=4) and -1 = 24/16 fails: error names node */
            assert_int_equal(st, CLCNN_ERR_SHAPE);
            assert_non_null(strstr(err.msg, "'r'"));
            ir_graph_free(g);
            continue;
        }
        assert_int_equal(st, CLCNN_OK);
        for (int d = 0; d < 3; d++)
            assert_int_equal(out_t(g, 0)->dims[d], want[c][d]);
        run1(g, x, y);
        expect_near(y, x, 24, 0, "reshape copy");
        ir_graph_free(g);
    }
}

static float softmax_run(int opset, int64_t axis, const float *x, float *y)
{
    ir_graph *g = ir_graph_new();
    g->opset = opset;
    int xi = input(g, "x", 3, (int64_t[]){1, 2, 3}), yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, IR_OP_SOFTMAX, "sm", &xi, 1, &yo, 1);
    ir_set_attr_int(g, nd, "axis", axis);
    output(g, yo);
    run1(g, x, y);
    ir_graph_free(g);
    return 0;
}

static void test_softmax_opsets(void **state)
{
    const float x[6] = {1, 2, 3, 4, 5, 6}; /* 1x2x3 */
    float y[6], want[6];
    /* opset 11, axis 1: one softmax over all 6 values */
    softmax_run(11, 1, x, y);
    double s = 0;
    for (int i = 0; i < 6; i++)
        s += exp(x[i]);
    for (int i = 0; i < 6; i++)
        want[i] = (float)(exp(x[i]) / s);
    expect_near(y, want, 6, 1e-6, "softmax opset 11");
    /* opset 13, axis 1: softmax over pairs (x[k], x[3+k]) */
    softmax_run(13, 1, x, y);
    for (int k = 0; k < 3; k++) {
        double d = exp(x[k]) + exp(x[3 + k]);
        want[k] = (float)(exp(x[k]) / d);
        want[3 + k] = (float)(exp(x[3 + k]) / d);
    }
    expect_near(y, want, 6, 1e-6, "softmax opset 13");
    /* default axis 13 = -1: each row of 3 */
    softmax_run(13, -1, x, y);
    for (int r = 0; r < 2; r++) {
        double d = exp(x[3 * r]) + exp(x[3 * r + 1]) + exp(x[3 * r + 2]);
        for (int k = 0; k < 3; k++)
            want[3 * r + k] = (float)(exp(x[3 * r + k]) / d);
    }
    expect_near(y, want, 6, 1e-6, "softmax axis -1");
}

/* Split 7 columns: attribute [2,5]; input [3,4]; num_outputs 3 -> 3,3,1. */
static void test_split_variants(void **state)
{
    float x[14];
    for (int i = 0; i < 14; i++)
        x[i] = (float)i; /* 2x7 */
    for (int v = 0; v < 4; v++) {
        ir_graph *g = ir_graph_new();
        int in[2] = {input(g, "x", 2, (int64_t[]){2, 7}), -1};
        int n_out = v == 2 ? 3 : 2, outs[3];
        if (v == 1)
            in[1] = const_i(g, "sp", 1, (int64_t[]){2}, (int64_t[]){3, 4});
        for (int k = 0; k < n_out; k++) {
            char nm[8];
            snprintf(nm, sizeof nm, "y%d", k);
            outs[k] = tensor(g, nm, IR_DT_FLOAT, -1, NULL);
        }
        int nd = node(g, IR_OP_SPLIT, "split", in, v == 1 ? 2 : 1, outs, n_out);
        ir_set_attr_int(g, nd, "axis", -1);
        if (v == 0)
            ir_set_attr_ints(g, nd, "split", (int64_t[]){2, 5}, 2);
        if (v == 2)
            ir_set_attr_int(g, nd, "num_outputs", 3);
        for (int k = 0; k < n_out; k++)
            output(g, outs[k]);
        clcnn_err err = {0};
        clcnn_status st = prepare(g, &err);
        if (v == 3) { /* equal split of 7 into 2 without num_outputs: refused */
            assert_int_equal(st, CLCNN_ERR_SHAPE);
            assert_non_null(strstr(err.msg, "split"));
            ir_graph_free(g);
            continue;
        }
        if (st != CLCNN_OK)
            fail_msg("split variant %d: %s", v, err.msg);
        float o0[14], o1[14], o2[14];
        float *outp[3] = {o0, o1, o2};
        const float *inp[1] = {x};
        assert_int_equal(exec_ref_run(g, inp, outp, NULL, &err), CLCNN_OK);
        const int64_t widths[3][3] = {{2, 5, 0}, {3, 4, 0}, {3, 3, 1}};
        int64_t col = 0;
        for (int k = 0; k < n_out; k++) {
            int64_t w = widths[v][k];
            assert_int_equal(out_t(g, k)->dims[1], w);
            for (int r = 0; r < 2; r++)
                for (int64_t c = 0; c < w; c++)
                    assert_true(outp[k][r * w + c] == x[r * 7 + col + c]);
            col += w;
        }
        ir_graph_free(g);
    }
}

static void test_gather_transpose_pad(void **state)
{
    float x[6] = {0, 1, 2, 3, 4, 5}, y[12]; /* 2x3 */
    /* Gather axis 1 with negative and repeated indices (2-D indices) */
    ir_graph *g = ir_graph_new();
    int in[2] = {input(g, "x", 2, (int64_t[]){2, 3}),
                 const_i(g, "i", 2, (int64_t[]){2, 2}, (int64_t[]){-1, 0, 1, 1})};
    int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, IR_OP_GATHER, "gather", in, 2, &yo, 1);
    ir_set_attr_int(g, nd, "axis", 1);
    output(g, yo);
    run1(g, x, y);
    assert_int_equal(out_t(g, 0)->ndim, 3);
    expect_near(y, (float[]){2, 0, 1, 1, 5, 3, 4, 4}, 8, 0, "gather");
    ir_graph_free(g);
    /* Transpose with the default perm (reverse) */
    g = ir_graph_new();
    int xi = input(g, "x", 2, (int64_t[]){2, 3});
    yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    node(g, IR_OP_TRANSPOSE, "t", &xi, 1, &yo, 1);
    output(g, yo);
    run1(g, x, y);
    expect_near(y, (float[]){0, 3, 1, 4, 2, 5}, 6, 0, "transpose");
    ir_graph_free(g);
    /* Pad 1-D-ish row [0 1 2] by 2 left, 1 right in each mode (opset 11 inputs) */
    const char *modes[3] = {"constant", "reflect", "edge"};
    const float want[3][6] = {{7, 7, 0, 1, 2, 7}, {2, 1, 0, 1, 2, 1}, {0, 0, 0, 1, 2, 2}};
    for (int m = 0; m < 3; m++) {
        g = ir_graph_new();
        float cv = 7;
        int pin[3] = {input(g, "x", 2, (int64_t[]){1, 3}),
                      const_i(g, "p", 1, (int64_t[]){4}, (int64_t[]){0, 2, 0, 1}),
                      const_f(g, "v", 0, NULL, &cv)};
        yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        nd = node(g, IR_OP_PAD, "pad", pin, 3, &yo, 1);
        ir_set_attr_string(g, nd, "mode", modes[m]);
        output(g, yo);
        run1(g, x, y);
        expect_near(y, want[m], 6, 0, modes[m]);
        ir_graph_free(g);
    }
}

/* ---- arithmetic ops ----------------------------------------------------- */

static void test_gemm_matmul(void **state)
{
    /* Gemm: A 2x3 input, B^T given as 4x3 (transB), C of 4 broadcast, alpha 2, beta 0.5 */
    float a[6] = {1, 2, 3, 4, 5, 6}, bt[12], c[4] = {1, 2, 3, 4}, y[8];
    seeded(bt, 12, 11);
    ir_graph *g = ir_graph_new();
    int in[3] = {input(g, "a", 2, (int64_t[]){2, 3}), const_f(g, "b", 2, (int64_t[]){4, 3}, bt),
                 const_f(g, "c", 1, (int64_t[]){4}, c)};
    int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, IR_OP_GEMM, "gemm", in, 3, &yo, 1);
    ir_set_attr_int(g, nd, "transB", 1);
    ir_set_attr_float(g, nd, "alpha", 2.0f);
    ir_set_attr_float(g, nd, "beta", 0.5f);
    output(g, yo);
    run1(g, a, y);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            float dot = a[i * 3] * bt[j * 3] + a[i * 3 + 1] * bt[j * 3 + 1] + a[i * 3 + 2] * bt[j * 3 + 2];
            assert_float_equal(y[i * 4 + j], 2 * dot + 0.5f * c[j], 1e-5);
        }
    assert_int_equal(op_get(IR_OP_GEMM)->macs(g, &g->nodes[0]), 2 * 4 * 3);
    ir_graph_free(g);
    /* MatMul: a 2x1x2x3 input times b 3x3x2 -> 2x3x2x2, batch broadcast */
    float am[12], bm[18], ym[24];
    seeded(am, 12, 12);
    seeded(bm, 18, 13);
    g = ir_graph_new();
    int min[2] = {input(g, "a", 4, (int64_t[]){2, 1, 2, 3}), const_f(g, "b", 3, (int64_t[]){3, 3, 2}, bm)};
    yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    node(g, IR_OP_MATMUL, "mm", min, 2, &yo, 1);
    output(g, yo);
    run1(g, am, ym);
    assert_int_equal(out_t(g, 0)->ndim, 4);
    for (int p = 0; p < 2; p++)
        for (int q = 0; q < 3; q++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) {
                    double d = 0;
                    for (int k = 0; k < 3; k++)
                        d += am[(p * 2 + i) * 3 + k] * bm[(q * 3 + k) * 2 + j];
                    assert_float_equal(ym[((p * 3 + q) * 2 + i) * 2 + j], d, 1e-5);
                }
    ir_graph_free(g);
}

static void test_bn_act_reduce(void **state)
{
    /* BN on 1x2x1x2, eps 1 so sd = sqrt(3 + 1) = 2:
     * channel 0: 2 * x / 2 + 1 = x + 1; channel 1: (x - 1) / 2 */
    float x[4] = {1, 3, -1, 5}, y[4];
    ir_graph *g = ir_graph_new();
    int in[5] = {input(g, "x", 4, (int64_t[]){1, 2, 1, 2}),
                 const_f(g, "s", 1, (int64_t[]){2}, (float[]){2, 1}),
                 const_f(g, "b", 1, (int64_t[]){2}, (float[]){1, 0}),
                 const_f(g, "m", 1, (int64_t[]){2}, (float[]){0, 1}),
                 const_f(g, "v", 1, (int64_t[]){2}, (float[]){3, 3})};
    int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, IR_OP_BATCHNORM, "bn", in, 5, &yo, 1);
    ir_set_attr_float(g, nd, "epsilon", 1.0f);
    output(g, yo);
    run1(g, x, y);
    expect_near(y, (float[]){2, 4, -1, 2}, 4, 1e-6, "bn");
    ir_graph_free(g);
    /* activations at hand-picked points */
    const float xs[5] = {-4, -1, 0, 1, 4};
    const struct { ir_op op; float want[5]; } acts[] = {
        {IR_OP_RELU, {0, 0, 0, 1, 4}},
        {IR_OP_LEAKYRELU, {-0.04f, -0.01f, 0, 1, 4}},
        {IR_OP_HARDSIGMOID, {0, 0.3f, 0.5f, 0.7f, 1}},
        {IR_OP_HARDSWISH, {0, -1 / 3.0f, 0, 2 / 3.0f, 4}},
        {IR_OP_SIGMOID, {0.01798621f, 0.26894142f, 0.5f, 0.73105858f, 0.98201379f}},
        {IR_OP_CLIP, {-1, -1, 0, 1, 2}},
    };
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        g = ir_graph_new();
        g->opset = 13;
        int ain[3] = {input(g, "x", 1, (int64_t[]){5}), -1, -1};
        int n_in = 1;
        if (acts[i].op == IR_OP_CLIP) { /* min as input, max as input */
            ain[1] = const_f(g, "lo", 0, NULL, (float[]){-1});
            ain[2] = const_f(g, "hi", 0, NULL, (float[]){2});
            n_in = 3;
        }
        yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
        node(g, acts[i].op, "act", ain, n_in, &yo, 1);
        output(g, yo);
        float out[5];
        run1(g, xs, out);
        expect_near(out, acts[i].want, 5, 1e-6, ir_op_name(acts[i].op));
        ir_graph_free(g);
    }
    /* ReduceMean axes [1] keepdims 0 on 2x3 */
    g = ir_graph_new();
    int xi = input(g, "x", 2, (int64_t[]){2, 3});
    yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    nd = node(g, IR_OP_REDUCEMEAN, "rm", &xi, 1, &yo, 1);
    ir_set_attr_ints(g, nd, "axes", (int64_t[]){1}, 1);
    ir_set_attr_int(g, nd, "keepdims", 0);
    output(g, yo);
    float rx[6] = {1, 2, 3, 4, 5, 9}, ry[2];
    run1(g, rx, ry);
    assert_int_equal(out_t(g, 0)->ndim, 1);
    expect_near(ry, (float[]){2, 6}, 2, 1e-6, "reducemean");
    ir_graph_free(g);
}

/* ---- errors name the node ---------------------------------------------- */

static void test_errors_name_node(void **state)
{
    clcnn_err err = {0};
    /* Conv input channels 5 vs weight 3 * group 2 */
    ir_graph *g = ir_graph_new();
    float w[4 * 3 * 9] = {0};
    int in[2] = {input(g, "x", 4, (int64_t[]){1, 5, 8, 8}), const_f(g, "w", 4, (int64_t[]){4, 3, 3, 3}, w)};
    int yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int nd = node(g, IR_OP_CONV, "conv1", in, 2, &yo, 1);
    ir_set_attr_int(g, nd, "group", 2);
    output(g, yo);
    assert_int_equal(prepare(g, &err), CLCNN_ERR_SHAPE);
    assert_non_null(strstr(err.msg, "node 'conv1' (Conv)"));
    assert_non_null(strstr(err.msg, "5 != weight channels*group 6"));
    ir_graph_free(g);
    /* Conv with one input: arity */
    g = ir_graph_new();
    int xi = input(g, "x", 4, (int64_t[]){1, 1, 2, 2});
    yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    node(g, IR_OP_CONV, "lonely", &xi, 1, &yo, 1);
    output(g, yo);
    assert_int_equal(prepare(g, &err), CLCNN_ERR_GRAPH);
    assert_non_null(strstr(err.msg, "'lonely'"));
    ir_graph_free(g);
    /* Reshape whose shape is computed at run time: unsupported */
    g = ir_graph_new();
    int rin[2] = {input(g, "x", 1, (int64_t[]){4}), input(g, "shape", 1, (int64_t[]){2})};
    g->tensors[rin[1]].dtype = IR_DT_INT64;
    yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    node(g, IR_OP_RESHAPE, "dyn", rin, 2, &yo, 1);
    output(g, yo);
    assert_int_equal(prepare(g, &err), CLCNN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "'dyn'"));
    ir_graph_free(g);
    /* MaxPool kernel larger than the padded input */
    g = ir_graph_new();
    xi = input(g, "x", 4, (int64_t[]){1, 1, 2, 2});
    yo = tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    nd = node(g, IR_OP_MAXPOOL, "bigpool", &xi, 1, &yo, 1);
    ir_set_attr_ints(g, nd, "kernel_shape", (int64_t[]){3, 3}, 2);
    output(g, yo);
    assert_int_equal(prepare(g, &err), CLCNN_ERR_SHAPE);
    assert_non_null(strstr(err.msg, "'bigpool'"));
    ir_graph_free(g);
    err_clear(&err);
}

/* ---- folding ------------------------------------------------------------ */

/* x:2x3x4 -> Shape -> Gather(0) -> Unsqueeze(0) -> Concat with [-1] -> Reshape(x)
 * then Identity: folds to a single Reshape to 2x12 whose output keeps its name. */
static void test_fold_shape_chain(void **state)
{
    ir_graph *g = ir_graph_new();
    g->opset = 13;
    int x = input(g, "x", 3, (int64_t[]){2, 3, 4});
    int sh = tensor(g, "sh", IR_DT_UNDEFINED, -1, NULL), b = tensor(g, "b", IR_DT_UNDEFINED, -1, NULL);
    int bu = tensor(g, "bu", IR_DT_UNDEFINED, -1, NULL), cat = tensor(g, "cat", IR_DT_UNDEFINED, -1, NULL);
    int r = tensor(g, "r", IR_DT_UNDEFINED, -1, NULL), y = tensor(g, "y", IR_DT_UNDEFINED, -1, NULL);
    int zero = const_i(g, "zero", 0, NULL, (int64_t[]){0});
    int axes = const_i(g, "axes", 1, (int64_t[]){1}, (int64_t[]){0});
    int m1 = const_i(g, "m1", 1, (int64_t[]){1}, (int64_t[]){-1});
    node(g, IR_OP_SHAPE, "shape", &x, 1, &sh, 1);
    node(g, IR_OP_GATHER, "gather", (int[]){sh, zero}, 2, &b, 1);
    node(g, IR_OP_UNSQUEEZE, "unsq", (int[]){b, axes}, 2, &bu, 1);
    int nc = node(g, IR_OP_CONCAT, "concat", (int[]){bu, m1}, 2, &cat, 1);
    ir_set_attr_int(g, nc, "axis", 0);
    node(g, IR_OP_RESHAPE, "reshape", (int[]){x, cat}, 2, &r, 1);
    node(g, IR_OP_IDENTITY, "id", &r, 1, &y, 1);
    output(g, y);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    clcnn_status st = ops_fold_constants(g, &err);
    if (st)
        fail_msg("%s", err.msg);
    assert_int_equal(g->n_nodes, 1);
    assert_int_equal(g->nodes[0].op, IR_OP_RESHAPE);
    const ir_tensor *yt = out_t(g, 0);
    assert_string_equal(yt->name, "y");
    assert_int_equal(yt->ndim, 2);
    assert_int_equal(yt->dims[0], 2);
    assert_int_equal(yt->dims[1], 12);
    float xv[24], yv[24];
    seeded(xv, 24, 5);
    const float *inp[1] = {xv};
    float *outp[1] = {yv};
    void **bufs = NULL;
    assert_int_equal(exec_ref_run(g, inp, outp, &bufs, &err), CLCNN_OK);
    expect_near(yv, xv, 24, 0, "folded reshape");
    assert_non_null(bufs);
    for (int t = 0; t < g->n_tensors; t++)
        assert_non_null(bufs[t]); /* all_bufs keeps every tensor */
    exec_ref_free_bufs(g, bufs);
    ir_graph_free(g);
}

/* A node with constant inputs but a huge output stays a node (no 64 MiB
 * constant at load); an Identity on a graph input is bypassed. */
static void test_fold_guard_and_identity(void **state)
{
    ir_graph *g = ir_graph_new();
    int in[2] = {const_f(g, "one", 2, (int64_t[]){1, 1}, (float[]){1}),
                 const_i(g, "p", 1, (int64_t[]){4}, (int64_t[]){2048, 2048, 2048, 2048})};
    int big = tensor(g, "big", IR_DT_UNDEFINED, -1, NULL);
    node(g, IR_OP_PAD, "huge_pad", in, 2, &big, 1);
    output(g, big);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_fold_constants(g, &err), CLCNN_OK);
    assert_int_equal(g->n_nodes, 1); /* 4097 x 4097 > 16M elements: kept */
    assert_null(out_t(g, 0)->data);
    assert_int_equal(out_t(g, 0)->dims[0], 4097);
    ir_graph_free(g);

    g = ir_graph_new();
    int x = input(g, "x", 1, (int64_t[]){3});
    int i = tensor(g, "i", IR_DT_UNDEFINED, -1, NULL), y = tensor(g, "y", IR_DT_UNDEFINED, -1, NULL);
    node(g, IR_OP_IDENTITY, "id", &x, 1, &i, 1);
    node(g, IR_OP_RELU, "relu", &i, 1, &y, 1);
    output(g, y);
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_fold_constants(g, &err), CLCNN_OK);
    assert_int_equal(g->n_nodes, 1);
    assert_int_equal(g->nodes[0].op, IR_OP_RELU);
    float xv[3] = {-1, 2, -3}, yv[3];
    const float *inp[1] = {xv};
    float *outp[1] = {yv};
    assert_int_equal(exec_ref_run(g, inp, outp, NULL, &err), CLCNN_OK);
    expect_near(yv, (float[]){0, 2, 0}, 3, 0, "relu after bypassed identity");
    ir_graph_free(g);
}

/* Every op has an op_def with infer and ref. */
static void test_table_complete(void **state)
{
    for (int op = 0; op < IR_OP_COUNT; op++) {
        const op_def *d = op_get((ir_op)op);
        assert_non_null(d);
        assert_non_null(d->infer);
        assert_non_null(d->ref);
    }
    assert_null(op_get(IR_OP_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_conv_vs_im2col),
        cmocka_unit_test(test_conv_auto_pad),
        cmocka_unit_test(test_pool_4x4),
        cmocka_unit_test(test_broadcast_add),
        cmocka_unit_test(test_int64_div),
        cmocka_unit_test(test_slice_negative_step),
        cmocka_unit_test(test_reshape_zero_minus_one),
        cmocka_unit_test(test_softmax_opsets),
        cmocka_unit_test(test_split_variants),
        cmocka_unit_test(test_gather_transpose_pad),
        cmocka_unit_test(test_gemm_matmul),
        cmocka_unit_test(test_bn_act_reduce),
        cmocka_unit_test(test_errors_name_node),
        cmocka_unit_test(test_fold_shape_chain),
        cmocka_unit_test(test_fold_guard_and_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
