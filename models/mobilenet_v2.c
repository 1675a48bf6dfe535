/* mobilenet_v2.c — MobileNetV2 (torchvision layout; seed 002's inverted
 * residual): 3x3 stem, inverted residual blocks (1x1 expand, 3x3 depthwise,
 * linear 1x1 project, identity shortcut when shapes match), 1x1 head to 1280,
 * linear classifier. Width rounds channels to multiples of 8. */
#include "archs.h"
#include "builder.h"

ARCH_BUILD(build_mobilenet_v2)
{
    /* t (expansion), c (channels), n (repeats), s (first stride) */
    static const int cfg[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                  {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    bld b;
    int x = bld_begin(&b, "mobilenet_v2", p, 224, 1e-5f, err);
    float w = bld_width(p);
    bld_check_width(&b, p ? p->width : 0, 1);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = bld_cba(&b, x, "stem", bld_make_divisible(32 * w, 8), 3, 2, 1, 1, BLD_ACT_RELU6);
    int blk = 0;
    for (int s = 0; s < 7; s++) {
        int cout = bld_make_divisible(cfg[s][1] * w, 8);
        for (int r = 0; r < cfg[s][2]; r++) {
            int cin = bld_channels(&b, x), stride = r == 0 ? cfg[s][3] : 1;
            bld_push(&b, "block%d", ++blk);
            int y = x;
            if (cfg[s][0] != 1)
                y = bld_pw(&b, y, "expand", cin * cfg[s][0], BLD_ACT_RELU6);
            y = bld_dw(&b, y, "dw", 3, stride, 1, BLD_ACT_RELU6);
            y = bld_pw(&b, y, "project", cout, BLD_ACT_NONE);
            if (stride == 1 && cin == cout)
                y = bld_add(&b, "add", x, y);
            x = y;
            bld_pop(&b);
        }
    }
    int last = w > 1.0f ? bld_make_divisible(1280 * w, 8) : 1280;
    x = bld_pw(&b, x, "head", last, BLD_ACT_RELU6);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "classifier", bld_classes(p));
    return bld_finish(&b, x, out);
}
