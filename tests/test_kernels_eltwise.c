/* test_kernels_eltwise.c — binary_same / binary_plane / binary_bcast (Add, Sub,
 * Mul, Div with numpy broadcasting), the unary activations as standalone kernels, Clip with
 * bounds fed at run time (clip_operands), gemm_general
 * (Gemm transA/transB/alpha/beta and every C broadcast; MatMul 1-D, 2-D, batched)
 * and softmax_line (opset 11 flattening and opset 13 single axis). fp16
 * storage (issue 18, test_fp16_harness.h): the same kernels, the variadic
 * Max/Min/Sum/Mean and binop.cl's float comparisons and Mod with every float
 * tensor stored half, against the reference on the same (half) inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "test_fp16_harness.h"

/* y = a OP b; a and b graph inputs (or b a constant when b_const). */
static ir_graph *build_binary(ir_op op, int na, const int64_t *ad, int nb, const int64_t *bd, int b_const)
{
    ir_graph *g = kh_new(13);
    int in[2];
    in[0] = kh_input(g, "a", na, ad);
    /* Div: keep the divisor away from 0 so the relative check means something */
    in[1] = b_const || op == IR_OP_DIV ? kh_const(g, "b", nb, bd, 0.5f, 2.0f) : kh_input(g, "b", nb, bd);
    int y = kh_tensor(g, "y");
    ir_add_node(g, op, "bin", in, 2, &y, 1);
    kh_output(g, y);
    return g;
}

static void test_binary(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    typedef struct { int na; int64_t ad[4]; int nb; int64_t bd[4]; const char *expect; } bcase;
    static const bcase cases[] = {
        {4, {1, 17, 13, 7}, 4, {1, 17, 13, 7}, "binary_same"},
        {4, {1, 1, 3, 5}, 4, {1, 1, 3, 5}, "binary_same"},    /* under one run of 16 */
        {4, {2, 5, 7, 13}, 4, {2, 5, 1, 1}, "binary_plane"},   /* SE scale: N,C,1,1 */
        {4, {2, 5, 1, 1}, 4, {2, 5, 7, 13}, "binary_plane"},   /* small operand first */
        {4, {1, 3, 7, 7}, 0, {0}, "binary_plane"},             /* scalar */
        {3, {3, 1, 5}, 2, {4, 1}, "binary_bcast"},             /* both sides broadcast */
        {2, {17, 13}, 1, {13}, "binary_bcast"},                /* bias on the last axis */
        {1, {1}, 4, {1, 3, 1, 5}, "binary_plane"},
        {3, {2, 3, 5}, 3, {2, 1, 5}, "binary_bcast"},          /* middle dim broadcast */
    };
    const ir_op ops[4] = {IR_OP_ADD, IR_OP_SUB, IR_OP_MUL, IR_OP_DIV};
    int fails = 0;
    char label[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int o = 0; o < 4; o++) {
            const bcase *c = &cases[i];
            snprintf(label, sizeof label, "%s case %zu (ranks %d, %d)", ir_op_name(ops[o]), i, c->na, c->nb);
            fails += kh_check(rt, build_binary(ops[o], c->na, c->ad, c->nb, c->bd, 0), NULL, c->expect, label);
        }
    const int64_t s[4] = {1, 5, 3, 3};
    fails += kh_check(rt, build_binary(IR_OP_MUL, 4, s, 4, s, 1), "binary_bcast", "binary_bcast",
                      "Mul same shape, forced bcast");
    const int64_t se[4] = {1, 5, 1, 1};
    fails += kh_check(rt, build_binary(IR_OP_DIV, 4, s, 4, se, 1), "binary_bcast", "binary_bcast",
                      "Div per channel, forced bcast");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d binary case(s) failed", fails);
}

static ir_graph *build_act(ir_op op, int opset, int n)
{
    ir_graph *g = kh_new(opset);
    int64_t xd[2] = {n, 3};
    int64_t sd[1] = {1};
    /* x in [-1, 1) scaled to [-4, 4): reaches the saturation points of Clip,
     * HardSigmoid and HardSwish (+-3); Mul is not a producer activations fold into */
    int in[2] = {kh_input(g, "x", 2, xd), kh_const(g, "four", 0, sd, 4.0f, 4.0f)};
    int x = kh_tensor(g, "x4"), y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_MUL, "scale", in, 2, &x, 1);
    int node = ir_add_node(g, op, "act", &x, 1, &y, 1);
    if (op == IR_OP_LEAKYRELU)
        ir_set_attr_float(g, node, "alpha", 0.2f);
    if (op == IR_OP_HARDSIGMOID) {
        ir_set_attr_float(g, node, "alpha", 0.3f);
        ir_set_attr_float(g, node, "beta", 0.4f);
    }
    if (op == IR_OP_CLIP && opset < 11) {
        ir_set_attr_float(g, node, "min", -0.25f);
        ir_set_attr_float(g, node, "max", 0.5f);
    }
    kh_output(g, y);
    return g;
}

static void test_unary(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const ir_op acts[] = {IR_OP_RELU, IR_OP_LEAKYRELU, IR_OP_CLIP, IR_OP_HARDSIGMOID,
                          IR_OP_HARDSWISH, IR_OP_SIGMOID};
    int fails = 0;
    char label[128];
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
        snprintf(label, sizeof label, "%s on 17x3", ir_op_name(acts[i]));
        fails += kh_check(rt, build_act(acts[i], 13, 17), NULL, "unary", label);
    }
    fails += kh_check(rt, build_act(IR_OP_CLIP, 6, 5), NULL, "unary", "Clip opset 6 (attributes)");
    fails += kh_check(rt, build_act(IR_OP_CLIP, 13, 1), NULL, "unary", "Clip opset 13 no bounds");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d unary case(s) failed", fails);
}

/* Sigmoid as a kernel of its own and SiLU as a Conv's fused Swish epilogue,
 * element by element against double-precision math over [-102.5, 102.5]
 * (both saturations, the clamp at -87 / 88 inside) and the edges: +-0,
 * +-1e30, +-inf, NaN (carried). act.cl computes e^-x by its own range
 * reduction and polynomial (expneg_*), not the driver's exp; the whole-model
 * comparisons' 1e-4 would hide a polynomial an order of magnitude off.
 * Tolerance: 8 float ulp of the result (2^-23 relative each), floor 1e-30:
 * below that lies the far negative tail (SiLU(-88.5) = -3e-37), which the
 * clamp and overflow may give as 0. */
static int sigmoid_range_case(rt_ctx *rt, int swish)
{
    enum { NV = 4099 };
    static const float edge[] = {0.0f, -0.0f, 1e30f, -1e30f, INFINITY, -INFINITY, NAN,
                                 88.0f, 88.5f, -87.0f, -87.5f, 1e-30f, -1e-30f};
    const int ne = (int)(sizeof edge / sizeof edge[0]);
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 1, 1, NV}, wd[4] = {1, 1, 1, 1};
    int t = kh_input(g, "x", 4, xd);
    if (swish) { /* Conv(x, 1) -> Sigmoid -> Mul: the Conv's Swish epilogue */
        int cin[2] = {t, kh_const(g, "w", 4, wd, 1.0f, 1.0f)};
        t = kh_tensor(g, "t");
        ir_add_node(g, IR_OP_CONV, "conv", cin, 2, &t, 1);
    }
    int sg = kh_tensor(g, "s"), y = sg;
    ir_add_node(g, IR_OP_SIGMOID, "sigmoid", &t, 1, &sg, 1);
    if (swish) {
        int min[2] = {t, sg};
        y = kh_tensor(g, "y");
        ir_add_node(g, IR_OP_MUL, "mul", min, 2, &y, 1);
    }
    kh_output(g, y);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    float *x = malloc(NV * sizeof(float)), *out = malloc(NV * sizeof(float));
    assert_non_null(x);
    assert_non_null(out);
    for (int i = 0; i < NV; i++)
        x[i] = i < ne ? edge[i] : -102.5f + 205.0f * (float)(i - ne) / (float)(NV - ne - 1);
    const float *in[1] = {x};
    float *outs[1] = {out};
    exec_cl *e = NULL;
    int bad = 0;
    if (exec_cl_create(rt, g, NULL, &e, &err) || exec_cl_run(e, in, outs, &err)) {
        print_error("[sigmoid range swish %d] OpenCL: %s\n", swish, err.msg);
        bad = 1;
    }
    if (!bad && swish && exec_cl_kernel_count(e) != 1) {
        print_error("[sigmoid range] the Swish was not fused: %d launches\n",
                    exec_cl_kernel_count(e));
        bad = 1;
    }
    for (int i = 0; i < NV && !bad; i++) {
        const double v = x[i], sig = 1.0 / (1.0 + exp(-v)), want = swish ? v * sig : sig;
        const int ok = isnan(want) ? isnan(out[i]) /* NaN in; SiLU(-inf) = -inf * 0 */
                       : isinf(want) ? out[i] == want
                                     : fabs(out[i] - want) <= 8.0 * 0x1p-23 * fabs(want) + 1e-30;
        if (!ok) {
            print_error("[sigmoid range swish %d] x = %.9g: cl %.9g, want %.9g\n", swish, v,
                        out[i], want);
            bad = 1;
        }
    }
    exec_cl_destroy(e);
    err_clear(&err);
    ir_graph_free(g);
    free(x), free(out);
    return bad;
}

static void test_sigmoid_range(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const int fails = sigmoid_range_case(rt, 0) + sigmoid_range_case(rt, 1);
    rt_destroy(rt);
    if (fails)
        fail_msg("%d sigmoid range case(s) failed", fails);
}

/* Clip whose bounds are graph inputs (fed at run time: clip_operands reads
 * them from their buffers). lo_kind / hi_kind: 0 absent, 1 a constant, 2 a
 * graph input; x, min and max all drawn from [-1, 1), so min > max happens too.
 * conv: x goes through a 3x3 Conv first, whose epilogue must not take the Clip. */
static ir_graph *build_clip_operands(int ndim, const int64_t *xd, int lo_kind, int hi_kind, int conv)
{
    ir_graph *g = kh_new(13);
    int in[3] = {kh_input(g, "x", ndim, xd), -1, -1};
    if (conv) {
        const int64_t wd[4] = {5, xd[1], 3, 3};
        int cin[2] = {in[0], kh_const(g, "w", 4, wd, -0.3f, 0.3f)};
        in[0] = kh_tensor(g, "c");
        ir_add_node(g, IR_OP_CONV, "conv", cin, 2, &in[0], 1);
    }
    const char *names[2] = {"min", "max"};
    const int kinds[2] = {lo_kind, hi_kind};
    for (int b = 0; b < 2; b++)
        if (kinds[b] == 1)
            in[1 + b] = kh_const(g, names[b], 0, NULL, -0.5f, 0.5f);
        else if (kinds[b] == 2)
            in[1 + b] = kh_input(g, names[b], 0, NULL);
    int y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_CLIP, "clip", in, 3, &y, 1);
    kh_output(g, y);
    return g;
}

static void test_clip_operands(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    typedef struct { int ndim; int64_t xd[4]; int lo, hi, conv; } ccase;
    static const ccase cases[] = {
        {2, {17, 3}, 2, 2, 0}, {1, {1}, 2, 2, 0},       {4, {2, 3, 5, 7}, 2, 0, 0},
        {3, {1, 1, 13}, 0, 2, 0}, {2, {5, 9}, 1, 2, 0}, {2, {9, 5}, 2, 1, 0},
        {4, {1, 3, 7, 7}, 2, 2, 1}, /* after a Conv: a launch of its own, not an epilogue */
    };
    int fails = 0;
    char label[128];
    for (int rep = 0; rep < 3; rep++) /* fresh draws of x and the bounds each time */
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const ccase *c = &cases[i];
            snprintf(label, sizeof label, "Clip operands case %zu rep %d (min %d, max %d, conv %d)", i, rep,
                     c->lo, c->hi, c->conv);
            fails += kh_check(rt, build_clip_operands(c->ndim, c->xd, c->lo, c->hi, c->conv), NULL,
                              "clip_operands", label);
        }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d Clip operand case(s) failed", fails);
}

static ir_graph *build_gemm(int m, int n, int k, int ta, int tb, int nc, const int64_t *cd, float alpha,
                            float beta)
{
    ir_graph *g = kh_new(13);
    int64_t ad[2] = {ta ? k : m, ta ? m : k}, bd[2] = {tb ? n : k, tb ? k : n};
    int in[3], n_in = 2;
    in[0] = kh_input(g, "a", 2, ad);
    in[1] = kh_const(g, "b", 2, bd, -0.5f, 0.5f);
    if (nc >= 0) {
        in[2] = kh_const(g, "c", nc, cd, -1.0f, 1.0f);
        n_in = 3;
    }
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_GEMM, "gemm", in, n_in, &y, 1);
    ir_set_attr_int(g, node, "transA", ta);
    ir_set_attr_int(g, node, "transB", tb);
    ir_set_attr_float(g, node, "alpha", alpha);
    ir_set_attr_float(g, node, "beta", beta);
    kh_output(g, y);
    return g;
}

static void test_gemm(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t cn[1] = {5}, cmn[2] = {3, 5}, cm1[2] = {3, 1}, c1n[2] = {1, 5};
    fails += kh_check(rt, build_gemm(1, 100, 17, 0, 1, 1, (int64_t[]){100}, 1, 1), NULL, "gemm_general",
                      "Gemm classifier 1x17 * (100x17)^T + bias");
    fails += kh_check(rt, build_gemm(3, 5, 7, 0, 0, 1, cn, 1, 1), NULL, "gemm_general", "Gemm C (N)");
    fails += kh_check(rt, build_gemm(3, 5, 7, 1, 0, 2, cmn, 0.5f, 2), NULL, "gemm_general",
                      "Gemm transA, C (M,N), alpha .5 beta 2");
    fails += kh_check(rt, build_gemm(3, 5, 13, 1, 1, 2, cm1, 1, 1), NULL, "gemm_general", "Gemm transA transB C (M,1)");
    fails += kh_check(rt, build_gemm(3, 5, 1, 0, 1, 2, c1n, 1, -1), NULL, "gemm_general", "Gemm K=1 C (1,N)");
    /* M 17 with B along N would pick gemm_tile (test_kernels_gemm): forced here */
    fails += kh_check(rt, build_gemm(17, 1, 5, 0, 0, 0, (int64_t[]){0}, 1, 1), "gemm_general", "gemm_general",
                      "Gemm C scalar");
    fails += kh_check(rt, build_gemm(3, 5, 7, 0, 0, -1, NULL, 2, 1), NULL, "gemm_general", "Gemm no C");
    const int64_t a2[2] = {3, 7}, b2[2] = {7, 5}, a3[3] = {2, 3, 7}, b3[3] = {2, 7, 5}, v[1] = {7};
    fails += kh_check(rt, kh_matmul(2, a2, 2, b2), NULL, "gemm_general", "MatMul 2-D");
    fails += kh_check(rt, kh_matmul(3, a3, 3, b3), NULL, "gemm_general", "MatMul batched");
    fails += kh_check(rt, kh_matmul(3, a3, 2, b2), NULL, "gemm_general", "MatMul batched A, shared B");
    fails += kh_check(rt, kh_matmul(1, v, 2, b2), NULL, "gemm_general", "MatMul 1-D A");
    fails += kh_check(rt, kh_matmul(2, a2, 1, v), NULL, "gemm_general", "MatMul 1-D B");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d gemm case(s) failed", fails);
}

static ir_graph *build_softmax(int opset, int ndim, const int64_t *xd, int has_axis, int axis)
{
    ir_graph *g = kh_new(opset);
    int x = kh_input(g, "x", ndim, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_SOFTMAX, "softmax", &x, 1, &y, 1);
    if (has_axis)
        ir_set_attr_int(g, node, "axis", axis);
    kh_output(g, y);
    return g;
}

static void test_softmax(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x2[2] = {1, 1001}, x3[3] = {3, 5, 7}, x4[4] = {2, 17, 1, 1};
    fails += kh_check(rt, build_softmax(13, 2, x2, 0, 0), NULL, "softmax_line", "opset 13 1x1001");
    fails += kh_check(rt, build_softmax(13, 3, x3, 1, 1), NULL, "softmax_line", "opset 13 axis 1 of 3x5x7");
    fails += kh_check(rt, build_softmax(11, 3, x3, 1, 1), NULL, "softmax_line", "opset 11 axis 1 (flattened tail)");
    fails += kh_check(rt, build_softmax(11, 4, x4, 0, 0), NULL, "softmax_line", "opset 11 default axis on 2x17x1x1");
    fails += kh_check(rt, build_softmax(13, 3, x3, 1, 0), NULL, "softmax_line", "opset 13 axis 0");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d softmax case(s) failed", fails);
}

/* ---- fp16 storage ---- */

/* One op over float graph inputs of the given shapes (2 at most here). */
static int f16_op(rt_ctx *rt, ir_op op, int n_in, const int *nd, const int64_t (*d)[6], double rel,
                  double abs_tol, const char *label)
{
    void *host[16] = {0};
    return f16_check(rt, f16_graph(op, 13, n_in, nd, d, 1), host, rel, abs_tol, label);
}

/* a (graph input) op b, b a constant in [lo, hi) of shape bd (divisors, Mod). */
static int f16_const_b(rt_ctx *rt, ir_op op, int na, const int64_t *ad, int nb, const int64_t *bd,
                       float lo, float hi, double rel, const char *label)
{
    ir_graph *g = kh_new(13);
    int in[2] = {kh_input(g, "a", na, ad), kh_const(g, "b", nb, bd, lo, hi)}, y = kh_tensor(g, "y");
    int node = ir_add_node(g, op, "node", in, 2, &y, 1);
    if (op == IR_OP_MOD)
        ir_set_attr_int(g, node, "fmod", 1);
    kh_output(g, y);
    void *host[8] = {0};
    return f16_check(rt, g, host, rel, F16_ABS, label);
}

static void test_binary_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int nd4[2] = {4, 4}, nd_b[2] = {3, 2}, nd_p[2] = {4, 3};
    const int64_t same[2][6] = {{1, 3, 7, 13}, {1, 3, 7, 13}};
    const int64_t plane[2][6] = {{2, 17, 5, 3}, {2, 17, 1, 1}};
    const int64_t plane_sw[2][6] = {{2, 17, 1, 1}, {2, 17, 5, 3}};
    const int64_t bc[2][6] = {{3, 1, 5}, {4, 1}}, slope[2][6] = {{1, 17, 3, 5}, {17, 1, 1}};
    fails += f16_op(rt, IR_OP_ADD, 2, nd4, same, F16_REL, F16_ABS, "half Add same [1,3,7,13]");
    fails += f16_op(rt, IR_OP_MUL, 2, nd4, plane, F16_REL, F16_ABS, "half Mul plane [2,17,5,3]*[2,17,1,1]");
    fails += f16_op(rt, IR_OP_SUB, 2, nd4, plane_sw, F16_REL, F16_ABS,
                    "half Sub plane swapped [2,17,1,1]-[2,17,5,3]");
    fails += f16_op(rt, IR_OP_SUB, 2, nd_b, bc, F16_REL, F16_ABS, "half Sub bcast [3,1,5]-[4,1]");
    fails += f16_op(rt, IR_OP_PRELU, 2, nd_p, slope, F16_REL, F16_ABS,
                    "half PRelu [1,17,3,5] slope [17,1,1]");
    const int64_t d4[4] = {1, 3, 7, 13}, d1[1] = {1}, b3[3] = {3, 1, 5}, b2[2] = {4, 1};
    fails += f16_const_b(rt, IR_OP_DIV, 4, d4, 4, d4, 0.5f, 2.0f, F16_REL, "half Div same");
    fails += f16_const_b(rt, IR_OP_DIV, 3, b3, 2, b2, 0.5f, 2.0f, F16_REL, "half Div bcast");
    fails += f16_const_b(rt, IR_OP_MOD, 4, d4, 1, d1, 0.5f, 2.0f, F16_EXACT,
                         "half Mod fmod [1,3,7,13] % scalar (binop.cl, float out)");
    fails += f16_const_b(rt, IR_OP_MOD, 3, b3, 2, b2, 0.5f, 2.0f, F16_EXACT,
                         "half Mod fmod bcast [3,1,5] % [4,1]");
    /* Pow by an int64 exponent tensor: a sfloat base, a long exponent (-DB_T=long) */
    ir_graph *g = kh_new(13);
    int in[2] = {kh_input(g, "a", 4, d4), 0}, y = kh_tensor(g, "y");
    in[1] = ir_add_tensor(g, "e", IR_DT_INT64, 4, d4);
    g->inputs = realloc(g->inputs, (size_t)(g->n_inputs + 1) * sizeof(int));
    g->inputs[g->n_inputs++] = in[1];
    ir_add_node(g, IR_OP_POW, "pow", in, 2, &y, 1);
    kh_output(g, y);
    int64_t ev[273];
    for (int i = 0; i < 273; i++)
        ev[i] = i % 5 - 1; /* -1 .. 3 */
    void *host[8] = {0};
    host[in[1]] = ev;
    fails += f16_check(rt, g, host, F16_REL, F16_ABS, "half Pow [1,3,7,13] ^ int64 exponents");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half binary case(s) failed", fails);
}

/* Float comparisons write bool: exact bytes. One operand is a rounded copy
 * of the other in places so Equal and the <= / >= edges see ties. */
static void test_compare_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const ir_op ops[5] = {IR_OP_EQUAL, IR_OP_LESS, IR_OP_GREATER, IR_OP_LESSOREQUAL,
                          IR_OP_GREATEROREQUAL};
    int fails = 0;
    for (int k = 0; k < 5; k++) {
        const int nd[2] = {3, 2};
        const int64_t d[2][6] = {{3, 1, 17}, {4, 17}};
        ir_graph *g = f16_graph(ops[k], 13, 2, nd, d, 1);
        float a[51], b[68];
        for (int i = 0; i < 51; i++)
            a[i] = kh_rand() * 2.0f;
        for (int i = 0; i < 68; i++) /* b[r, c] equals a[0, 0, c] on rows 1 and 3 */
            b[i] = (i / 17) & 1 ? a[i % 17] : kh_rand() * 2.0f;
        void *host[8] = {0};
        host[g->inputs[0]] = a, host[g->inputs[1]] = b;
        char label[64];
        snprintf(label, sizeof label, "half %s [3,1,17] vs [4,17]", ir_op_name(ops[k]));
        fails += f16_check(rt, g, host, F16_EXACT, 0.0, label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half comparison case(s) failed", fails);
}

static void test_unary_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const ir_op ops[8] = {IR_OP_RELU,    IR_OP_SIGMOID, IR_OP_TANH, IR_OP_EXP,
                          IR_OP_HARDSWISH, IR_OP_GELU,  IR_OP_NEG,  IR_OP_LEAKYRELU};
    const int nd[1] = {4}, nd1[1] = {1};
    const int64_t d[1][6] = {{1, 3, 7, 13}}, d1[1][6] = {{1}};
    int fails = 0;
    for (int k = 0; k < 8; k++) {
        char label[64];
        snprintf(label, sizeof label, "half %s [1,3,7,13]", ir_op_name(ops[k]));
        fails += f16_op(rt, ops[k], 1, nd, d, F16_REL, F16_ABS, label);
        snprintf(label, sizeof label, "half %s [1]", ir_op_name(ops[k]));
        fails += f16_op(rt, ops[k], 1, nd1, d1, F16_REL, F16_ABS, label);
    }
    /* Clip with both bounds fed at run time (clip_operands reads them as half) */
    const int ndc[3] = {4, 0, 0};
    const int64_t dc[3][6] = {{2, 5, 3, 7}, {0}, {0}};
    for (int k = 0; k < 3; k++) {
        ir_graph *g = f16_graph(IR_OP_CLIP, 13, 3, ndc, dc, 1);
        float lo[1] = {k == 2 ? 0.5f : -0.7f}, hi[1] = {k == 2 ? -0.5f : 0.3f + (float)k};
        void *host[8] = {0};
        host[g->inputs[1]] = lo, host[g->inputs[2]] = hi;
        fails += f16_check(rt, g, host, F16_EXACT, 0.0, k == 2 ? "half Clip run-time min > max"
                                                               : "half Clip run-time bounds");
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half unary case(s) failed", fails);
}

/* Max/Min/Sum/Mean accumulate into y (stored half between inputs): the
 * tolerance is relative to the inputs' range. */
static void test_variadic_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const int nd[3] = {3, 2, 3};
    const int64_t d[3][6] = {{2, 3, 5}, {3, 5}, {2, 1, 5}};
    const int64_t same[3][6] = {{1, 3, 7, 13}, {1, 3, 7, 13}, {1, 3, 7, 13}};
    const int nd4[3] = {4, 4, 4};
    int fails = 0;
    fails += f16_op(rt, IR_OP_MAX, 3, nd, d, F16_EXACT, 0.0, "half Max of 3, broadcast");
    fails += f16_op(rt, IR_OP_MIN, 3, nd, d, F16_EXACT, 0.0, "half Min of 3, broadcast");
    fails += f16_op(rt, IR_OP_MIN, 1, nd4, same, F16_EXACT, 0.0, "half Min of 1 (copy)");
    fails += f16_op(rt, IR_OP_SUM, 3, nd4, same, 0.0, 6.0 * F16_REL, "half Sum of 3");
    fails += f16_op(rt, IR_OP_MEAN, 3, nd, d, 0.0, 6.0 * F16_REL, "half Mean of 3, broadcast");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half variadic case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_unary),
        cmocka_unit_test(test_sigmoid_range),
        cmocka_unit_test(test_clip_operands),
        cmocka_unit_test(test_gemm),
        cmocka_unit_test(test_softmax),
        cmocka_unit_test(test_binary_half),
        cmocka_unit_test(test_compare_half),
        cmocka_unit_test(test_unary_half),
        cmocka_unit_test(test_variadic_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
