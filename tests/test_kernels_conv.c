/* test_kernels_conv.c — every Conv kernel variant (conv_pw incl. stride 2, conv_mv, conv_dwl,
 * conv_dwf, conv_dw for 3/5/7, conv_tiled, conv_general, forced general on fast-path shapes) and every fused activation
 * against the reference Conv, at awkward shapes: spatial 1..17, channels 1, 3,
 * 5, 17, stride 2, asymmetric pads, dilation 2, group = C and 1 < group < C.
 * Then the same variants (and conv_dwpw, ConvTranspose, BatchNormalization)
 * with half storage (issue 18): fp16 against the reference, residual and SE
 * gate included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "ops_cl/op_cl.h"
#include "runtime/tune.h"

typedef struct conv_case {
    int n, c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dil, group, bias;
    ir_op act;             /* IR_OP_COUNT: none */
    const char *force;     /* variant forced, NULL auto */
    const char *expect;    /* variant the conv must get; "gpu|cpu" where a CPU-shaped
                              plan picks another (conv_dwc) */
} conv_case;

#define NOACT IR_OP_COUNT

static const conv_case cases[] = {
    /* pointwise tile: tails in both pixels (91) and channels (5), batch 2 */
    {1, 17, 13, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    {2, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, "conv_pw", "conv_pw"},
    /* 1x1 image (an SE block's FCs): matrix-vector, C below / at / past one
     * 16-float vector, channel counts not a multiple of 4, stride 2, batch 2;
     * one image on gemm.cl's gemm_smallm_nt (conv_smallm, K below its 8-float
     * loop too), more or forced on conv_mv */
    {2, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, NULL, "conv_mv"},
    {1, 16, 1, 1, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSIGMOID, NULL, "conv_smallm"},
    {2, 37, 1, 1, 17, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_mv"},
    {1, 70, 1, 1, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSWISH, NULL, "conv_smallm"},
    {1, 5, 1, 1, 3, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 0, IR_OP_SIGMOID, NULL, "conv_smallm"},
    {1, 16, 1, 1, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSIGMOID, "conv_mv", "conv_mv"},
    {1, 37, 1, 1, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_SIGMOID, "conv_pw", "conv_pw"},
    {1, 5, 17, 3, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    {1, 17, 13, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, "conv_general", "conv_general"},
    /* depthwise: 3/5/7, stride 1/2, pads on every edge and asymmetric, dilation 2 */
    {1, 5, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 17, 13, 17, 17, 3, 3, 2, 2, 0, 1, 1, 0, 1, 17, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 3, 17, 17, 3, 5, 5, 2, 2, 2, 2, 2, 2, 1, 3, 0, NOACT, "conv_dw", "conv_dw"},
    {2, 5, 13, 13, 5, 7, 7, 1, 1, 6, 6, 6, 6, 2, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 5, 13, 7, 5, 3, 3, 1, 2, 2, 2, 2, 2, 2, 5, 1, NOACT, "conv_general", "conv_general"},
    /* depthwise rows wide enough for whole 8-pixel tiles inside the image (the
     * unmasked path) next to edge tiles; stride 1 x 2 */
    {1, 3, 13, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 5, 17, 53, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 3, 11, 41, 3, 5, 5, 1, 1, 4, 4, 4, 4, 2, 3, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 5, 13, 43, 5, 7, 7, 1, 2, 3, 0, 3, 5, 1, 5, 0, NOACT, "conv_dw", "conv_dw"},
    /* tiled: stem conv (channel tail 5 = 4 + 1), K 5 and 7, dilation, 1x1 input,
     * 1 < group < C with tiles inside a group */
    {1, 3, 17, 17, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_tiled"},
    {1, 1, 13, 7, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 1, NOACT, NULL, "conv_tiled"},
    {1, 3, 17, 17, 5, 7, 7, 2, 2, 3, 2, 3, 4, 2, 1, 0, NOACT, NULL, "conv_tiled"},
    {1, 5, 1, 1, 3, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, NOACT, NULL, "conv_tiled"},
    {2, 6, 13, 7, 8, 3, 3, 2, 1, 1, 0, 2, 1, 1, 2, 1, NOACT, NULL, "conv_tiled"},
    {1, 17, 7, 13, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_general", "conv_general"},
    /* rows wide enough for whole 8-pixel tiles inside the image (unmasked path) */
    {1, 3, 9, 29, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    {1, 3, 9, 29, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    {1, 5, 9, 45, 8, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    {1, 5, 9, 45, 8, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1, 1, NOACT, NULL, "conv_kxk"},
    {1, 4, 7, 37, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 0, NOACT, NULL, "conv_tiled"},
    /* 1x1 stride 2 (ResNet projection): pointwise on the subsampled input */
    {1, 17, 13, 13, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    /* strided pointwise = pw_subsample + conv_pw: batch 2 odd sizes, stride 3,
     * an output row wider than a 16-pixel tile */
    {2, 5, 9, 11, 7, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_pw"},
    {1, 3, 10, 13, 9, 1, 1, 3, 3, 0, 0, 0, 0, 1, 1, 0, NOACT, NULL, "conv_pw"},
    {1, 6, 12, 40, 17, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    {1, 17, 13, 13, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, "conv_tiled", "conv_tiled"},
    /* general: group tiles would straddle groups (C/G out channels not a multiple of 4) */
    {1, 6, 13, 7, 9, 3, 3, 1, 1, 1, 0, 2, 1, 1, 3, 1, NOACT, NULL, "conv_general"},
    {1, 3, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_general"},
    {1, 5, 7, 7, 5, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, NOACT, "conv_general", "conv_general"},
    /* fused activations, one per variant at least */
    {1, 17, 7, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_pw"},
    {1, 5, 13, 13, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 5, 1, IR_OP_CLIP, "conv_dw", "conv_dw"},
    {1, 3, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, IR_OP_LEAKYRELU, NULL, "conv_tiled"},
    {1, 6, 7, 7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, IR_OP_RELU, NULL, "conv_general"},
    {1, 5, 7, 7, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSIGMOID, NULL, "conv_pw"},
    {1, 5, 7, 7, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 5, 1, IR_OP_HARDSWISH, "conv_dw", "conv_dw"},
    {1, 3, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, IR_OP_SIGMOID, NULL, "conv_tiled"},
    /* conv_dw's vector epilogue (whole 8-pixel tiles, one per activation kind) and
     * its masked-vector edge tiles (many channels: reads stay inside the buffer) */
    {1, 7, 5, 19, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 1, IR_OP_LEAKYRELU, "conv_dw", "conv_dw"},
    {2, 5, 3, 17, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, IR_OP_HARDSWISH, "conv_dw", "conv_dw"},
    {1, 3, 4, 16, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 0, IR_OP_SIGMOID, "conv_dw", "conv_dw"},
    {1, 6, 7, 33, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 6, 1, IR_OP_HARDSIGMOID, "conv_dw", "conv_dw"},
    {1, 13, 13, 13, 13, 5, 5, 2, 2, 2, 2, 2, 2, 1, 13, 1, IR_OP_CLIP, "conv_dw", "conv_dw"},
    {1, 17, 17, 17, 17, 3, 3, 1, 1, 0, 1, 2, 1, 2, 17, 1, IR_OP_RELU, "conv_dw", "conv_dw"},
    /* conv_dwl (padded plane in local memory), forced (conv_dwf takes small
     * stride-1 planes; the rule's edges are below): OW 13 / 9 (one part-filled
     * chunk), 37 = 16 + 16 + 5 and 33 (a last chunk of 5 or 1 lanes), 27 =
     * 16 + 11, 16 and 8 exactly, stride 2, pads on every edge and asymmetric,
     * dilation 2, kernels 3/5/7, batch 2, channels 1/3/5/17, every activation */
    {1, 5, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 17, 13, 17, 17, 3, 3, 2, 2, 0, 1, 1, 0, 1, 17, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 3, 17, 17, 3, 5, 5, 2, 2, 2, 2, 2, 2, 1, 3, 0, NOACT, "conv_dwl", "conv_dwl"},
    {2, 5, 13, 13, 5, 7, 7, 1, 1, 6, 6, 6, 6, 2, 5, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 3, 13, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 5, 17, 53, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 3, 11, 41, 3, 5, 5, 1, 1, 4, 4, 4, 4, 2, 3, 1, NOACT, "conv_dwl", "conv_dwl"},
    {1, 7, 5, 16, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 7, 1, IR_OP_LEAKYRELU, "conv_dwl", "conv_dwl"},
    {2, 5, 3, 8, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, IR_OP_HARDSWISH, "conv_dwl", "conv_dwl"},
    {1, 3, 4, 13, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 0, IR_OP_SIGMOID, "conv_dwl", "conv_dwl"},
    {1, 6, 7, 33, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, 6, 1, IR_OP_HARDSIGMOID, "conv_dwl", "conv_dwl"},
    {1, 13, 13, 13, 13, 5, 5, 2, 2, 2, 2, 2, 2, 1, 13, 1, IR_OP_CLIP, "conv_dwl", "conv_dwl"},
    {1, 17, 17, 17, 17, 3, 3, 1, 1, 0, 1, 2, 1, 2, 17, 1, IR_OP_RELU, "conv_dwl", "conv_dwl"},
    /* conv_dwf (stride 1, output plane = input plane, the flattened plane in
     * 16-pixel vectors): forced on 7x13 (91 = 5 x 16 + 11), 3x3, 2x2 and 1x1
     * planes (one part tile, every tap masked), 33x37, kernels 3/5/7, dilation
     * 2, asymmetric pads that keep the size, batch 2, channels 3/4/5/6/17, and
     * the first and last planes' gathered edge tiles in every case */
    {1, 5, 7, 13, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dwf", "conv_dwf"},
    {2, 17, 3, 3, 17, 3, 3, 1, 1, 1, 1, 1, 1, 1, 17, 0, IR_OP_RELU, "conv_dwf", "conv_dwf"},
    {1, 3, 2, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, "conv_dwf", "conv_dwf"},
    {1, 5, 1, 1, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, IR_OP_HARDSWISH, "conv_dwf", "conv_dwf"},
    {1, 3, 11, 9, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 3, 1, IR_OP_SIGMOID, "conv_dwf", "conv_dwf"},
    {2, 5, 9, 13, 5, 7, 7, 1, 1, 6, 6, 6, 6, 2, 5, 1, NOACT, "conv_dwf", "conv_dwf"},
    {1, 6, 7, 10, 6, 3, 3, 1, 1, 0, 2, 2, 0, 1, 6, 1, IR_OP_CLIP, "conv_dwf", "conv_dwf"},
    {1, 3, 33, 37, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, IR_OP_LEAKYRELU, "conv_dwf", "conv_dwf"},
    {1, 4, 6, 6, 4, 3, 3, 1, 1, 2, 2, 2, 2, 2, 4, 0, NOACT, "conv_dwf", "conv_dwf"},
    {2, 5, 5, 3, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 5, 1, IR_OP_HARDSIGMOID, "conv_dwf", "conv_dwf"},
    /* conv_dwc (16 channels a vector, pixel-major padded tile), forced: channel
     * counts below, at and past one 16-block (1, 5, 16, 17, 25: a last block
     * of 9 reads the second packed 8-block, 20 and 24 end within the first),
     * planes 1x1, 2x2, 3x3 and 16-pixel multiples (whole and part transposes),
     * stride 2 and 3, stride 1 x 2, pads on every edge and asymmetric, 3/5/7
     * taps, batch 2 (blocks never straddle images), every activation; tiles
     * within 16 KiB (half of Oclgrind's local memory) */
    {1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, NOACT, "conv_dwc", "conv_dwc"},
    {2, 5, 2, 2, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, IR_OP_RELU, "conv_dwc", "conv_dwc"},
    {1, 17, 3, 3, 17, 5, 5, 1, 1, 2, 2, 2, 2, 1, 17, 0, IR_OP_HARDSWISH, "conv_dwc", "conv_dwc"},
    {2, 25, 8, 8, 25, 3, 3, 1, 1, 1, 1, 1, 1, 1, 25, 1, IR_OP_SIGMOID, "conv_dwc", "conv_dwc"},
    {1, 20, 14, 14, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 20, 1, IR_OP_HARDSIGMOID, "conv_dwc", "conv_dwc"},
    {2, 24, 7, 7, 24, 7, 7, 1, 1, 3, 3, 3, 3, 1, 24, 1, IR_OP_CLIP, "conv_dwc", "conv_dwc"},
    {1, 16, 13, 11, 16, 3, 3, 2, 2, 0, 1, 2, 0, 1, 16, 1, IR_OP_LEAKYRELU, "conv_dwc", "conv_dwc"},
    {1, 37, 9, 17, 37, 5, 5, 1, 2, 1, 2, 3, 0, 1, 37, 1, NOACT, "conv_dwc", "conv_dwc"},
    {2, 19, 11, 10, 19, 3, 3, 3, 3, 1, 1, 1, 1, 1, 19, 1, IR_OP_RELU, "conv_dwc", "conv_dwc"},
    {1, 33, 12, 12, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 33, 1, NOACT, "conv_dwc", "conv_dwc"},
    {1, 7, 4, 4, 7, 3, 3, 1, 1, 0, 0, 0, 0, 1, 7, 1, NOACT, "conv_dwc", "conv_dwc"},
    /* ... in bands of output rows (a plane's tile over the local limit: 2
     * bands on POCL, 10 on Oclgrind), the last band shorter; and the rule:
     * output rows up to 28 wide on a CPU, in bands where the tile would not
     * fit (2 on POCL, 20 on Oclgrind) */
    {1, 18, 40, 40, 18, 3, 3, 1, 1, 1, 1, 1, 1, 1, 18, 1, IR_OP_RELU, "conv_dwc", "conv_dwc"},
    {2, 9, 37, 29, 9, 5, 5, 2, 2, 2, 1, 2, 2, 1, 9, 1, NOACT, "conv_dwc", "conv_dwc"},
    {1, 3, 40, 40, 3, 5, 5, 2, 2, 2, 2, 2, 2, 1, 3, 1, NOACT, NULL, "conv_dwl|conv_dwc"},
    {1, 3, 29, 29, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_dwl"},
    /* several planes a work-item on a CPU (DWF_PER_CPU, halved to keep 64
     * work-items): 74 planes 4 at a time, the last group 2 planes, groups
     * across the two images; 100 planes 16 at a time, the last group 4 */
    {2, 37, 7, 7, 37, 3, 3, 1, 1, 1, 1, 1, 1, 1, 37, 1, IR_OP_RELU, "conv_dwf", "conv_dwf"},
    {1, 100, 14, 14, 100, 5, 5, 1, 1, 2, 2, 2, 2, 1, 100, 1, IR_OP_HARDSWISH, "conv_dwf", "conv_dwf"},
    /* its rule: 3x3 and 5x5 taps on planes up to 16 wide, 7x7 up to 8; a plane
     * that changes size (no pads) or stride 2 keeps conv_dwl. A CPU-shaped plan
     * runs all of these on conv_dwc (output rows up to 28 wide), the 130x130
     * plane excepted. */
    {1, 5, 7, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5, 1, NOACT, NULL, "conv_dwf|conv_dwc"},
    {1, 3, 16, 16, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_dwf|conv_dwc"},
    {1, 3, 5, 17, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_dwl|conv_dwc"},
    {1, 3, 16, 16, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 3, 1, NOACT, NULL, "conv_dwf|conv_dwc"},
    {1, 3, 17, 17, 3, 5, 5, 1, 1, 2, 2, 2, 2, 1, 3, 1, NOACT, NULL, "conv_dwl|conv_dwc"},
    {1, 3, 8, 8, 3, 7, 7, 1, 1, 3, 3, 3, 3, 1, 3, 1, NOACT, NULL, "conv_dwf|conv_dwc"},
    {1, 3, 9, 9, 3, 7, 7, 1, 1, 3, 3, 3, 3, 1, 3, 1, NOACT, NULL, "conv_dwl|conv_dwc"},
    {1, 3, 7, 7, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 3, 1, NOACT, NULL, "conv_dwl|conv_dwc"},
    {1, 3, 14, 14, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 3, 1, NOACT, NULL, "conv_dwl|conv_dwc"},
    /* stride 1 x 2 (output rows over 28 wide: not conv_dwc), or a plane too big
     * for its tile: conv_dw by itself */
    {1, 5, 13, 63, 5, 7, 7, 1, 2, 3, 0, 3, 5, 1, 5, 0, NOACT, NULL, "conv_dw"},
    {1, 2, 130, 130, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 2, 1, NOACT, NULL, "conv_dw"},
    /* a 45 KiB tile: conv_dwl where the device has >= 90 KiB of local memory
     * (POCL), conv_dw on a GPU's 48 KiB; either way against the reference */
    {1, 3, 100, 101, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, IR_OP_RELU, NULL, NULL},
    {1, 3, 111, 113, 3, 3, 3, 2, 2, 0, 1, 1, 0, 1, 3, 1, NOACT, NULL, NULL},
    /* Issue 14, reads past the input buffer (the graph input is allocated
     * exactly; Oclgrind flags any read past it, POCL does not). conv_pw on
     * planes smaller than its 16-pixel tile, at the last image: 1x1, 2x2, 3x3,
     * and a 3x3 output behind pw_subsample's exact copy. */
    {1, 5, 2, 2, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, "conv_pw", "conv_pw"},
    {2, 7, 3, 3, 10, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, "conv_pw", "conv_pw"},
    {1, 2, 1, 1, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, "conv_pw", "conv_pw"},
    {1, 6, 5, 5, 7, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, "conv_pw"},
    /* a plane's last pixels, fewer than PW_OC, one at a time with the output
     * channels as the vector: 7x7 (one), 14x14 (four), 3x7 (five), 1x5 (all
     * five), a 7x7 output behind pw_subsample, output channels past a block */
    {1, 19, 7, 7, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_HARDSWISH, NULL, "conv_pw"},
    {2, 21, 14, 14, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_RELU, NULL, "conv_pw"},
    {1, 3, 3, 7, 17, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, NOACT, "conv_pw", "conv_pw"},
    {2, 33, 1, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, IR_OP_LEAKYRELU, "conv_pw", "conv_pw"},
    {1, 9, 13, 13, 11, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1, IR_OP_CLIP, NULL, "conv_pw"},
    /* conv_dw stride 2 whose last tile ends exactly at the row's end (the
     * vload16 behind .even reads one float further) in the buffer's last row:
     * W 17 no pads (one tile, iw0 0), W 32 pads 1 (second tile, iw0 15) */
    {1, 3, 3, 17, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 3, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 2, 5, 32, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2, 1, IR_OP_RELU, "conv_dw", "conv_dw"},
    /* horizontal stride 3: the lane-by-lane gather path everywhere */
    {1, 5, 9, 40, 5, 3, 3, 1, 3, 1, 1, 1, 1, 1, 5, 1, NOACT, "conv_dw", "conv_dw"},
    {1, 3, 7, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 3, 1, NOACT, "conv_dw", "conv_dw"},
};

static ir_graph *build(const conv_case *k)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->oc, k->c / k->group, k->kh, k->kw};
    int64_t bd[1] = {k->oc};
    int in[3];
    in[0] = kh_input(g, "x", 4, xd);
    /* weights scaled so outputs stay O(1) and the relative check is meaningful;
     * 4x larger before an activation so outputs reach its saturation points (+-3) */
    float s = (k->act == NOACT ? 1.0f : 4.0f) / sqrtf((float)(wd[1] * k->kh * k->kw));
    in[1] = kh_const(g, "w", 4, wd, -s, s);
    if (k->bias)
        in[2] = kh_const(g, "b", 1, bd, -0.5f, 0.5f);
    int y = kh_tensor(g, "conv_out");
    int node = ir_add_node(g, IR_OP_CONV, "conv", in, k->bias ? 3 : 2, &y, 1);
    int64_t ks[2] = {k->kh, k->kw}, st[2] = {k->sh, k->sw}, dl[2] = {k->dil, k->dil};
    int64_t pads[4] = {k->pt, k->pl, k->pb, k->pr};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, node, "strides", st, 2);
    ir_set_attr_ints(g, node, "dilations", dl, 2);
    ir_set_attr_ints(g, node, "pads", pads, 4);
    ir_set_attr_int(g, node, "group", k->group);
    kh_output_act(g, y, k->act);
    return g;
}

/* The variant a case must get on this device's plan, in buf when its expect
 * names two ("gpu|cpu"). */
static const char *case_expect(rt_ctx *rt, const conv_case *k, char *buf, size_t n)
{
    const char *bar = k->expect ? strchr(k->expect, '|') : NULL;
    if (!bar)
        return k->expect;
    if (!rt_plan_device(rt)->gpu_shaped)
        return bar + 1;
    snprintf(buf, n, "%.*s", (int)(bar - k->expect), k->expect);
    return buf;
}

static void test_conv_variants(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const conv_case *k = &cases[i];
        char label[256];
        snprintf(label, sizeof label,
                 "conv case %zu: N%d C%d %dx%d -> OC%d k%dx%d s%d,%d pads(t%d l%d b%d r%d) dil%d "
                 "group%d bias%d act %s force %s",
                 i, k->n, k->c, k->h, k->w, k->oc, k->kh, k->kw, k->sh, k->sw, k->pt, k->pl, k->pb,
                 k->pr, k->dil, k->group, k->bias, k->act == NOACT ? "none" : ir_op_name(k->act),
                 k->force ? k->force : "auto");
        char want[64];
        fails += kh_check(rt, build(k), k->force, case_expect(rt, k, want, sizeof want), label);
        if (k->act != NOACT) /* the activation must really have been folded */
            fails += kh_check(rt, build(k), k->force, "fused", label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d conv case(s) failed", fails);
}

/* Swish: y = c * Sigmoid(c), c = Conv(x): one launch (Sigmoid and Mul fused),
 * with the Mul's operands in either order; a second reader of c blocks it.
 * Order 3: HardSwish spelled c * HardSigmoid(c; 1/6, 1/2), also one launch. */
static void test_silu_fusion(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (int order = 0; order < 4; order++) {
        ir_graph *g = kh_new(18);
        int64_t xd[4] = {1, 5, 7, 13}, wd[4] = {17, 5, 3, 3}, bd[1] = {17};
        /* weights up to 1: outputs reach past +-3, where HardSigmoid saturates */
        int in[3] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -1.0f, 1.0f),
                     kh_const(g, "b", 1, bd, -0.5f, 0.5f)};
        int c = kh_tensor(g, "c"), s = kh_tensor(g, "s"), y = kh_tensor(g, "y");
        int n = ir_add_node(g, IR_OP_CONV, "conv", in, 3, &c, 1);
        int64_t pads[4] = {1, 1, 1, 1};
        ir_set_attr_ints(g, n, "pads", pads, 4);
        int sn = ir_add_node(g, order == 3 ? IR_OP_HARDSIGMOID : IR_OP_SIGMOID, "sig", &c, 1, &s, 1);
        if (order == 3) {
            ir_set_attr_float(g, sn, "alpha", 1.0f / 6.0f);
            ir_set_attr_float(g, sn, "beta", 0.5f);
        }
        int min[2] = {order == 1 ? s : c, order == 1 ? c : s};
        ir_add_node(g, IR_OP_MUL, "mul", min, 2, &y, 1);
        kh_output(g, y);
        if (order == 2) /* c also a graph output: must not fuse */
            kh_output(g, c);
        char label[64];
        snprintf(label, sizeof label, "conv+%s+mul order %d", order == 3 ? "hardsigmoid" : "sigmoid", order);
        fails += kh_check_k(rt, g, NULL, order == 2 ? "unary" : "fused", order == 2 ? 3 : 1, label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d SiLU case(s) failed", fails);
}

/* ---- fp16 storage (issue 18) ----
 * Every variant with its float tensors stored half: conv_cl (and the other Conv
 * family ops) called directly with opcl_ctx.fp16 = 1 and half device buffers,
 * as an fp16 plan sets them up (the plan's precision pass and uploads are
 * tested with the plan). The same runner with fp16 = 0 and float buffers must
 * match the reference at the fp32 tolerances, which checks the runner itself.
 * Inputs, weights, bias, residual and gate hold half-representable values, so
 * reference and kernel read the same numbers: what remains is the output's
 * rounding to half (at most 2^-11 relative) and float summation order. */
#define C16_REL 4.9e-4 /* 2^-11: round to nearest half, relative to the value */

typedef struct c16_opts {
    int fp16;          /* 1: float tensors stored half, programs built -DCLCNN_FP16 */
    const char *force; /* variant forced, NULL auto */
    int res;           /* a residual (the output's shape) added before the activation */
    int gate;          /* an SE gate (N x C_in, in [0, 1]) scaling the input channels */
    int dw;            /* node 0 a depthwise Conv fused before node 1 (conv_dwpw) */
    const tune_db *tune; /* stored measurements (CLBlast choice), NULL: none */
} c16_opts;

static float c16_keep(float v, int fp16) /* the value a device buffer holds */
{
    return fp16 ? ir_half_to_float(ir_float_to_half(v)) : v;
}

/* A device buffer of n floats from v (NULL: all bits set, NaN in both storages,
 * so an element a kernel never writes cannot pass), stored half when fp16. */
static cl_mem c16_buffer(rt_ctx *rt, const float *v, size_t n, int fp16)
{
    const size_t es = fp16 ? 2 : 4;
    unsigned char *up = malloc(n * es + 4);
    assert_non_null(up);
    memset(up, 0xFF, n * es + 4);
    for (size_t i = 0; v && i < n; i++) {
        if (fp16) {
            const uint16_t h = ir_float_to_half(v[i]);
            memcpy(up + 2 * i, &h, 2);
        } else {
            memcpy(up + 4 * i, &v[i], 4);
        }
    }
    cl_int rc;
    cl_mem m = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                              n ? n * es : 4, up, &rc);
    free(up);
    assert_int_equal(rc, CL_SUCCESS);
    return m;
}

static float *c16_seeded(size_t n, float lo, float hi, int fp16)
{
    float *v = malloc(n * sizeof(float) + 4);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = c16_keep(lo + (kh_rand() + 1.0f) * 0.5f * (hi - lo), fp16);
    return v;
}

/* Plans node `mi` of g (a Conv, ConvTranspose or BatchNormalization; with
 * o->dw node 0 is the fused depthwise) with the activation of the node after
 * it fused, as the plan would, runs the launches and reads the chain's output
 * into got. Weights go packed where conv_cl_packs_weights says the plan packs
 * them. Returns the variant of the first launch in *variant. */
static clcnn_status c16_cl(rt_ctx *rt, ir_graph *g, int mi, const c16_opts *o,
                           float *const *host, const float *res, const float *gate, float *got,
                           const char **variant, clcnn_err *err)
{
    const ir_node *n = &g->nodes[mi];
    const int last = g->n_nodes - 1, yt = g->nodes[last].out[0];
    cl_mem *mem = calloc((size_t)g->n_tensors, sizeof *mem);
    opcl_ctx c = {0};
    c.rt = rt, c.g = g, c.mem = mem, c.build_opts = "", c.out = yt, c.fp16 = o->fp16;
    c.force = o->force, c.tune = o->tune;
    if (last > mi)
        assert_int_equal(opcl_act_of(g, &g->nodes[last], &c.act), 1);
    if (o->dw)
        c.dw = &g->nodes[0], c.w_packed = 1;
    else if (n->op == IR_OP_CONV)
        c.w_packed = conv_cl_packs_weights(&c, n, 0, o->gate);
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        const size_t cnt = (size_t)ir_numel(x);
        if (c.w_packed && t == n->in[1]) {
            size_t bytes;
            float *q = conv_cl_pack_weights(x, &bytes);
            assert_non_null(q);
            mem[t] = c16_buffer(rt, q, bytes / sizeof(float), o->fp16);
            free(q);
        } else {
            /* produced tensors start as NaN: host[] holds the reference's values */
            const float *src = x->data ? x->data : x->producer < 0 ? host[t] : NULL;
            mem[t] = c16_buffer(rt, src, cnt, o->fp16);
        }
    }
    const size_t ny = (size_t)ir_numel(&g->tensors[yt]);
    cl_mem rb = res ? c16_buffer(rt, res, ny, o->fp16) : NULL;
    const ir_tensor *x0 = ir_in(g, n, 0);
    cl_mem gb = gate ? c16_buffer(rt, gate, (size_t)(x0->dims[0] * x0->dims[1]), o->fp16) : NULL;
    c.res = rb, c.gate = gb;
    clcnn_status st = opcl_get(n->op)(&c, n, err);
    *variant = c.variant;
    cl_command_queue q = rt_queue(rt);
    for (int i = 0; i < c.n_launches && !st; i++) {
        const opcl_launch *L = &c.launches[i];
        if (L->custom) {
            st = L->custom(L->custom_data, q, NULL, err);
        } else {
            cl_int rc =
                clEnqueueNDRangeKernel(q, L->k, L->dim, NULL, L->gws, L->lws, 0, NULL, NULL);
            if (rc != CL_SUCCESS)
                st = err_set(err, CLCNN_ERR_CL, "enqueue: %s", rt_cl_error_name(rc));
        }
    }
    if (!st) {
        const size_t es = o->fp16 ? 2 : 4;
        unsigned char *raw = malloc(ny * es + 4);
        assert_non_null(raw);
        if (clEnqueueReadBuffer(q, mem[yt], CL_TRUE, 0, ny * es, raw, 0, NULL, NULL))
            st = err_set(err, CLCNN_ERR_CL, "read back failed");
        for (size_t i = 0; i < ny && !st; i++) {
            uint16_t h;
            memcpy(&h, raw + 2 * i, 2);
            if (o->fp16)
                got[i] = ir_half_to_float(h);
            else
                memcpy(&got[i], raw + 4 * i, 4);
        }
        free(raw);
    }
    clFinish(q);
    for (int i = 0; i < c.n_launches; i++) {
        if (c.launches[i].k)
            clReleaseKernel(c.launches[i].k);
        if (c.launches[i].custom_free)
            c.launches[i].custom_free(c.launches[i].custom_data);
    }
    free(c.launches);
    for (int t = 0; t < g->n_tensors; t++)
        clReleaseMemObject(mem[t]);
    if (rb)
        clReleaseMemObject(rb);
    if (gb)
        clReleaseMemObject(gb);
    free(mem);
    return st;
}

/* The reference of the whole chain: node `mi` reads its input scaled by the
 * gate, its output gets res added, then the rest of the nodes run. */
static clcnn_status c16_ref(ir_graph *g, int mi, float *const *host, const float *res,
                            const float *gate, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    for (int i = 0; i < g->n_nodes && !st; i++) {
        const ir_node *n = &g->nodes[i];
        void **bufs = calloc((size_t)g->n_tensors, sizeof *bufs);
        assert_non_null(bufs);
        for (int t = 0; t < g->n_tensors; t++)
            bufs[t] = g->tensors[t].data ? g->tensors[t].data : host[t];
        float *gated = NULL;
        const ir_tensor *x = ir_in(g, n, 0);
        if (i == mi && gate) { /* x[n, c, :] * gate[n, c], in float as conv_pw does */
            const size_t hw = (size_t)(ir_numel(x) / (x->dims[0] * x->dims[1]));
            gated = malloc((size_t)ir_numel(x) * sizeof(float));
            assert_non_null(gated);
            for (size_t j = 0; j < (size_t)ir_numel(x); j++)
                gated[j] = host[n->in[0]][j] * gate[j / hw];
            bufs[n->in[0]] = gated;
        }
        st = op_get(n->op)->ref(g, n, bufs, err);
        free(gated);
        free(bufs);
        if (!st && i == mi && res)
            for (size_t j = 0; j < (size_t)ir_numel(&g->tensors[n->out[0]]); j++)
                host[n->out[0]][j] += res[j];
    }
    return st;
}

/* Runs g (toposorted here) both ways and compares the last node's output:
 * |cl - ref| <= C16_REL |ref| + KH_ABS + KH_REL max|ref| in fp16, the fp32
 * tolerance alone in fp32. expect: the variant the launch must get (NULL: any).
 * Returns 1 on failure (printed); frees g. */
static int c16_check(rt_ctx *rt, ir_graph *g, const c16_opts *o, const char *expect,
                     const char *label)
{
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    int mi = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == IR_OP_CONV || g->nodes[i].op == IR_OP_CONVTRANSPOSE ||
            g->nodes[i].op == IR_OP_BATCHNORM)
            mi = i; /* with o->dw, the pointwise Conv after the depthwise one */
    float **host = calloc((size_t)g->n_tensors, sizeof *host);
    assert_non_null(host);
    for (int t = 0; t < g->n_tensors; t++) {
        ir_tensor *x = &g->tensors[t];
        const size_t cnt = (size_t)ir_numel(x);
        if (x->data) /* constants: the values a half upload keeps */
            for (size_t i = 0; i < cnt; i++)
                ((float *)x->data)[i] = c16_keep(((float *)x->data)[i], o->fp16);
        else
            host[t] = x->producer < 0 ? c16_seeded(cnt, -1.0f, 1.0f, o->fp16)
                                      : calloc(cnt + 1, sizeof(float));
    }
    const int yt = g->nodes[g->n_nodes - 1].out[0];
    const ir_tensor *y = &g->tensors[yt], *x0 = ir_in(g, &g->nodes[mi], 0);
    const size_t ny = (size_t)ir_numel(y);
    float *res = o->res ? c16_seeded((size_t)ir_numel(&g->tensors[g->nodes[mi].out[0]]),
                                     -1.0f, 1.0f, o->fp16)
                        : NULL;
    float *gate = o->gate ? c16_seeded((size_t)(x0->dims[0] * x0->dims[1]), 0.0f, 1.0f, o->fp16)
                          : NULL;
    float *got = malloc(ny * sizeof(float) + 4);
    assert_non_null(got);
    const char *variant = NULL;
    int bad = 0;
    clcnn_status st;
    if ((st = c16_ref(g, mi, host, res, gate, &err))) {
        print_error("[%s] reference: %s\n", label, err.msg);
        bad = 1;
    } else if ((st = c16_cl(rt, g, mi, o, host, res, gate, got, &variant, &err))) {
        print_error("[%s] OpenCL %s: %s: %s\n%s\n", label, o->fp16 ? "fp16" : "fp32",
                    clcnn_status_str(st), err.msg, err.detail ? err.detail : "");
        bad = 1;
    } else if (expect && (!variant || strcmp(variant, expect) != 0)) {
        print_error("[%s] expected variant '%s', got '%s'\n", label, expect,
                    variant ? variant : "(none)");
        bad = 1;
    }
    double mx = 0;
    for (size_t j = 0; j < ny && !bad; j++)
        mx = fmax(mx, fabs(host[yt][j]));
    for (size_t j = 0; j < ny && !bad; j++) {
        const double r = host[yt][j], d = fabs((double)got[j] - r);
        if (!(d <= (o->fp16 ? C16_REL * fabs(r) : 0.0) + KH_ABS + KH_REL * mx)) {
            print_error("[%s] %s: first bad index %zu: cl %.9g ref %.9g (max|ref| %g)\n", label,
                        o->fp16 ? "fp16" : "fp32", j, got[j], r, mx);
            bad = 1;
        }
    }
    for (int t = 0; t < g->n_tensors; t++)
        free(host[t]);
    free(host), free(res), free(gate), free(got);
    err_clear(&err);
    ir_graph_free(g);
    return bad;
}

/* Every conv case above in fp32 and fp16 through the direct runner, every other
 * one with a residual (conv_smallm's cases then run conv_mv, which adds it);
 * the pointwise ones also with an SE gate. */
static void test_conv_fp16(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const conv_case *k = &cases[i];
        const int pw = k->expect && strcmp(k->expect, "conv_pw") == 0;
        for (int fp16 = 0; fp16 < 2; fp16++) {
            for (int gate = 0; gate <= pw; gate++) {
                const c16_opts o = {fp16, k->force, (int)(i & 1), gate, 0, NULL};
                char label[256];
                snprintf(label, sizeof label,
                         "fp16=%d conv case %zu: N%d C%d %dx%d -> OC%d k%dx%d s%d,%d "
                         "pads(t%d l%d b%d r%d) dil%d group%d bias%d act %s force %s res %d "
                         "gate %d",
                         fp16, i, k->n, k->c, k->h, k->w, k->oc, k->kh, k->kw, k->sh, k->sw,
                         k->pt, k->pl, k->pb, k->pr, k->dil, k->group, k->bias,
                         k->act == NOACT ? "none" : ir_op_name(k->act),
                         k->force ? k->force : "auto", o.res, gate);
                const int smallm = k->expect && strcmp(k->expect, "conv_smallm") == 0;
                char want[64];
                fails += c16_check(rt, build(k), &o,
                                   smallm && o.res ? "conv_mv" : case_expect(rt, k, want, sizeof want),
                                   label);
            }
        }
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d conv fp16/fp32 case(s) failed", fails);
}

/* A Conv node on x: weights (oc, c/group, k, k) scaled to keep outputs O(1),
 * a bias, square kernel k, stride s, pad p on every edge. Returns its output. */
static int c16_conv_node(ir_graph *g, int x, int c, int oc, int k, int s, int p, int group,
                         const char *name)
{
    char wn[64], bn[64], yn[64];
    snprintf(wn, sizeof wn, "%s_w", name), snprintf(bn, sizeof bn, "%s_b", name);
    snprintf(yn, sizeof yn, "%s_y", name);
    const int64_t wd[4] = {oc, c / group, k, k}, bd[1] = {oc};
    const float sc = 1.0f / sqrtf((float)(wd[1] * k * k));
    int in[3] = {x, kh_const(g, wn, 4, wd, -sc, sc), kh_const(g, bn, 1, bd, -0.5f, 0.5f)};
    int y = kh_tensor(g, yn);
    int node = ir_add_node(g, IR_OP_CONV, name, in, 3, &y, 1);
    const int64_t ks[2] = {k, k}, st[2] = {s, s}, pads[4] = {p, p, p, p};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, node, "strides", st, 2);
    ir_set_attr_ints(g, node, "pads", pads, 4);
    ir_set_attr_int(g, node, "group", group);
    return y;
}

/* conv_dwpw in fp32 and fp16: depthwise (k, stride, pads) then pointwise, the
 * pointwise output with a residual and an activation on some; a row of 17
 * (DW_PX 16, a part tile) and of 7 or 4 (DW_PX 8), channels 3/5/17, batch 2;
 * the stride-1 size-keeping ones flat (conv_dwpw_flat: 221 and 363 pixels,
 * part tiles) and forced to row tiles. */
static void test_dwpw_fp16(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const struct { int n, c, h, w, oc, k, s, p, res; ir_op act; } dc[] = {
        {1, 5, 13, 17, 7, 3, 1, 1, 0, NOACT},
        {2, 3, 9, 7, 17, 5, 2, 2, 1, IR_OP_RELU},
        {1, 17, 5, 8, 5, 3, 2, 0, 1, NOACT},
        {1, 3, 11, 33, 9, 7, 1, 3, 1, IR_OP_HARDSWISH},
        {2, 5, 3, 3, 6, 3, 1, 1, 1, IR_OP_RELU}, /* planes below one vector */
        {1, 3, 2, 2, 5, 5, 1, 2, 0, NOACT},
        {1, 7, 1, 1, 3, 3, 1, 1, 1, NOACT},
        {1, 9, 7, 7, 10, 3, 1, 1, 1, IR_OP_HARDSWISH},
    };
    int fails = 0;
    for (size_t i = 0; i < sizeof dc / sizeof dc[0]; i++) {
        /* stride 1 keeping the plane's size: flat tiles by themselves, row
         * tiles when forced */
        const int flat = dc[i].s == 1 && 2 * dc[i].p == dc[i].k - 1;
        for (int run = 0; run < 2 * (1 + flat); run++) {
            const int fp16 = run & 1, row = run >> 1;
            ir_graph *g = kh_new(13);
            const int64_t xd[4] = {dc[i].n, dc[i].c, dc[i].h, dc[i].w};
            int x = kh_input(g, "x", 4, xd);
            int d = c16_conv_node(g, x, dc[i].c, dc[i].c, dc[i].k, dc[i].s, dc[i].p, dc[i].c, "dw");
            kh_output_act(g, c16_conv_node(g, d, dc[i].c, dc[i].oc, 1, 1, 0, 1, "pw"), dc[i].act);
            const c16_opts o = {fp16, row ? "conv_dwpw" : NULL, dc[i].res, 0, 1, NULL};
            char label[160];
            snprintf(label, sizeof label, "fp16=%d dwpw case %zu: N%d C%d %dx%d -> OC%d k%d s%d "
                     "p%d res %d act %s force %s", fp16, i, dc[i].n, dc[i].c, dc[i].h, dc[i].w,
                     dc[i].oc, dc[i].k, dc[i].s, dc[i].p, dc[i].res,
                     dc[i].act == NOACT ? "none" : ir_op_name(dc[i].act), o.force ? o.force : "auto");
            fails += c16_check(rt, g, &o, flat && !row ? "conv_dwpw_flat" : "conv_dwpw", label);
        }
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d conv_dwpw fp16/fp32 case(s) failed", fails);
}

/* ConvTranspose (convt_gather) and BatchNormalization (bn) in fp32 and fp16:
 * odd sizes, stride 2 with output_padding, groups, a 3-D ConvTranspose, and a
 * fused activation on one of each. */
static void test_convt_bn_fp16(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const struct { int r, n, c, h, w, m, k, s, p, op, group; ir_op act; } tc[] = {
        {4, 1, 3, 5, 7, 4, 3, 2, 1, 1, 1, NOACT},
        {4, 2, 4, 3, 3, 6, 2, 1, 0, 0, 2, IR_OP_RELU},
        {5, 1, 3, 3, 5, 5, 3, 2, 1, 1, 1, NOACT},
    };
    int fails = 0;
    for (size_t i = 0; i < sizeof tc / sizeof tc[0]; i++) {
        for (int fp16 = 0; fp16 < 2; fp16++) {
            ir_graph *g = kh_new(13);
            const int r = tc[i].r, sp = r - 2;
            int64_t xd[5] = {tc[i].n, tc[i].c, tc[i].h, tc[i].h, tc[i].w};
            int64_t wd[5] = {tc[i].c, tc[i].m / tc[i].group, tc[i].k, tc[i].k, tc[i].k};
            if (r == 4)
                xd[3] = tc[i].w;
            const int64_t bd[1] = {tc[i].m};
            const float sc = 1.0f / sqrtf((float)(tc[i].c * tc[i].k * tc[i].k));
            int in[3] = {kh_input(g, "x", r, xd), kh_const(g, "w", r, wd, -sc, sc),
                         kh_const(g, "b", 1, bd, -0.5f, 0.5f)};
            int y = kh_tensor(g, "y");
            int node = ir_add_node(g, IR_OP_CONVTRANSPOSE, "convt", in, 3, &y, 1);
            int64_t ks[3], st[3], pads[6], opad[3];
            for (int d = 0; d < sp; d++)
                ks[d] = tc[i].k, st[d] = tc[i].s, opad[d] = tc[i].op,
                pads[d] = pads[d + sp] = tc[i].p;
            ir_set_attr_ints(g, node, "kernel_shape", ks, sp);
            ir_set_attr_ints(g, node, "strides", st, sp);
            ir_set_attr_ints(g, node, "pads", pads, 2 * sp);
            ir_set_attr_ints(g, node, "output_padding", opad, sp);
            ir_set_attr_int(g, node, "group", tc[i].group);
            kh_output_act(g, y, tc[i].act);
            const c16_opts o = {fp16, NULL, 0, 0, 0, NULL};
            char label[128];
            snprintf(label, sizeof label, "fp16=%d convt case %zu: rank %d N%d C%d -> M%d k%d s%d "
                     "p%d op%d group %d", fp16, i, r, tc[i].n, tc[i].c, tc[i].m, tc[i].k, tc[i].s,
                     tc[i].p, tc[i].op, tc[i].group);
            fails += c16_check(rt, g, &o, "convt_gather", label);
        }
    }
    /* BatchNormalization: (N, C, H, W) and (N, C); var in [0.5, 2] */
    static const struct { int r; int64_t d[4]; ir_op act; } bc[] = {
        {4, {2, 5, 7, 3}, NOACT}, {2, {3, 17, 1, 1}, IR_OP_RELU}, {4, {1, 3, 1, 13}, IR_OP_CLIP}};
    for (size_t i = 0; i < sizeof bc / sizeof bc[0]; i++) {
        for (int fp16 = 0; fp16 < 2; fp16++) {
            ir_graph *g = kh_new(15);
            const int64_t cd[1] = {bc[i].d[1]};
            int in[5] = {kh_input(g, "x", bc[i].r, bc[i].d),
                         kh_const(g, "scale", 1, cd, -2.0f, 2.0f),
                         kh_const(g, "shift", 1, cd, -1.0f, 1.0f),
                         kh_const(g, "mean", 1, cd, -0.5f, 0.5f),
                         kh_const(g, "var", 1, cd, 0.5f, 2.0f)};
            int y = kh_tensor(g, "y");
            ir_add_node(g, IR_OP_BATCHNORM, "bn", in, 5, &y, 1);
            kh_output_act(g, y, bc[i].act);
            const c16_opts o = {fp16, NULL, 0, 0, 0, NULL};
            char label[96];
            snprintf(label, sizeof label, "fp16=%d bn case %zu: rank %d C%lld act %s", fp16, i,
                     bc[i].r, (long long)bc[i].d[1],
                     bc[i].act == NOACT ? "none" : ir_op_name(bc[i].act));
            fails += c16_check(rt, g, &o, "bn", label);
        }
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d ConvTranspose/BatchNormalization fp16/fp32 case(s) failed", fails);
}

/* A stored measurement saying CLBlast wins a pointwise shape: the fp32 plan
 * would run it as conv_clblast (unpacked weights), an fp16 one must keep
 * conv_pw (SGEMM reads float32) and be right. CLBlast itself is not run here:
 * this suite runs under Oclgrind, where CLBlast's exit-time cleanup crashes
 * (ci/oclgrind.sh); test_tune runs it. */
static void test_clblast_refused_fp16(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    tune_db *db = NULL;
    clcnn_err err = {0};
    assert_int_equal(tune_open_file("/nonexistent/clcnn-k1/tune", NULL, &db, &err), CLCNN_OK);
    /* N2 C17 13x7 -> OC5: GEMM M = 5, N = 91, K = 17 per image */
    assert_int_equal(tune_set_clblast(db, 5, 91, 17, 2.0, 1.0, 1, &err), CLCNN_OK);
    assert_int_equal(tune_use_clblast(db, 5, 91, 17), 1);
    const conv_case k = {2, 17, 13, 7, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, NOACT, NULL, NULL};
    ir_graph *g = build(&k);
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    opcl_ctx probe = {0};
    probe.g = g, probe.tune = db;
    /* the plan's packing question: fp32 leaves the weights for SGEMM */
    assert_int_equal(conv_cl_packs_weights(&probe, &g->nodes[0], 0, 0), 0);
    probe.fp16 = 1;
    assert_int_equal(conv_cl_packs_weights(&probe, &g->nodes[0], 0, 0), 1);
    ir_graph_free(g);
    const c16_opts o = {1, NULL, 1, 0, 0, db};
    const int fails = c16_check(rt, build(&k), &o, "conv_pw", "fp16 pointwise, CLBlast measured");
    tune_close(db);
    err_clear(&err);
    rt_destroy(rt);
    if (fails)
        fail_msg("the fp16 pointwise Conv with a CLBlast measurement failed");
}

/* A graph run on the OpenCL path: its one input x, its one output copied to y
 * (sized by the caller); nonzero on any error. */
/* The same image gives the same bits at batch 1 and batch 2: tiles at the
 * tensor's first and last planes take a gathered path (their vector reads
 * would leave the buffer) that must sum as the vector path does, or an image's
 * result would depend on its place in the batch (a Ray job at batch 4 differed
 * from the CLI at batch 1 in the 7th digit). conv_dwf (k 3 and 5),
 * conv_dwpw_flat and conv_kxk's edge tiles (8- and 16-pixel); and a 1x1 Conv on a 1x1 image (an
 * SE FC), conv_smallm at batch 1 and conv_mv at batch 2. */
static ir_graph *batch_graph(int kind, int n)
{
    kh_rng = 0x9E3779B97F4A7C15ull; /* the same weights in every build */
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {n, 5, 7, 13}, xv[4] = {n, 5 * 7 * 13, 1, 1};
    int x = kh_input(g, "x", 4, kind == 4 ? xv : xd), y;
    if (kind == 4)
        y = c16_conv_node(g, x, 5 * 7 * 13, 9, 1, 1, 0, 1, "fc");
    else if (kind == 5) /* 13-wide rows: one 16-pixel tile, both edges masked */
        y = c16_conv_node(g, x, 5, 8, 3, 1, 1, 1, "stem16");
    else if (kind == 0 || kind == 1)
        y = c16_conv_node(g, x, 5, 5, kind ? 5 : 3, 1, kind ? 2 : 1, 5, "dw");
    else if (kind == 2)
        y = c16_conv_node(g, c16_conv_node(g, x, 5, 5, 3, 1, 1, 5, "dw"), 5, 9, 1, 1, 0, 1, "pw");
    else
        y = c16_conv_node(g, x, 5, 8, 3, 2, 1, 1, "stem");
    kh_output(g, y);
    return g;
}

static void test_batch_bits(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const char *const force[] = {"conv_dwf", "conv_dwf", NULL, "conv_kxk", NULL,
                                        "conv_kxk"};
    static const char *const name[] = {"conv_dwf k3", "conv_dwf k5", "conv_dwpw_flat",
                                       "conv_kxk 8 pixels", "conv_smallm / conv_mv",
                                       "conv_kxk 16 pixels"};
    const size_t nx = 5 * 7 * 13;
    float x[2 * 5 * 7 * 13];
    for (size_t i = 0; i < 2 * nx; i++)
        x[i] = kh_rand();
    int fails = 0;
    for (int kind = 0; kind < 6; kind++) {
        const size_t ny = kind == 2   ? 9 * 7 * 13
                          : kind == 3 ? 8 * 4 * 7
                          : kind == 4 ? 9
                          : kind == 5 ? 8 * 7 * 13
                                      : 5 * 7 * 13;
        float *y2 = malloc(2 * ny * sizeof(float)), *y1 = malloc(ny * sizeof(float));
        assert_non_null(y2);
        assert_non_null(y1);
        fails += kh_run_one(rt, batch_graph(kind, 2), force[kind], x, y2, 2 * ny, name[kind]);
        for (int img = 0; img < 2 && !fails; img++) {
            fails += kh_run_one(rt, batch_graph(kind, 1), force[kind], x + img * nx, y1, ny,
                             name[kind]);
            if (!fails && memcmp(y1, y2 + img * ny, ny * sizeof(float)) != 0) {
                print_error("[%s] image %d: batch 1 and batch 2 outputs differ\n", name[kind],
                            img);
                fails++;
            }
        }
        free(y1), free(y2);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d batch-invariance case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_variants),
        cmocka_unit_test(test_silu_fusion),
        cmocka_unit_test(test_conv_fp16),
        cmocka_unit_test(test_dwpw_fp16),
        cmocka_unit_test(test_convt_bn_fp16),
        cmocka_unit_test(test_clblast_refused_fp16),
        cmocka_unit_test(test_batch_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
