/* test_fusion.c — the fused groups (host/passes/fuse_*.c) as the plan runs them, on small awkward graphs:
 * each graph runs fused (launch count asserted) and against the reference
 * executor, and keep_intermediates shows the unfused launch count. Residual
 * Add into every Conv variant's epilogue; SE gate Mul into the pointwise
 * Conv's input read; depthwise -> pointwise as one conv_dwpw launch; cases
 * that must not fuse; pointwise weights packed only where one Conv owns them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_kernels_harness.h"

/* Adds Conv(x; k x k, stride s, pads p, group) with bias; returns its output. */
static int add_conv(ir_graph *g, const char *name, int x, int c, int oc, int k, int s, int p,
                    int group)
{
    char nm[64];
    int64_t wd[4] = {oc, c / group, k, k}, bd[1] = {oc};
    snprintf(nm, sizeof nm, "%s.w", name);
    int w = kh_const(g, nm, 4, wd, -0.4f, 0.4f);
    snprintf(nm, sizeof nm, "%s.b", name);
    int b = kh_const(g, nm, 1, bd, -0.3f, 0.3f);
    int in[3] = {x, w, b};
    int y = kh_tensor(g, name);
    int n = ir_add_node(g, IR_OP_CONV, name, in, 3, &y, 1);
    int64_t ks[2] = {k, k}, st[2] = {s, s}, pd[4] = {p, p, p, p};
    ir_set_attr_ints(g, n, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, n, "strides", st, 2);
    ir_set_attr_ints(g, n, "pads", pd, 4);
    ir_set_attr_int(g, n, "group", group);
    return y;
}

static int add_op(ir_graph *g, ir_op op, const char *name, int a, int b)
{
    int in[2] = {a, b}, y = kh_tensor(g, name);
    ir_add_node(g, op, name, in, b >= 0 ? 2 : 1, &y, 1);
    return y;
}

/* What a depthwise Conv on a small stride-1 plane runs by itself: conv_dwc
 * on a CPU-shaped plan (its weights packed), conv_dwf on a GPU-shaped one. */
static const char *dw_alone(const rt_ctx *rt)
{
    return rt_plan_device(rt)->gpu_shaped ? "conv_dwf" : "conv_dwc";
}

typedef struct res_case {
    int n, c, h, w, oc, k, s, p, group, relu, swap;
    const char *force, *expect;
} res_case;

/* y = [Relu](Conv(x) + r): one launch whatever the variant, r a second input
 * shaped like the conv output (operand order swapped by .swap). */
static ir_graph *residual_graph(const res_case *rc)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {rc->n, rc->c, rc->h, rc->w};
    int x = kh_input(g, "x", 4, xd);
    int64_t oh = (rc->h + 2 * rc->p - rc->k) / rc->s + 1, ow = (rc->w + 2 * rc->p - rc->k) / rc->s + 1;
    int64_t rd[4] = {rc->n, rc->oc, oh, ow};
    int r = kh_input(g, "r", 4, rd);
    int t = add_conv(g, "conv", x, rc->c, rc->oc, rc->k, rc->s, rc->p, rc->group);
    int y = rc->swap ? add_op(g, IR_OP_ADD, "add", r, t) : add_op(g, IR_OP_ADD, "add", t, r);
    if (rc->relu)
        y = add_op(g, IR_OP_RELU, "relu", y, -1);
    kh_output(g, y);
    return g;
}

static void test_residual_every_variant(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const res_case cases[] = {
        {1, 17, 13, 7, 5, 1, 1, 0, 1, 0, 0, NULL, "conv_pw"},       /* pixel + channel tails */
        {2, 5, 7, 3, 17, 1, 1, 0, 1, 1, 1, NULL, "conv_pw"},        /* batch 2, swapped */
        {1, 17, 13, 13, 5, 1, 2, 0, 1, 1, 0, NULL, "conv_pw"},      /* stride 2 */
        {1, 5, 13, 17, 5, 3, 1, 1, 5, 1, 0, "conv_dwl", "conv_dwl"},  /* pads on every edge */
        {1, 3, 17, 37, 3, 5, 2, 2, 3, 0, 1, "conv_dwl", "conv_dwl"},  /* stride 2, partial chunk */
        {1, 5, 9, 13, 5, 3, 1, 1, 5, 1, 0, "conv_dwf", "conv_dwf"},   /* small stride-1 plane */
        {1, 5, 13, 17, 5, 3, 1, 1, 5, 1, 0, "conv_dwc", "conv_dwc"},  /* pads on every edge */
        {2, 17, 17, 37, 17, 5, 2, 2, 17, 0, 1, "conv_dwc", "conv_dwc"}, /* 2 blocks, batch 2 */
        {2, 3, 6, 6, 3, 5, 1, 2, 3, 0, 1, "conv_dwf", "conv_dwf"},  /* 5x5, batch 2, swapped */
        {1, 5, 13, 17, 5, 3, 1, 1, 5, 1, 0, "conv_dw", "conv_dw"},  /* pads on every edge */
        {1, 3, 17, 37, 3, 5, 2, 2, 3, 0, 1, "conv_dw", "conv_dw"},  /* stride 2, inner tiles */
        {1, 3, 17, 17, 5, 3, 2, 1, 1, 1, 0, NULL, "conv_tiled"},    /* channel tail 5 */
        {2, 3, 9, 29, 17, 3, 1, 1, 1, 0, 0, NULL, "conv_kxk"},
        {2, 3, 9, 29, 17, 3, 1, 1, 1, 0, 0, "conv_tiled", "conv_tiled"},
        {2, 17, 9, 13, 50, 3, 1, 1, 1, 1, 0, NULL, "conv_pwu"},     /* kh_im2col_form */
        {2, 17, 9, 13, 50, 3, 1, 1, 1, 1, 0, "conv_im2col", "conv_im2col"}, /* unfold, conv_pw */
        {1, 3, 7, 5, 9, 5, 2, 2, 1, 1, 1, "conv_im2col", "conv_im2col"},
        {1, 6, 13, 7, 9, 3, 1, 1, 3, 1, 1, NULL, "conv_general"},   /* 1 < group < C */
        {1, 7, 3, 1, 3, 1, 1, 0, 1, 1, 0, "conv_general", "conv_general"},
        {2, 19, 1, 1, 7, 1, 1, 0, 1, 1, 1, NULL, "conv_mv"},         /* 1x1 image */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char label[64];
        const char *expect = strcmp(cases[i].expect, "conv_pwu") == 0
                                 ? kh_im2col_form(rt, (int64_t)cases[i].c * cases[i].k * cases[i].k)
                                 : cases[i].expect;
        snprintf(label, sizeof label, "residual case %zu (%s)", i, expect);
        assert_int_equal(kh_unfused_launches(rt, residual_graph(&cases[i])) >= 2, 1);
        /* a strided conv_pw copies the pixels it reads first (pw_subsample), and
         * conv_im2col unfolds its input first: two (conv_pwu unfolds in its
         * own work-groups: one) */
        const int want = (strcmp(expect, "conv_pw") == 0 && cases[i].s > 1) ||
                                 strcmp(expect, "conv_im2col") == 0
                             ? 2
                             : 1;
        assert_int_equal(kh_check_k(rt, residual_graph(&cases[i]), cases[i].force, expect, want,
                                    label), 0);
    }
    rt_destroy(rt);
}

/* MobileNetV2 block: x -> pw expand (Relu) -> dw (Relu) -> pw project; y = x + project;
 * then a second block reads y (y has two readers: its Add and the next conv). */
static void test_residual_inverted_blocks(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        ir_graph *g = kh_new(13);
        int64_t xd[4] = {1, 5, 13, 11};
        int x = kh_input(g, "x", 4, xd);
        for (int b = 0; b < 2; b++) {
            char nm[32];
            snprintf(nm, sizeof nm, "b%d.exp", b);
            int e = add_op(g, IR_OP_RELU, "", add_conv(g, nm, x, 5, 18, 1, 1, 0, 1), -1);
            snprintf(nm, sizeof nm, "b%d.dw", b);
            int d = add_op(g, IR_OP_RELU, "", add_conv(g, nm, e, 18, 18, 3, 1, 1, 18), -1);
            snprintf(nm, sizeof nm, "b%d.proj", b);
            x = add_op(g, IR_OP_ADD, "", x, add_conv(g, nm, d, 18, 5, 1, 1, 0, 1));
        }
        kh_output(g, x);
        if (pass == 0) /* 6 convs, 4 relus, 2 adds; fused: expand, dw+project (+add) x 2 */
            assert_int_equal(kh_unfused_launches(rt, g), 12);
        else
            assert_int_equal(kh_check_k(rt, g, NULL, "conv_dwpw_flat", 4,
                                        "two inverted residual blocks"), 0);
    }
    /* the separable fusion forced away: dw and project stay two launches, the
     * residual still in the projection's epilogue */
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {2, 5, 9, 19};
    int x = kh_input(g, "x", 4, xd);
    int e = add_op(g, IR_OP_RELU, "", add_conv(g, "exp", x, 5, 18, 1, 1, 0, 1), -1);
    int d = add_op(g, IR_OP_RELU, "", add_conv(g, "dw", e, 18, 18, 3, 1, 1, 18), -1);
    kh_output(g, add_op(g, IR_OP_ADD, "", x, add_conv(g, "proj", d, 18, 5, 1, 1, 0, 1)));
    assert_int_equal(kh_check_k(rt, g, "conv_dw", "conv_dw", 3, "inverted block, dwpw forced away"), 0);
    rt_destroy(rt);
}

/* Cases that must not fuse the Add, yet stay correct. */
static void test_residual_refused(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int64_t xd[4] = {1, 3, 7, 5};
    /* Relu before the Add: relu(conv) + x is not relu(conv + x): conv+relu, add */
    ir_graph *g = kh_new(13);
    int x = kh_input(g, "x", 4, xd);
    int t = add_op(g, IR_OP_RELU, "relu", add_conv(g, "conv", x, 3, 3, 3, 1, 1, 1), -1);
    kh_output(g, add_op(g, IR_OP_ADD, "add", t, x));
    assert_int_equal(kh_check_k(rt, g, NULL, NULL, 2, "relu before add"), 0);
    /* the conv output also a graph output: it must stay readable */
    g = kh_new(13);
    x = kh_input(g, "x", 4, xd);
    t = add_conv(g, "conv", x, 3, 3, 3, 1, 1, 1);
    kh_output(g, add_op(g, IR_OP_ADD, "add", t, x));
    kh_output(g, t);
    assert_int_equal(kh_check_k(rt, g, NULL, NULL, 2, "conv output is a graph output"), 0);
    /* the conv output read twice (Sigmoid and Add): the Add stays separate */
    g = kh_new(13);
    x = kh_input(g, "x", 4, xd);
    t = add_conv(g, "conv", x, 3, 3, 3, 1, 1, 1);
    int s = add_op(g, IR_OP_SIGMOID, "sig", t, -1);
    kh_output(g, add_op(g, IR_OP_ADD, "add", s, t));
    assert_int_equal(kh_check_k(rt, g, NULL, NULL, 3, "conv output read twice"), 0);
    /* the other operand is written by a node after the conv (ir_toposort keeps
     * file order): not ready when the conv runs, so no fusion; with the Sigmoid
     * first the same Add fuses */
    for (int sig_first = 0; sig_first < 2; sig_first++) {
        g = kh_new(13);
        x = kh_input(g, "x", 4, xd);
        s = sig_first ? add_op(g, IR_OP_SIGMOID, "sig", x, -1) : -1;
        t = add_conv(g, "conv", x, 3, 3, 3, 1, 1, 1);
        if (!sig_first)
            s = add_op(g, IR_OP_SIGMOID, "sig", x, -1);
        kh_output(g, add_op(g, IR_OP_ADD, "add", t, s));
        assert_int_equal(kh_check_k(rt, g, NULL, NULL, sig_first ? 2 : 3,
                                    sig_first ? "operand ready" : "operand not ready"), 0);
    }
    /* broadcast operand (N,C,1,1): not a residual */
    g = kh_new(13);
    x = kh_input(g, "x", 4, xd);
    int64_t bd[4] = {1, 3, 1, 1};
    int bc = kh_input(g, "bc", 4, bd);
    kh_output(g, add_op(g, IR_OP_ADD, "add", add_conv(g, "conv", x, 3, 3, 3, 1, 1, 1), bc));
    assert_int_equal(kh_check_k(rt, g, NULL, NULL, 2, "broadcast operand"), 0);
    rt_destroy(rt);
}

typedef struct sep_case {
    int n, c, h, w, oc, k, s, p, dil, dw_act, pw_relu, res, fused;
    int pw_stride, dw_out_too; /* near misses: stride-2 projection, dw output also a graph output */
} sep_case;

/* x -> depthwise k x k (stride s, pads p, dilation) [-> Relu | Clip(0, 0.5)] ->
 * pointwise 1x1 (stride pw_stride) [+ r] [-> Relu]. */
static ir_graph *sep_graph(const sep_case *sc)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {sc->n, sc->c, sc->h, sc->w};
    int x = kh_input(g, "x", 4, xd);
    int d = add_conv(g, "dw", x, sc->c, sc->c, sc->k, sc->s, sc->p, sc->c);
    int64_t dl[2] = {sc->dil, sc->dil};
    ir_set_attr_ints(g, g->n_nodes - 1, "dilations", dl, 2); /* the dw node, just added */
    if (sc->dw_act == 1)
        d = add_op(g, IR_OP_RELU, "dwrelu", d, -1);
    if (sc->dw_act == 2) {
        int64_t sd[1] = {1};
        int in[3] = {d, kh_const(g, "lo", 0, sd, 0.0f, 0.0f), kh_const(g, "hi", 0, sd, 0.5f, 0.5f)};
        int y = kh_tensor(g, "dwclip");
        ir_add_node(g, IR_OP_CLIP, "dwclip", in, 3, &y, 1);
        d = y;
    }
    if (sc->dw_out_too)
        kh_output(g, d);
    int y = add_conv(g, "pw", d, sc->c, sc->oc, 1, sc->pw_stride, 0, 1);
    if (sc->res) {
        const int64_t ext = sc->dil * (sc->k - 1) + 1;
        const int64_t oh = ((sc->h + 2 * sc->p - ext) / sc->s) / sc->pw_stride + 1;
        const int64_t ow = ((sc->w + 2 * sc->p - ext) / sc->s) / sc->pw_stride + 1;
        int64_t rd[4] = {sc->n, sc->oc, oh, ow};
        y = add_op(g, IR_OP_ADD, "add", y, kh_input(g, "r", 4, rd));
    }
    if (sc->pw_relu)
        y = add_op(g, IR_OP_RELU, "pwrelu", y, -1);
    kh_output(g, y);
    return g;
}

/* Separable fusion (conv_dwpw): launches unfused vs fused, outputs vs the
 * reference, at awkward shapes; and the cases it must refuse. */
static void test_separable(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const sep_case cases[] = {
        /* n  c   h   w  oc  k  s  p dil act relu res fused */
        {1, 5, 13, 11, 7, 3, 1, 1, 1, 1, 0, 0, 1, 1, 0},  /* row tail (11 = 8 + 3), dw Relu */
        {2, 17, 17, 13, 5, 3, 2, 1, 1, 2, 1, 1, 1, 1, 0}, /* batch 2, stride 2, Clip, res + Relu */
        {1, 3, 7, 37, 17, 5, 1, 2, 1, 0, 0, 0, 1, 1, 0},  /* 5x5, whole tiles inside, OC tail */
        {1, 6, 9, 40, 3, 3, 2, 1, 1, 1, 0, 1, 1, 1, 0},   /* stride 2 whole tiles (OW 20), res */
        {1, 13, 1, 1, 9, 3, 1, 1, 1, 1, 1, 0, 1, 1, 0},   /* 1x1 image: only padding around */
        {2, 5, 13, 13, 5, 7, 1, 3, 1, 2, 0, 1, 1, 1, 0},  /* 7x7 */
        {1, 7, 13, 29, 11, 3, 1, 2, 2, 1, 0, 0, 1, 1, 0}, /* dilation 2 */
        {1, 1, 3, 3, 1, 3, 1, 0, 1, 0, 0, 0, 1, 1, 0},    /* one channel, no pads */
        /* stride 2, the last tile ending at the row's end in the buffer's last
         * row (issue 14: .even's vload reads one float past it): 8-pixel
         * tiles (OW 8), 16-pixel tiles (OW 32, second tile) */
        {1, 3, 3, 17, 5, 3, 2, 0, 1, 0, 0, 0, 1, 1, 0},
        {1, 3, 3, 64, 5, 3, 2, 1, 1, 1, 0, 0, 1, 1, 0},
        /* depthwise outputs of 56x56 or more: fused on GPU-shaped plans,
         * declined on a CPU (fused 2), whose conv_dwl + conv_pw run them
         * faster; a stride-2 one from 57x60 writes 29x30: fused everywhere */
        {1, 3, 56, 56, 5, 3, 1, 1, 1, 1, 0, 1, 2, 1, 0},  /* flat-shaped, res */
        {1, 2, 113, 112, 3, 3, 2, 1, 1, 2, 1, 0, 2, 1, 0}, /* stride 2 -> 57x56 */
        {1, 4, 57, 60, 6, 3, 2, 1, 1, 2, 1, 0, 1, 1, 0},  /* stride 2 -> 29x30 */
        /* stride 2 onto rows of 8 or fewer before a wide pointwise Conv (C x OC
         * >= 2^17): declined on a CPU too (narrow_wide_pair); one channel
         * fewer (2^17 - 256) fused everywhere, as a narrow pair with few
         * channels (case 1) is */
        {1, 256, 6, 6, 512, 3, 2, 1, 1, 2, 0, 0, 2, 1, 0}, /* -> 3x3 */
        {1, 256, 6, 6, 511, 3, 2, 1, 1, 2, 0, 0, 1, 1, 0},
        {1, 5, 13, 11, 7, 3, 1, 1, 1, 1, 0, 0, 0, 2, 0},  /* stride-2 projection: refused */
        {1, 5, 13, 11, 7, 3, 1, 1, 1, 1, 0, 0, 0, 1, 1},  /* dw output also an output: refused */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sep_case *sc = &cases[i];
        char label[64];
        snprintf(label, sizeof label, "separable case %zu", i);
        /* unfused: dw, its activation, pw (after its pw_subsample when strided),
         * the Add, the Relu */
        const int sub = sc->pw_stride > 1;
        const int unfused = 2 + sub + (sc->dw_act != 0) + sc->res + sc->pw_relu;
        assert_int_equal(kh_unfused_launches(rt, sep_graph(sc)), unfused);
        /* fused: flat tiles where the depthwise keeps the plane's size at stride
         * 1, else row tiles, which are also forced on the flat ones; refused: the
         * 13x11 depthwise runs by itself (dw_alone: stride 1, small) */
        const int flat = sc->s == 1 && 2 * sc->p == sc->dil * (sc->k - 1);
        const int fused = sc->fused == 1 || (sc->fused == 2 && rt_plan_device(rt)->gpu_shaped);
        /* declined (planes of 56x56 or more, narrow wide pairs): conv_dwl, or
         * conv_dw where the device's local memory cannot hold conv_dwl's tile
         * (Oclgrind); the launch count tells it from the fused launch */
        const char *alone = sc->fused == 2 ? NULL : dw_alone(rt);
        assert_int_equal(kh_check_k(rt, sep_graph(sc), NULL,
                                    !fused ? alone : flat ? "conv_dwpw_flat" : "conv_dwpw",
                                    fused ? 1 : 2 + sub, label), 0);
        if (sc->fused && flat) /* forced row tiles (declined pairs too: forcing fuses them) */
            assert_int_equal(kh_check_k(rt, sep_graph(sc), "conv_dwpw", "conv_dwpw", 1, label), 0);
    }
    /* the declined narrow wide pair's depthwise runs conv_dwl on a CPU, not
     * conv_dwc (whose first-launch compile the MobileNetV1s would pay for it) */
    static const sep_case wide = {1, 256, 6, 6, 512, 3, 2, 1, 1, 2, 0, 0, 2, 1, 0};
    if (!rt_plan_device(rt)->gpu_shaped)
        assert_int_equal(kh_check_k(rt, sep_graph(&wide), NULL, "conv_dwl", 2, "narrow wide pair"), 0);
    rt_destroy(rt);
}

typedef struct se_case {
    int n, c, h, w, oc, k, s, swap, want_fused; /* k x k projection, stride s */
    const char *force;
} se_case;

/* X -> GlobalAveragePool -> 1x1 conv (Relu) -> 1x1 conv -> HardSigmoid = S;
 * Y = Conv(Mul(X, S)): the SE block as MobileNetV3 writes it. */
static ir_graph *se_graph(const se_case *sc)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {sc->n, sc->c, sc->h, sc->w};
    int x = kh_input(g, "x", 4, xd);
    int gp = add_op(g, IR_OP_GLOBALAVGPOOL, "gp", x, -1);
    int f1 = add_op(g, IR_OP_RELU, "f1r", add_conv(g, "fc1", gp, sc->c, 3, 1, 1, 0, 1), -1);
    int s = add_op(g, IR_OP_HARDSIGMOID, "hsig", add_conv(g, "fc2", f1, 3, sc->c, 1, 1, 0, 1), -1);
    int m = sc->swap ? add_op(g, IR_OP_MUL, "mul", s, x) : add_op(g, IR_OP_MUL, "mul", x, s);
    kh_output(g, add_conv(g, "proj", m, sc->c, sc->oc, sc->k, sc->s, sc->k / 2, 1));
    return g;
}

static void test_se_gate(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    /* unfused: pool, fc1, relu, fc2, hsig, mul, proj = 7; the activations fold
     * into fc1/fc2, which run as one se_fc launch (4 launches), and the Mul
     * into proj (3); a strided pointwise proj adds its pw_subsample. A forced
     * variant keeps fc1 and fc2 apart (se_fc forced away): one more. */
    static const se_case cases[] = {
        {1, 17, 13, 7, 5, 1, 1, 0, 1, NULL},   /* pixel and channel tails */
        {2, 5, 7, 13, 17, 1, 1, 1, 1, NULL},   /* batch 2: gate per image; Mul(S, X) */
        {2, 7, 13, 13, 3, 1, 2, 0, 1, NULL},   /* stride-2 projection */
        {1, 9, 7, 7, 11, 1, 1, 0, 1, NULL},    /* 49 = 3 x 16 + 1: the last pixel alone */
        {2, 6, 14, 14, 5, 1, 1, 1, 1, NULL},   /* 196 = 12 x 16 + 4 */
        {1, 5, 7, 7, 3, 3, 1, 0, 0, NULL},     /* 3x3 projection: not pointwise, Mul stays */
        {1, 5, 7, 7, 3, 1, 1, 0, 0, "conv_general"}, /* conv_pw forced away: Mul stays */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "se case %zu", i);
        const int sub = cases[i].k == 1 && cases[i].s > 1 && !cases[i].force;
        assert_int_equal(kh_unfused_launches(rt, se_graph(&cases[i])), 7 + sub);
        assert_int_equal(kh_check_k(rt, se_graph(&cases[i]), cases[i].force,
                                    cases[i].want_fused ? "conv_pw" : NULL,
                                    (cases[i].want_fused ? 3 : 4) + sub + !!cases[i].force, label),
                         0);
    }
    /* the Mul's output also read elsewhere (a graph output): not fused */
    se_case sc = {1, 5, 7, 7, 3, 1, 1, 0, 0, NULL};
    ir_graph *g = se_graph(&sc);
    kh_output(g, g->nodes[5].out[0]);
    assert_int_equal(kh_check_k(rt, g, NULL, NULL, 4, "se mul output read twice"), 0);
    rt_destroy(rt);
}

/* An SE block behind a depthwise Conv: x -> depthwise (+Relu) -> X; S =
 * HardSigmoid(fc2(Relu(fc1(GlobalAveragePool(X))))); Mul(X, S) -> 1x1 proj.
 * On a CPU-shaped plan conv_dwc writes X and the pool's means in one launch
 * (dw, fc1 + fc2 as se_fc, gated proj: 3); a GPU-shaped plan pools on its own (4).
 * Channel blocks past one and part-filled, 7x7 planes (part output chunks),
 * stride 2, 5x5 taps, batch 2; the output against the reference. Tiles stay
 * within 16 KiB: a whole plane in one tile on every device here (Oclgrind's
 * and the mobile profile's local memory included); banded planes keep the pool. */
typedef struct sq_case {
    int n, c, h, w, k, s;
} sq_case;

static ir_graph *sq_graph(const sq_case *q)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {q->n, q->c, q->h, q->w};
    int x = kh_input(g, "x", 4, xd);
    int d = add_op(g, IR_OP_RELU, "dwr", add_conv(g, "dw", x, q->c, q->c, q->k, q->s, q->k / 2, q->c),
                   -1);
    int gp = add_op(g, IR_OP_GLOBALAVGPOOL, "gp", d, -1);
    int f1 = add_op(g, IR_OP_RELU, "f1r", add_conv(g, "fc1", gp, q->c, 4, 1, 1, 0, 1), -1);
    int sg = add_op(g, IR_OP_HARDSIGMOID, "hsig", add_conv(g, "fc2", f1, 4, q->c, 1, 1, 0, 1), -1);
    kh_output(g, add_conv(g, "proj", add_op(g, IR_OP_MUL, "mul", d, sg), q->c, 5, 1, 1, 0, 1));
    return g;
}

static void test_se_squeeze(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const sq_case cases[] = {
        {1, 20, 7, 7, 3, 1},   /* 16 + 4 channels, 49 = 3 x 16 + 1 pixels */
        {2, 17, 12, 12, 5, 2}, /* 12 -> 6 at stride 2, batch 2 (a 14 KiB tile) */
        {1, 33, 8, 8, 3, 1},   /* 64 pixels: whole chunks only */
        {2, 5, 3, 3, 3, 1},    /* a 3x3 plane, one part-filled block */
    };
    const int gpu = rt_plan_device(rt)->gpu_shaped;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "se squeeze case %zu", i);
        assert_int_equal(kh_check_k(rt, sq_graph(&cases[i]), NULL, gpu ? NULL : "conv_dwc",
                                    gpu ? 4 : 3, label), 0);
        /* a forced conv_dwc on either plan shape also takes the squeeze: dw,
         * fc1, fc2, Mul, proj (conv_pw forced away: no gate) = 5, not 6 */
        assert_int_equal(kh_check_k(rt, sq_graph(&cases[i]), "conv_dwc", "conv_dwc", 5, label), 0);
    }
    rt_destroy(rt);
}

/* An SE block's FCs as one se_fc launch: x -> GlobalAveragePool -> fc1 (1x1,
 * C -> R, bias or not) -> act1 -> fc2 (1x1, R -> C2) -> act2 = the output.
 * Shapes: C, R and C2 off multiples of 4 and 16 (R below 16: no vector part;
 * R 33: two vectors and a tail), C2 over one group's share (several groups),
 * batch 3, R = 1; activations Relu / Swish (Sigmoid + Mul) / Clip then
 * Sigmoid / HardSigmoid. Checked against the reference, planned se_fc (2
 * launches: pool, se_fc), and again with se_fc forced away (3 launches); a
 * first FC over 512 KiB on a CPU plan: two launches of its own choosing. */
typedef struct sefc_case {
    int n, c, r, c2, bias, act1, act2; /* act1: 0 Relu, 1 Swish, 2 Clip; act2: 0 Sigmoid, 1 HardSigmoid */
} sefc_case;

static ir_graph *sefc_graph(const sefc_case *q)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {q->n, q->c, 3, 5};
    int gp = add_op(g, IR_OP_GLOBALAVGPOOL, "gp", kh_input(g, "x", 4, xd), -1);
    int a = add_conv(g, "fc1", gp, q->c, q->r, 1, 1, 0, 1);
    if (!q->bias) /* add_conv gives every Conv a bias: drop it */
        g->nodes[g->n_nodes - 1].n_in = 2;
    int h;
    if (q->act1 == 0) {
        h = add_op(g, IR_OP_RELU, "a1", a, -1);
    } else if (q->act1 == 1) {
        h = add_op(g, IR_OP_MUL, "a1", a, add_op(g, IR_OP_SIGMOID, "a1s", a, -1));
    } else {
        int64_t sd[1] = {1};
        int in[3] = {a, kh_const(g, "lo", 0, sd, 0.0f, 0.0f), kh_const(g, "hi", 0, sd, 0.5f, 0.5f)};
        h = kh_tensor(g, "a1");
        ir_add_node(g, IR_OP_CLIP, "a1", in, 3, &h, 1);
    }
    int f2 = add_conv(g, "fc2", h, q->r, q->c2, 1, 1, 0, 1);
    if (!q->bias)
        g->nodes[g->n_nodes - 1].n_in = 2;
    kh_output(g, add_op(g, q->act2 ? IR_OP_HARDSIGMOID : IR_OP_SIGMOID, "a2", f2, -1));
    return g;
}

static void test_se_fc(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const sefc_case cases[] = {
        {1, 37, 5, 37, 1, 0, 1},    /* R below a vector; C, C2 odd */
        {3, 20, 33, 70, 0, 1, 0},   /* batch 3; R: 2 vectors + 1; Swish */
        {1, 150, 17, 150, 1, 2, 1}, /* C2 over one group's share: several groups */
        {2, 7, 1, 9, 1, 0, 0},      /* one hidden unit */
        {1, 64, 16, 3, 0, 1, 1},    /* fewer outputs than work-items */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "se fc case %zu", i);
        assert_int_equal(kh_check_k(rt, sefc_graph(&cases[i]), NULL, "se_fc", 2, label), 0);
        assert_int_equal(kh_check_k(rt, sefc_graph(&cases[i]), "conv_mv", "conv_mv", 3, label), 0);
    }
    /* FC1 600 x 300 floats (703 KiB): a CPU plan with several cores runs the
     * two FCs as two launches (conv_cl_se_fc_declined: every se_fc group would
     * read all of FC1), anything else as se_fc */
    const sefc_case big = {1, 600, 300, 600, 1, 0, 0};
    const int apart = !rt_plan_device(rt)->gpu_shaped && rt_info(rt)->compute_units > 1;
    assert_int_equal(kh_check_k(rt, sefc_graph(&big), NULL, apart ? "conv_smallm" : "se_fc",
                                apart ? 3 : 2, "se fc, big FC1"), 0);
    rt_destroy(rt);
}

/* Pointwise weights go to the device packed (conv_cl_pack_weights) only when they
 * are constants one Conv reads; otherwise the Conv runs conv_tiled on them as
 * they are, and neither an SE gate nor a depthwise Conv fuses into it. */
static void test_weight_packing(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    /* two pointwise Convs sharing one weight tensor: each conv_tiled */
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {1, 5, 7, 9}, wd[4] = {11, 5, 1, 1};
    int x = kh_input(g, "x", 4, xd), w = kh_const(g, "w", 4, wd, -0.4f, 0.4f);
    for (int i = 0; i < 2; i++) {
        int in[2] = {i ? kh_const(g, "x2", 4, xd, -1.0f, 1.0f) : x, w}, y = kh_tensor(g, i ? "y1" : "y0");
        ir_add_node(g, IR_OP_CONV, i ? "conv1" : "conv0", in, 2, &y, 1);
        kh_output(g, y);
    }
    assert_int_equal(kh_check_k(rt, g, NULL, "conv_tiled", 2, "shared pointwise weights"), 0);
    /* weights that are a graph input, not a constant */
    g = kh_new(13);
    x = kh_input(g, "x", 4, xd);
    w = kh_input(g, "w", 4, wd);
    int in[2] = {x, w}, y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_CONV, "conv", in, 2, &y, 1);
    kh_output(g, y);
    assert_int_equal(kh_check_k(rt, g, NULL, "conv_tiled", 1, "pointwise weights as an input"), 0);
    /* depthwise -> pointwise whose weights a second Conv also reads: not fused */
    g = kh_new(13);
    int64_t xd2[4] = {1, 6, 13, 13}, pwd[4] = {6, 6, 1, 1};
    x = kh_input(g, "x", 4, xd2);
    int d = add_conv(g, "dw", x, 6, 6, 3, 1, 1, 6);
    int pw = kh_const(g, "pw.w", 4, pwd, -0.4f, 0.4f);
    int in2[2] = {d, pw}, y2 = kh_tensor(g, "pw");
    ir_add_node(g, IR_OP_CONV, "pw", in2, 2, &y2, 1);
    int in3[2] = {x, pw}, y3 = kh_tensor(g, "other");
    ir_add_node(g, IR_OP_CONV, "other", in3, 2, &y3, 1);
    kh_output(g, y2);
    kh_output(g, y3);
    assert_int_equal(kh_check_k(rt, g, NULL, dw_alone(rt), 3, "separable with shared weights"), 0);
    /* two depthwise Convs sharing their weights: not packed, so not conv_dwc
     * (it reads them packed) but conv_dwf, on any device */
    g = kh_new(13);
    int64_t dd[4] = {1, 6, 9, 9}, dwd[4] = {6, 1, 3, 3};
    x = kh_input(g, "x", 4, dd);
    int dws = kh_const(g, "dw.w", 4, dwd, -0.4f, 0.4f);
    for (int i = 0; i < 2; i++) {
        int din[2] = {i ? kh_const(g, "x2", 4, dd, -1.0f, 1.0f) : x, dws};
        int dy = kh_tensor(g, i ? "d1" : "d0");
        int node = ir_add_node(g, IR_OP_CONV, i ? "dw1" : "dw0", din, 2, &dy, 1);
        const int64_t ks[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
        ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
        ir_set_attr_ints(g, node, "pads", pads, 4);
        ir_set_attr_int(g, node, "group", 6);
        kh_output(g, dy);
    }
    assert_int_equal(kh_check_k(rt, g, NULL, "conv_dwf", 2, "depthwise with shared weights"), 0);
    /* a stem-shaped Conv (3 -> 8, 3x3 stride 2) packs as conv_pw does; two
     * sharing their weights run conv_tiled */
    for (int shared = 0; shared < 2; shared++) {
        g = kh_new(13);
        int64_t sd[4] = {1, 3, 17, 17}, swd[4] = {8, 3, 3, 3};
        x = kh_input(g, "x", 4, sd);
        int sw = kh_const(g, "stem.w", 4, swd, -0.4f, 0.4f);
        for (int i = 0; i <= shared; i++) {
            int si[2] = {x, sw}, sy = kh_tensor(g, i ? "stem1" : "stem0");
            int sn = ir_add_node(g, IR_OP_CONV, i ? "stem1" : "stem0", si, 2, &sy, 1);
            int64_t ks[2] = {3, 3}, st[2] = {2, 2}, pd[4] = {1, 1, 1, 1};
            ir_set_attr_ints(g, sn, "kernel_shape", ks, 2);
            ir_set_attr_ints(g, sn, "strides", st, 2);
            ir_set_attr_ints(g, sn, "pads", pd, 4);
            kh_output(g, sy);
        }
        assert_int_equal(kh_check_k(rt, g, NULL, shared ? "conv_tiled" : "conv_kxk", 1 + shared,
                                    shared ? "stems sharing weights" : "stem"), 0);
    }
    rt_destroy(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residual_every_variant),
        cmocka_unit_test(test_residual_inverted_blocks),
        cmocka_unit_test(test_residual_refused),
        cmocka_unit_test(test_se_gate),
        cmocka_unit_test(test_se_squeeze),
        cmocka_unit_test(test_se_fc),
        cmocka_unit_test(test_separable),
        cmocka_unit_test(test_weight_packing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
