/* conv.cl — 2-D convolution, NCHW float32, bias and activation fused.
 * Variants (host/ops/conv_cl.c picks one and records it):
 *   conv_general  any groups / dilation / stride / asymmetric pads; no preconditions.
 *                 One work-item per output pixel. NDRange (OW, OH, N*OC).
 *   conv_dw       depthwise: group == C_in == C_out, kernel DW_K x DW_K (-DDW_K=3|5|7),
 *                 any horizontal stride (1 and 2 load vectors, others gather), any vertical
 *                 stride, dilation, pads. DW_PX (4, 8, 16) consecutive output pixels of a
 *                 row per work-item, one floatN vector. NDRange (ceil(OW/DW_PX), OH, N*C).
 *   conv_tiled    any kernel size / stride / dilation / pads; precondition: group 1, or
 *                 (C_out/group) % CONV_CT == 0 so a tile never straddles two groups
 *                 (the host picks CONV_CT from 16, 8, 4 per layer).
 *                 Each work-item computes CONV_CT output channels x CONV_PX consecutive
 *                 pixels of a row: every input value loaded feeds CONV_CT MACs, every
 *                 weight CONV_PX, and out-of-image taps are masked rather than branched
 *                 around. NDRange (ceil(OW/CONV_PX), OH, N*ceil(OC/CONV_CT)).
 *   conv_pw       pointwise: 1x1, no pads, group 1, any stride (stride 2 = subsampled
 *                 input); weights packed by the host (conv_cl_pack_pw): for each block
 *                 of PW_OC output channels, C x PW_OC interleaved, zero rows past OC;
 *                 has_gate: input channel c of image n scaled by gate[n*C + c]
 *                 (an SE block's Mul fused in). Each work-item computes PW_OC output channels x PW_PX
 *                 consecutive pixels (register tile, the pixels one floatN vector). NDRange (ceil(OHW/PW_PX),
 *                 ceil(OC/PW_OC), N).
 *   conv_dwl      depthwise, square DW_K kernel, stride 1 or 2 both ways, any pads and
 *                 dilation, the zero-padded plane in local memory (the host checks its
 *                 size): one work-group per plane. NDRange (LX, 1, N*C).
 *   conv_dwpw     depthwise (as conv_dw, + its activation) then pointwise (1x1, stride 1,
 *                 group 1) in one launch; the plan fuses a pair when the depthwise output
 *                 has no other reader. NDRange (ceil(OW/DW_PX), OH, N), work-group 1.
 *   conv_mv       pointwise (1x1, group 1) on a 1x1 input and output image, no SE gate:
 *                 a matrix-vector product per image. NDRange (OC, N).
 *   conv_stem     a network's first conv: group 1, C_in <= 4, square DW_K x DW_K kernel
 *                 (-DDW_K=3|5|7), dilation 1, any stride (1 and 2 load vectors, others
 *                 gather) and pads; weights packed as conv_pw's (STEM_OC == PW_OC). STEM_OC output channels x 8 consecutive pixels of a
 *                 row per work-item, the pixels one float8, every tap unrolled.
 *                 NDRange (ceil(OW/8), OH, N*ceil(OC/STEM_OC)).
 * Every variant ends with the same epilogue: + bias, + res (has_res: a residual
 * Add the plan fused in, same shape as out), then the activation.
 * Every kernel guards its tail: the host pads global sizes to the work-group size
 * (POCL has no non-uniform work-groups). Activation codes match host/ops/op_cl.h. */

#ifndef DW_K
#define DW_K 3 /* depthwise kernel size (square) */
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

/* ACT_* codes and act_apply() come from act.cl (prepended by the runtime). */

/* act_apply on a whole vector (one uniform switch, lane-parallel math): the
 * scalar per-pixel epilogue cost about as much as the taps of a 3x3 depthwise. */
#define DEFINE_ACT_V(T)                                                                  \
    T act_##T(T v, int act, float a, float b)                                          \
    {                                                                                  \
        switch (act) {                                                                 \
        case ACT_RELU: return fmax(v, 0.0f);                                           \
        case ACT_CLIP: return fmin(fmax(v, a), b);                                     \
        case ACT_LEAKY: return select(v * a, v, v >= (T)(0.0f));                       \
        case ACT_HSIGMOID: return clamp(v * a + b, 0.0f, 1.0f);                        \
        case ACT_HSWISH: return v * clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f;                \
        case ACT_SIGMOID: return 1.0f / (1.0f + exp(-v));                              \
        case ACT_SILU: return v / (1.0f + exp(-v));                                    \
        case ACT_XHSIG: return v * clamp(v * a + b, 0.0f, 1.0f);                       \
        default: return v;                                                             \
        }                                                                              \
    }
DEFINE_ACT_V(float4)
DEFINE_ACT_V(float8)
DEFINE_ACT_V(float16)

/* The first n lanes of v to p (n below the vector width): stores of halving
 * widths instead of n scalar ones, for rows and planes that end inside a
 * vector (14- and 7-wide rows, 49-pixel planes). */
void store_part2(float2 v, int n, __global float *p)
{
    if (n & 1)
        *p = v.x;
}
void store_part4(float4 v, int n, __global float *p)
{
    if (n & 2) {
        vstore2(v.lo, 0, p);
        store_part2(v.hi, n & 1, p + 2);
    } else {
        store_part2(v.lo, n, p);
    }
}
void store_part8(float8 v, int n, __global float *p)
{
    if (n & 4) {
        vstore4(v.lo, 0, p);
        store_part4(v.hi, n & 3, p + 4);
    } else {
        store_part4(v.lo, n, p);
    }
}
void store_part16(float16 v, int n, __global float *p)
{
    if (n & 8) {
        vstore8(v.lo, 0, p);
        store_part8(v.hi, n & 7, p + 8);
    } else {
        store_part8(v.lo, n, p);
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

/* conv_dw: the DW_PX pixels of a tile are one floatN vector. Rows outside the
 * image are skipped per tap row (uniform branch); a tile whose taps all fall
 * inside the row horizontally loads each tap as one unaligned vloadN (stride 1)
 * or the even lanes of a vload2N (stride 2); edge tiles and other strides
 * gather lane by lane with clamped, masked reads. Explicit vectors: POCL's
 * work-item vectoriser made ~2.5 GFLOP/s of the scalar 8-pixel loop. */
#define DWV PW_XCAT(float, DW_PX)
#define DWLOAD PW_XCAT(vload, DW_PX)
#define DWSTORE PW_XCAT(vstore, DW_PX)
#define DW_IOTA4 ((int4)(0, 1, 2, 3))
#define DW_IOTA8 ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#define DW_IOTA16 ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#if DW_PX == 8
#define DW_LOAD_S2(p) (vload16(0, (p)).even)
#elif DW_PX == 16
#define DW_LOAD_S2(p) ((float16)(vload16(0, (p)).even, vload16(0, (p) + 16).even))
#elif DW_PX == 4
#define DW_LOAD_S2(p) (vload8(0, (p)).even)
#else
#error "DW_PX must be 4, 8 or 16"
#endif

/* One depthwise row tile: DW_PX outputs of row oh from ow0 (tap origin ih0,
 * iw0, horizontal stride S), channel plane ip at element offset zoff of a
 * buffer of `total` floats, bias b0 added, no activation. Shared by conv_dw and
 * conv_dwpw. S is a run-time value (strides 1 and 2 each get their vector
 * loads, others gather) so every stride shares one compiled program. */
#define DW_TAPS(LOAD, MASKED)                                                          \
    _Pragma("unroll") for (int kh = 0; kh < DW_K; kh++) {                                                \
        const int ih = ih0 + kh * DH;                                                  \
        if (ih < 0 || ih >= H)                                                         \
            continue;                                                                  \
        __global const float *row = ip + ih * W + iw0;                                 \
        _Pragma("unroll") for (int kw = 0; kw < DW_K; kw++)                            \
        {                                                                              \
            DWV x = LOAD(row + kw * DL);                                               \
            if (MASKED) { /* lanes outside the row read neighbours: zero them */      \
                const PW_XCAT(int, DW_PX) iw = lane + kw * DL;                         \
                x = select((DWV)(0.0f), x, iw >= 0 && iw < W);                         \
            }                                                                          \
            acc = fma(x, (DWV)(wp[kh * DW_K + kw]), acc);                              \
        }                                                                              \
    }
#define DW_LOAD_S1(p) DWLOAD(0, (p))

DWV dw_tile(__global const float *ip, __global const float *wp, float b0, int ih0, int iw0,
            int S, int H, int W, int DH, int DL, int zoff, int total)
{
    DWV acc = (DWV)(b0);
    const PW_XCAT(int, DW_PX) lane = iw0 + S * PW_XCAT(DW_IOTA, DW_PX);
    const int last = iw0 + (DW_PX - 1) * S + (DW_K - 1) * DL; /* rightmost tap column */
    const bool inside = iw0 >= 0 && last < W;
    /* edge tiles whose vector reads stay inside the buffer: same reads, masked */
    const bool in_buf = zoff + iw0 >= 0 && zoff + H * W + last < total;
    if (S == 1 && inside) {
        DW_TAPS(DW_LOAD_S1, 0)
    } else if (S == 1 && in_buf) {
        DW_TAPS(DW_LOAD_S1, 1)
    } else if (S == 2 && inside) {
        DW_TAPS(DW_LOAD_S2, 0)
    } else if (S == 2 && in_buf) {
        DW_TAPS(DW_LOAD_S2, 1)
    } else {
        for (int kh = 0; kh < DW_K; kh++) {
            const int ih = ih0 + kh * DH;
            if (ih < 0 || ih >= H)
                continue;
            __global const float *row = ip + ih * W;
            for (int kw = 0; kw < DW_K; kw++) {
                float xs[DW_PX];
                for (int p = 0; p < DW_PX; p++) {
                    const int iw = iw0 + p * S + kw * DL;
                    xs[p] = (iw >= 0 && iw < W) ? row[clamp(iw, 0, W - 1)] : 0.0f;
                }
                acc = fma(DWLOAD(0, xs), (DWV)(wp[kh * DW_K + kw]), acc);
            }
        }
    }
    return acc;
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
    DWV acc = dw_tile(in + (size_t)z * H * W, wt + c * DW_K * DW_K, has_bias ? bias[c] : 0.0f,
                      oh * k.s2 - k.s4, ow0 * k.s3 - k.s5, k.s3, H, W, k.s6, k.s7, z * H * W,
                      N * C * H * W);
    const size_t o = (size_t)z * OH * OW + oh * OW + ow0;
    if (ow0 + DW_PX <= OW) {
        if (has_res)
            acc += DWLOAD(0, res + o);
        DWSTORE(FAULT(PW_XCAT(act_float, DW_PX)(acc, act, a, b)), 0, out + o);
        return;
    }
    const int left = OW - ow0; /* part of a tile: vector epilogue, stored in pieces */
    if (has_res) {
        float t[DW_PX];
        DWSTORE((DWV)(0.0f), 0, t);
        for (int p = 0; p < left; p++)
            t[p] = res[o + p];
        acc += DWLOAD(0, t);
    }
    PW_XCAT(store_part, DW_PX)(FAULT(PW_XCAT(act_float, DW_PX)(acc, act, a, b)), left, out + o);
}

/* conv_dwl: depthwise on a plane small enough for local memory. conv_dw's
 * 8-pixel row tiles on 7- and 14-wide planes are all edge tiles (masked taps,
 * half-empty vectors, per-tile setup), 3-12 GFLOP/s on EfficientNet-B0's
 * small layers. Here one work-group owns one (n, c) plane: its work-items
 * copy the plane with its zero padding into tile (TH rows of TS floats),
 * then each computes output rows lid, lid + LX, ... in chunks of 16 lanes
 * (a last chunk of at most 8 lanes as a float8) whose taps are plain vector
 * loads from the tile: no masks, no edge cases. Stride 1 or 2 (the even
 * lanes of two 16-float loads), any pads and dilation.
 * gd: (C, H, W, OH, OW, -, TS, TH); kd: (-, -, S, -, PT, PL, DH, DL).
 * The host sizes TS >= 16 * S * ceil(OW / 16) + (DW_K - 1) * DL and
 * TH = (OH - 1) * S + (DW_K - 1) * DH + 1. NDRange (LX, 1, N*C), local (LX, 1, 1). */
#define DWL_TAPS(T, LOADT)                                                             \
    {                                                                                  \
        T acc = (T)(b0);                                                               \
        _Pragma("unroll") for (int kh = 0; kh < DW_K; kh++) {                          \
            __local const float *tr = base + kh * DH * TS;                             \
            _Pragma("unroll") for (int kw = 0; kw < DW_K; kw++)                        \
                acc = fma(LOADT(tr + kw * DL), (T)(wk[kh * DW_K + kw]), acc);          \
        }                                                                              \
        v = acc;                                                                       \
    }
#define DWL_L16_S1(p) vload16(0, (p))
#define DWL_L16_S2(p) ((float16)(vload16(0, (p)).even, vload16(0, (p) + 16).even))
#define DWL_L8_S1(p) vload8(0, (p))
#define DWL_L8_S2(p) (vload16(0, (p)).even)

__kernel void conv_dwl(__global const float *in, __global const float *wt,
                       __global const float *bias, int has_bias, __global float *out, int8 gd,
                       int8 kd, int act, float a, float b, __global const float *res,
                       int has_res, __local float *tile)
{
    const int lid = get_local_id(0), LX = get_local_size(0), z = get_group_id(2);
    const int C = gd.s0, H = gd.s1, W = gd.s2, OH = gd.s3, OW = gd.s4, TS = gd.s6, TH = gd.s7;
    const int S = kd.s2, PT = kd.s4, PL = kd.s5, DH = kd.s6, DL = kd.s7;
    __global const float *ip = in + (size_t)z * H * W;
    for (int r = lid; r < TH; r += LX) {
        const int ih = r - PT;
        __local float *tr = tile + r * TS;
        const bool inside = ih >= 0 && ih < H;
        const int lo = inside ? min(PL, TS) : TS, hi = inside ? min(PL + W, TS) : TS;
        for (int t = 0; t < lo; t++)
            tr[t] = 0.0f;
        __global const float *row = ip + ih * W - PL; /* tile column t <- input column t - PL */
        int t = lo;
        for (; t + 16 <= hi; t += 16)
            vstore16(vload16(0, row + t), 0, tr + t);
        for (; t < hi; t++)
            tr[t] = row[t];
        for (t = hi; t < TS; t++)
            tr[t] = 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int c = z % C;
    __global const float *wk = wt + c * DW_K * DW_K;
    const float b0 = has_bias ? bias[c] : 0.0f;
    for (int oh = lid; oh < OH; oh += LX) {
        const size_t orow = (size_t)z * OH * OW + (size_t)oh * OW;
        for (int ow0 = 0; ow0 < OW; ow0 += 16) {
            __local const float *base = tile + oh * S * TS + ow0 * S;
            const int n = min(OW - ow0, 16);
            const size_t o = orow + ow0;
            if (n > 8) {
                float16 v;
                if (S == 1)
                    DWL_TAPS(float16, DWL_L16_S1)
                else
                    DWL_TAPS(float16, DWL_L16_S2)
                if (n == 16) {
                    if (has_res)
                        v += vload16(0, res + o);
                    vstore16(FAULT(act_float16(v, act, a, b)), 0, out + o);
                    continue;
                }
                /* part of a row: the epilogue stays one vector op (per-lane
                 * act_apply cost as much as the taps), stored in pieces */
                float t[16];
                if (has_res) {
                    for (int p = 0; p < n; p++)
                        t[p] = res[o + p];
                    v += vload16(0, t);
                }
                store_part16(FAULT(act_float16(v, act, a, b)), n, out + o);
            } else {
                float8 v;
                if (S == 1)
                    DWL_TAPS(float8, DWL_L8_S1)
                else
                    DWL_TAPS(float8, DWL_L8_S2)
                if (n == 8) {
                    if (has_res)
                        v += vload8(0, res + o);
                    vstore8(FAULT(act_float8(v, act, a, b)), 0, out + o);
                    continue;
                }
                float t[8];
                if (has_res) {
                    for (int p = 0; p < n; p++)
                        t[p] = res[o + p];
                    v += vload8(0, t);
                }
                store_part8(FAULT(act_float8(v, act, a, b)), n, out + o);
            }
        }
    }
}

/* conv_dwpw: a depthwise Conv (+ its activation) feeding a stride-1 pointwise
 * Conv that is its only reader, as one kernel. Each work-item takes one row
 * tile (DW_PX pixels of row oh of image n): it computes the depthwise tile of
 * all C channels once into its slice of `tile` (local memory, C * DW_PX floats
 * per work-item), then the OC pointwise outputs PW_OC at a time from it, so
 * the depthwise output never goes to global memory and costs no launch.
 * gd: (C, H, W, OC, OH, OW, N, -); kd: (-, -, SH, -, PT, PL, DH, DW);
 * acts: (dw code, pw code); af: (dw a, dw b, pw a, pw b). NDRange (ceil(OW/DW_PX), OH, N). */
__kernel void conv_dwpw(__global const float *in, __global const float *dwt,
                        __global const float *dwb, int has_dwb, __global float *out,
                        __global const float *pwt, __global const float *pwb, int has_pwb,
                        int8 gd, int8 kd, int2 acts, float4 af, __global const float *res,
                        int has_res, __local float *tile)
{
    const int ow0 = get_global_id(0) * DW_PX, oh = get_global_id(1), n = get_global_id(2);
    const int C = gd.s0, H = gd.s1, W = gd.s2, OC = gd.s3, OH = gd.s4, OW = gd.s5, N = gd.s6;
    if (ow0 >= OW || oh >= OH || n >= N)
        return;
    __local float *t = tile + (size_t)get_local_id(0) * C * DW_PX;
    const int ih0 = oh * kd.s2 - kd.s4, iw0 = ow0 * kd.s3 - kd.s5;
    for (int c = 0; c < C; c++) {
        const int z = n * C + c;
        const DWV v = dw_tile(in + (size_t)z * H * W, dwt + c * DW_K * DW_K,
                              has_dwb ? dwb[c] : 0.0f, ih0, iw0, kd.s3, H, W, kd.s6, kd.s7,
                              z * H * W, N * C * H * W);
        DWSTORE(PW_XCAT(act_float, DW_PX)(v, acts.s0, af.s0, af.s1), 0, t + c * DW_PX);
    }
    const int HW = OH * OW;
    const size_t ob = (size_t)n * OC * HW + oh * OW + ow0;
    const bool whole = ow0 + DW_PX <= OW;
    for (int oc0 = 0; oc0 < OC; oc0 += PW_OC) {
        DWV acc[PW_OC];
#pragma unroll
        for (int o = 0; o < PW_OC; o++) /* tail rows: computed, not stored */
            acc[o] = (DWV)(has_pwb ? pwb[min(oc0 + o, OC - 1)] : 0.0f);
        __global const float *wq = pwt + (size_t)oc0 * C; /* packed as conv_pw's */
        for (int ic = 0; ic < C; ic++, wq += PW_OC) {
            const DWV x = DWLOAD(0, t + ic * DW_PX);
#pragma unroll
            for (int o = 0; o < PW_OC; o++)
                acc[o] = fma((DWV)(wq[o]), x, acc[o]);
        }
        for (int o = 0; o < PW_OC && oc0 + o < OC; o++) {
            const size_t i = ob + (size_t)(oc0 + o) * HW;
            if (whole) {
                if (has_res)
                    acc[o] += DWLOAD(0, res + i);
                DWSTORE(FAULT(PW_XCAT(act_float, DW_PX)(acc[o], acts.s1, af.s2, af.s3)), 0,
                        out + i);
                continue;
            }
            const int left = OW - ow0; /* part of a tile: as conv_dw's */
            if (has_res) {
                float t[DW_PX];
                DWSTORE((DWV)(0.0f), 0, t);
                for (int p = 0; p < left; p++)
                    t[p] = res[i + p];
                acc[o] += DWLOAD(0, t);
            }
            PW_XCAT(store_part, DW_PX)(
                FAULT(PW_XCAT(act_float, DW_PX)(acc[o], acts.s1, af.s2, af.s3)), left, out + i);
        }
    }
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
/* One input channel of conv_pw's tile: x (PW_PX pixels) times its PW_OC weights. */
#define PW_STEP(xexpr)                                                                 \
    do {                                                                               \
        const VEC x_ = (xexpr);                                                        \
        _Pragma("unroll") for (int o = 0; o < PW_OC; o++)                              \
            acc[o] = fma((VEC)(wq[o]), x_, acc[o]);                                    \
    } while (0)

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
#pragma unroll
    for (int o = 0; o < PW_OC; o++)
        acc[o] = (VEC)(has_bias ? bias[min(oc0 + o, OC - 1)] : 0.0f);
    /* packed weights: this tile's PW_OC rows interleaved, wq[ic * PW_OC + o] */
    __global const float *wq = wt + (size_t)oc0 * C;
    __global const float *ip = in + (size_t)n * C * sd.s3;
    __global const float *gp = gate + (size_t)n * C;
    int ic = 0;
    if (sd.s2 == 1) {
        /* A part-filled tile's vector reads run past the plane into the next
         * channel's (lanes dropped in the epilogue): fine but for the last
         * channel, whose next plane may not exist; it gathers below. */
        const int cv = p0 + PW_PX <= HW ? C : C - 1;
        __global const float *cp = ip + p0;
        if (has_gate)
            for (; ic < cv; ic++, wq += PW_OC)
                PW_STEP(VLOAD(0, cp + (size_t)ic * sd.s3) * gp[ic]);
        else
            for (; ic < cv; ic++, wq += PW_OC)
                PW_STEP(VLOAD(0, cp + (size_t)ic * sd.s3));
    }
    if (ic < C) { /* strided input, or the last channel of a part tile: gather */
        int src[PW_PX];
        for (int p = 0; p < PW_PX; p++) {
            const int q = min(p0 + p, HW - 1);
            src[p] = (q / sd.s1) * sd.s2 * sd.s0 + (q % sd.s1) * sd.s2;
        }
        for (; ic < C; ic++, wq += PW_OC) {
            __global const float *cp = ip + (size_t)ic * sd.s3;
            float xs[PW_PX];
            for (int p = 0; p < PW_PX; p++)
                xs[p] = cp[src[p]];
            PW_STEP(VLOAD(0, xs) * (has_gate ? gp[ic] : 1.0f));
        }
    }
    /* Epilogue one vector op per channel; a part-filled tile (the image's last
     * pixels) goes through a private copy, lanes past HW dropped. */
    const size_t ob = (size_t)n * OC * HW + p0;
    const int left = HW - p0;
    for (int o = 0; o < PW_OC && oc0 + o < OC; o++) {
        const size_t i = ob + (size_t)(oc0 + o) * HW;
        VEC y = acc[o];
        if (left >= PW_PX) {
            if (has_res)
                y += VLOAD(0, res + i);
            VSTORE(FAULT(PW_XCAT(act_float, PW_PX)(y, act, a, b)), 0, out + i);
            continue;
        }
        float t[PW_PX];
        if (has_res) {
            for (int p = 0; p < left; p++)
                t[p] = res[i + p];
            y += VLOAD(0, t);
        }
        PW_XCAT(store_part, PW_PX)(FAULT(PW_XCAT(act_float, PW_PX)(y, act, a, b)), left, out + i);
    }
}

/* conv_mv: a pointwise Conv on a 1x1 image (an SE block's two FCs after its
 * global pool) is a matrix-vector product per image; conv_pw's pixel tile
 * would compute 1 pixel of its 16 and leave most work-items idle. One
 * work-item per output channel reads its weight row and the input vector
 * 16 floats at a time (both contiguous along C). in: N x C, wt: OC x C,
 * out/res: N x OC. NDRange (OC, N). */
__kernel void conv_mv(__global const float *in, __global const float *wt,
                      __global const float *bias, int has_bias, __global float *out, int C,
                      int OC, int N, int act, float a, float b, __global const float *res,
                      int has_res)
{
    const int oc = get_global_id(0), n = get_global_id(1);
    if (oc >= OC || n >= N)
        return;
    __global const float *w = wt + (size_t)oc * C;
    __global const float *x = in + (size_t)n * C;
    float16 v = (float16)(0.0f);
    int c = 0;
    for (; c + 16 <= C; c += 16)
        v = fma(vload16(0, w + c), vload16(0, x + c), v);
    const float8 h = v.lo + v.hi;
    const float4 q = h.lo + h.hi;
    float acc = q.x + q.y + q.z + q.w;
    for (; c < C; c++)
        acc = fma(w[c], x[c], acc);
    const size_t o = (size_t)n * OC + oc;
    acc += (has_bias ? bias[oc] : 0.0f) + (has_res ? res[o] : 0.0f);
    out[o] = FAULT(act_apply(acc, act, a, b));
}

/* conv_stem: conv_tiled's inner loops are scalar per pixel, and with C_in = 3
 * there are too few channels to amortise them (18 GFLOP/s on MobileNetV2's
 * stem). Here the 8 pixels are one float8 and the DW_K taps of a row are
 * unrolled, so a tap is one vector load (stride 1: vload8; stride 2: the even
 * lanes of a vload16) feeding STEM_OC vector FMAs. Rows outside the image are
 * skipped (uniform per work-item); tiles near the left/right edge gather lane
 * by lane with clamped, masked reads. */
#ifndef STEM_OC
#define STEM_OC 8 /* conv_stem: output channels per work-item */
#endif
__kernel void conv_stem(__global const float *in, __global const float *wt,
                        __global const float *bias, int has_bias, __global float *out, int8 g,
                        int8 k, int act, float a, float b, __global const float *res,
                        int has_res)
{
    const int ow0 = get_global_id(0) * 8, oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, N = g.s7;
    const int tiles = (OC + STEM_OC - 1) / STEM_OC;
    if (ow0 >= OW || oh >= OH || z >= N * tiles)
        return;
    const int n = z / tiles, oc0 = (z % tiles) * STEM_OC;
    const int SH = k.s2, SW = k.s3, wstride = C * DW_K * DW_K;
    const int ih0 = oh * SH - k.s4, iw0 = ow0 * SW - k.s5;
    float8 acc[STEM_OC];
#pragma unroll
    for (int o = 0; o < STEM_OC; o++) /* tail channels compute a copy, never stored */
        acc[o] = (float8)(has_bias ? bias[min(oc0 + o, OC - 1)] : 0.0f);
    /* packed weights (as conv_pw's): this tile's STEM_OC channels interleaved per tap */
    __global const float *wq = wt + (size_t)oc0 * wstride;
    /* the widest vector read: stride 1 vload8, stride 2 vload16, from iw0 + kw */
    const int span = SW == 1 ? 8 : SW == 2 ? 16 : 7 * SW + 1;
    const bool inside = iw0 >= 0 && iw0 + DW_K - 1 + span - 1 < W;
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW + iw0;
    __global const float *ip = in + (size_t)n * C * H * W;
    for (int ic = 0; ic < C; ic++, ip += H * W) {
        for (int kh = 0; kh < DW_K; kh++) {
            const int ih = ih0 + kh;
            if (ih < 0 || ih >= H)
                continue;
            __global const float *row = ip + ih * W;
#pragma unroll
            for (int kw = 0; kw < DW_K; kw++) {
                float8 v;
                if (inside && SW == 1) {
                    v = vload8(0, row + iw0 + kw);
                } else if (inside && SW == 2) {
                    v = vload16(0, row + iw0 + kw).even;
                } else {
                    const int8 iw = lane + kw;
                    const int8 cw = clamp(iw, 0, W - 1);
                    const float8 g8 = (float8)(row[cw.s0], row[cw.s1], row[cw.s2], row[cw.s3],
                                               row[cw.s4], row[cw.s5], row[cw.s6], row[cw.s7]);
                    v = select((float8)(0.0f), g8, iw >= 0 && iw < W);
                }
                __global const float *wt8 = wq + ((ic * DW_K + kh) * DW_K + kw) * STEM_OC;
#pragma unroll
                for (int o = 0; o < STEM_OC; o++)
                    acc[o] = fma(v, (float8)(wt8[o]), acc[o]);
            }
        }
    }
    const size_t plane = (size_t)OH * OW;
    const size_t ob = (size_t)n * OC * plane + (size_t)oh * OW + ow0;
    for (int o = 0; o < STEM_OC; o++) {
        if (oc0 + o >= OC)
            break;
        const size_t i = ob + (size_t)(oc0 + o) * plane;
        if (ow0 + 8 <= OW) {
            const float8 r = has_res ? vload8(0, res + i) : (float8)(0.0f);
            vstore8(FAULT(act_float8(acc[o] + r, act, a, b)), 0, out + i);
        } else {
            float t[8];
            vstore8(acc[o], 0, t);
            for (int p = 0; ow0 + p < OW; p++)
                out[i + p] = FAULT(act_apply(t[p] + (has_res ? res[i + p] : 0.0f), act, a, b));
        }
    }
}
