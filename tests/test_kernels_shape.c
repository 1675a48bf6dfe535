/* test_kernels_shape.c — the data-movement kernels against the reference:
 * permute (Transpose up to rank 6; channel shuffle Reshape->Transpose->Reshape
 * as exactly one launch), copy_block (Concat on several axes, Split equal and
 * explicit), slice_nd (steps, negative steps, clamped ends), pad_nd (constant,
 * reflect, edge, negative pads; pad_nd_operand with the constant fed at run
 * time), and the zero-copy aliases (no launch at all). fp16 storage (issue
 * 18, test_fp16_harness.h): those kernels and select.cl's Where, Expand,
 * Tile, ScatterND, Trilu and depth_space.cl moving half-stored floats, which
 * must come out bit for bit as the reference's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "test_fp16_harness.h"

static ir_graph *build_transpose(int ndim, const int64_t *xd, const int64_t *perm)
{
    ir_graph *g = kh_new(13);
    int x = kh_input(g, "x", ndim, xd), y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_TRANSPOSE, "transpose", &x, 1, &y, 1);
    if (perm)
        ir_set_attr_ints(g, node, "perm", perm, ndim);
    kh_output(g, y);
    return g;
}

/* ShuffleNet: x[N,C,H,W] -> Reshape[N,G,C/G,H,W] -> Transpose(0,2,1,3,4) -> Reshape[N,C,H,W]. */
static ir_graph *build_shuffle(int n, int c, int h, int w, int groups)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {n, c, h, w}, s1[5] = {n, groups, c / groups, h, w}, s2[4] = {n, c, h, w};
    int64_t perm[5] = {0, 2, 1, 3, 4};
    int x = kh_input(g, "x", 4, xd);
    int r1in[2] = {x, kh_const_i64(g, "shape1", 5, s1)}, r1 = kh_tensor(g, "r1");
    ir_add_node(g, IR_OP_RESHAPE, "reshape1", r1in, 2, &r1, 1);
    int t = kh_tensor(g, "t");
    int tn = ir_add_node(g, IR_OP_TRANSPOSE, "transpose", &r1, 1, &t, 1);
    ir_set_attr_ints(g, tn, "perm", perm, 5);
    int r2in[2] = {t, kh_const_i64(g, "shape2", 4, s2)}, y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_RESHAPE, "reshape2", r2in, 2, &y, 1);
    kh_output(g, y);
    return g;
}

static ir_graph *build_concat(int n_in, int ndim, const int64_t (*dims)[4], int axis)
{
    ir_graph *g = kh_new(13);
    int in[4];
    char name[16];
    for (int i = 0; i < n_in; i++) {
        snprintf(name, sizeof name, "x%d", i);
        in[i] = kh_input(g, name, ndim, dims[i]);
    }
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_CONCAT, "concat", in, n_in, &y, 1);
    ir_set_attr_int(g, node, "axis", axis);
    kh_output(g, y);
    return g;
}

static ir_graph *build_split(int ndim, const int64_t *xd, int axis, int n_out, const int64_t *sizes)
{
    ir_graph *g = kh_new(13);
    int in[2] = {kh_input(g, "x", ndim, xd), -1}, out[4];
    char name[16];
    if (sizes)
        in[1] = kh_const_i64(g, "split", n_out, sizes);
    for (int i = 0; i < n_out; i++) {
        snprintf(name, sizeof name, "y%d", i);
        out[i] = kh_tensor(g, name);
    }
    int node = ir_add_node(g, IR_OP_SPLIT, "split", in, sizes ? 2 : 1, out, n_out);
    ir_set_attr_int(g, node, "axis", axis);
    for (int i = 0; i < n_out; i++)
        kh_output(g, out[i]);
    return g;
}

static ir_graph *build_slice(int ndim, const int64_t *xd, int n, const int64_t *starts,
                             const int64_t *ends, const int64_t *axes, const int64_t *steps)
{
    ir_graph *g = kh_new(13);
    int in[5] = {kh_input(g, "x", ndim, xd), kh_const_i64(g, "starts", n, starts),
                 kh_const_i64(g, "ends", n, ends), kh_const_i64(g, "axes", n, axes),
                 kh_const_i64(g, "steps", n, steps)};
    int y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_SLICE, "slice", in, 5, &y, 1);
    kh_output(g, y);
    return g;
}

static ir_graph *build_pad(int ndim, const int64_t *xd, const int64_t *pads, const char *mode)
{
    ir_graph *g = kh_new(13);
    int64_t sd[1] = {1};
    int in[3] = {kh_input(g, "x", ndim, xd), kh_const_i64(g, "pads", 2 * ndim, pads),
                 kh_const(g, "value", 0, sd, 0.75f, 0.75f)};
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_PAD, "pad", in, strcmp(mode, "constant") ? 2 : 3, &y, 1);
    ir_set_attr_string(g, node, "mode", mode);
    kh_output(g, y);
    return g;
}

/* Pad whose constant is a graph input (fed at run time): pad_nd_operand. */
static ir_graph *build_pad_operand(int ndim, const int64_t *xd, const int64_t *pads, const char *mode)
{
    ir_graph *g = kh_new(13);
    int in[3] = {kh_input(g, "x", ndim, xd), kh_const_i64(g, "pads", 2 * ndim, pads),
                 kh_input(g, "value", 0, NULL)};
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_PAD, "pad", in, 3, &y, 1);
    ir_set_attr_string(g, node, "mode", mode);
    kh_output(g, y);
    return g;
}

static void test_transpose(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x4[4] = {2, 3, 5, 7}, p4[4] = {0, 2, 3, 1}, x6[6] = {2, 1, 3, 5, 2, 3};
    const int64_t p6[6] = {5, 3, 0, 4, 2, 1}, x2[2] = {17, 13};
    fails += kh_check(rt, build_transpose(4, x4, p4), NULL, "permute", "transpose NCHW->NHWC");
    fails += kh_check(rt, build_transpose(6, x6, p6), NULL, "permute", "transpose rank 6");
    fails += kh_check(rt, build_transpose(2, x2, NULL), NULL, "permute", "transpose default perm");
    /* channel shuffle: one permute launch, both Reshapes are aliases */
    fails += kh_check_k(rt, build_shuffle(1, 6, 7, 13, 2), NULL, "alias", 1, "shuffle C6 g2 7x13");
    fails += kh_check_k(rt, build_shuffle(2, 17 * 3, 3, 1, 3), NULL, "permute", 1, "shuffle C51 g3");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d transpose case(s) failed", fails);
}

static void test_concat_split(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t c1[3][4] = {{1, 3, 7, 5}, {1, 1, 7, 5}, {1, 17, 7, 5}};
    const int64_t c0[2][4] = {{1, 3, 2, 2}, {2, 3, 2, 2}};
    const int64_t cl[2][4] = {{2, 3, 5, 1}, {2, 3, 5, 7}};
    fails += kh_check_k(rt, build_concat(3, 4, c1, 1), NULL, "copy_block", 3, "concat axis 1, C 3+1+17");
    fails += kh_check(rt, build_concat(2, 4, c0, 0), NULL, "copy_block", "concat axis 0");
    fails += kh_check(rt, build_concat(2, 4, cl, -1), NULL, "copy_block", "concat axis -1");
    const int64_t xs[4] = {1, 17, 3, 5}, sizes[3] = {5, 1, 11}, xw[3] = {3, 5, 7};
    fails += kh_check(rt, build_split(4, xs, 1, 3, sizes), NULL, "copy_block", "split C17 -> 5,1,11");
    fails += kh_check(rt, build_split(3, xw, -1, 1, NULL), NULL, "copy_block", "split into 1");
    const int64_t xe[4] = {2, 6, 3, 3};
    fails += kh_check(rt, build_split(4, xe, 1, 2, NULL), NULL, "copy_block", "split C6 equal halves");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d concat/split case(s) failed", fails);
}

static void test_slice_pad(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x4[4] = {1, 17, 7, 13};
    const int64_t s1[1] = {5}, e1[1] = {17}, a1[1] = {1}, st1[1] = {1};
    fails += kh_check(rt, build_slice(4, x4, 1, s1, e1, a1, st1), NULL, "slice_nd", "slice channels 5:17");
    const int64_t s2[2] = {1, -1}, e2[2] = {INT64_MAX, -100}, a2[2] = {2, 3}, st2[2] = {2, -3};
    fails += kh_check(rt, build_slice(4, x4, 2, s2, e2, a2, st2), NULL, "slice_nd",
                      "slice H 1::2, W -1::-3 (negative step, clamped ends)");
    const int64_t s3[1] = {0}, e3[1] = {1}, a3[1] = {0}, st3[1] = {1};
    fails += kh_check(rt, build_slice(4, x4, 1, s3, e3, a3, st3), NULL, "slice_nd", "slice batch 0:1");

    const int64_t x3[3] = {3, 5, 7}, x4p[4] = {1, 3, 7, 5};
    const int64_t pa[6] = {0, 1, 2, 1, 0, 3}, pb[8] = {0, 0, 1, 2, 0, 0, 3, 1};
    const int64_t pneg[8] = {0, 0, -1, 2, 0, 0, 1, -2};
    const char *modes[3] = {"constant", "reflect", "edge"};
    char label[96];
    for (int m = 0; m < 3; m++) {
        snprintf(label, sizeof label, "pad %s rank 3", modes[m]);
        fails += kh_check(rt, build_pad(3, x3, pa, modes[m]), NULL, "pad_nd", label);
        snprintf(label, sizeof label, "pad %s NCHW asymmetric", modes[m]);
        fails += kh_check(rt, build_pad(4, x4p, pb, modes[m]), NULL, "pad_nd", label);
    }
    fails += kh_check(rt, build_pad(4, x4p, pneg, "constant"), NULL, "pad_nd", "pad with negative pads (crop)");
    /* the constant fed at run time: every edge of a 1x1 plane, crop, odd ranks; reflect never reads it */
    const int64_t x11[4] = {1, 1, 1, 1}, p11[8] = {1, 1, 1, 1, 1, 1, 1, 1}, x1[1] = {7}, p1[2] = {3, 0};
    fails += kh_check(rt, build_pad_operand(3, x3, pa, "constant"), NULL, "pad_nd_operand",
                      "pad runtime value rank 3");
    fails += kh_check(rt, build_pad_operand(4, x4p, pneg, "constant"), NULL, "pad_nd_operand",
                      "pad runtime value, negative pads (crop)");
    fails += kh_check(rt, build_pad_operand(4, x11, p11, "constant"), NULL, "pad_nd_operand",
                      "pad runtime value, 1x1 plane on every edge");
    fails += kh_check(rt, build_pad_operand(1, x1, p1, "constant"), NULL, "pad_nd_operand",
                      "pad runtime value 1-D");
    fails += kh_check(rt, build_pad_operand(4, x4p, pb, "reflect"), NULL, "pad_nd_operand",
                      "pad reflect with a runtime value (unread)");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d slice/pad case(s) failed", fails);
}

/* x -> Flatten -> Unsqueeze -> Squeeze -> Reshape: four aliases, zero launches;
 * the output must still hold x (the graph input's buffer, read back). */
static void test_aliases(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {2, 3, 5, 7}, ax[1] = {0}, shp[3] = {2, 15, -1};
    int x = kh_input(g, "x", 4, xd), f = kh_tensor(g, "f"), u = kh_tensor(g, "u");
    int s = kh_tensor(g, "s"), y = kh_tensor(g, "y");
    int fn = ir_add_node(g, IR_OP_FLATTEN, "flatten", &x, 1, &f, 1);
    ir_set_attr_int(g, fn, "axis", 2);
    int uin[2] = {f, kh_const_i64(g, "ax_u", 1, ax)};
    ir_add_node(g, IR_OP_UNSQUEEZE, "unsqueeze", uin, 2, &u, 1);
    int sin[2] = {u, kh_const_i64(g, "ax_s", 1, ax)};
    ir_add_node(g, IR_OP_SQUEEZE, "squeeze", sin, 2, &s, 1);
    int rin[2] = {s, kh_const_i64(g, "shape", 3, shp)};
    ir_add_node(g, IR_OP_RESHAPE, "reshape", rin, 2, &y, 1);
    kh_output(g, y);
    int fails = kh_check_k(rt, g, NULL, "alias", 0, "Flatten/Unsqueeze/Squeeze/Reshape chain");
    rt_destroy(rt);
    if (fails)
        fail_msg("alias chain failed");
}

/* ---- fp16 storage: every move exact ---- */

static void test_movement_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    void *host[32] = {0};
    int fails = 0;
    const int64_t x6[6] = {2, 1, 3, 5, 2, 3}, p6[6] = {5, 3, 0, 4, 2, 1}, x2[2] = {17, 13};
    const int64_t p2[2] = {1, 0};
    fails += f16_check(rt, build_transpose(6, x6, p6), host, F16_EXACT, 0, "half transpose rank 6");
    fails += f16_check(rt, build_transpose(2, x2, p2), host, F16_EXACT, 0, "half transpose 17x13");
    const int64_t c1[3][4] = {{1, 3, 7, 5}, {1, 1, 7, 5}, {1, 17, 7, 5}};
    const int64_t cl[2][4] = {{2, 3, 5, 1}, {2, 3, 5, 7}};
    fails += f16_check(rt, build_concat(3, 4, c1, 1), host, F16_EXACT, 0, "half concat C 3+1+17");
    fails += f16_check(rt, build_concat(2, 4, cl, -1), host, F16_EXACT, 0, "half concat axis -1");
    const int64_t xs[4] = {1, 17, 3, 5}, sizes[3] = {5, 1, 11};
    fails += f16_check(rt, build_split(4, xs, 1, 3, sizes), host, F16_EXACT, 0,
                       "half split C17 -> 5,1,11");
    const int64_t x4[4] = {1, 17, 7, 13};
    const int64_t s2[2] = {1, -1}, e2[2] = {INT64_MAX, -100}, a2[2] = {2, 3}, st2[2] = {2, -3};
    fails += f16_check(rt, build_slice(4, x4, 2, s2, e2, a2, st2), host, F16_EXACT, 0,
                       "half slice H 1::2, W -1::-3");
    const int64_t x3[3] = {3, 5, 7}, x4p[4] = {1, 3, 7, 5}, x11[4] = {1, 1, 1, 1};
    const int64_t pa[6] = {0, 1, 2, 1, 0, 3}, pneg[8] = {0, 0, -1, 2, 0, 0, 1, -2};
    const int64_t p11[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const char *modes[3] = {"constant", "reflect", "edge"};
    char label[96];
    for (int m = 0; m < 3; m++) {
        snprintf(label, sizeof label, "half pad %s rank 3", modes[m]);
        fails += f16_check(rt, build_pad(3, x3, pa, modes[m]), host, F16_EXACT, 0, label);
    }
    fails += f16_check(rt, build_pad(4, x4p, pneg, "constant"), host, F16_EXACT, 0,
                       "half pad negative pads (crop)");
    fails += f16_check(rt, build_pad_operand(4, x11, p11, "constant"), host, F16_EXACT, 0,
                       "half pad runtime value, 1x1 plane on every edge");
    fails += f16_check(rt, build_pad_operand(3, x3, pa, "constant"), host, F16_EXACT, 0,
                       "half pad runtime value rank 3");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half movement case(s) failed", fails);
}

/* A graph input of any dtype (the bool condition, int64 indices). */
static int add_typed_input(ir_graph *g, const char *name, int dt, int nd, const int64_t *d)
{
    int t = ir_add_tensor(g, name, dt, nd, d);
    g->inputs = realloc(g->inputs, (size_t)(g->n_inputs + 1) * sizeof(int));
    g->inputs[g->n_inputs++] = t;
    return t;
}

/* op(x, int64 constant operand) -> y, e.g. Expand's shape, Tile's repeats. */
static ir_graph *build_x_i64(ir_op op, int opset, int nd, const int64_t *xd, int nv, const int64_t *v)
{
    ir_graph *g = kh_new(opset);
    int in[2] = {kh_input(g, "x", nd, xd), v ? kh_const_i64(g, "v", nv, v) : -1}, y = kh_tensor(g, "y");
    ir_add_node(g, op, "node", in, v ? 2 : 1, &y, 1);
    kh_output(g, y);
    return g;
}

static ir_graph *build_depth_space(ir_op op, const int64_t *xd, int b, const char *mode)
{
    ir_graph *g = build_x_i64(op, 13, 4, xd, 0, NULL);
    ir_set_attr_int(g, 0, "blocksize", b);
    if (mode)
        ir_set_attr_string(g, 0, "mode", mode);
    return g;
}

static void test_select_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    void *host[32] = {0};
    /* Where: cond [3,1,5] bool, x [4,1], y [1] -> [3,4,5] */
    {
        ir_graph *g = kh_new(13);
        const int64_t cd[3] = {3, 1, 5}, xd[2] = {4, 1}, yd[1] = {1};
        int in[3] = {add_typed_input(g, "c", IR_DT_BOOL, 3, cd), kh_input(g, "x", 2, xd),
                     kh_input(g, "y2", 1, yd)}, y = kh_tensor(g, "y");
        ir_add_node(g, IR_OP_WHERE, "where", in, 3, &y, 1);
        kh_output(g, y);
        unsigned char c[15];
        for (int i = 0; i < 15; i++)
            c[i] = (unsigned char)((i * 7) % 3 == 0);
        host[in[0]] = c;
        fails += f16_check(rt, g, host, F16_EXACT, 0, "half Where [3,1,5] ? [4,1] : [1]");
        host[in[0]] = NULL;
    }
    const int64_t xe[3] = {3, 1, 5}, se[4] = {2, 3, 4, 5}, xt[3] = {2, 3, 5}, rt3[3] = {2, 1, 3};
    fails += f16_check(rt, build_x_i64(IR_OP_EXPAND, 13, 3, xe, 4, se), host, F16_EXACT, 0,
                       "half Expand [3,1,5] -> [2,3,4,5]");
    fails += f16_check(rt, build_x_i64(IR_OP_TILE, 13, 3, xt, 3, rt3), host, F16_EXACT, 0,
                       "half Tile [2,3,5] x [2,1,3]");
    for (int upper = 0; upper < 2; upper++) {
        const int64_t xd[3] = {2, 5, 7}, kv[1] = {upper ? -1 : 2};
        ir_graph *g = kh_new(14);
        int in[2] = {kh_input(g, "x", 3, xd), ir_add_tensor(g, "k", IR_DT_INT64, 0, NULL)};
        g->tensors[in[1]].data = malloc(sizeof(int64_t));
        memcpy(g->tensors[in[1]].data, kv, sizeof kv);
        int y = kh_tensor(g, "y");
        ir_set_attr_int(g, ir_add_node(g, IR_OP_TRILU, "trilu", in, 2, &y, 1), "upper", upper);
        kh_output(g, y);
        fails += f16_check(rt, g, host, F16_EXACT, 0, upper ? "half Trilu upper k -1 [2,5,7]"
                                                            : "half Trilu lower k 2 [2,5,7]");
    }
    /* ScatterND into [4,5,3] at rows {1, 3, 1} (a duplicate): none, add (float combine) */
    const char *reds[3] = {"none", "add", "max"};
    for (int r = 0; r < 3; r++) {
        ir_graph *g = kh_new(18);
        const int64_t dd[3] = {4, 5, 3}, id[2] = {3, 1}, ud[3] = {3, 5, 3};
        int in[3] = {kh_input(g, "data", 3, dd), add_typed_input(g, "idx", IR_DT_INT64, 2, id),
                     kh_input(g, "upd", 3, ud)}, y = kh_tensor(g, "y");
        ir_set_attr_string(g, ir_add_node(g, IR_OP_SCATTERND, "scatternd", in, 3, &y, 1),
                           "reduction", reds[r]);
        kh_output(g, y);
        int64_t iv[3] = {1, 3, r == 0 ? 2 : -3};
        host[in[1]] = iv;
        char label[64];
        snprintf(label, sizeof label, "half ScatterND reduction %s", reds[r]);
        /* none / max: exact. add: the duplicate row's partial sum is stored half
         * before the second update joins it (two roundings of sums of up to
         * |6|: 2 x 2^-9 at most), the reference sums in float */
        fails += r == 1 ? f16_check(rt, g, host, F16_REL, 0.005, label)
                        : f16_check(rt, g, host, F16_EXACT, 0, label);
        host[in[1]] = NULL;
    }
    const int64_t xd2s[4] = {1, 8, 3, 5}, xs2d[4] = {2, 3, 6, 4};
    fails += f16_check(rt, build_depth_space(IR_OP_DEPTHTOSPACE, xd2s, 2, "DCR"), host, F16_EXACT, 0,
                       "half DepthToSpace DCR [1,8,3,5] b2");
    fails += f16_check(rt, build_depth_space(IR_OP_DEPTHTOSPACE, xd2s, 2, "CRD"), host, F16_EXACT, 0,
                       "half DepthToSpace CRD [1,8,3,5] b2");
    fails += f16_check(rt, build_depth_space(IR_OP_SPACETODEPTH, xs2d, 2, NULL), host, F16_EXACT, 0,
                       "half SpaceToDepth [2,3,6,4] b2");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half select/depth_space case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_concat_split),
        cmocka_unit_test(test_slice_pad),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_movement_half),
        cmocka_unit_test(test_select_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
