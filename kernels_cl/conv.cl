/* conv.cl — 2-D convolution, NCHW float32, bias and activation fused.
 * Variants (host/ops/conv_cl.c picks one and records it):
 *   conv_general  any groups / dilation / stride / asymmetric pads; no preconditions.
 *                 One work-item per output pixel. NDRange (OW, OH, N*OC).
 *   conv_dw       depthwise: group == C_in == C_out, kernel DW_K x DW_K (-DDW_K=3|5|7),
 *                 horizontal stride DW_S (-D, any value), any vertical stride, dilation, pads. DW_PX consecutive output pixels of a
 *                 row per work-item. NDRange (ceil(OW/DW_PX), OH, N*C).
 *   conv_tiled    any kernel size / stride / dilation / pads; precondition: group 1, or
 *                 (C_out/group) % CONV_CT == 0 so a tile never straddles two groups
 *                 (the host picks CONV_CT from 16, 8, 4 per layer).
 *                 Each work-item computes CONV_CT output channels x CONV_PX consecutive
 *                 pixels of a row: every input value loaded feeds CONV_CT MACs, every
 *                 weight CONV_PX, and out-of-image taps are masked rather than branched
 *                 around. NDRange (ceil(OW/CONV_PX), OH, N*ceil(OC/CONV_CT)).
 *   conv_pw       pointwise: 1x1, no pads, group 1, any stride (stride 2 = subsampled
 *                 input); has_gate: input channel c of image n scaled by gate[n*C + c]
 *                 (an SE block's Mul fused in). Each work-item computes PW_OC output channels x PW_PX
 *                 consecutive pixels (register tile, the pixels one floatN vector). NDRange (ceil(OHW/PW_PX),
 *                 ceil(OC/PW_OC), N).
 * Every variant ends with the same epilogue: + bias, + res (has_res: a residual
 * Add the plan fused in, same shape as out), then the activation.
 * Every kernel guards its tail: the host pads global sizes to the work-group size
 * (POCL has no non-uniform work-groups). Activation codes match host/ops/op_cl.h. */

#ifndef DW_K
#define DW_K 3 /* depthwise kernel size (square) */
#endif
#ifndef DW_S
#define DW_S 1 /* depthwise: horizontal stride (compile-time so loads can vectorise) */
#endif
#ifndef DW_PX
#define DW_PX 4 /* depthwise: consecutive output pixels per work-item */
#endif
#ifndef CONV_CT
#define CONV_CT 4 /* conv_tiled: output channels per work-item */
#endif
#ifndef CONV_PX
#define CONV_PX 4 /* conv_tiled: consecutive output pixels of a row per work-item */
#endif
#ifndef PW_OC
#define PW_OC 4 /* pointwise: output channels per work-item */
#endif
#ifndef PW_PX
#define PW_PX 4 /* pointwise: pixels per work-item, one vector: 2, 4, 8 or 16 */
#endif
#define PW_CAT(a, b) a##b
#define PW_XCAT(a, b) PW_CAT(a, b)
#define VEC PW_XCAT(float, PW_PX)
#define VLOAD PW_XCAT(vload, PW_PX)
#define VSTORE PW_XCAT(vstore, PW_PX)

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_LEAKY 3
#define ACT_HSIGMOID 4
#define ACT_HSWISH 5
#define ACT_SIGMOID 6
#define ACT_SILU 7 /* x * sigmoid(x): Swish, fused from Sigmoid + Mul */
#define ACT_XHSIG 8 /* x * hardsigmoid(x): HardSwish as exporters spell it */

float act_apply(float v, int act, float a, float b)
{
    switch (act) {
    case ACT_RELU: return fmax(v, 0.0f);
    case ACT_CLIP: return fmin(fmax(v, a), b);
    case ACT_LEAKY: return v >= 0.0f ? v : v * a;
    case ACT_HSIGMOID: return fmin(fmax(v * a + b, 0.0f), 1.0f);
    case ACT_HSWISH: return v * fmin(fmax(v + 3.0f, 0.0f), 6.0f) / 6.0f;
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-v));
    case ACT_SILU: return v / (1.0f + exp(-v));
    case ACT_XHSIG: return v * fmin(fmax(v * a + b, 0.0f), 1.0f);
    default: return v;
    }
}

/* Test hook: a kernel built with -DCLCNN_FAULT_FLIP_SIGN writes wrong results on
 * purpose so `clcnn compare` can be shown to catch a broken layer. */
#ifdef CLCNN_FAULT_FLIP_SIGN
#define FAULT(v) (-(v))
#else
#define FAULT(v) (v)
#endif

/* geometry packed as int8: (C_in, H, W, C_out, OH, OW, groups, N) and
 * int8 (KH, KW, SH, SW, PT, PL, DH, DW): fewer arguments to set and keep in sync. */
__kernel void conv_general(__global const float *in, __global const float *wt,
                           __global const float *bias, int has_bias, __global float *out,
                           int8 g, int8 k, int act, float a, float b,
                           __global const float *res, int has_res)
{
    const int ow = get_global_id(0), oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, G = g.s6, N = g.s7;
    if (ow >= OW || oh >= OH || z >= N * OC)
        return;
    const int n = z / OC, oc = z % OC;
    const int icg = C / G, ocg = OC / G, grp = oc / ocg;
    const int KH = k.s0, KW = k.s1;
    const int ih0 = oh * k.s2 - k.s4, iw0 = ow * k.s3 - k.s5;
    float acc = has_bias ? bias[oc] : 0.0f;
    __global const float *wp = wt + (size_t)oc * icg * KH * KW;
    for (int ic = 0; ic < icg; ic++) {
        __global const float *ip = in + ((size_t)n * C + grp * icg + ic) * H * W;
        for (int kh = 0; kh < KH; kh++) {
            const int ih = ih0 + kh * k.s6;
            if (ih < 0 || ih >= H)
                continue;
            for (int kw = 0; kw < KW; kw++) {
                const int iw = iw0 + kw * k.s7;
                if (iw >= 0 && iw < W)
                    acc += ip[ih * W + iw] * wp[(ic * KH + kh) * KW + kw];
            }
        }
    }
    const size_t o = ((size_t)n * OC + oc) * OH * OW + oh * OW + ow;
    out[o] = FAULT(act_apply(acc + (has_res ? res[o] : 0.0f), act, a, b));
}

__kernel void conv_dw(__global const float *in, __global const float *wt,
                      __global const float *bias, int has_bias, __global float *out, int8 g,
                      int8 k, int act, float a, float b, __global const float *res, int has_res)
{
    const int ow0 = get_global_id(0) * DW_PX, oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OH = g.s4, OW = g.s5, N = g.s7;
    if (ow0 >= OW || oh >= OH || z >= N * C)
        return;
    const int c = z % C;
    const int ih0 = oh * k.s2 - k.s4, iw0 = ow0 * DW_S - k.s5;
    __global const float *ip = in + (size_t)z * H * W;
    __global const float *wp = wt + c * DW_K * DW_K;
    const float b0 = has_bias ? bias[c] : 0.0f;
    float acc[DW_PX];
    for (int p = 0; p < DW_PX; p++)
        acc[p] = b0;
    /* Most tiles sit wholly inside the image: no clamping or masking there. */
    const bool inside = ih0 >= 0 && ih0 + (DW_K - 1) * k.s6 < H && iw0 >= 0 &&
                        iw0 + (DW_PX - 1) * DW_S + (DW_K - 1) * k.s7 < W;
    if (inside) {
#pragma unroll
        for (int kh = 0; kh < DW_K; kh++) {
            __global const float *row = ip + (ih0 + kh * k.s6) * W + iw0;
#pragma unroll
            for (int kw = 0; kw < DW_K; kw++) {
                const float wv = wp[kh * DW_K + kw];
                for (int p = 0; p < DW_PX; p++)
                    acc[p] += row[p * DW_S + kw * k.s7] * wv;
            }
        }
    } else {
#pragma unroll
        for (int kh = 0; kh < DW_K; kh++) {
            const int ih = ih0 + kh * k.s6;
            if (ih < 0 || ih >= H)
                continue;
            __global const float *row = ip + ih * W;
#pragma unroll
            for (int kw = 0; kw < DW_K; kw++) {
                const float wv = wp[kh * DW_K + kw];
                for (int p = 0; p < DW_PX; p++) {
                    const int iw = iw0 + p * DW_S + kw * k.s7;
                    acc[p] += row[clamp(iw, 0, W - 1)] * ((iw >= 0 && iw < W) ? wv : 0.0f);
                }
            }
        }
    }
    const size_t o = (size_t)z * OH * OW + oh * OW + ow0;
    for (int p = 0; p < DW_PX; p++)
        if (ow0 + p < OW)
            out[o + p] = FAULT(act_apply(acc[p] + (has_res ? res[o + p] : 0.0f), act, a, b));
}

__kernel void conv_tiled(__global const float *in, __global const float *wt,
                         __global const float *bias, int has_bias, __global float *out, int8 g,
                         int8 k, int act, float a, float b, __global const float *res,
                         int has_res)
{
    const int ow0 = get_global_id(0) * CONV_PX, oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, G = g.s6, N = g.s7;
    const int tiles = (OC + CONV_CT - 1) / CONV_CT;
    if (ow0 >= OW || oh >= OH || z >= N * tiles)
        return;
    const int n = z / tiles, oc0 = (z % tiles) * CONV_CT;
    const int icg = C / G, ocg = OC / G, grp = oc0 / ocg;
    const int KH = k.s0, KW = k.s1, wstride = icg * KH * KW;
    const int ih0 = oh * k.s2 - k.s4, iw0 = ow0 * k.s3 - k.s5;
    float acc[CONV_CT][CONV_PX];
    int wbase[CONV_CT];
    for (int o = 0; o < CONV_CT; o++) {
        const int oc = min(oc0 + o, OC - 1); /* tail channels compute a copy, never stored */
        const float b0 = has_bias ? bias[oc] : 0.0f;
        for (int p = 0; p < CONV_PX; p++)
            acc[o][p] = b0;
        wbase[o] = oc * wstride;
    }
    __global const float *ip = in + ((size_t)n * C + grp * icg) * H * W;
    /* Tiles wholly inside the image (most of them) skip the clamping and masking. */
    const bool inside = ih0 >= 0 && ih0 + (KH - 1) * k.s6 < H && iw0 >= 0 &&
                        iw0 + (CONV_PX - 1) * k.s3 + (KW - 1) * k.s7 < W;
    for (int ic = 0; ic < icg; ic++, ip += H * W) {
        for (int kh = 0; kh < KH; kh++) {
            const int ih = ih0 + kh * k.s6;
            const float hm = (ih >= 0 && ih < H) ? 1.0f : 0.0f;
            __global const float *row = ip + clamp(ih, 0, H - 1) * W;
            for (int kw = 0; kw < KW; kw++) {
                float v[CONV_PX];
                if (inside) {
                    for (int p = 0; p < CONV_PX; p++)
                        v[p] = row[iw0 + p * k.s3 + kw * k.s7];
                } else {
                    for (int p = 0; p < CONV_PX; p++) {
                        const int iw = iw0 + p * k.s3 + kw * k.s7;
                        v[p] = row[clamp(iw, 0, W - 1)] * ((iw >= 0 && iw < W) ? hm : 0.0f);
                    }
                }
                const int wo = (ic * KH + kh) * KW + kw;
                for (int o = 0; o < CONV_CT; o++) {
                    const float wv = wt[wbase[o] + wo];
                    for (int p = 0; p < CONV_PX; p++)
                        acc[o][p] += v[p] * wv;
                }
            }
        }
    }
    const size_t ob = ((size_t)n * OC) * OH * OW + oh * OW + ow0;
    for (int o = 0; o < CONV_CT; o++)
        if (oc0 + o < OC)
            for (int p = 0; p < CONV_PX; p++)
                if (ow0 + p < OW) {
                    const size_t i = ob + (size_t)(oc0 + o) * OH * OW + p;
                    out[i] = FAULT(act_apply(acc[o][p] + (has_res ? res[i] : 0.0f), act, a, b));
                }
}

/* in: N,C,H,W  wt: OC,C  out: N,OC,OH,OW; HW = OH*OW; sd: (W, OW, stride, H*W).
 * The PW_PX pixels of a tile are one floatN vector (vloadN / fma): explicit
 * vector code whatever POCL's work-item vectoriser makes of the loop (float16
 * x 8 channels measured ~1.9x faster than the scalar 8x8 tile on MobileNetV2's
 * pointwise layers). Whole stride-1 tiles load contiguously; tail or strided
 * tiles gather into a private array first. */
__kernel void conv_pw(__global const float *in, __global const float *wt,
                      __global const float *bias, int has_bias, __global float *out, int C,
                      int OC, int HW, int4 sd, int act, float a, float b,
                      __global const float *res, int has_res, __global const float *gate,
                      int has_gate)
{
    const int p0 = get_global_id(0) * PW_PX, oc0 = get_global_id(1) * PW_OC, n = get_global_id(2);
    if (p0 >= HW || oc0 >= OC)
        return;
    VEC acc[PW_OC];
    __global const float *wrow[PW_OC];
#pragma unroll
    for (int o = 0; o < PW_OC; o++) {
        const int oc = min(oc0 + o, OC - 1); /* tail rows: computed, not stored */
        acc[o] = (VEC)(has_bias ? bias[oc] : 0.0f);
        wrow[o] = wt + (size_t)oc * C;
    }
    __global const float *ip = in + (size_t)n * C * sd.s3;
    __global const float *gp = gate + (size_t)n * C;
    if (sd.s2 == 1 && p0 + PW_PX <= HW) {
        __global const float *cp = ip + p0;
        for (int ic = 0; ic < C; ic++) {
            VEC x = VLOAD(0, cp + (size_t)ic * sd.s3);
            if (has_gate)
                x *= gp[ic];
#pragma unroll
            for (int o = 0; o < PW_OC; o++)
                acc[o] = fma((VEC)(wrow[o][ic]), x, acc[o]);
        }
    } else {
        int src[PW_PX];
        for (int p = 0; p < PW_PX; p++) {
            const int q = min(p0 + p, HW - 1);
            src[p] = (q / sd.s1) * sd.s2 * sd.s0 + (q % sd.s1) * sd.s2;
        }
        for (int ic = 0; ic < C; ic++) {
            __global const float *cp = ip + (size_t)ic * sd.s3;
            float xs[PW_PX];
            for (int p = 0; p < PW_PX; p++)
                xs[p] = cp[src[p]];
            VEC x = VLOAD(0, xs);
            if (has_gate)
                x *= gp[ic];
#pragma unroll
            for (int o = 0; o < PW_OC; o++)
                acc[o] = fma((VEC)(wrow[o][ic]), x, acc[o]);
        }
    }
    const size_t ob = (size_t)n * OC * HW + p0;
    for (int o = 0; o < PW_OC; o++) {
        if (oc0 + o >= OC)
            break;
        float v[PW_PX];
        VSTORE(acc[o], 0, v);
        for (int p = 0; p < PW_PX; p++)
            if (p0 + p < HW) {
                const size_t i = ob + (size_t)(oc0 + o) * HW + p;
                out[i] = FAULT(act_apply(v[p] + (has_res ? res[i] : 0.0f), act, a, b));
            }
    }
}
