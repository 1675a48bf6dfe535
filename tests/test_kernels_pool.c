/* test_kernels_pool.c — pool_max8 and pool2d (MaxPool/AveragePool: stride 2,
 * pads on every edge and asymmetric, ceil_mode, count_include_pad, dilation), global_pool,
 * standalone BatchNormalization (+ fused Relu) and ReduceMean (reduce_contig,
 * reduce_general, keepdims 0/1) against the reference ops at awkward shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"

typedef struct pool_case {
    ir_op op;
    int n, c, h, w, kh, kw, sh, sw, pt, pl, pb, pr, dil, ceil, include_pad;
} pool_case;

static const pool_case pools[] = {
    {IR_OP_MAXPOOL, 1, 3, 13, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 5, 13, 13, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0},  /* ceil_mode tail */
    {IR_OP_MAXPOOL, 2, 1, 7, 7, 2, 2, 2, 2, 0, 0, 1, 1, 1, 0, 0},    /* pads bottom/right only */
    {IR_OP_MAXPOOL, 1, 17, 17, 13, 3, 3, 1, 1, 2, 2, 2, 2, 2, 0, 0}, /* dilation 2 */
    {IR_OP_MAXPOOL, 1, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0},
    /* rows wide enough for whole 8-output tiles inside the row next to edge and
     * part-filled ones: stride 2 (OW 27, 32), stride 1 (k3 p1, k5 p2), vertical
     * stride 2 with horizontal 1, ceil_mode, asymmetric pads, batch 2 */
    {IR_OP_MAXPOOL, 1, 5, 9, 53, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 2, 3, 8, 64, 2, 2, 2, 2, 0, 0, 0, 0, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 3, 5, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 2, 7, 37, 5, 5, 1, 1, 2, 2, 2, 2, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 3, 11, 45, 3, 3, 2, 1, 0, 1, 1, 0, 1, 1, 0},
    {IR_OP_MAXPOOL, 1, 1, 6, 50, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 0},
    {IR_OP_MAXPOOL, 1, 2, 9, 31, 3, 2, 3, 3, 1, 0, 1, 1, 1, 0, 0}, /* stride 3: pool2d */
    {IR_OP_AVGPOOL, 1, 3, 13, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_AVGPOOL, 1, 3, 13, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 0, 1},  /* count_include_pad */
    {IR_OP_AVGPOOL, 1, 5, 7, 7, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 1},    /* ceil + include_pad */
    {IR_OP_AVGPOOL, 1, 5, 7, 7, 3, 3, 2, 2, 0, 1, 1, 0, 1, 1, 0},
    {IR_OP_AVGPOOL, 2, 17, 17, 17, 2, 2, 2, 2, 0, 0, 0, 0, 1, 0, 0},
    {IR_OP_AVGPOOL, 1, 1, 13, 3, 5, 3, 1, 1, 2, 1, 2, 1, 1, 0, 0},
};

static ir_graph *build_pool(const pool_case *k)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {k->n, k->c, k->h, k->w};
    int x = kh_input(g, "x", 4, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, k->op, "pool", &x, 1, &y, 1);
    int64_t ks[2] = {k->kh, k->kw}, st[2] = {k->sh, k->sw}, pads[4] = {k->pt, k->pl, k->pb, k->pr};
    int64_t dl[2] = {k->dil, k->dil};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, node, "strides", st, 2);
    ir_set_attr_ints(g, node, "pads", pads, 4);
    if (k->dil != 1)
        ir_set_attr_ints(g, node, "dilations", dl, 2);
    ir_set_attr_int(g, node, "ceil_mode", k->ceil);
    if (k->op == IR_OP_AVGPOOL)
        ir_set_attr_int(g, node, "count_include_pad", k->include_pad);
    kh_output(g, y);
    return g;
}

static ir_graph *build_unary(ir_op op, int ndim, const int64_t *xd)
{
    ir_graph *g = kh_new(13);
    int x = kh_input(g, "x", ndim, xd), y = kh_tensor(g, "y");
    ir_add_node(g, op, "op", &x, 1, &y, 1);
    kh_output(g, y);
    return g;
}

static ir_graph *build_bn(int n, int c, int h, int w, int relu)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {n, c, h, w}, cd[1] = {c};
    int in[5];
    in[0] = kh_input(g, "x", 4, xd);
    in[1] = kh_const(g, "scale", 1, cd, 0.5f, 1.5f);
    in[2] = kh_const(g, "shift", 1, cd, -0.5f, 0.5f);
    in[3] = kh_const(g, "mean", 1, cd, -0.2f, 0.2f);
    in[4] = kh_const(g, "var", 1, cd, 0.3f, 1.5f);
    int y = kh_tensor(g, "bn_out");
    int node = ir_add_node(g, IR_OP_BATCHNORM, "bn", in, 5, &y, 1);
    ir_set_attr_float(g, node, "epsilon", 1e-3f);
    if (relu) {
        int r = kh_tensor(g, "relu_out");
        ir_add_node(g, IR_OP_RELU, "relu", &y, 1, &r, 1);
        y = r;
    }
    kh_output(g, y);
    return g;
}

static ir_graph *build_reduce(int ndim, const int64_t *xd, int n_axes, const int64_t *axes, int keep)
{
    ir_graph *g = kh_new(13);
    int x = kh_input(g, "x", ndim, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_REDUCEMEAN, "mean", &x, 1, &y, 1);
    ir_set_attr_ints(g, node, "axes", axes, n_axes);
    ir_set_attr_int(g, node, "keepdims", keep);
    kh_output(g, y);
    return g;
}

static void test_pool(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[256];
    for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
        const pool_case *k = &pools[i];
        snprintf(label, sizeof label,
                 "%s case %zu: N%d C%d %dx%d k%dx%d s%d,%d pads(t%d l%d b%d r%d) dil%d ceil%d incl%d",
                 ir_op_name(k->op), i, k->n, k->c, k->h, k->w, k->kh, k->kw, k->sh, k->sw, k->pt,
                 k->pl, k->pb, k->pr, k->dil, k->ceil, k->include_pad);
        /* MaxPool with dilation 1 and horizontal stride 1/2 gets pool_max8 by
         * itself; every case also runs forced onto pool2d */
        const int max8 = k->op == IR_OP_MAXPOOL && k->dil == 1 && (k->sw == 1 || k->sw == 2);
        fails += kh_check(rt, build_pool(k), NULL, max8 ? "pool_max8" : "pool2d", label);
        fails += kh_check(rt, build_pool(k), "pool2d", "pool2d", label);
    }
    /* planes of 49, 13, 1, 221 and 32 floats: vector body + tail, tail only, exact vectors */
    const int64_t gshapes[][4] = {{1, 3, 7, 7}, {2, 17, 13, 1}, {1, 5, 1, 1}, {1, 1, 17, 13},
                                  {2, 3, 4, 8}};
    for (size_t i = 0; i < sizeof gshapes / sizeof gshapes[0]; i++) {
        snprintf(label, sizeof label, "global pools on %lldx%lldx%lldx%lld", (long long)gshapes[i][0],
                 (long long)gshapes[i][1], (long long)gshapes[i][2], (long long)gshapes[i][3]);
        fails += kh_check(rt, build_unary(IR_OP_GLOBALAVGPOOL, 4, gshapes[i]), NULL, "global_pool", label);
        fails += kh_check(rt, build_unary(IR_OP_GLOBALMAXPOOL, 4, gshapes[i]), NULL, "global_pool", label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d pool case(s) failed", fails);
}

static void test_bn_reduce(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    fails += kh_check(rt, build_bn(1, 17, 13, 7, 0), NULL, "bn", "bn N1 C17 13x7");
    fails += kh_check(rt, build_bn(2, 3, 1, 1, 0), NULL, "bn", "bn N2 C3 1x1");
    fails += kh_check(rt, build_bn(1, 5, 17, 3, 1), NULL, "fused", "bn+relu N1 C5 17x3 (fused)");
    const int64_t x4[4] = {2, 5, 7, 13}, x3[3] = {3, 17, 5};
    const int64_t hw[2] = {2, 3}, c[1] = {1}, nw[2] = {0, 3}, last[1] = {-1}, all3[3] = {0, 1, 2};
    fails += kh_check(rt, build_reduce(4, x4, 2, hw, 1), NULL, "reduce_contig", "mean HW keep");
    fails += kh_check(rt, build_reduce(4, x4, 2, hw, 0), NULL, "reduce_contig", "mean HW drop");
    fails += kh_check(rt, build_reduce(4, x4, 1, c, 1), NULL, "reduce_contig", "mean C (inner 91)");
    fails += kh_check(rt, build_reduce(4, x4, 2, nw, 0), NULL, "reduce_general", "mean N,W (gaps)");
    fails += kh_check(rt, build_reduce(3, x3, 1, last, 1), NULL, "reduce_contig", "mean last axis");
    fails += kh_check(rt, build_reduce(3, x3, 3, all3, 0), NULL, "reduce_contig", "mean all");
    fails += kh_check(rt, build_reduce(4, x4, 2, hw, 1), "reduce_general", "reduce_general",
                      "mean HW forced general");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d bn/reduce case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_bn_reduce),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
