/* mobilenet_v1.c — MobileNetV1 as seed 001 writes it in Keras: 3x3 stem, 13
 * depthwise-separable blocks with ReLU6, 'same' padding, a 1x1 conv_preds
 * classifier (with bias) and softmax. Width multiplier alpha: int(c * alpha). */
#include "archs.h"
#include "builder.h"

ARCH_BUILD(build_mobilenet_v1)
{
    /* {filters, stride} of the 13 depthwise-separable blocks */
    static const int blocks[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},
                                      {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1},
                                      {512, 1}, {1024, 2}, {1024, 1}};
    bld b;
    int x = bld_begin(&b, "mobilenet_v1", p, 224, 1e-3f, err);
    float a = bld_width(p);
    bld_check_width(&b, p ? p->width : 0, 1);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    if (b.st == CLCNN_OK && (int)(32 * a) < 1)
        bld_invalid(&b, "mobilenet_v1: width multiplier %g leaves the stem with no channels", (double)a);
    x = bld_cba(&b, x, "stem", (int)(32 * a), 3, 2, BLD_SAME, 1, BLD_ACT_RELU6);
    for (int i = 0; i < 13; i++) {
        bld_push(&b, "block%d", i + 1);
        x = bld_dw(&b, x, "dw", 3, blocks[i][1], BLD_SAME, BLD_ACT_RELU6);
        x = bld_pw(&b, x, "pw", (int)(blocks[i][0] * a), BLD_ACT_RELU6);
        bld_pop(&b);
    }
    bld_push(&b, "head");
    x = bld_gap(&b, x, "pool");
    x = bld_conv(&b, x, "conv_preds", bld_classes(p), 1, 1, 0, 1, 1);
    x = bld_to_2d(&b, x, "reshape");
    x = bld_softmax(&b, x, "softmax");
    bld_pop(&b);
    return bld_finish(&b, x, out);
}
