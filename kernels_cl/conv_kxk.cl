/* conv_kxk.cl — square KxK convolution with groups 1 (a network's stem, ResNet's
 * and GoogLeNet's 3x3 / 5x5 convs), NCHW float (stored as sfloat: float, or half
 * in an fp16 plan, act.cl), bias and activation fused.
 * Variant (host/ops_cl/conv_cl.c):
 *   conv_kxk      group 1, square KXK_K x KXK_K kernel (-DKXK_K=3|5|7), dilation 1,
 *                 any stride (1 and 2 load vectors, others gather) and pads; weights
 *                 packed as conv_pw's (KXK_OC == PW_OC). KXK_OC output channels x
 *                 KXK_PX (-DKXK_PX=8|16) consecutive pixels of a row per work-item,
 *                 the pixels one float8 / float16, every tap unrolled. NDRange
 *                 (ceil(OW/KXK_PX), OH, N*ceil(OC/KXK_OC)).
 * Every variant ends with the same epilogue: + bias, + res (has_res: a residual
 * Add the plan fused in, same shape as out), then the activation (act.cl).
 * Every kernel guards its tail: the host pads global sizes to the work-group size
 * (POCL has no non-uniform work-groups). */

#ifndef KXK_K
#define KXK_K 3 /* kernel size (square) */
#endif

/* conv_kxk: conv_tiled's inner loops are scalar per pixel (18 GFLOP/s on
 * MobileNetV2's stem; GoogLeNet 68 ms on POCL, 37 with this kernel). Here the
 * KXK_PX pixels are one vector and the KXK_K taps of a row are unrolled, so a
 * tap is one vector load (stride 1: vloadN; stride 2: the even lanes of twice
 * that) feeding KXK_OC vector FMAs. Rows outside the image are
 * skipped (uniform per work-item); tiles near the left/right edge load the
 * same vectors with the lanes outside the row masked, or, where such a read
 * would leave the tensor (its first and last rows), gather lane by lane with
 * clamped, masked reads. */
#ifndef KXK_OC
#define KXK_OC 8 /* conv_kxk: output channels per work-item */
#endif
#ifndef KXK_PX
#define KXK_PX 8 /* conv_kxk: consecutive pixels of a row per work-item, 8 or 16 */
#endif
#define KV XCAT(float, KXK_PX)
#define KI XCAT(int, KXK_PX)
#if KXK_PX == 8
#define KXK_IOTA ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#define KXK_LOAD_S2(p) (LDN(16, 0, (p)).even)
#define KXK_GATHER(row, cw)                                                            \
    ((float8)(LD(row, cw.s0), LD(row, cw.s1), LD(row, cw.s2), LD(row, cw.s3), LD(row, cw.s4), \
              LD(row, cw.s5), LD(row, cw.s6), LD(row, cw.s7)))
#elif KXK_PX == 16
#define KXK_IOTA ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#define KXK_LOAD_S2(p) ((float16)(LDN(16, 0, (p)).even, LDN(16, 0, (p) + 16).even))
#define KXK_GATHER(row, cw)                                                            \
    ((float16)(LD(row, cw.s0), LD(row, cw.s1), LD(row, cw.s2), LD(row, cw.s3), LD(row, cw.s4), \
               LD(row, cw.s5), LD(row, cw.s6), LD(row, cw.s7), LD(row, cw.s8), LD(row, cw.s9), \
               LD(row, cw.sa), LD(row, cw.sb), LD(row, cw.sc), LD(row, cw.sd), LD(row, cw.se), \
               LD(row, cw.sf)))
#else
#error "KXK_PX must be 8 or 16"
#endif
/* The KXK_OC packed weights of one tap as floats: one vload_halfN in fp16 (a
 * scalar vload_half per weight in the unrolled FMAs was several times slower
 * on Intel's CPU runtime, as in conv_pw.cl); fp32 reads them as before. */
#ifdef CLCNN_FP16
#define KXK_WLOAD(w_, p) float w_[KXK_OC]; XCAT(vstore, KXK_OC)(LDN(KXK_OC, 0, (p)), 0, w_)
#define KXK_WGET(w_, p, o) (w_[o])
#else
#define KXK_WLOAD(w_, p) (void)0
#define KXK_WGET(w_, p, o) ((p)[o])
#endif
__kernel void conv_kxk(__global const sfloat *in, __global const sfloat *wt,
                        __global const sfloat *bias, int has_bias, __global sfloat *out, int8 g,
                        int8 k, int act, float a, float b, __global const sfloat *res,
                        int has_res)
{
    const int ow0 = get_global_id(0) * KXK_PX, oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, N = g.s7;
    const int tiles = (OC + KXK_OC - 1) / KXK_OC;
    if (ow0 >= OW || oh >= OH || z >= N * tiles)
        return;
    const int n = z / tiles, oc0 = (z % tiles) * KXK_OC;
    const int SH = k.s2, SW = k.s3, wstride = C * KXK_K * KXK_K;
    const int ih0 = oh * SH - k.s4, iw0 = ow0 * SW - k.s5;
    KV acc[KXK_OC];
#pragma unroll
    for (int o = 0; o < KXK_OC; o++) /* tail channels compute a copy, never stored */
        acc[o] = (KV)(has_bias ? LD(bias, min(oc0 + o, OC - 1)) : 0.0f);
    /* packed weights (as conv_pw's): this tile's KXK_OC channels interleaved per tap */
    __global const sfloat *wq = wt + (size_t)oc0 * wstride;
    /* the widest vector read from iw0 + kw: stride 1 KXK_PX floats, stride 2
     * twice that (the even lanes) */
    const int span = SW == 1 ? KXK_PX : SW == 2 ? 2 * KXK_PX : (KXK_PX - 1) * SW + 1;
    const bool inside = iw0 >= 0 && iw0 + KXK_K - 1 + span - 1 < W;
    const KI lane = KXK_IOTA * SW + iw0;
    const long total = (long)N * C * H * W;
    __global const sfloat *ip = in + (size_t)n * C * H * W;
    for (int ic = 0; ic < C; ic++, ip += H * W) {
        for (int kh = 0; kh < KXK_K; kh++) {
            const int ih = ih0 + kh;
            if (ih < 0 || ih >= H)
                continue;
            __global const sfloat *row = ip + ih * W;
#pragma unroll
            for (int kw = 0; kw < KXK_K; kw++) {
                KV v;
                /* an edge tile's vector read, when it stays inside the tensor,
                 * with the lanes outside the row zeroed (they read its
                 * neighbours): the lane-by-lane gather below cost the stem's
                 * two edge tiles of 14 most of its time */
                const long at = (long)(row - in) + iw0 + kw;
                const bool vec = SW <= 2 && (inside || (at >= 0 && at + span <= total));
                if (vec && SW == 1) {
                    v = LDN(KXK_PX, 0, row + iw0 + kw);
                    if (!inside)
                        v = select((KV)(0.0f), v, lane + kw >= 0 && lane + kw < W);
                } else if (vec) {
                    v = KXK_LOAD_S2(row + iw0 + kw);
                    if (!inside)
                        v = select((KV)(0.0f), v, lane + kw >= 0 && lane + kw < W);
                } else {
                    const KI iw = lane + kw;
                    /* vector bounds: Oclgrind 21.10 mis-evaluates an int8 clamp
                     * with scalar bounds (same meaning in OpenCL C) */
                    const KI cw = clamp(iw, (KI)(0), (KI)(W - 1));
                    v = select((KV)(0.0f), KXK_GATHER(row, cw), iw >= 0 && iw < W);
                }
                __global const sfloat *wt8 = wq + ((ic * KXK_K + kh) * KXK_K + kw) * KXK_OC;
                KXK_WLOAD(w_, wt8);
#pragma unroll
                for (int o = 0; o < KXK_OC; o++)
                    acc[o] = fma(v, (KV)(KXK_WGET(w_, wt8, o)), acc[o]);
            }
        }
    }
    const size_t plane = (size_t)OH * OW;
    const size_t ob = (size_t)n * OC * plane + (size_t)oh * OW + ow0;
    for (int o = 0; o < KXK_OC; o++) {
        if (oc0 + o >= OC)
            break;
        const size_t i = ob + (size_t)(oc0 + o) * plane;
        if (ow0 + KXK_PX <= OW) {
            const KV r = has_res ? LDN(KXK_PX, 0, res + i) : (KV)(0.0f);
            STN(KXK_PX, FAULT(XCAT(act_float, KXK_PX)(acc[o] + r, act, a, b)), 0, out + i);
        } else {
            float t[KXK_PX];
            XCAT(vstore, KXK_PX)(acc[o], 0, t);
            for (int p = 0; ow0 + p < OW; p++)
                ST(out, i + p,
                   FAULT(act_epi(t[p] + (has_res ? LD(res, i + p) : 0.0f), act, a, b)));
        }
    }
}
