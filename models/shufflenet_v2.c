/* shufflenet_v2.c — ShuffleNetV2 (torchvision; seed 002's channel shuffle):
 * 3x3 stem + max pool, three stages of units that split channels in half
 * (stride 1) or run two branches (stride 2), concat, shuffle with 2 groups;
 * 1x1 conv5, GAP, Linear. Width picks the published 0.5x/1.0x/1.5x/2.0x. */
#include "archs.h"
#include "builder.h"

static int branch(bld *b, int x, const char *name, int cout, int stride)
{
    bld_push(b, "%s", name);
    x = bld_pw(b, x, "pw1", cout, BLD_ACT_RELU);
    x = bld_dw(b, x, "dw", 3, stride, 1, BLD_ACT_NONE);
    x = bld_pw(b, x, "pw2", cout, BLD_ACT_RELU);
    bld_pop(b);
    return x;
}

static int unit(bld *b, int x, int oup, int stride)
{
    int half = oup / 2, left, right;
    if (stride == 1) {
        left = bld_split2(b, x, "split", &right);
        right = branch(b, right, "branch2", half, 1);
    } else {
        bld_push(b, "branch1");
        left = bld_dw(b, x, "dw", 3, 2, 1, BLD_ACT_NONE);
        left = bld_pw(b, left, "pw", half, BLD_ACT_RELU);
        bld_pop(b);
        right = branch(b, x, "branch2", half, 2);
    }
    int parts[2] = {left, right};
    if (left < 0 || right < 0)
        return -1;
    x = bld_concat(b, "concat", parts, 2);
    return bld_shuffle(b, x, "shuffle", 2);
}

ARCH_BUILD(build_shufflenet_v2)
{
    static const int repeats[3] = {4, 8, 4};
    static const struct { float w; int ch[5]; } widths[] = {
        {0.5f, {24, 48, 96, 192, 1024}},
        {1.0f, {24, 116, 232, 464, 1024}},
        {1.5f, {24, 176, 352, 704, 1024}},
        {2.0f, {24, 244, 488, 976, 2048}},
    };
    bld b;
    int x = bld_begin(&b, "shufflenet_v2", p, 224, 1e-5f, err);
    bld_check_depth(&b, p ? p->depth : 0, 0);
    float w = bld_width(p);
    const int *ch = NULL;
    for (int i = 0; i < 4; i++)
        if (widths[i].w == w)
            ch = widths[i].ch;
    if (!ch) {
        bld_invalid(&b, "shufflenet_v2: width must be 0.5, 1, 1.5 or 2 (got %g)", (double)w);
        ch = widths[1].ch;
    }
    x = bld_cba(&b, x, "stem", ch[0], 3, 2, 1, 1, BLD_ACT_RELU);
    x = bld_maxpool(&b, x, "maxpool", 3, 2, 1, 0);
    for (int s = 0; s < 3; s++)
        for (int r = 0; r < repeats[s]; r++) {
            bld_push(&b, "stage%d.unit%d", s + 2, r + 1);
            x = unit(&b, x, ch[s + 1], r == 0 ? 2 : 1);
            bld_pop(&b);
        }
    x = bld_pw(&b, x, "conv5", ch[4], BLD_ACT_RELU);
    x = bld_gap(&b, x, "pool");
    x = bld_flatten(&b, x, "flatten");
    x = bld_gemm(&b, x, "fc", bld_classes(p));
    return bld_finish(&b, x, out);
}
