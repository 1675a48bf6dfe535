/* mobilenet_v3.c — MobileNetV3 Large and Small as in the paper and torchvision
 * (seed 002's bneck: 1x1 expand when exp != in, depthwise k, optional SE with
 * ReLU + hard-sigmoid gate, linear 1x1 project; h-swish or ReLU). Head: 1x1
 * conv to 6x the last width, GAP, Linear 1280/1024 + h-swish, Linear. */
#include "archs.h"
#include "builder.h"

typedef struct bneck {
    int k, exp, out, se, hs, stride;
} bneck;

static const bneck large[] = {
    {3, 16, 16, 0, 0, 1},   {3, 64, 24, 0, 0, 2},   {3, 72, 24, 0, 0, 1},
    {5, 72, 40, 1, 0, 2},   {5, 120, 40, 1, 0, 1},  {5, 120, 40, 1, 0, 1},
    {3, 240, 80, 0, 1, 2},  {3, 200, 80, 0, 1, 1},  {3, 184, 80, 0, 1, 1},
    {3, 184, 80, 0, 1, 1},  {3, 480, 112, 1, 1, 1}, {3, 672, 112, 1, 1, 1},
    {5, 672, 160, 1, 1, 2}, {5, 960, 160, 1, 1, 1}, {5, 960, 160, 1, 1, 1},
};

static const bneck small[] = {
    {3, 16, 16, 1, 0, 2},  {3, 72, 24, 0, 0, 2},  {3, 88, 24, 0, 0, 1},  {5, 96, 40, 1, 1, 2},
    {5, 240, 40, 1, 1, 1}, {5, 240, 40, 1, 1, 1}, {5, 120, 48, 1, 1, 1}, {5, 144, 48, 1, 1, 1},
    {5, 288, 96, 1, 1, 2}, {5, 576, 96, 1, 1, 1}, {5, 576, 96, 1, 1, 1},
};

static clcnn_status build(const char *arch, const bneck *cfg, int n, int last, const builtin_params *p,
                          ir_graph **out, clcnn_err *err)
{
    bld b;
    int x = bld_begin(&b, arch, p, 224, 1e-3f, err);
    float w = bld_width(p);
    bld_check_width(&b, p ? p->width : 0, 1);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = bld_cba(&b, x, "stem", bld_make_divisible(16 * w, 8), 3, 2, 1, 1, BLD_ACT_HSWISH);
    for (int i = 0; i < n; i++) {
        const bneck *c = &cfg[i];
        int cin = bld_channels(&b, x);
        int exp = bld_make_divisible(c->exp * w, 8), cout = bld_make_divisible(c->out * w, 8);
        bld_act act = c->hs ? BLD_ACT_HSWISH : BLD_ACT_RELU;
        bld_push(&b, "block%d", i + 1);
        int y = x;
        if (exp != cin)
            y = bld_pw(&b, y, "expand", exp, act);
        y = bld_dw(&b, y, "dw", c->k, c->stride, (c->k - 1) / 2, act);
        if (c->se)
            y = bld_se(&b, y, "se", bld_make_divisible(exp / 4, 8), BLD_ACT_RELU, BLD_ACT_HSIGMOID);
        y = bld_pw(&b, y, "project", cout, BLD_ACT_NONE);
        if (c->stride == 1 && cin == cout)
            y = bld_add(&b, "add", x, y);
        x = y;
        bld_pop(&b);
    }
    x = bld_pw(&b, x, "head", 6 * bld_channels(&b, x), BLD_ACT_HSWISH);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    bld_push(&b, "classifier");
    x = bld_gemm(&b, x, "fc1", bld_make_divisible(last * w, 8));
    x = bld_act_apply(&b, x, "act", BLD_ACT_HSWISH);
    x = bld_gemm(&b, x, "fc2", bld_classes(p));
    bld_pop(&b);
    return bld_finish(&b, x, out);
}

ARCH_BUILD(build_mobilenet_v3_large)
{
    return build("mobilenet_v3_large", large, (int)(sizeof large / sizeof large[0]), 1280, p, out, err);
}

ARCH_BUILD(build_mobilenet_v3_small)
{
    return build("mobilenet_v3_small", small, (int)(sizeof small / sizeof small[0]), 1024, p, out, err);
}
