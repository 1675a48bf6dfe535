/* mnasnet.c — MnasNet as seed 000's Keras code builds it (its summary totals
 * 6,679,396 params): 3x3 stem, separable conv to 16, MBConv stages (1x1
 * expand, depthwise, optional SE squeezing to C/2 with ReLU + sigmoid, linear
 * project, shortcut when shapes match), 1x1 conv to 1280, GAP, Dense. The SE's
 * Dense layers are 1x1 convs with bias here: same weights, no reshapes. */
#include "archs.h"
#include "builder.h"

/* expansion, kernel, filters, stride, repeats, se */
static const int stages[7][6] = {
    {6, 3, 24, 2, 2, 0}, {3, 5, 40, 2, 3, 1}, {6, 3, 80, 2, 4, 0}, {6, 3, 112, 1, 2, 1},
    {6, 5, 160, 2, 3, 1}, {6, 3, 320, 1, 1, 0},
};

ARCH_BUILD(build_mnasnet)
{
    bld b;
    int x = bld_begin(&b, "mnasnet", p, 224, 1e-3f, err);
    bld_check_width(&b, p ? p->width : 0, 0);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = bld_cba(&b, x, "stem", 32, 3, 2, BLD_SAME, 1, BLD_ACT_RELU);
    bld_push(&b, "sep");
    x = bld_dw(&b, x, "dw", 3, 1, BLD_SAME, BLD_ACT_RELU);
    x = bld_pw(&b, x, "pw", 16, BLD_ACT_NONE);
    bld_pop(&b);
    int blk = 0;
    for (int s = 0; s < 6; s++) {
        const int *c = stages[s];
        for (int r = 0; r < c[4]; r++) {
            int cin = bld_channels(&b, x), stride = r == 0 ? c[3] : 1, exp = cin * c[0];
            bld_push(&b, "block%d", ++blk);
            int y = bld_pw(&b, x, "expand", exp, BLD_ACT_RELU);
            y = bld_dw(&b, y, "dw", c[1], stride, BLD_SAME, BLD_ACT_RELU);
            if (c[5])
                y = bld_se(&b, y, "se", exp / 2, BLD_ACT_RELU, BLD_ACT_SIGMOID);
            y = bld_pw(&b, y, "project", c[2], BLD_ACT_NONE);
            if (stride == 1 && cin == c[2])
                y = bld_add(&b, "add", x, y);
            x = y;
            bld_pop(&b);
        }
    }
    x = bld_pw(&b, x, "head", 1280, BLD_ACT_RELU);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "dense", bld_classes(p));
    return bld_finish(&b, x, out);
}
