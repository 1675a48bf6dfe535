/* test_kernels_conv.c — every Conv kernel variant (conv_pw incl. stride 2, conv_mv, conv_dwl,
 * conv_dw for 3/5/7, conv_tiled, conv_general, forced general on fast-path shapes) and every fused activation
 * against the reference Conv, at awkward shapes: spatial 1..17, channels 1, 3,
 * 5, 17, stride 2, asymmetric pads, dilation 2, group = C and 1 < group < C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"

typedef struct conv_case {
    int n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dil, group, bias;
    ir_op act;             /* IR_OP_COUNT: none */
    const char *force;     /* variant forced, NULL auto */
    const char *expect;    /* variant the conv must get */
} conv_case;

#define NOACT IR_OP_COUNT

static const conv_case cases[] = {
    /* pointwise tile: tails in both pixels (91) and channels (5), batch 2 */
    {1, 17, 13, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    {2, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, "conv_pw", "conv_pw"},
    /* 1x1 image (an SE block's FCs): matrix-vector, C below / at / past one
     * 16-float vector, channel counts not a multiple of 4, stride 2, batch 2 */
    {2, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, NULL, "conv_mv"},
    {1, 16, 1, 1, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSIGMOID, NULL, "conv_mv"},
    {2, 37, 1, 1, 17, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_mv"},
    {1, 37, 1, 1, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_SIGMOID, "conv_pw", "conv_pw"},
    {1, 5, 17, 3, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    {1, 17, 13, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, "conv_general", "conv_general"},
    /* depthwise: 3/5/7, stride 1/2, pads on every edge and asymmetric, dilation 2 */
    {1, 5, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 17, 13, 17, 17, 3, 3, 2, 2, 0, 1, 1, 0, 1, 17, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 3, 17, 17, 3, 5, 5, 2, 2, 2, 2, 2, 2, 1, 3, 0, NOACT, "conv_dw", "conv_dw"},
    {2, 5, 13, 13, 5, 7, 7, 1, 1, 6, 6, 6, 6, 2, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 5, 13, 7, 5, 3, 3, 1, 2, 2, 2, 2, 2, 2, 5, 1, NOACT, "conv_general", "conv_general"},
    /* depthwise rows wide enough for whole 8-pixel tiles inside the image (the
     * unmasked path) next to edge tiles; stride 1 x 2 */
    {1, 3, 13, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 5, 17, 53, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 3, 11, 41, 3, 5, 5, 1, 1, 4, 4, 4, 4, 2, 3, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 5, 13, 43, 5, 7, 7, 1, 2, 3, 0, 3, 5, 1, 5, 0, NOACT, "conv_dw", "conv_dw"},
    /* tiled: stem conv (channel tail 5 = 4 + 1), K 5 and 7, dilation, 1x1 input,
     * 1 < group < C with tiles inside a group */
    {1, 3, 17, 17, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_tiled"},
    {1, 1, 13, 7, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, NOACT, NULL, "conv_tiled"},
    {1, 3, 17, 17, 5, 7, 7, 2, 2, 3, 2, 3, 4, 2, 1, 0, NOACT, NULL, "conv_tiled"},
    {1, 5, 1, 1, 3, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, NOACT, NULL, "conv_tiled"},
    {2, 6, 13, 7, 8, 3, 3, 2, 1, 1, 0, 2, 1, 1, 2, 1, NOACT, NULL, "conv_tiled"},
    {1, 17, 7, 13, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_general", "conv_general"},
    /* rows wide enough for whole 8-pixel tiles inside the image (unmasked path) */
    {1, 3, 9, 29, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    {1, 3, 9, 29, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    {1, 5, 9, 45, 8, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    {1, 5, 9, 45, 8, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    {1, 4, 7, 37, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 0, NOACT, NULL, "conv_tiled"},
    /* 1x1 stride 2 (ResNet projection): pointwise on the subsampled input */
    {1, 17, 13, 13, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    /* strided pointwise = pw_subsample + conv_pw: batch 2 odd sizes, stride 3,
     * an output row wider than a 16-pixel tile */
    {2, 5, 9, 11, 7, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_pw"},
    {1, 3, 10, 13, 9, 1, 1, 3, 3, 0, 0, 0, 0, 1, 1, 0, NOACT, NULL, "conv_pw"},
    {1, 6, 12, 40, 17, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    {1, 17, 13, 13, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    /* general: group tiles would straddle groups (C/G out channels not a multiple of 4) */
    {1, 6, 13, 7, 9, 3, 3, 1, 1, 1, 0, 2, 1, 1, 3, 1, NOACT, NULL, "conv_general"},
    {1, 3, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_general"},
    {1, 5, 7, 7, 5, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, NOACT, "conv_general", "conv_general"},
    /* fused activations, one per variant at least */
    {1, 17, 7, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_pw"},
    {1, 5, 13, 13, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 5, 1, IR_OP_CLIP, "conv_dw", "conv_dw"},
    {1, 3, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, IR_OP_LEAKYRELU, NULL, "conv_tiled"},
    {1, 6, 7, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, IR_OP_RELU, NULL, "conv_general"},
    {1, 5, 7, 7, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSIGMOID, NULL, "conv_pw"},
    {1, 5, 7, 7, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 5, 1, IR_OP_HARDSWISH, "conv_dw", "conv_dw"},
    {1, 3, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, IR_OP_SIGMOID, NULL, "conv_tiled"},
    /* conv_dw's vector epilogue (whole 8-pixel tiles, one per activation kind) and
     * its masked-vector edge tiles (many channels: reads stay inside the buffer) */
    {1, 7, 5, 19, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 1, IR_OP_LEAKYRELU, "conv_dw", "conv_dw"},
    {2, 5, 3, 17, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, IR_OP_HARDSWISH, "conv_dw", "conv_dw"},
    {1, 3, 4, 16, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 0, IR_OP_SIGMOID, "conv_dw", "conv_dw"},
    {1, 6, 7, 33, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 6, 1, IR_OP_HARDSIGMOID, "conv_dw", "conv_dw"},
    {1, 13, 13, 13, 13, 5, 5, 2, 2, 2, 2, 2, 2, 1, 13, 1, IR_OP_CLIP, "conv_dw", "conv_dw"},
    {1, 17, 17, 17, 17, 3, 3, 1, 1, 0, 1, 2, 1, 2, 17, 1, IR_OP_RELU, "conv_dw", "conv_dw"},
    /* conv_dwl (padded plane in local memory), chosen by itself where its tile
     * fits: OW 13 / 9 (a float16 chunk, partial), 37 = 16 + 16 + 5 and 33 (a
     * last float8 chunk, partial), 27 = 16 + 11, 16 and 8 exactly (whole
     * chunks, vector epilogue), stride 2, pads on every edge and asymmetric,
     * dilation 2, kernels 3/5/7, batch 2, channels 1/3/5/17, every activation */
    {1, 5, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, NOACT, NULL, "conv_dwl"},
    {1, 17, 13, 17, 17, 3, 3, 2, 2, 0, 1, 1, 0, 1, 17, 1, NOACT, NULL, "conv_dwl"},
    {1, 3, 17, 17, 3, 5, 5, 2, 2, 2, 2, 2, 2, 1, 3, 0, NOACT, NULL, "conv_dwl"},
    {2, 5, 13, 13, 5, 7, 7, 1, 1, 6, 6, 6, 6, 2, 5, 1, NOACT, NULL, "conv_dwl"},
    {1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_dwl"},
    {1, 3, 13, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_dwl"},
    {1, 5, 17, 53, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 5, 1, NOACT, NULL, "conv_dwl"},
    {1, 3, 11, 41, 3, 5, 5, 1, 1, 4, 4, 4, 4, 2, 3, 1, NOACT, NULL, "conv_dwl"},
    {1, 7, 5, 16, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 1, IR_OP_LEAKYRELU, NULL, "conv_dwl"},
    {2, 5, 3, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, IR_OP_HARDSWISH, NULL, "conv_dwl"},
    {1, 3, 4, 13, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 0, IR_OP_SIGMOID, NULL, "conv_dwl"},
    {1, 6, 7, 33, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 6, 1, IR_OP_HARDSIGMOID, NULL, "conv_dwl"},
    {1, 13, 13, 13, 13, 5, 5, 2, 2, 2, 2, 2, 2, 1, 13, 1, IR_OP_CLIP, NULL, "conv_dwl"},
    {1, 17, 17, 17, 17, 3, 3, 1, 1, 0, 1, 2, 1, 2, 17, 1, IR_OP_RELU, NULL, "conv_dwl"},
    /* stride 1 x 2, or a plane too big for its tile: conv_dw by itself */
    {1, 5, 13, 43, 5, 7, 7, 1, 2, 3, 0, 3, 5, 1, 5, 0, NOACT, NULL, "conv_dw"},
    {1, 2, 130, 130, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1, NOACT, NULL, "conv_dw"},
    /* a 45 KiB tile: conv_dwl where the device has >= 90 KiB of local memory
     * (POCL), conv_dw on a GPU's 48 KiB; either way against the reference */
    {1, 3, 100, 101, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, IR_OP_RELU, NULL, NULL},
    {1, 3, 111, 113, 3, 3, 3, 2, 2, 0, 1, 1, 0, 1, 3, 1, NOACT, NULL, NULL},
    /* Issue 14, reads past the input buffer (the graph input is allocated
     * exactly; Oclgrind flags any read past it, POCL does not). conv_pw on
     * planes smaller than its 16-pixel tile, at the last image: 1x1, 2x2, 3x3,
     * and a 3x3 output behind pw_subsample's exact copy. */
    {1, 5, 2, 2, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, "conv_pw", "conv_pw"},
    {2, 7, 3, 3, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, "conv_pw", "conv_pw"},
    {1, 2, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, "conv_pw", "conv_pw"},
    {1, 6, 5, 5, 7, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    /* conv_dw stride 2 whose last tile ends exactly at the row's end (the
     * vload16 behind .even reads one float further) in the buffer's last row:
     * W 17 no pads (one tile, iw0 0), W 32 pads 1 (second tile, iw0 15) */
    {1, 3, 3, 17, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 3, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 2, 5, 32, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2, 1, IR_OP_RELU, "conv_dw", "conv_dw"},
    /* horizontal stride 3: the lane-by-lane gather path everywhere */
    {1, 5, 9, 40, 5, 3, 3, 1, 3, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 3, 7, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, "conv_dw", "conv_dw"},
};

static ir_graph *build(const conv_case *k)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->oc, k->c / k->group, k->kh, k->kw};
    int64_t bd[1] = {k->oc};
    int in[3];
    in[0] = kh_input(g, "x", 4, xd);
    /* weights scaled so outputs stay O(1) and the relative check is meaningful;
     * 4x larger before an activation so outputs reach its saturation points (+-3) */
    float s = (k->act == NOACT ? 1.0f : 4.0f) / sqrtf((float)(wd[1] * k->kh * k->kw));
    in[1] = kh_const(g, "w", 4, wd, -s, s);
    if (k->bias)
        in[2] = kh_const(g, "b", 1, bd, -0.5f, 0.5f);
    int y = kh_tensor(g, "conv_out");
    int node = ir_add_node(g, IR_OP_CONV, "conv", in, k->bias ? 3 : 2, &y, 1);
    int64_t ks[2] = {k->kh, k->kw}, st[2] = {k->sh, k->sw}, dl[2] = {k->dil, k->dil};
    int64_t pads[4] = {k->pt, k->pl, k->pb, k->pr};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, node, "strides", st, 2);
    ir_set_attr_ints(g, node, "dilations", dl, 2);
    ir_set_attr_ints(g, node, "pads", pads, 4);
    ir_set_attr_int(g, node, "group", k->group);
    kh_output_act(g, y, k->act);
    return g;
}

static void test_conv_variants(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const conv_case *k = &cases[i];
        char label[256];
        snprintf(label, sizeof label,
                 "conv case %zu: N%d C%d %dx%d -> OC%d k%dx%d s%d,%d pads(t%d l%d b%d r%d) dil%d "
                 "group%d bias%d act %s force %s",
                 i, k->n, k->c, k->h, k->w, k->oc, k->kh, k->kw, k->sh, k->sw, k->pt, k->pl, k->pb,
                 k->pr, k->dil, k->group, k->bias, k->act == NOACT ? "none" : ir_op_name(k->act),
                 k->force ? k->force : "auto");
        fails += kh_check(rt, build(k), k->force, k->expect, label);
        if (k->act != NOACT) /* the activation must really have been folded */
            fails += kh_check(rt, build(k), k->force, "fused", label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d conv case(s) failed", fails);
}

/* Swish: y = c * Sigmoid(c), c = Conv(x): one launch (Sigmoid and Mul fused),
 * with the Mul's operands in either order; a second reader of c blocks it.
 * Order 3: HardSwish spelled c * HardSigmoid(c; 1/6, 1/2), also one launch. */
static void test_silu_fusion(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (int order = 0; order < 4; order++) {
        ir_graph *g = kh_new(18);
        int64_t xd[4] = {1, 5, 7, 13}, wd[4] = {17, 5, 3, 3}, bd[1] = {17};
        /* weights up to 1: outputs reach past +-3, where HardSigmoid saturates */
        int in[3] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -1.0f, 1.0f),
                     kh_const(g, "b", 1, bd, -0.5f, 0.5f)};
        int c = kh_tensor(g, "c"), s = kh_tensor(g, "s"), y = kh_tensor(g, "y");
        int n = ir_add_node(g, IR_OP_CONV, "conv", in, 3, &c, 1);
        int64_t pads[4] = {1, 1, 1, 1};
        ir_set_attr_ints(g, n, "pads", pads, 4);
        int sn = ir_add_node(g, order == 3 ? IR_OP_HARDSIGMOID : IR_OP_SIGMOID, "sig", &c, 1, &s, 1);
        if (order == 3) {
            ir_set_attr_float(g, sn, "alpha", 1.0f / 6.0f);
            ir_set_attr_float(g, sn, "beta", 0.5f);
        }
        int min[2] = {order == 1 ? s : c, order == 1 ? c : s};
        ir_add_node(g, IR_OP_MUL, "mul", min, 2, &y, 1);
        kh_output(g, y);
        if (order == 2) /* c also a graph output: must not fuse */
            kh_output(g, c);
        char label[64];
        snprintf(label, sizeof label, "conv+%s+mul order %d", order == 3 ? "hardsigmoid" : "sigmoid", order);
        fails += kh_check_k(rt, g, NULL, order == 2 ? "unary" : "fused", order == 2 ? 3 : 1, label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d SiLU case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_variants),
        cmocka_unit_test(test_silu_fusion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
