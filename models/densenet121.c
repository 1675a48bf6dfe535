/* densenet121.c — DenseNet-121 as torchvision builds it (seed 002's dense
 * stage): 7x7 stem + max pool, dense blocks (6, 12, 24, 16) of BN-ReLU-1x1
 * (4 x growth 32) and BN-ReLU-3x3 (growth) layers concatenated onto the
 * running features, transitions BN-ReLU-1x1 (halving) + 2x2 avg pool, final
 * BN + ReLU, GAP, Linear. Concat is kept as one running Concat per layer. */
#include "archs.h"
#include "builder.h"

ARCH_BUILD(build_densenet121)
{
    static const int blocks[4] = {6, 12, 24, 16};
    const int growth = 32, bn_size = 4;
    bld b;
    int x = bld_begin(&b, "densenet121", p, 224, 1e-5f, err);
    bld_check_width(&b, p ? p->width : 0, 0);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = bld_cba(&b, x, "stem", 64, 7, 2, 3, 1, BLD_ACT_RELU);
    x = bld_maxpool(&b, x, "maxpool", 3, 2, 1, 0);
    for (int s = 0; s < 4; s++) {
        for (int l = 0; l < blocks[s]; l++) {
            bld_push(&b, "block%d.layer%d", s + 1, l + 1);
            int y = bld_bn(&b, x, "norm1");
            y = bld_act_apply(&b, y, "relu1", BLD_ACT_RELU);
            y = bld_conv(&b, y, "conv1", bn_size * growth, 1, 1, 0, 1, 0);
            y = bld_bn(&b, y, "norm2");
            y = bld_act_apply(&b, y, "relu2", BLD_ACT_RELU);
            y = bld_conv(&b, y, "conv2", growth, 3, 1, 1, 1, 0);
            int parts[2] = {x, y};
            x = y < 0 ? -1 : bld_concat(&b, "concat", parts, 2);
            bld_pop(&b);
        }
        if (s < 3) {
            bld_push(&b, "transition%d", s + 1);
            x = bld_bn(&b, x, "norm");
            x = bld_act_apply(&b, x, "relu", BLD_ACT_RELU);
            x = bld_conv(&b, x, "conv", bld_channels(&b, x) / 2, 1, 1, 0, 1, 0);
            x = bld_avgpool(&b, x, "pool", 2, 2);
            bld_pop(&b);
        }
    }
    x = bld_bn(&b, x, "norm5");
    x = bld_act_apply(&b, x, "relu", BLD_ACT_RELU);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "classifier", bld_classes(p));
    return bld_finish(&b, x, out);
}
