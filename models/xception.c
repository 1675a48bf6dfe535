/* xception.c — Xception as seed 003's Keras code builds it (its summary: 22,817,480
 * params at 299x299): entry flow, 8 middle blocks of three ReLU+separable
 * convs with identity shortcuts, exit flow. Seed quirks kept: the separable
 * convs inside res/middle blocks have no BN, the entry's 1x1 residual conv is
 * created but never used (so it is not built), the res_block shortcuts are
 * 'valid' 1x1 stride-2 convs with bias. */
#include "archs.h"
#include "builder.h"

/* Keras SeparableConv2D(use_bias=False): depthwise 3x3 then pointwise 1x1. */
static int sepconv(bld *b, int x, const char *name, int cout)
{
    bld_push(b, "%s", name);
    x = bld_conv(b, x, "dw", bld_channels(b, x), 3, 1, BLD_SAME, bld_channels(b, x), 0);
    x = bld_conv(b, x, "pw", cout, 1, 1, 0, 1, 0);
    bld_pop(b);
    return x;
}

/* The seed's sep_conv_block: ReLU, then a separable conv. */
static int relu_sep(bld *b, int x, const char *name, int cout)
{
    bld_push(b, "%s", name);
    x = bld_act_apply(b, x, "relu", BLD_ACT_RELU);
    x = sepconv(b, x, "sepconv", cout);
    bld_pop(b);
    return x;
}

static int res_block(bld *b, int x, const char *name, int filters)
{
    bld_push(b, "%s", name);
    int r = bld_conv(b, x, "shortcut.conv", filters, 1, 2, 0, 1, 1);
    r = bld_bn(b, r, "shortcut.bn");
    x = relu_sep(b, x, "sep1", filters);
    x = relu_sep(b, x, "sep2", filters);
    x = bld_maxpool(b, x, "pool", 3, 2, BLD_SAME, 0);
    x = bld_add(b, "add", r, x);
    bld_pop(b);
    return x;
}

ARCH_BUILD(build_xception)
{
    bld b;
    int x = bld_begin(&b, "xception", p, 299, 1e-3f, err);
    bld_check_width(&b, p ? p->width : 0, 0);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    bld_push(&b, "entry");
    x = bld_cba(&b, x, "conv1", 32, 3, 2, BLD_SAME, 1, BLD_ACT_RELU);
    x = bld_cba(&b, x, "conv2", 64, 3, 1, BLD_SAME, 1, BLD_ACT_RELU);
    x = sepconv(&b, x, "sep1", 128);
    x = bld_bn(&b, x, "sep1.bn");
    x = relu_sep(&b, x, "sep2", 128);
    x = bld_maxpool(&b, x, "pool", 3, 2, BLD_SAME, 0);
    x = res_block(&b, x, "block1", 256);
    x = res_block(&b, x, "block2", 728);
    bld_pop(&b);
    for (int i = 0; i < 8; i++) {
        bld_push(&b, "middle%d", i + 1);
        int y = relu_sep(&b, x, "sep1", 728);
        y = relu_sep(&b, y, "sep2", 728);
        y = relu_sep(&b, y, "sep3", 728);
        x = bld_add(&b, "add", x, y);
        bld_pop(&b);
    }
    bld_push(&b, "exit");
    int r = bld_conv(&b, x, "shortcut.conv", 1024, 1, 2, BLD_SAME, 1, 0);
    r = bld_bn(&b, r, "shortcut.bn");
    x = relu_sep(&b, x, "sep1", 728);
    x = relu_sep(&b, x, "sep2", 1024);
    x = bld_maxpool(&b, x, "pool", 3, 2, BLD_SAME, 0);
    x = bld_add(&b, "add", r, x);
    x = sepconv(&b, x, "sep3", 1536);
    x = bld_bn(&b, x, "sep3.bn");
    x = bld_act_apply(&b, x, "sep3.relu", BLD_ACT_RELU);
    x = sepconv(&b, x, "sep4", 2048);
    x = bld_bn(&b, x, "sep4.bn");
    x = bld_act_apply(&b, x, "sep4.relu", BLD_ACT_RELU);
    bld_pop(&b);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "dense", bld_classes(p));
    return bld_finish(&b, x, out);
}
