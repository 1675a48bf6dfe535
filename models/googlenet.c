/* googlenet.c — GoogLeNet (Inception v1) as torchvision builds it without the
 * auxiliary heads (seed 002's Inception block): conv-BN-ReLU units (BN eps
 * 1e-3), ceil-mode max pools, nine Inception blocks whose "5x5" branch is a
 * 3x3 conv as in torchvision, GAP, Linear. */
#include "archs.h"
#include "builder.h"

/* in is implied; ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj */
typedef struct { const char *name; int c[6]; } inception_cfg;

static int basic(bld *b, int x, const char *name, int cout, int k, int stride, int pad)
{
    return bld_cba(b, x, name, cout, k, stride, pad, 1, BLD_ACT_RELU);
}

static int inception(bld *b, int x, const inception_cfg *cfg)
{
    const int *c = cfg->c;
    bld_push(b, "%s", cfg->name);
    int br[4];
    br[0] = basic(b, x, "branch1", c[0], 1, 1, 0);
    bld_push(b, "branch2");
    br[1] = basic(b, x, "reduce", c[1], 1, 1, 0);
    br[1] = basic(b, br[1], "conv", c[2], 3, 1, 1);
    bld_pop(b);
    bld_push(b, "branch3");
    br[2] = basic(b, x, "reduce", c[3], 1, 1, 0);
    br[2] = basic(b, br[2], "conv", c[4], 3, 1, 1);
    bld_pop(b);
    bld_push(b, "branch4");
    br[3] = bld_maxpool(b, x, "pool", 3, 1, 1, 1);
    br[3] = basic(b, br[3], "proj", c[5], 1, 1, 0);
    bld_pop(b);
    int y = -1;
    if (br[0] >= 0 && br[1] >= 0 && br[2] >= 0 && br[3] >= 0)
        y = bld_concat(b, "concat", br, 4);
    bld_pop(b);
    return y;
}

ARCH_BUILD(build_googlenet)
{
    static const inception_cfg i3[2] = {{"inception3a", {64, 96, 128, 16, 32, 32}},
                                        {"inception3b", {128, 128, 192, 32, 96, 64}}};
    static const inception_cfg i4[5] = {{"inception4a", {192, 96, 208, 16, 48, 64}},
                                        {"inception4b", {160, 112, 224, 24, 64, 64}},
                                        {"inception4c", {128, 128, 256, 24, 64, 64}},
                                        {"inception4d", {112, 144, 288, 32, 64, 64}},
                                        {"inception4e", {256, 160, 320, 32, 128, 128}}};
    static const inception_cfg i5[2] = {{"inception5a", {256, 160, 320, 32, 128, 128}},
                                        {"inception5b", {384, 192, 384, 48, 128, 128}}};
    bld b;
    int x = bld_begin(&b, "googlenet", p, 224, 1e-3f, err);
    bld_check_width(&b, p ? p->width : 0, 0);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = basic(&b, x, "conv1", 64, 7, 2, 3);
    x = bld_maxpool(&b, x, "maxpool1", 3, 2, 0, 1);
    x = basic(&b, x, "conv2", 64, 1, 1, 0);
    x = basic(&b, x, "conv3", 192, 3, 1, 1);
    x = bld_maxpool(&b, x, "maxpool2", 3, 2, 0, 1);
    for (int i = 0; i < 2; i++)
        x = inception(&b, x, &i3[i]);
    x = bld_maxpool(&b, x, "maxpool3", 3, 2, 0, 1);
    for (int i = 0; i < 5; i++)
        x = inception(&b, x, &i4[i]);
    x = bld_maxpool(&b, x, "maxpool4", 2, 2, 0, 1);
    for (int i = 0; i < 2; i++)
        x = inception(&b, x, &i5[i]);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "fc", bld_classes(p));
    return bld_finish(&b, x, out);
}
