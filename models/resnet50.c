/* resnet50.c — ResNet-50 v1.5 as torchvision builds it (seed 002's residual
 * block): 7x7 stem + max pool, bottlenecks [3, 4, 6, 3] (1x1, 3x3 carrying the
 * stride, 1x1 to 4x), 1x1 projection shortcuts where the shape changes,
 * GAP, Linear. */
#include "archs.h"
#include "builder.h"

ARCH_BUILD(build_resnet50)
{
    static const int repeats[4] = {3, 4, 6, 3};
    bld b;
    int x = bld_begin(&b, "resnet50", p, 224, 1e-5f, err);
    bld_check_width(&b, p ? p->width : 0, 0);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    x = bld_cba(&b, x, "stem", 64, 7, 2, 3, 1, BLD_ACT_RELU);
    x = bld_maxpool(&b, x, "maxpool", 3, 2, 1, 0);
    for (int s = 0; s < 4; s++) {
        int width = 64 << s;
        for (int r = 0; r < repeats[s]; r++) {
            int stride = (r == 0 && s > 0) ? 2 : 1;
            bld_push(&b, "layer%d.%d", s + 1, r);
            int y = bld_pw(&b, x, "conv1", width, BLD_ACT_RELU);
            y = bld_cba(&b, y, "conv2", width, 3, stride, 1, 1, BLD_ACT_RELU);
            y = bld_pw(&b, y, "conv3", width * 4, BLD_ACT_NONE);
            int sc = x;
            if (r == 0)
                sc = bld_cba(&b, x, "downsample", width * 4, 1, stride, 0, 1, BLD_ACT_NONE);
            y = bld_add(&b, "add", y, sc);
            x = bld_act_apply(&b, y, "relu", BLD_ACT_RELU);
            bld_pop(&b);
        }
    }
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "fc", bld_classes(p));
    return bld_finish(&b, x, out);
}
