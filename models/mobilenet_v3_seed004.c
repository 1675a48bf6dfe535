/* mobilenet_v3_seed004.c — MobileNetV3-Large exactly as seed 004's Keras code
 * builds it, which differs from the paper: every conv keeps its bias (Keras's
 * default), "RE" is ReLU6, the first bneck has its 16->16 expand conv, the SE
 * squeezes to C/4 and gates with h-swish, and the 1280 head has no BN. */
#include "archs.h"
#include "builder.h"

typedef struct bneck {
    int k, exp, out, se, hs, stride;
} bneck;

static const bneck cfg[] = {
    {3, 16, 16, 0, 0, 1},   {3, 64, 24, 0, 0, 2},   {3, 72, 24, 0, 0, 1},
    {5, 72, 40, 1, 0, 2},   {5, 120, 40, 1, 0, 1},  {5, 120, 40, 1, 0, 1},
    {3, 240, 80, 0, 1, 2},  {3, 200, 80, 0, 1, 1},  {3, 184, 80, 0, 1, 1},
    {3, 184, 80, 0, 1, 1},  {3, 480, 112, 1, 1, 1}, {3, 672, 112, 1, 1, 1},
    {5, 672, 160, 1, 1, 2}, {5, 960, 160, 1, 1, 1}, {5, 960, 160, 1, 1, 1},
};

/* conv (with bias) + BN + activation, the seed's conv_block. */
static int conv_block(bld *b, int x, const char *name, int cout, int k, int stride, int groups,
                      bld_act act)
{
    bld_push(b, "%s", name);
    x = bld_conv(b, x, "conv", cout, k, stride, BLD_SAME, groups, 1);
    x = bld_bn(b, x, "bn");
    x = bld_act_apply(b, x, "act", act);
    bld_pop(b);
    return x;
}

ARCH_BUILD(build_mobilenet_v3_large_seed004)
{
    bld b;
    int x = bld_begin(&b, "mobilenet_v3_large_seed004", p, 224, 1e-3f, err);
    /* the seed fixes alpha = 1 (a module-level constant) */
    bld_check_width(&b, p ? p->width : 0, 0);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = conv_block(&b, x, "stem", 16, 3, 2, 1, BLD_ACT_HSWISH);
    for (int i = 0; i < (int)(sizeof cfg / sizeof cfg[0]); i++) {
        const bneck *c = &cfg[i];
        int cin = bld_channels(&b, x);
        bld_act act = c->hs ? BLD_ACT_HSWISH : BLD_ACT_RELU6;
        bld_push(&b, "block%d", i + 1);
        int y = conv_block(&b, x, "expand", c->exp, 1, 1, 1, act);
        y = conv_block(&b, y, "dw", c->exp, c->k, c->stride, c->exp, act);
        if (c->se)
            y = bld_se(&b, y, "se", c->exp / 4, BLD_ACT_RELU6, BLD_ACT_HSWISH);
        bld_push(&b, "project");
        y = bld_conv(&b, y, "conv", c->out, 1, 1, BLD_SAME, 1, 1);
        y = bld_bn(&b, y, "bn");
        bld_pop(&b);
        if (c->stride == 1 && cin == c->out)
            y = bld_add(&b, "add", y, x);
        x = y;
        bld_pop(&b);
    }
    x = conv_block(&b, x, "head", 960, 1, 1, 1, BLD_ACT_HSWISH);
    x = bld_gap(&b, x, "pool");
    x = bld_conv(&b, x, "fc1", 1280, 1, 1, 0, 1, 1);
    x = bld_act_apply(&b, x, "fc1.act", BLD_ACT_HSWISH);
    x = bld_conv(&b, x, "fc2", bld_classes(p), 1, 1, 0, 1, 1);
    x = bld_to_2d(&b, x, "reshape");
    x = bld_softmax(&b, x, "softmax");
    return bld_finish(&b, x, out);
}
