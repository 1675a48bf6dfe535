/* efficientnet_b0.c — EfficientNet-B0 in torchvision's layout (seed 002's
 * MBConv + SE): swish everywhere, SE squeezing to in/4 of the block's input
 * with a sigmoid gate, shortcut when stride 1 and widths match (stochastic
 * depth is training-only). Width rounds to multiples of 8; depth ceil()s the
 * repeats. */
#include <math.h>

#include "archs.h"
#include "builder.h"

/* expansion, kernel, stride, out channels, repeats */
static const int stages[7][5] = {
    {1, 3, 1, 16, 1}, {6, 3, 2, 24, 2}, {6, 5, 2, 40, 2}, {6, 3, 2, 80, 3},
    {6, 5, 1, 112, 3}, {6, 5, 2, 192, 4}, {6, 3, 1, 320, 1},
};

ARCH_BUILD(build_efficientnet_b0)
{
    bld b;
    int x = bld_begin(&b, "efficientnet_b0", p, 224, 1e-5f, err);
    float w = bld_width(p), d = bld_depth(p);
    bld_check_width(&b, p ? p->width : 0, 1);
    bld_check_depth(&b, p ? p->depth : 0, 1);
    x = bld_cba(&b, x, "stem", bld_make_divisible(32 * w, 8), 3, 2, 1, 1, BLD_ACT_SWISH);
    int blk = 0;
    for (int s = 0; s < 7; s++) {
        const int *c = stages[s];
        int cout = bld_make_divisible(c[3] * w, 8), reps = (int)ceil(c[4] * (double)d);
        for (int r = 0; r < reps; r++) {
            int cin = bld_channels(&b, x), stride = r == 0 ? c[2] : 1;
            int exp = bld_make_divisible((double)cin * c[0], 8);
            bld_push(&b, "block%d", ++blk);
            int y = x;
            if (exp != cin)
                y = bld_pw(&b, y, "expand", exp, BLD_ACT_SWISH);
            y = bld_dw(&b, y, "dw", c[1], stride, (c[1] - 1) / 2, BLD_ACT_SWISH);
            y = bld_se(&b, y, "se", cin / 4 > 1 ? cin / 4 : 1, BLD_ACT_SWISH, BLD_ACT_SIGMOID);
            y = bld_pw(&b, y, "project", cout, BLD_ACT_NONE);
            if (stride == 1 && cin == cout)
                y = bld_add(&b, "add", x, y);
            x = y;
            bld_pop(&b);
        }
    }
    x = bld_pw(&b, x, "head", 4 * bld_channels(&b, x), BLD_ACT_SWISH);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "classifier", bld_classes(p));
    return bld_finish(&b, x, out);
}
