/* test_kernels_stem.c — conv_kxk (group 1, square 3/5/7 kernel; first written
 * for network stems) and conv_im2col (the same convs unfolded, then conv_pw;
 * on a CPU plan also its one-launch form conv_pwu, every forced shape run both
 * ways) against the reference Conv at awkward shapes: C_in 1/3/4
 * and 5/17/33 (many channels), spatial 1..17 and rows wide enough for unmasked
 * 8- and 16-pixel tiles (rows up to 8 wide take 8, wider 16), stride 1, 2,
 * mixed and 3 (gather), pads on every edge and
 * asymmetric, output-channel tails, batch 2, fused activations, unfolded
 * inputs deep enough for conv_pw's channel-tiles-first order; plus the
 * automatic choice (>= 8 output channels pick it, fewer keep conv_tiled). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"

#define NOACT IR_OP_COUNT

typedef struct stem_case {
    int n, c, h, w, oc, k, sh, sw, pt, pl, pb, pr, bias;
    ir_op act;
    const char *force, *expect;
} stem_case;

static const stem_case cases[] = {
    /* MobileNetV2's stem, smaller: 3 -> 32, 3x3 stride 2 pads 1, wide rows */
    {1, 3, 33, 67, 32, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, "conv_kxk", "conv_kxk"},
    {1, 3, 17, 17, 5, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, "conv_kxk", "conv_kxk"},
    {2, 1, 13, 7, 3, 5, 1, 1, 2, 2, 2, 2, 0, NOACT, "conv_kxk", "conv_kxk"},
    {1, 4, 7, 37, 17, 7, 2, 2, 3, 0, 1, 3, 1, NOACT, "conv_kxk", "conv_kxk"},
    {1, 3, 1, 1, 8, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_kxk", "conv_kxk"},
    {1, 3, 3, 3, 1, 3, 2, 2, 0, 1, 1, 0, 1, NOACT, "conv_kxk", "conv_kxk"},
    {1, 4, 9, 45, 9, 5, 1, 2, 2, 1, 0, 2, 1, NOACT, "conv_kxk", "conv_kxk"},
    {1, 3, 13, 40, 7, 3, 2, 3, 1, 1, 1, 1, 1, NOACT, "conv_kxk", "conv_kxk"}, /* stride 3: gather */
    {1, 2, 11, 29, 16, 3, 1, 1, 0, 0, 0, 0, 1, NOACT, "conv_kxk", "conv_kxk"},
    {2, 3, 17, 33, 24, 3, 2, 2, 0, 0, 0, 0, 0, NOACT, "conv_kxk", "conv_kxk"},
    /* fused activations through both epilogues (whole tiles and the tail) */
    {1, 3, 13, 35, 32, 3, 2, 2, 1, 1, 1, 1, 1, IR_OP_CLIP, "conv_kxk", "conv_kxk"},
    {1, 3, 7, 13, 8, 3, 1, 1, 1, 1, 1, 1, 1, IR_OP_HARDSWISH, "conv_kxk", "conv_kxk"},
    {1, 1, 9, 17, 5, 5, 2, 2, 2, 2, 2, 2, 1, IR_OP_LEAKYRELU, "conv_kxk", "conv_kxk"},
    {1, 3, 15, 31, 8, 3, 2, 2, 1, 1, 1, 1, 1, IR_OP_SIGMOID, "conv_kxk", "conv_kxk"},
    /* automatic choice */
    {1, 3, 32, 32, 32, 3, 2, 2, 1, 1, 1, 1, 1, IR_OP_CLIP, NULL, "conv_kxk"},
    {1, 3, 17, 17, 5, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, NULL, "conv_tiled"},  /* OC < 8 */
    {1, 3, 9, 29, 17, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},    /* stride 1 */
    {1, 5, 9, 45, 8, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},     /* C_in 5 */
    /* many input channels (ResNet / GoogLeNet 3x3 and 5x5 convs) */
    {1, 17, 13, 29, 24, 3, 1, 1, 1, 1, 1, 1, 1, IR_OP_RELU, NULL, "conv_kxk"},
    {2, 33, 9, 17, 9, 5, 1, 1, 2, 2, 2, 2, 1, NOACT, NULL, "conv_kxk"},
    {1, 16, 15, 15, 16, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    /* the tile width's edges: rows of 8 pixels take float8 tiles, wider ones
     * float16 (8 exactly, 16 exactly, 17 = 16 + 1 at stride 2 with batch 2,
     * a 2x2 plane) */
    {1, 3, 5, 8, 8, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    {1, 3, 5, 16, 9, 3, 1, 1, 1, 1, 1, 1, 1, IR_OP_RELU, NULL, "conv_kxk"},
    {2, 3, 9, 34, 8, 3, 2, 2, 1, 1, 1, 1, 0, NOACT, NULL, "conv_kxk"},
    {1, 2, 2, 2, 8, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    {1, 3, 32, 32, 32, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    /* conv_im2col (im2col + conv_pw over C*K*K channels): the shapes above forced */
    {1, 3, 15, 31, 8, 3, 2, 2, 1, 1, 1, 1, 1, IR_OP_SIGMOID, "conv_im2col", "conv_im2col"},
    {1, 3, 33, 67, 32, 3, 2, 2, 1, 1, 1, 1, 1, NOACT, "conv_im2col", "conv_im2col"},
    {2, 1, 13, 7, 3, 5, 1, 1, 2, 2, 2, 2, 0, NOACT, "conv_im2col", "conv_im2col"},
    {1, 4, 7, 37, 17, 7, 2, 2, 3, 0, 1, 3, 1, NOACT, "conv_im2col", "conv_im2col"},
    {1, 3, 1, 1, 8, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_im2col", "conv_im2col"},   /* 1x1 */
    {1, 3, 2, 2, 9, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_im2col", "conv_im2col"},   /* 2x2 */
    {1, 3, 3, 3, 1, 3, 2, 2, 0, 1, 1, 0, 1, NOACT, "conv_im2col", "conv_im2col"},
    {1, 4, 9, 45, 9, 5, 1, 2, 2, 1, 0, 2, 1, NOACT, "conv_im2col", "conv_im2col"},
    {1, 3, 13, 40, 7, 3, 2, 3, 1, 1, 1, 1, 1, NOACT, "conv_im2col", "conv_im2col"}, /* stride 3 */
    {2, 3, 17, 33, 24, 3, 2, 2, 0, 0, 0, 0, 0, IR_OP_CLIP, "conv_im2col", "conv_im2col"},
    {1, 5, 9, 17, 13, 7, 1, 1, 3, 3, 3, 3, 1, IR_OP_HARDSWISH, "conv_im2col", "conv_im2col"},
    /* deep unfolded input (K = C*k*k >= 256) and OC >= 64: on a CPU conv_pw
     * runs channel tiles first (oc_first); odd plane, OC tail, batch 2 */
    {1, 29, 9, 11, 67, 3, 1, 1, 1, 1, 1, 1, 1, IR_OP_RELU, "conv_im2col", "conv_im2col"},
    {2, 11, 7, 13, 72, 5, 2, 2, 2, 2, 2, 2, 0, NOACT, "conv_im2col", "conv_im2col"},
    /* automatic choice: >= 48 output channels from >= 16 on a plane <= 64 wide
     * ("conv_pwu": its one-launch form where the plan takes it, kh_im2col_form) */
    {1, 16, 14, 14, 48, 3, 1, 1, 1, 1, 1, 1, 1, IR_OP_RELU, NULL, "conv_pwu"},
    {2, 19, 7, 9, 50, 5, 2, 1, 2, 1, 0, 2, 1, NOACT, NULL, "conv_pwu"},
    {1, 16, 9, 65, 48, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},   /* 65 wide */
    {1, 16, 14, 14, 47, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},  /* OC 47 */
    {1, 15, 14, 14, 48, 3, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},  /* C 15 */
};

static ir_graph *build(const stem_case *k)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->oc, k->c, k->k, k->k}, bd[1] = {k->oc};
    int in[3];
    in[0] = kh_input(g, "x", 4, xd);
    /* outputs O(1) so the relative check means something; 4x before an activation
     * so outputs reach its saturation points */
    float s = (k->act == NOACT ? 1.0f : 4.0f) / sqrtf((float)(k->c * k->k * k->k));
    in[1] = kh_const(g, "w", 4, wd, -s, s);
    if (k->bias)
        in[2] = kh_const(g, "b", 1, bd, -0.5f, 0.5f);
    int y = kh_tensor(g, "conv_out");
    int node = ir_add_node(g, IR_OP_CONV, "conv", in, k->bias ? 3 : 2, &y, 1);
    int64_t ks[2] = {k->k, k->k}, st[2] = {k->sh, k->sw}, pads[4] = {k->pt, k->pl, k->pb, k->pr};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, node, "strides", st, 2);
    ir_set_attr_ints(g, node, "pads", pads, 4);
    kh_output_act(g, y, k->act);
    return g;
}

static void test_conv_kxk(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const stem_case *k = &cases[i];
        char label[256];
        snprintf(label, sizeof label,
                 "stem case %zu: N%d C%d %dx%d -> OC%d k%d s%d,%d pads(t%d l%d b%d r%d) bias%d act %s "
                 "force %s",
                 i, k->n, k->c, k->h, k->w, k->oc, k->k, k->sh, k->sw, k->pt, k->pl, k->pb, k->pr,
                 k->bias, k->act == NOACT ? "none" : ir_op_name(k->act), k->force ? k->force : "auto");
        const int64_t ckk = (int64_t)k->c * k->k * k->k;
        const int pwu = strcmp(k->expect, "conv_pwu") == 0;
        fails += kh_check(rt, build(k), k->force, pwu ? kh_im2col_form(rt, ckk) : k->expect, label);
        if (k->act != NOACT) /* the activation must really have been folded */
            fails += kh_check(rt, build(k), k->force, "fused", label);
        if (k->force && strcmp(k->force, "conv_im2col") == 0) { /* the one-launch form too */
            snprintf(label, sizeof label, "stem case %zu forced conv_pwu", i);
            fails += kh_check(rt, build(k), "conv_pwu", kh_im2col_form(rt, ckk), label);
        }
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d conv_kxk / conv_im2col case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_kxk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
