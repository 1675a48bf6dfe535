/* test_kernels_pool.c — pool_maxf, pool_max8 and pool2d (MaxPool/AveragePool: stride 2,
 * pads on every edge and asymmetric, ceil_mode, count_include_pad, dilation), global_pool,
 * standalone BatchNormalization (+ fused Relu) and ReduceMean (reduce_contig,
 * reduce_general, keepdims 0/1) against the reference ops at awkward shapes.
 * Then the same pools (and pool3d, global pools, ReduceMean) and the Resize
 * kernels (resize_nearest, _bilinear, _bicubic, _taps, a run-time roi read back
 * as halves) in fp16 storage (issue 18, test_fp16_harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "test_fp16_harness.h"

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
    /* stride 1 keeping the plane's size (pool_maxf, the flattened plane): planes
     * smaller than its 16-lane vector (1x1 with k3 p1, 2x2, 3x3, 3x5), 7x7 and
     * 14x14 as GoogLeNet's at batch 2 (the first and last planes' edge tiles
     * gather), 28 wide, odd channel counts, asymmetric "same" pads (k2, k4; one
     * whose first tile's shifted read would start 1 float before the tensor),
     * k5, ceil_mode (a no-op at stride 1) */
    {IR_OP_MAXPOOL, 1, 3, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 2, 3, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {IR_OP_MAXPOOL, 1, 5, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 7, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 2, 5, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 0},
    {IR_OP_MAXPOOL, 2, 3, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 3, 9, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 3, 6, 11, 2, 2, 1, 1, 0, 0, 1, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 3, 5, 6, 2, 2, 1, 1, 0, 1, 1, 0, 1, 0, 0}, /* first read 1 before */
    {IR_OP_MAXPOOL, 1, 3, 9, 10, 4, 4, 1, 1, 1, 2, 2, 1, 1, 0, 0},
    {IR_OP_MAXPOOL, 1, 3, 11, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 0, 0},
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
        /* A stride-1 MaxPool with dilation 1 that keeps its plane's size gets
         * pool_maxf by itself, other MaxPools with dilation 1 and horizontal
         * stride 1/2 pool_max8; every case also runs forced onto pool2d, and
         * pool_maxf's forced onto pool_max8 */
        const int max8 = k->op == IR_OP_MAXPOOL && k->dil == 1 && (k->sw == 1 || k->sw == 2);
        const int maxf = max8 && k->sh == 1 && k->sw == 1 && k->pt + k->pb == k->kh - 1 &&
                         k->pl + k->pr == k->kw - 1;
        fails += kh_check(rt, build_pool(k), NULL,
                          maxf ? "pool_maxf" : max8 ? "pool_max8" : "pool2d", label);
        fails += kh_check(rt, build_pool(k), "pool2d", "pool2d", label);
        if (maxf)
            fails += kh_check(rt, build_pool(k), "pool_max8", "pool_max8", label);
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

/* ---- fp16 storage ---- */

/* Averages and means: float sums of halves, rounded once. MaxPool and nearest
 * Resize move a half unchanged: bit-exact. */
static int f16_one(rt_ctx *rt, ir_graph *g, int exact, const char *label)
{
    void *host[16] = {0};
    return f16_check(rt, g, host, exact ? F16_EXACT : F16_REL, exact ? 0.0 : F16_ABS, label);
}

/* MaxPool (rank 5) or AveragePool with dilations: pool3d. */
static ir_graph *build_pool3d(ir_op op, int ndim, const int64_t *xd, const int64_t *ks,
                              const int64_t *pads, const int64_t *dil)
{
    ir_graph *g = kh_new(19);
    int x = kh_input(g, "x", ndim, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, op, "pool", &x, 1, &y, 1);
    ir_set_attr_ints(g, node, "kernel_shape", ks, ndim - 2);
    ir_set_attr_ints(g, node, "pads", pads, 2 * (ndim - 2));
    ir_set_attr_ints(g, node, "dilations", dil, ndim - 2);
    if (op == IR_OP_AVGPOOL)
        ir_set_attr_int(g, node, "count_include_pad", 1);
    kh_output(g, y);
    return g;
}

static void test_pool_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[256];
    /* the pools above: pool_max8 (rows of 53, 64, 40, 37, 45, 50 halves: tiles
     * that start at any half), pool2d */
    for (size_t i = 0; i < sizeof pools / sizeof pools[0]; i++) {
        const pool_case *k = &pools[i];
        snprintf(label, sizeof label, "half %s case %zu: N%d C%d %dx%d k%dx%d s%d,%d", ir_op_name(k->op),
                 i, k->n, k->c, k->h, k->w, k->kh, k->kw, k->sh, k->sw);
        fails += f16_one(rt, build_pool(k), k->op == IR_OP_MAXPOOL, label);
    }
    const int64_t x5[5] = {1, 3, 4, 5, 6}, k3[3] = {2, 3, 2}, p3[6] = {1, 0, 1, 0, 1, 1},
                  d3[3] = {1, 1, 1}, x4[4] = {1, 5, 9, 11}, k2[2] = {3, 3}, p2[4] = {1, 2, 2, 1},
                  d2[2] = {2, 1};
    fails += f16_one(rt, build_pool3d(IR_OP_MAXPOOL, 5, x5, k3, p3, d3), 1, "half pool3d MaxPool 3-D");
    fails += f16_one(rt, build_pool3d(IR_OP_AVGPOOL, 5, x5, k3, p3, d3), 0, "half pool3d AvgPool 3-D");
    fails += f16_one(rt, build_pool3d(IR_OP_AVGPOOL, 4, x4, k2, p2, d2), 0,
                     "half pool3d AvgPool dilated 2-D");
    const int64_t gshapes[][4] = {{1, 3, 7, 7}, {2, 17, 13, 1}, {1, 5, 1, 1}, {1, 1, 17, 13}};
    for (size_t i = 0; i < sizeof gshapes / sizeof gshapes[0]; i++) {
        snprintf(label, sizeof label, "half global pools on %lldx%lldx%lldx%lld",
                 (long long)gshapes[i][0], (long long)gshapes[i][1], (long long)gshapes[i][2],
                 (long long)gshapes[i][3]);
        fails += f16_one(rt, build_unary(IR_OP_GLOBALAVGPOOL, 4, gshapes[i]), 0, label);
        fails += f16_one(rt, build_unary(IR_OP_GLOBALMAXPOOL, 4, gshapes[i]), 1, label);
    }
    const int64_t r4[4] = {2, 5, 7, 13}, hw[2] = {2, 3}, nw[2] = {0, 3};
    fails += f16_one(rt, build_reduce(4, r4, 2, hw, 1), 0, "half ReduceMean HW (reduce_contig)");
    fails += f16_one(rt, build_reduce(4, r4, 2, nw, 0), 0, "half ReduceMean N,W (reduce_general)");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d fp16 pool case(s) failed", fails);
}

/* Resize-18 of x (1,3,h,w) to sizes (n,c,oh,ow); roi_rt: tf_crop_and_resize
 * with roi a graph input (host values roi[8]), extrapolation_value 0.75. */
static ir_graph *build_resize(const char *mode, const char *coord, const int64_t *xd,
                              const int64_t *sz, int antialias, int roi_rt)
{
    ir_graph *g = kh_new(18);
    int in[4] = {kh_input(g, "x", 4, xd), -1, -1, -1};
    if (roi_rt) /* tensor 1 */
        in[1] = kh_input(g, "roi", 1, (int64_t[]){8});
    in[3] = kh_const_i64(g, "sizes", 4, sz);
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_RESIZE, "resize", in, 4, &y, 1);
    ir_set_attr_string(g, node, "mode", mode);
    ir_set_attr_string(g, node, "coordinate_transformation_mode", coord);
    ir_set_attr_int(g, node, "antialias", antialias);
    ir_set_attr_float(g, node, "extrapolation_value", 0.75f);
    kh_output(g, y);
    return g;
}

static void test_resize_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x[4] = {1, 3, 5, 7}, up[4] = {1, 3, 9, 4}, nc[4] = {2, 2, 3, 11},
                  big[4] = {1, 3, 13, 17}, down[4] = {1, 3, 5, 6};
    fails += f16_one(rt, build_resize("nearest", "asymmetric", x, up, 0, 0), 1,
                     "half resize_nearest 5x7 -> 9x4");
    fails += f16_one(rt, build_resize("nearest", "half_pixel", x, nc, 0, 0), 1,
                     "half resize_nearest N and C resized too");
    fails += f16_one(rt, build_resize("linear", "half_pixel", x, up, 0, 0), 0,
                     "half resize_bilinear 5x7 -> 9x4");
    fails += f16_one(rt, build_resize("cubic", "align_corners", x, up, 0, 0), 0,
                     "half resize_bicubic 5x7 -> 9x4");
    fails += f16_one(rt, build_resize("linear", "half_pixel", big, down, 1, 0), 0,
                     "half resize_taps antialias 13x17 -> 5x6");
    fails += f16_one(rt, build_resize("cubic", "pytorch_half_pixel", big, down, 1, 0), 0,
                     "half resize_taps cubic antialias");
    /* run-time roi (halves on the device: resize_cl's table launch converts
     * them); the crop reaches past the input on the right and bottom (ev) */
    float roi[8] = {0.0f, 0.0f, 0.125f, -0.25f, 1.0f, 1.0f, 1.25f, 0.875f};
    const char *modes[3] = {"nearest", "linear", "cubic"};
    for (int m = 0; m < 3; m++) {
        ir_graph *g = build_resize(modes[m], "tf_crop_and_resize", x, up, 0, 1);
        void *host[16] = {0};
        host[1] = roi; /* tensor 1: the roi input */
        char label[96];
        snprintf(label, sizeof label, "half tf_crop_and_resize %s, roi at run time", modes[m]);
        fails += f16_check(rt, g, host, m == 0 ? F16_EXACT : F16_REL, m == 0 ? 0.0 : F16_ABS, label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d fp16 resize case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_bn_reduce),
        cmocka_unit_test(test_pool_half),
        cmocka_unit_test(test_resize_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
