/* test_kernels_norm.c — the norm group's kernels against the reference ops at
 * awkward shapes, each variant forced in turn: norm_rows and norm_row1
 * (LayerNormalization on every axis, with and without bias; Instance- and
 * GroupNormalization at opsets 18 and 21; rows of 1, 5, 17, 300 elements;
 * 1x1/2x2/3x3 planes), lrn_elems for each beta form, the Reduce folds on
 * reduce_contig and reduce_general, arg_line, einsum_general (forced, and
 * chosen for what is not a batched matrix product), and Einsum's batched
 * matrix products lowered onto gemm.cl (gemm_general, gemm_tile). The selection
 * rule alone would leave norm_rows untested on CPUs for short rows and
 * norm_row1 on GPUs. Then the group in fp16 storage (issue 18,
 * test_fp16_harness.h): norm_row1 and norm_rows (by row length: the
 * harness plans with the automatic choice), LayerNorm's Mean/InvStdDev
 * outputs stored half, lrn_elems, every Reduce fold, arg_line, softmax_line,
 * einsum_general and Einsum on gemm.cl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "test_fp16_harness.h"

/* LayerNormalization over x[ndim] from axis, scale/bias of the normalised shape. */
static ir_graph *build_ln(int ndim, const int64_t *xd, int axis, int bias)
{
    ir_graph *g = kh_new(17);
    int in[3], y = kh_tensor(g, "y");
    in[0] = kh_input(g, "x", ndim, xd);
    in[1] = kh_const(g, "scale", ndim - axis, xd + axis, 0.5f, 1.5f);
    in[2] = bias ? kh_const(g, "bias", ndim - axis, xd + axis, -0.5f, 0.5f) : -1;
    int node = ir_add_node(g, IR_OP_LAYERNORM, "ln", in, bias ? 3 : 2, &y, 1);
    ir_set_attr_int(g, node, "axis", axis);
    kh_output(g, y);
    return g;
}

/* InstanceNormalization (groups 0) or GroupNormalization at opset `opset`. */
static ir_graph *build_gn(int opset, int64_t n, int64_t c, int64_t h, int64_t w, int64_t groups)
{
    ir_graph *g = kh_new(opset);
    int64_t xd[4] = {n, c, h, w}, fd[1] = {groups && opset < 21 ? groups : c};
    int in[3], y = kh_tensor(g, "y");
    in[0] = kh_input(g, "x", 4, xd);
    in[1] = kh_const(g, "scale", 1, fd, 0.5f, 1.5f);
    in[2] = kh_const(g, "bias", 1, fd, -0.5f, 0.5f);
    int node = ir_add_node(g, groups ? IR_OP_GROUPNORM : IR_OP_INSTANCENORM, "gn", in, 3, &y, 1);
    if (groups)
        ir_set_attr_int(g, node, "num_groups", groups);
    ir_set_attr_float(g, node, "epsilon", 1e-3f);
    kh_output(g, y);
    return g;
}

static ir_graph *build_lrn(int64_t c, int64_t hw, int size, float beta)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {2, c, hw, hw};
    int x = kh_input(g, "x", 4, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_LRN, "lrn", &x, 1, &y, 1);
    ir_set_attr_int(g, node, "size", size);
    ir_set_attr_float(g, node, "beta", beta);
    ir_set_attr_float(g, node, "alpha", 0.5f);
    kh_output(g, y);
    return g;
}

static ir_graph *build_reduce(ir_op op, int nax, const int64_t *axes, int keep)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {2, 5, 7, 3};
    int x = kh_input(g, "x", 4, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, op, "red", &x, 1, &y, 1);
    ir_set_attr_ints(g, node, "axes", axes, nax);
    ir_set_attr_int(g, node, "keepdims", keep);
    kh_output(g, y);
    return g;
}

/* ArgMax/ArgMin, then a Cast to float so the harness compares floats. */
static ir_graph *build_arg(ir_op op, int axis, int last)
{
    ir_graph *g = kh_new(13);
    int64_t xd[3] = {3, 17, 5};
    int x = kh_input(g, "x", 3, xd), i = kh_tensor(g, "i"), y = kh_tensor(g, "y");
    int node = ir_add_node(g, op, "arg", &x, 1, &i, 1);
    ir_set_attr_int(g, node, "axis", axis);
    ir_set_attr_int(g, node, "select_last_index", last);
    int cast = ir_add_node(g, IR_OP_CAST, "cast", &i, 1, &y, 1);
    ir_set_attr_int(g, cast, "to", IR_DT_FLOAT);
    kh_output(g, y);
    return g;
}

static ir_graph *build_einsum(const char *eq, int na, const int64_t *ad, int nb, const int64_t *bd)
{
    ir_graph *g = kh_new(13);
    int in[2], y = kh_tensor(g, "y");
    in[0] = kh_input(g, "a", na, ad);
    in[1] = nb ? kh_input(g, "b", nb, bd) : -1;
    int node = ir_add_node(g, IR_OP_EINSUM, "einsum", in, nb ? 2 : 1, &y, 1);
    ir_set_attr_string(g, node, "equation", eq);
    kh_output(g, y);
    return g;
}

static const char *const norm_variants[] = {"norm_rows", "norm_row1"};

static void test_norm(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[160];
    const int64_t x3[3] = {2, 5, 17}, x4[4] = {2, 3, 5, 7}, xr1[3] = {3, 4, 1}, xl[2] = {3, 300};
    for (int v = 0; v < 2; v++) {
        const char *f = norm_variants[v];
#define LN(nd, xd, ax, b)                                                                   \
    snprintf(label, sizeof label, "LayerNorm %s axis %d bias %d [%s]", #xd, ax, b, f),      \
        fails += kh_check(rt, build_ln(nd, xd, ax, b), f, f, label)
        LN(3, x3, 2, 1);
        LN(3, x3, 1, 0);
        LN(4, x4, 1, 1);
        LN(4, x4, 3, 1);
        LN(4, x4, 0, 1);
        LN(3, xr1, 2, 1); /* rows of one element */
        LN(2, xl, 1, 1);  /* longer than a work-group */
#undef LN
        const int64_t gn[][5] = {{1, 3, 7, 7, 0}, {2, 5, 1, 1, 0}, {2, 17, 2, 2, 0},
                                 {2, 6, 3, 3, 3}, {1, 17, 1, 1, 17}, {2, 8, 5, 3, 1},
                                 {1, 12, 2, 2, 4}};
        for (size_t i = 0; i < sizeof gn / sizeof gn[0]; i++)
            for (int opset = 18; opset <= 21; opset += 3) {
                snprintf(label, sizeof label, "%s N%lld C%lld %lldx%lld groups %lld opset %d [%s]",
                         gn[i][4] ? "GroupNorm" : "InstanceNorm", (long long)gn[i][0],
                         (long long)gn[i][1], (long long)gn[i][2], (long long)gn[i][3],
                         (long long)gn[i][4], opset, f);
                fails += kh_check(rt, build_gn(opset, gn[i][0], gn[i][1], gn[i][2], gn[i][3],
                                               gn[i][4]), f, f, label);
            }
    }
    const float betas[] = {0.75f, 0.5f, 0.9f};
    for (int b = 0; b < 3; b++)
        for (int s = 1; s <= 7; s += 3) {
            snprintf(label, sizeof label, "LRN C17 3x3 size %d beta %g", s, betas[b]);
            fails += kh_check(rt, build_lrn(17, 3, s, betas[b]), NULL, "lrn_elems", label);
            snprintf(label, sizeof label, "LRN C5 1x1 size %d beta %g", s, betas[b]);
            fails += kh_check(rt, build_lrn(5, 1, s, betas[b]), NULL, "lrn_elems", label);
        }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d norm case(s) failed", fails);
}

static void test_reduce_arg_einsum(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[160];
    const ir_op ops[] = {IR_OP_REDUCESUM, IR_OP_REDUCEMAX, IR_OP_REDUCEMIN, IR_OP_REDUCEPROD,
                         IR_OP_REDUCEL1, IR_OP_REDUCEL2, IR_OP_REDUCESUMSQUARE,
                         IR_OP_REDUCELOGSUMEXP, IR_OP_REDUCEMEAN};
    const int64_t hw[2] = {2, 3}, c[1] = {1}, gap[2] = {0, 2};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const char *nm = ir_op_name(ops[i]);
        snprintf(label, sizeof label, "%s axes 2,3 keep", nm);
        fails += kh_check(rt, build_reduce(ops[i], 2, hw, 1), NULL, "reduce_contig", label);
        snprintf(label, sizeof label, "%s axes 2,3 forced general", nm);
        fails += kh_check(rt, build_reduce(ops[i], 2, hw, 1), "reduce_general", "reduce_general",
                          label);
        snprintf(label, sizeof label, "%s axis 1 drop", nm);
        fails += kh_check(rt, build_reduce(ops[i], 1, c, 0), NULL, "reduce_contig", label);
        snprintf(label, sizeof label, "%s axes 0,2 (gap)", nm);
        fails += kh_check(rt, build_reduce(ops[i], 2, gap, 0), NULL, "reduce_general", label);
    }
    for (int last = 0; last < 2; last++)
        for (int axis = 0; axis < 3; axis++) {
            snprintf(label, sizeof label, "ArgMax axis %d last %d", axis, last);
            fails += kh_check(rt, build_arg(IR_OP_ARGMAX, axis, last), NULL, "arg_line", label);
            snprintf(label, sizeof label, "ArgMin axis %d last %d", axis, last);
            fails += kh_check(rt, build_arg(IR_OP_ARGMIN, axis, last), NULL, "arg_line", label);
        }
    const int64_t a3[3] = {2, 3, 5}, b3[3] = {2, 5, 7}, sq[2] = {5, 5}, m[2] = {3, 17};
    const int64_t q5[5] = {1, 3, 2, 7, 5}, k5[5] = {1, 3, 2, 6, 5}, e4[4] = {3, 1, 5, 7},
                  f4[4] = {1, 4, 7, 2};
    const int64_t v5[5] = {1, 3, 2, 9, 6}, w5[5] = {1, 3, 2, 6, 5};
    fails += kh_check(rt, build_einsum("bij,bjk->bik", 3, a3, 3, b3), "einsum_general",
                      "einsum_general", "einsum bij,bjk->bik forced general");
    fails += kh_check(rt, build_einsum("bij,bjk->bik", 3, a3, 3, b3), NULL, "gemm_general",
                      "einsum bij,bjk->bik on gemm");
    fails += kh_check(rt, build_einsum("bij,bjk->bik", 3, a3, 3, b3), "gemm_tile", "gemm_tile",
                      "einsum bij,bjk->bik forced gemm_tile");
    fails += kh_check(rt, build_einsum("B G H I J, B G H J D -> B G H I D", 5, v5, 5, w5), NULL,
                      "gemm_tile", "einsum MaxViT attn.v (9 rows) on gemm_tile");
    fails += kh_check(rt, build_einsum("bhwc,hkc->bhwk", 4, (int64_t[]){2, 3, 5, 7}, 3,
                                       (int64_t[]){3, 4, 7}), NULL, "einsum_general",
                      "einsum bhwc,hkc->bhwk (B's batch not one stride) stays general");
    fails += kh_check(rt, build_einsum("ii->i", 2, sq, 0, NULL), NULL, "einsum_general",
                      "einsum ii->i");
    fails += kh_check(rt, build_einsum("ij->", 2, m, 0, NULL), NULL, "einsum_general",
                      "einsum ij->");
    fails += kh_check(rt, build_einsum("ij->ji", 2, m, 0, NULL), NULL, "einsum_general",
                      "einsum ij->ji");
    fails += kh_check(rt, build_einsum("B G H I D, B G H J D -> B G H I J", 5, q5, 5, k5), NULL,
                      "gemm_general", "einsum MaxViT q.k on gemm (B along K)");
    fails += kh_check(rt, build_einsum("B G H I D, B G H J D -> B G H I J", 5, q5, 5, k5),
                      "einsum_general", "einsum_general", "einsum MaxViT q.k forced general");
    fails += kh_check(rt, build_einsum("...ij,...jk->...ik", 4, e4, 4, f4), NULL,
                      "einsum_general", "einsum ellipsis broadcast");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d reduce/arg/einsum case(s) failed", fails);
}

/* ---- fp16 storage ---- */

/* Float sums of halves (mean, variance, folds) in another order than the
 * reference's: an absolute term for outputs near 0. */
#define NORM_F16_ABS 1e-5

static int f16_one(rt_ctx *rt, ir_graph *g, double rel, const char *label)
{
    void *host[16] = {0};
    return f16_check(rt, g, host, rel, rel < 0 ? 0.0 : NORM_F16_ABS, label);
}

/* LayerNormalization with its Mean and InvStdDev outputs (float, stored half too). */
static ir_graph *build_ln_stats(int ndim, const int64_t *xd, int axis)
{
    ir_graph *g = kh_new(17);
    int in[3], out[3] = {kh_tensor(g, "y"), kh_tensor(g, "mean"), kh_tensor(g, "istd")};
    in[0] = kh_input(g, "x", ndim, xd);
    in[1] = kh_const(g, "scale", ndim - axis, xd + axis, 0.5f, 1.5f);
    in[2] = kh_const(g, "bias", ndim - axis, xd + axis, -0.5f, 0.5f);
    int node = ir_add_node(g, IR_OP_LAYERNORM, "ln", in, 3, out, 3);
    ir_set_attr_int(g, node, "axis", axis);
    for (int k = 0; k < 3; k++)
        kh_output(g, out[k]);
    return g;
}

/* One node (Softmax, LogSoftmax, ArgMax, ArgMin) on input x of shape xd along axis. */
static ir_graph *build_axis_op(ir_op op, int ndim, const int64_t *xd, int axis, int last)
{
    ir_graph *g = kh_new(13);
    int x = kh_input(g, "x", ndim, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, op, "op", &x, 1, &y, 1);
    ir_set_attr_int(g, node, "axis", axis);
    if (op == IR_OP_ARGMAX || op == IR_OP_ARGMIN)
        ir_set_attr_int(g, node, "select_last_index", last);
    kh_output(g, y);
    return g;
}

static void test_norm_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[160];
    /* rows of 17, 35, 1 (norm_row1 on a CPU device) and 300 (norm_rows) */
    const int64_t x3[3] = {2, 5, 17}, x4[4] = {2, 3, 5, 7}, xr1[3] = {3, 4, 1}, xl[2] = {3, 300};
    fails += f16_one(rt, build_ln(3, x3, 2, 1), F16_REL, "half LayerNorm [2,5,17] axis 2");
    fails += f16_one(rt, build_ln(4, x4, 1, 0), F16_REL, "half LayerNorm [2,3,5,7] axis 1 no bias");
    fails += f16_one(rt, build_ln(3, xr1, 2, 1), F16_REL, "half LayerNorm rows of one");
    fails += f16_one(rt, build_ln(2, xl, 1, 1), F16_REL, "half LayerNorm rows of 300 (norm_rows)");
    fails += f16_one(rt, build_ln_stats(3, x3, 2), F16_REL, "half LayerNorm + Mean, InvStdDev");
    fails += f16_one(rt, build_ln_stats(2, xl, 1), F16_REL,
                     "half LayerNorm + Mean, InvStdDev (norm_rows)");
    const int64_t gn[][5] = {{1, 3, 7, 7, 0}, {2, 17, 2, 2, 0}, {2, 6, 3, 3, 3}, {1, 12, 2, 2, 4},
                             {1, 4, 20, 20, 2}};
    for (size_t i = 0; i < sizeof gn / sizeof gn[0]; i++) {
        snprintf(label, sizeof label, "half %s N%lld C%lld %lldx%lld groups %lld",
                 gn[i][4] ? "GroupNorm" : "InstanceNorm", (long long)gn[i][0], (long long)gn[i][1],
                 (long long)gn[i][2], (long long)gn[i][3], (long long)gn[i][4]);
        fails += f16_one(rt, build_gn(18, gn[i][0], gn[i][1], gn[i][2], gn[i][3], gn[i][4]), F16_REL,
                         label);
    }
    const float betas[] = {0.75f, 0.5f, 0.9f};
    for (int b = 0; b < 3; b++) {
        snprintf(label, sizeof label, "half LRN C17 3x3 size 5 beta %g", betas[b]);
        fails += f16_one(rt, build_lrn(17, 3, 5, betas[b]), F16_REL, label);
    }
    const int64_t sx[3] = {3, 11, 4}, s1[1] = {1000};
    fails += f16_one(rt, build_axis_op(IR_OP_SOFTMAX, 3, sx, 1, 0), F16_REL, "half Softmax axis 1");
    fails += f16_one(rt, build_axis_op(IR_OP_LOGSOFTMAX, 3, sx, -1, 0), F16_REL,
                     "half LogSoftmax last axis");
    fails += f16_one(rt, build_axis_op(IR_OP_SOFTMAX, 1, s1, 0, 0), F16_REL, "half Softmax 1000");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d fp16 norm case(s) failed", fails);
}

static void test_reduce_arg_einsum_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[160];
    const ir_op ops[] = {IR_OP_REDUCESUM, IR_OP_REDUCEMAX, IR_OP_REDUCEMIN, IR_OP_REDUCEPROD,
                         IR_OP_REDUCEL1, IR_OP_REDUCEL2, IR_OP_REDUCESUMSQUARE,
                         IR_OP_REDUCELOGSUMEXP, IR_OP_REDUCEMEAN};
    const int64_t hw[2] = {2, 3}, c[1] = {1}, gap[2] = {0, 2};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        /* Max and Min pick a half: bit-exact */
        const double rel = ops[i] == IR_OP_REDUCEMAX || ops[i] == IR_OP_REDUCEMIN ? F16_EXACT : F16_REL;
        snprintf(label, sizeof label, "half %s axes 2,3 (reduce_contig)", ir_op_name(ops[i]));
        fails += f16_one(rt, build_reduce(ops[i], 2, hw, 1), rel, label);
        snprintf(label, sizeof label, "half %s axis 1 drop", ir_op_name(ops[i]));
        fails += f16_one(rt, build_reduce(ops[i], 1, c, 0), rel, label);
        snprintf(label, sizeof label, "half %s axes 0,2 (reduce_general)", ir_op_name(ops[i]));
        fails += f16_one(rt, build_reduce(ops[i], 2, gap, 0), rel, label);
    }
    /* int64 indices of half inputs (ties among the rounded values included):
     * bytes equal to the reference's on the same halves */
    const int64_t ax[3] = {3, 17, 5};
    for (int last = 0; last < 2; last++)
        for (int axis = 0; axis < 3; axis++) {
            snprintf(label, sizeof label, "half ArgMax axis %d last %d", axis, last);
            fails += f16_one(rt, build_axis_op(IR_OP_ARGMAX, 3, ax, axis, last), F16_EXACT, label);
            snprintf(label, sizeof label, "half ArgMin axis %d last %d", axis, last);
            fails += f16_one(rt, build_axis_op(IR_OP_ARGMIN, 3, ax, axis, last), F16_EXACT, label);
        }
    const int64_t a3[3] = {2, 3, 5}, b3[3] = {2, 5, 7}, sq[2] = {5, 5}, m[2] = {3, 17};
    const int64_t v5[5] = {1, 3, 2, 9, 6}, w5[5] = {1, 3, 2, 6, 5}, q5[5] = {1, 3, 2, 7, 5},
                  k5[5] = {1, 3, 2, 6, 5};
    fails += f16_one(rt, build_einsum("bij,bjk->bik", 3, a3, 3, b3), F16_REL,
                     "half einsum bij,bjk->bik (gemm_general)");
    fails += f16_one(rt, build_einsum("B G H I J, B G H J D -> B G H I D", 5, v5, 5, w5), F16_REL,
                     "half einsum MaxViT attn.v (gemm_tile)");
    fails += f16_one(rt, build_einsum("B G H I D, B G H J D -> B G H I J", 5, q5, 5, k5), F16_REL,
                     "half einsum MaxViT q.k (gemm, B along K)");
    fails += f16_one(rt, build_einsum("bhwc,hkc->bhwk", 4, (int64_t[]){2, 3, 5, 7}, 3,
                                      (int64_t[]){3, 4, 7}), F16_REL, "half einsum_general bhwc,hkc->bhwk");
    fails += f16_one(rt, build_einsum("ii->i", 2, sq, 0, NULL), F16_EXACT, "half einsum_general ii->i");
    fails += f16_one(rt, build_einsum("ij->", 2, m, 0, NULL), F16_REL, "half einsum_general ij->");
    fails += f16_one(rt, build_einsum("ij->ji", 2, m, 0, NULL), F16_EXACT, "half einsum_general ij->ji");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d fp16 reduce/arg/einsum case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm),
        cmocka_unit_test(test_reduce_arg_einsum),
        cmocka_unit_test(test_norm_half),
        cmocka_unit_test(test_reduce_arg_einsum_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
