/* conv_dw.cl — depthwise convolution (group == C_in == C_out, square DW_K x DW_K
 * kernel, -DDW_K=3|5|7), NCHW float (stored as sfloat: float, or half in an fp16
 * plan, act.cl), bias and activation fused. Variants (host/ops_cl/conv_cl.c picks
 * one and records it):
 *   conv_dwl      stride 1 or 2 both ways, any pads and dilation, the zero-padded plane
 *                 in local memory (the host checks its size): one work-group per plane.
 *                 NDRange (LX, 1, N*C).
 *   conv_dwc      any stride, any pads, dilation 1: 16 channels of one image a
 *                 work-item, their zero-padded planes in local memory pixel-major (16
 *                 channels a vector), taps plain aligned loads; weights packed as
 *                 conv_pw's. NDRange (N*ceil(C/16)), work-group 1.
 *   conv_dwf      stride 1, output plane = input plane ("same" pads), any dilation: the
 *                 flattened plane in 16-pixel vectors, one shifted load per tap, lanes
 *                 outside the plane masked. NDRange (N*C*ceil(H*W/16)).
 *   conv_dw       any horizontal stride (1 and 2 load vectors, others gather), any
 *                 vertical stride, dilation, pads. DW_PX (4, 8, 16) consecutive output
 *                 pixels of a row per work-item, one floatN vector.
 *                 NDRange (ceil(OW/DW_PX), OH, N*C).
 *   conv_dwpw     depthwise (as conv_dw, + its activation) then pointwise (1x1, stride 1,
 *                 group 1, weights packed as conv_pw's) in one launch; the plan fuses a
 *                 pair when the depthwise output has no other reader.
 *                 NDRange (ceil(OW/DW_PX), OH, N), work-group 1.
 * Every variant ends with the same epilogue: + bias, + res (has_res: a residual
 * Add the plan fused in, same shape as out), then the activation (act.cl).
 * Every kernel guards its tail: the host pads global sizes to the work-group size
 * (POCL has no non-uniform work-groups). */

#ifndef DW_K
#define DW_K 3 /* depthwise kernel size (square) */
#endif
#ifndef DW_PX
#define DW_PX 8 /* conv_dw / conv_dwpw: consecutive output pixels per work-item */
#endif
#ifndef PW_OC
#define PW_OC 8 /* conv_dwpw: pointwise output channels per pass (the packing block) */
#endif
/* conv_dwpw reads its packed weights through act.cl's PW_WLOAD / PW_WGET. */

/* conv_dw: the DW_PX pixels of a tile are one floatN vector. Rows outside the
 * image are skipped per tap row (uniform branch); a tile whose taps all fall
 * inside the row horizontally loads each tap as one unaligned vloadN (stride 1)
 * or the even lanes of a vload2N (stride 2); edge tiles and other strides
 * gather lane by lane with clamped, masked reads. Explicit vectors: POCL's
 * work-item vectoriser made ~2.5 GFLOP/s of the scalar 8-pixel loop. */
#define DWV XCAT(float, DW_PX)
#define DWLOAD XCAT(vload, DW_PX)   /* private and __local float arrays */
#define DWSTORE XCAT(vstore, DW_PX)
#define DWGLOAD(p) LDN(DW_PX, 0, (p)) /* tensors (sfloat) */
#define DWGSTORE(v, p) STN(DW_PX, (v), 0, (p))
#define DW_IOTA4 ((int4)(0, 1, 2, 3))
#define DW_IOTA8 ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#define DW_IOTA16 ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#if DW_PX == 8
#define DW_LOAD_S2(p) (LDN(16, 0, (p)).even)
#elif DW_PX == 16
#define DW_LOAD_S2(p) ((float16)(LDN(16, 0, (p)).even, LDN(16, 0, (p) + 16).even))
#elif DW_PX == 4
#define DW_LOAD_S2(p) (LDN(8, 0, (p)).even)
#else
#error "DW_PX must be 4, 8 or 16"
#endif

/* One depthwise row tile: DW_PX outputs of row oh from ow0 (tap origin ih0,
 * iw0, horizontal stride S), channel plane ip at element offset zoff of a
 * buffer of `total` floats, bias b0 added, no activation. Shared by conv_dw and
 * conv_dwpw. S is a run-time value (strides 1 and 2 each get their vector
 * loads, others gather) so every stride shares one compiled program. */
#define DW_TAPS(LOAD, MASKED)                                                          \
    _Pragma("unroll") for (int kh = 0; kh < DW_K; kh++) {                              \
        const int ih = ih0 + kh * DH;                                                  \
        if (ih < 0 || ih >= H)                                                         \
            continue;                                                                  \
        __global const sfloat *row = ip + ih * W + iw0;                                \
        _Pragma("unroll") for (int kw = 0; kw < DW_K; kw++)                            \
        {                                                                              \
            DWV x = LOAD(row + kw * DL);                                               \
            if (MASKED) { /* lanes outside the row read neighbours: zero them */      \
                const XCAT(int, DW_PX) iw = lane + kw * DL;                            \
                x = select((DWV)(0.0f), x, iw >= 0 && iw < W);                         \
            }                                                                          \
            racc[kh] = fma(x, (DWV)(LD(wp, kh * DW_K + kw)), racc[kh]);                \
        }                                                                              \
    }
#define DW_LOAD_S1(p) DWGLOAD(p)
/* The per-row accumulators r[0..DW_K) summed pairwise. */
#if DW_K == 3
#define DW_ROWSUM(r) (((r)[0] + (r)[2]) + (r)[1])
#elif DW_K == 5
#define DW_ROWSUM(r) ((((r)[0] + (r)[4]) + ((r)[1] + (r)[3])) + (r)[2])
#elif DW_K == 7
#define DW_ROWSUM(r) ((((r)[0] + (r)[4]) + ((r)[1] + (r)[5])) + (((r)[2] + (r)[6]) + (r)[3]))
#else
#error "DW_K must be 3, 5 or 7"
#endif

DWV dw_tile(__global const sfloat *ip, __global const sfloat *wp, float b0, int ih0, int iw0,
            int S, int H, int W, int DH, int DL, int zoff, int total)
{
    /* one accumulator per tap row: K chained FMAs each rather than K*K (the
     * FMA latency, not the loads, bounded a K*K chain) */
    DWV racc[DW_K];
#pragma unroll
    for (int kh = 0; kh < DW_K; kh++)
        racc[kh] = (DWV)(kh ? 0.0f : b0);
    const XCAT(int, DW_PX) lane = iw0 + S * XCAT(DW_IOTA, DW_PX);
    const int last = iw0 + (DW_PX - 1) * S + (DW_K - 1) * DL; /* rightmost tap column */
    /* rightmost float the vector loads touch: stride 2's vload2N also reads the
     * odd lane after `last` (dropped by .even, but read all the same) */
    const int reach = last + (S == 2 ? 1 : 0);
    const bool inside = iw0 >= 0 && reach < W;
    /* edge tiles whose vector reads stay inside the buffer: same reads, masked */
    const bool in_buf = zoff + iw0 >= 0 && zoff + (H - 1) * W + reach < total;
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
            __global const sfloat *row = ip + ih * W;
            for (int kw = 0; kw < DW_K; kw++) {
                float xs[DW_PX];
                for (int p = 0; p < DW_PX; p++) {
                    const int iw = iw0 + p * S + kw * DL;
                    xs[p] = (iw >= 0 && iw < W) ? LD(row, clamp(iw, 0, W - 1)) : 0.0f;
                }
                racc[kh] = fma(DWLOAD(0, xs), (DWV)(LD(wp, kh * DW_K + kw)), racc[kh]);
            }
        }
    }
    return DW_ROWSUM(racc);
}

__kernel void conv_dw(__global const sfloat *in, __global const sfloat *wt,
                      __global const sfloat *bias, int has_bias, __global sfloat *out, int8 g,
                      int8 k, int act, float a, float b, __global const sfloat *res, int has_res)
{
    const int ow0 = get_global_id(0) * DW_PX, oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OH = g.s4, OW = g.s5, N = g.s7;
    if (ow0 >= OW || oh >= OH || z >= N * C)
        return;
    const int c = z % C;
    DWV acc = dw_tile(in + (size_t)z * H * W, wt + c * DW_K * DW_K, has_bias ? LD(bias, c) : 0.0f,
                      oh * k.s2 - k.s4, ow0 * k.s3 - k.s5, k.s3, H, W, k.s6, k.s7, z * H * W,
                      N * C * H * W);
    const size_t o = (size_t)z * OH * OW + oh * OW + ow0;
    if (ow0 + DW_PX <= OW) {
        if (has_res)
            acc += DWGLOAD(res + o);
        DWGSTORE(FAULT(XCAT(act_float, DW_PX)(acc, act, a, b)), out + o);
        return;
    }
    const int left = OW - ow0; /* part of a tile: vector epilogue, stored in pieces */
    if (has_res) {
        float t[DW_PX];
        DWSTORE((DWV)(0.0f), 0, t);
        for (int p = 0; p < left; p++)
            t[p] = LD(res, o + p);
        acc += DWLOAD(0, t);
    }
    XCAT(store_part, DW_PX)(FAULT(XCAT(act_float, DW_PX)(acc, act, a, b)), left, out + o);
}

/* conv_dwl: depthwise on a plane small enough for local memory. conv_dw's
 * 8-pixel row tiles on 7- and 14-wide planes are all edge tiles (masked taps,
 * half-empty vectors, per-tile setup), 3-12 GFLOP/s on EfficientNet-B0's
 * small layers. Here one work-group owns one (n, c) plane: its work-items
 * copy the plane with its zero padding into tile (TH rows of TS floats),
 * then each computes output rows lid, lid + LX, ... in chunks of 16 lanes
 * (a part-filled last chunk too: a float8 path of its own doubled the
 * kernel's first-launch compile on POCL, ~0.5 s a cold start for K = 5, for
 * half a vector on 7-wide rows, which conv_dwf takes) whose taps are plain vector
 * loads from the tile: no masks, no edge cases. Stride 1 or 2 (the even
 * lanes of two 16-float loads), any pads and dilation.
 * gd: (C, H, W, OH, OW, -, TS, TH); kd: (-, -, S, -, PT, PL, DH, DL).
 * The host sizes TS >= 16 * S * ceil(OW / 16) + (DW_K - 1) * DL and
 * TH = (OH - 1) * S + (DW_K - 1) * DH + 1. NDRange (LX, 1, N*C), local (LX, 1, 1). */
#define DWL_TAPS(T, LOADT)                                                             \
    {                                                                                  \
        T racc[DW_K];                                                                  \
        _Pragma("unroll") for (int kh = 0; kh < DW_K; kh++) {                          \
            __local const float *tr = base + kh * DH * TS;                             \
            racc[kh] = (T)(kh ? 0.0f : b0);                                            \
            _Pragma("unroll") for (int kw = 0; kw < DW_K; kw++)                        \
                racc[kh] = fma(LOADT(tr + kw * DL), (T)(LD(wk, kh * DW_K + kw)), racc[kh]); \
        }                                                                              \
        v = DW_ROWSUM(racc);                                                           \
    }
#define DWL_L16_S1(p) vload16(0, (p))
#define DWL_L16_S2(p) ((float16)(vload16(0, (p)).even, vload16(0, (p) + 16).even))

__kernel void conv_dwl(__global const sfloat *in, __global const sfloat *wt,
                       __global const sfloat *bias, int has_bias, __global sfloat *out, int8 gd,
                       int8 kd, int act, float a, float b, __global const sfloat *res,
                       int has_res, __local float *tile)
{
    const int lid = get_local_id(0), LX = get_local_size(0), z = get_group_id(2);
    const int C = gd.s0, H = gd.s1, W = gd.s2, OH = gd.s3, OW = gd.s4, TS = gd.s6, TH = gd.s7;
    const int S = kd.s2, PT = kd.s4, PL = kd.s5, DH = kd.s6, DL = kd.s7;
    __global const sfloat *ip = in + (size_t)z * H * W;
    for (int r = lid; r < TH; r += LX) {
        const int ih = r - PT;
        __local float *tr = tile + r * TS;
        const bool inside = ih >= 0 && ih < H;
        const int lo = inside ? min(PL, TS) : TS, hi = inside ? min(PL + W, TS) : TS;
        for (int t = 0; t < lo; t++)
            tr[t] = 0.0f;
        __global const sfloat *row = ip + ih * W - PL; /* tile column t <- input column t - PL */
        int t = lo;
        for (; t + 16 <= hi; t += 16)
            vstore16(LDN(16, 0, row + t), 0, tr + t);
        for (; t < hi; t++)
            tr[t] = LD(row, t);
        for (t = hi; t < TS; t++)
            tr[t] = 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int c = z % C;
    __global const sfloat *wk = wt + c * DW_K * DW_K;
    const float b0 = has_bias ? LD(bias, c) : 0.0f;
    for (int oh = lid; oh < OH; oh += LX) {
        const size_t orow = (size_t)z * OH * OW + (size_t)oh * OW;
        for (int ow0 = 0; ow0 < OW; ow0 += 16) {
            __local const float *base = tile + oh * S * TS + ow0 * S;
            const int n = min(OW - ow0, 16);
            const size_t o = orow + ow0;
            float16 v;
            if (S == 1)
                DWL_TAPS(float16, DWL_L16_S1)
            else
                DWL_TAPS(float16, DWL_L16_S2)
            if (n == 16) {
                if (has_res)
                    v += LDN(16, 0, res + o);
                STN(16, FAULT(act_float16(v, act, a, b)), 0, out + o);
                continue;
            }
            /* part of a row: the epilogue stays one vector op (per-lane
             * act_epi cost as much as the taps), stored in pieces */
            float t[16];
            if (has_res) {
                for (int p = 0; p < n; p++)
                    t[p] = LD(res, o + p);
                v += vload16(0, t);
            }
            store_part16(FAULT(act_float16(v, act, a, b)), n, out + o);
        }
    }
}

/* conv_dwc: 16 channels side by side. The row and flattened-plane variants put
 * 16 pixels of one channel in a vector: 7- and 14-wide planes leave lanes empty
 * (conv_dwl) or pay a mask per tap (conv_dwf), and a strided row is two loads
 * and a shuffle per tap; small planes ran 2-5x behind onnxruntime's NCHWc
 * depthwise. Here a work-item takes 16 channels of one image and copies their
 * planes, zero-padded, into a local tile laid out pixel-major (tile[(r * TW +
 * t) * 16 + c], input row r - PT, column t - PL), so every tap of an output
 * pixel is one aligned 16-channel vector load and one fma with that tap's 16
 * weights: no masks, no edge cases, any stride at the same cost (dilation 1).
 * NCHW in and out: 16 flattened pixels of the 16 planes are read as 16
 * vectors and turned pixel-major in registers (transpose16), and 16 output
 * pixels go back the same way (lane-by-lane copies cost more than the taps).
 * Channels past C are zeros and never stored. A pixel sums as dw_tile's
 * lanes (bias in the first tap row's chain, rows pairwise).
 * Planes too big for one tile go in bands of band.s0 output rows (band.s1
 * bands a plane), each band's tile the input rows its taps read. With
 * has_sq (one band, no residual) it also writes each channel's mean output to
 * sq (N x C): an SE block's squeeze, its GlobalAveragePool costing no launch.
 * gd: (C, H, W, OH, OW, N, TW, -); kd: (-, -, SH, SW, PT, PL, -, -).
 * The host sizes TW = (OW - 1) * SW + DW_K, and the local tile TW x
 * ((band.s0 - 1) * SH + DW_K) pixels of 16 floats.
 * NDRange (N * ceil(C / 16) * band.s1), local 1. */

/* One butterfly step of transpose16: rows r and r + k swap bit k of the
 * column index with bit k of the row index (lo: row r's result, hi: r + k's). */
#define TR16(x, k, LO, HI)                                                             \
    _Pragma("unroll") for (int r_ = 0; r_ < 16; r_++) {                                \
        if (!(r_ & (k))) {                                                             \
            const float16 a = x[r_], b = x[r_ + (k)];                                  \
            x[r_] = (float16)LO;                                                       \
            x[r_ + (k)] = (float16)HI;                                                 \
        }                                                                              \
    }

/* x[i].s[j] <-> x[j].s[i]: four butterfly steps (bits 3..0), constant
 * swizzles (vector shuffles), x kept in registers once inlined. */
void transpose16(float16 *x)
{
    TR16(x, 8, (a.lo, b.lo), (a.hi, b.hi));
    TR16(x, 4, (a.s0123, b.s0123, a.s89ab, b.s89ab), (a.s4567, b.s4567, a.scdef, b.scdef));
    TR16(x, 2, (a.s01, b.s01, a.s45, b.s45, a.s89, b.s89, a.scd, b.scd),
         (a.s23, b.s23, a.s67, b.s67, a.sab, b.sab, a.sef, b.sef));
    TR16(x, 1, (a.s0, b.s0, a.s2, b.s2, a.s4, b.s4, a.s6, b.s6, a.s8, b.s8, a.sa, b.sa, a.sc, b.sc,
                a.se, b.se),
         (a.s1, b.s1, a.s3, b.s3, a.s5, b.s5, a.s7, b.s7, a.s9, b.s9, a.sb, b.sb, a.sd, b.sd, a.sf,
          b.sf));
}

__kernel void conv_dwc(__global const sfloat *in, __global const sfloat *wt,
                       __global const sfloat *bias, int has_bias, __global sfloat *out, int8 gd,
                       int8 kd, int2 band, int act, float a, float b,
                       __global const sfloat *res, int has_res, __global sfloat *sq, int has_sq,
                       __local float *tile)
{
    const int C = gd.s0, H = gd.s1, W = gd.s2, OH = gd.s3, OW = gd.s4, N = gd.s5;
    const int TW = gd.s6;
    const int SH = kd.s2, SW = kd.s3, PT = kd.s4, PL = kd.s5;
    const int CB = (C + 15) / 16, NB = band.s1, gid = get_global_id(0);
    if (gid >= N * CB * NB)
        return;
    const int blk = gid / NB, n = blk / CB, c0 = (blk - n * CB) * 16, nc = min(C - c0, 16);
    const int HW = H * W, OHW = OH * OW;
    /* this band's output rows, and the input row R0 of its tile's first row */
    const int oh0 = (gid - blk * NB) * band.s0, oh1 = min(OH, oh0 + band.s0);
    const int R0 = oh0 * SH - PT, TH = (oh1 - oh0 - 1) * SH + DW_K;
    /* the tile's padding: rows outside the input, columns beside it */
    for (int r = 0; r < TH; r++) {
        const int ih = r + R0;
        const bool pad_row = ih < 0 || ih >= H;
        for (int t = 0; t < TW; t++)
            if (pad_row || t < PL || t >= PL + W)
                vstore16((float16)(0.0f), r * TW + t, tile);
    }
    __global const sfloat *ip = in + ((size_t)n * C + c0) * HW;
    const int phi = min(H, R0 + TH) * W; /* the input rows the tile holds, flattened */
    for (int p0 = max(R0, 0) * W; p0 < phi; p0 += 16) {
        const int np = min(phi - p0, 16);
        float16 x[16];
#pragma unroll
        for (int c = 0; c < 16; c++) {
            __global const sfloat *cp = ip + (size_t)c * HW + p0;
            if (c < nc && np == 16) {
                x[c] = LDN(16, 0, cp);
            } else {
                float t[16];
                for (int l = 0; l < 16; l++)
                    t[l] = c < nc && l < np ? LD(cp, l) : 0.0f;
                x[c] = vload16(0, t);
            }
        }
        transpose16(x); /* x[i]: pixel p0 + i's 16 channels */
        int ih = p0 / W, iw = p0 - ih * W;
        for (int i = 0; i < np; i++) {
            const int r = ih - R0, t = iw + PL;
            if (t < TW)
                vstore16(x[i], r * TW + t, tile);
            if (++iw == W)
                iw = 0, ih++;
        }
    }
    /* weights packed by conv_cl_pack_weights (8-channel blocks, each tap's 8
     * weights together, zeros past C): a tap's 16 are two loads; the second
     * block exists only when this one has more than 8 channels */
    float16 wv[DW_K * DW_K], bv;
    {
        float t[16];
        for (int c = 0; c < 16; c++)
            t[c] = c < nc && has_bias ? LD(bias, c0 + c) : 0.0f;
        bv = vload16(0, t);
        __global const sfloat *w0 = wt + (size_t)c0 * DW_K * DW_K, *w1 = w0 + 8 * DW_K * DW_K;
        for (int k = 0; k < DW_K * DW_K; k++)
            wv[k] = (float16)(LDN(8, k, w0), nc > 8 ? LDN(8, k, w1) : (float8)(0.0f));
    }
    __global sfloat *op = out + ((size_t)n * C + c0) * OHW;
    __global const sfloat *rp = res + ((size_t)n * C + c0) * OHW;
    float16 ssum = (float16)(0.0f); /* has_sq: each channel's sum of its outputs */
    for (int q0 = oh0 * OW; q0 < oh1 * OW; q0 += 16) {
        const int nq = min(oh1 * OW - q0, 16);
        float16 y[16];
        int oh = q0 / OW, ow = q0 - oh * OW;
        for (int i = 0; i < 16; i++) {
            if (i >= nq) {
                y[i] = (float16)(0.0f);
                continue;
            }
            __local const float *base = tile + (size_t)((oh - oh0) * SH * TW + ow * SW) * 16;
            float16 racc[DW_K];
#pragma unroll
            for (int kh = 0; kh < DW_K; kh++) {
                __local const float *tr = base + (size_t)kh * TW * 16;
                racc[kh] = kh ? (float16)(0.0f) : bv;
#pragma unroll
                for (int kw = 0; kw < DW_K; kw++)
                    racc[kh] = fma(vload16(kw, tr), wv[kh * DW_K + kw], racc[kh]);
            }
            y[i] = DW_ROWSUM(racc);
            if (++ow == OW)
                ow = 0, oh++;
        }
        /* with the squeeze (never with a residual: the plan fuses no Add
         * there) the activation goes before the transpose, elementwise and so
         * the same bits, and a pixel's 16 channels add to the sums at once */
        for (int i = 0; has_sq && i < nq; i++) {
            y[i] = FAULT(act_float16(y[i], act, a, b));
            ssum += y[i];
        }
        transpose16(y); /* y[c]: channel c0 + c's pixels q0 .. q0 + 15 */
        for (int c = 0; c < nc; c++) {
            const size_t o = (size_t)c * OHW + q0;
            float16 v = y[c];
            if (nq == 16) {
                if (has_res)
                    v += LDN(16, 0, rp + o);
                STN(16, has_sq ? v : FAULT(act_float16(v, act, a, b)), 0, op + o);
                continue;
            }
            if (has_res) {
                float t[16];
                for (int l = 0; l < 16; l++)
                    t[l] = l < nq ? LD(rp, o + l) : 0.0f;
                v += vload16(0, t);
            }
            store_part16(has_sq ? v : FAULT(act_float16(v, act, a, b)), nq, op + o);
        }
    }
    if (has_sq) { /* the SE squeeze (whole planes only: one band): each channel's mean */
        float t[16];
        vstore16(ssum / (float)OHW, 0, t);
        for (int c = 0; c < nc; c++)
            ST(sq, (size_t)n * C + c0 + c, t[c]);
    }
}

/* conv_dwf's geometry for the 16 flattened pixels from p0 of an H x W plane:
 * each lane's tap masks (rowok[kh], colok[kw]: -1 where the tap's input row /
 * column lies in the plane) and whether every shifted vector read of the plane
 * at element offset zoff stays inside the `total` elements of the tensor. */
typedef struct dwf_geo {
    int16 rowok[DW_K], colok[DW_K];
} dwf_geo;

void dwf_setup(dwf_geo *g, int p0, int H, int W, int PT, int PL, int DH, int DL)
{
    /* each lane's (row, column): p0's, then past each row's end onto the next */
    const int oh0 = p0 / W;
    int16 owv = (p0 - oh0 * W) + DW_IOTA16, ohv = (int16)(oh0);
    for (int16 m = owv >= W; any(m); m = owv >= W) {
        owv -= m & (int16)(W); /* m is -1 where true */
        ohv -= m;
    }
#pragma unroll
    for (int k = 0; k < DW_K; k++) {
        const int16 ih = ohv + (k * DH - PT), iw = owv + (k * DL - PL);
        g->rowok[k] = ih >= 0 && ih < H;
        g->colok[k] = iw >= 0 && iw < W;
    }
}

bool dwf_in_buf(long zoff, int p0, int W, int PT, int PL, int DH, int DL, long total)
{
    const int smin = -PT * W - PL, smax = ((DW_K - 1) * DH - PT) * W + (DW_K - 1) * DL - PL;
    return zoff + p0 + smin >= 0 && zoff + p0 + 15 + smax < total;
}

/* The taps of one channel (plane ip, weights wk) for those 16 pixels, no bias:
 * one masked vector load each where dwf_in_buf, else gathered lane by lane
 * (the tensor's first and last tiles: kept rolled, cheap to compile). */
float16 dwf_taps(__global const sfloat *ip, __global const sfloat *wk, const dwf_geo *g, bool in_buf,
                 int p0, int W, int PT, int PL, int DH, int DL)
{
    float16 racc[DW_K]; /* one accumulator per tap row, as in dw_tile */
#pragma unroll
    for (int kh = 0; kh < DW_K; kh++)
        racc[kh] = (float16)(0.0f);
    if (in_buf) {
#pragma unroll
        for (int kh = 0; kh < DW_K; kh++) {
            __global const sfloat *tr = ip + p0 + (kh * DH - PT) * W - PL;
#pragma unroll
            for (int kw = 0; kw < DW_K; kw++)
                racc[kh] = fma(select((float16)(0.0f), LDN(16, 0, tr + kw * DL),
                                      g->rowok[kh] & g->colok[kw]),
                               (float16)(LD(wk, kh * DW_K + kw)), racc[kh]);
        }
        return DW_ROWSUM(racc);
    }
    /* the same per-row sums in the same order as the vector path: a tile's
     * result must not depend on where its plane sits in the tensor (batch 1 and
     * batch N give the same bits for the same image); an array of its own, as
     * the rolled loop indexes it at run time */
    float16 gacc[DW_K];
#pragma unroll 1
    for (int kh = 0; kh < DW_K; kh++) {
        gacc[kh] = (float16)(0.0f);
        int rok[16];
        vstore16(g->rowok[kh], 0, rok);
#pragma unroll 1
        for (int kw = 0; kw < DW_K; kw++) {
            int cok[16];
            vstore16(g->colok[kw], 0, cok);
            const int shift = (kh * DH - PT) * W + kw * DL - PL;
            float xs[16];
#pragma unroll 1
            for (int l = 0; l < 16; l++) /* a lane in the plane reads inside it */
                xs[l] = rok[l] && cok[l] ? LD(ip, p0 + l + shift) : 0.0f;
            gacc[kh] = fma(vload16(0, xs), (float16)(LD(wk, kh * DW_K + kw)), gacc[kh]);
        }
    }
    return DW_ROWSUM(gacc);
}

/* conv_dwf: a stride-1 depthwise Conv whose output plane is its input plane's
 * size (OH = H, OW = W: "same" pads), over the flattened plane. Output pixel p
 * of a plane reads input p + (kh*DH - PT)*W + (kw*DL - PL) for tap (kh, kw): a
 * constant shift, so 16 consecutive pixels are one unaligned vector load per
 * tap wherever their rows fall, lanes whose tap lies outside the plane (above,
 * below, or wrapped past a row's end) zeroed by row and column masks. Row tiles
 * (conv_dw, conv_dwl) leave 7- and 14-wide rows' vectors part empty and pay per
 * row; conv_dwl also fills a padded local copy behind a barrier per plane: on
 * EfficientNet-B0's 7x7 and 14x14 layers both ran at 7-33 GFLOP/s. A tile
 * whose shifted reads would leave the tensor (the first and last planes'
 * edges) gathers lane by lane instead. A work-item takes one tile of `per`
 * consecutive planes (the masks set up once for them). gd: (C, H, W, per, -,
 * -, N, tiles of 16 per plane); kd: (-, -, -, -, PT, PL, DH, DL). NDRange
 * (ceil(N*C / per) * tiles), 1-D. */
__kernel void conv_dwf(__global const sfloat *in, __global const sfloat *wt,
                       __global const sfloat *bias, int has_bias, __global sfloat *out, int8 gd,
                       int8 kd, int act, float a, float b, __global const sfloat *res, int has_res)
{
    const int C = gd.s0, H = gd.s1, W = gd.s2, per = gd.s3, N = gd.s6, tiles = gd.s7;
    const int PT = kd.s4, PL = kd.s5, DH = kd.s6, DL = kd.s7;
    const int gid = get_global_id(0), zg = gid / tiles, HW = H * W;
    const int z0 = zg * per, z1 = min(z0 + per, N * C);
    if (z0 >= N * C)
        return;
    /* the tile's masks depend on its place in the plane only: set up once
     * for the `per` planes this work-item takes (planes z0 .. z1-1) */
    const int p0 = (gid - zg * tiles) * 16, n = min(HW - p0, 16);
    dwf_geo g;
    dwf_setup(&g, p0, H, W, PT, PL, DH, DL);
    for (int z = z0; z < z1; z++) {
        const int c = z % C;
        const bool in_buf = dwf_in_buf((long)z * HW, p0, W, PT, PL, DH, DL, (long)N * C * HW);
        float16 acc = dwf_taps(in + (size_t)z * HW, wt + c * DW_K * DW_K, &g, in_buf, p0, W, PT,
                               PL, DH, DL) + (has_bias ? LD(bias, c) : 0.0f);
        const size_t o = (size_t)z * HW + p0;
        if (n == 16) {
            if (has_res)
                acc += LDN(16, 0, res + o);
            STN(16, FAULT(act_float16(acc, act, a, b)), 0, out + o);
            continue;
        }
        if (has_res) {
            float t[16];
            vstore16((float16)(0.0f), 0, t);
            for (int p = 0; p < n; p++)
                t[p] = LD(res, o + p);
            acc += vload16(0, t);
        }
        store_part16(FAULT(act_float16(acc, act, a, b)), n, out + o);
    }
}

/* conv_dwpw: a depthwise Conv (+ its activation) feeding a stride-1 pointwise
 * Conv that is its only reader, as one kernel. Each work-item takes one row
 * tile (DW_PX pixels of row oh of image n): it computes the depthwise tile of
 * all C channels once into its slice of `tile` (local memory, C * DW_PX floats
 * per work-item), then the OC pointwise outputs PW_OC at a time from it, so
 * the depthwise output never goes to global memory and costs no launch.
 * Flat (gd.s7, built with DW_PX 16; a stride-1 depthwise that keeps the plane's
 * size): the tile is 16 consecutive pixels of the flattened plane instead, the
 * depthwise taps as conv_dwf's with the masks set up once for all channels, so
 * 7- and 14-wide planes fill whole float16 vectors in the pointwise loop (a
 * 7-wide row tile used 7 lanes of a float8). NDRange (ceil(OH*OW/16), 1, N).
 * gd: (C, H, W, OC, OH, OW, N, flat); kd: (-, -, SH, SW, PT, PL, DH, DW);
 * acts: (dw code, pw code); af: (dw a, dw b, pw a, pw b); blocks: packed pointwise
 * blocks of PW_OC channels per pass, 1 or 2 (below). NDRange (ceil(OW/DW_PX), OH, N). */
/* On CPU devices (the host defines PW_PFD there, see conv_pw.cl) the
 * depthwise half asks the cache for the rows channel c + DWPW_PFD reads: it
 * walks the C input planes one tile at a time, a plane jump per channel, as
 * conv_pw's channel loop does. POCL on the AVX-512 Xeon, per-layer sums of
 * the conv_dwpw layers (bench profile, 2 alternated rounds, ms): MobileNetV2
 * 1.30-1.35 -> 1.15-1.22, MnasNet 0.47-0.48 -> 0.43-0.44; 16 ahead measured as
 * 8, 4 behind. Clamped addresses inside the input plane: hints, never faults. */
#define DWPW_PFD 8
#ifdef PW_PFD
/* Rows r0, r0 + dh, ... (DW_K of them, clamped into the plane) of plane z, at
 * columns c0 and c1 of each (c1 clamped to the plane's end). */
void dwpw_prefetch(__global const sfloat *in, size_t z, int r0, int dh, int H, int W, int c0,
                   int c1)
{
    __global const sfloat *pp = in + z * H * W;
#pragma unroll
    for (int kh = 0; kh < DW_K; kh++) {
        const int rr = clamp(r0 + kh * dh, 0, H - 1);
        __builtin_prefetch(pp + rr * W + c0, 0, 3);
        __builtin_prefetch(pp + min(rr * W + c1, H * W - 1), 0, 3);
    }
}
#endif

__kernel void conv_dwpw(__global const sfloat *in, __global const sfloat *dwt,
                        __global const sfloat *dwb, int has_dwb, __global sfloat *out,
                        __global const sfloat *pwt, __global const sfloat *pwb, int has_pwb,
                        int8 gd, int8 kd, int2 acts, float4 af, __global const sfloat *res,
                        int has_res, int blocks, __local float *tile)
{
    const int C = gd.s0, H = gd.s1, W = gd.s2, OC = gd.s3, OH = gd.s4, OW = gd.s5, N = gd.s6;
    const int n = get_global_id(2);
    __local float *t = tile + (size_t)get_local_id(0) * C * DW_PX;
    int pix0, left; /* the tile's first pixel in the output plane, pixels from there on */
#if DW_PX == 16
    if (gd.s7) {
        const int p0 = get_global_id(0) * 16;
        if (p0 >= OH * OW || get_global_id(1) > 0 || n >= N)
            return;
        dwf_geo g;
        dwf_setup(&g, p0, H, W, kd.s4, kd.s5, kd.s6, kd.s7);
        for (int c = 0; c < C; c++) {
            const int z = n * C + c;
#ifdef PW_PFD /* the tap rows of channel c + DWPW_PFD around the tile's first row */
            dwpw_prefetch(in, (size_t)n * C + min(c + DWPW_PFD, C - 1), p0 / W - kd.s4, kd.s6, H,
                          W, p0 % W, p0 % W + 16 + DW_K);
#endif
            const bool in_buf = dwf_in_buf((long)z * H * W, p0, W, kd.s4, kd.s5, kd.s6, kd.s7,
                                           (long)N * C * H * W);
            const float16 v = dwf_taps(in + (size_t)z * H * W, dwt + c * DW_K * DW_K, &g, in_buf,
                                       p0, W, kd.s4, kd.s5, kd.s6, kd.s7) +
                              (has_dwb ? LD(dwb, c) : 0.0f);
            vstore16(act_float16(v, acts.s0, af.s0, af.s1), 0, t + c * 16);
        }
        pix0 = p0, left = OH * OW - p0;
    } else
#endif
    {
        const int ow0 = get_global_id(0) * DW_PX, oh = get_global_id(1);
        if (ow0 >= OW || oh >= OH || n >= N)
            return;
        const int ih0 = oh * kd.s2 - kd.s4, iw0 = ow0 * kd.s3 - kd.s5;
        for (int c = 0; c < C; c++) {
            const int z = n * C + c;
#ifdef PW_PFD /* the tap rows of channel c + DWPW_PFD, both ends of the tile's span */
            dwpw_prefetch(in, (size_t)n * C + min(c + DWPW_PFD, C - 1), ih0, kd.s6, H, W,
                          clamp(iw0, 0, W - 1), clamp(iw0 + DW_PX * kd.s3 + DW_K, 0, W - 1));
#endif
            const DWV v = dw_tile(in + (size_t)z * H * W, dwt + c * DW_K * DW_K,
                                  has_dwb ? LD(dwb, c) : 0.0f, ih0, iw0, kd.s3, H, W, kd.s6,
                                  kd.s7, z * H * W, N * C * H * W);
            DWSTORE(XCAT(act_float, DW_PX)(v, acts.s0, af.s0, af.s1), 0, t + c * DW_PX);
        }
        pix0 = oh * OW + ow0, left = OW - ow0;
    }
    const int HW = OH * OW;
    const size_t ob = (size_t)n * OC * HW + pix0;
    const bool whole = left >= DW_PX;
    for (int oc0 = 0; oc0 < OC; oc0 += PW_OC) {
        /* blocks 2 (the host's choice on CPUs): two packed blocks of PW_OC
         * channels per pass where the second holds channels, each tile load
         * feeding 2 x PW_OC independent FMA chains (two FMA ports busy); the
         * second block's sums are kept in acc2 and stored after the first's.
         * Each output's sum keeps its order: the same bits as one block. */
        const bool two = blocks == 2 && oc0 + PW_OC < OC;
        DWV acc[PW_OC], acc2[PW_OC];
#pragma unroll
        for (int o = 0; o < PW_OC; o++) { /* tail rows: computed, not stored */
            acc[o] = (DWV)(has_pwb ? LD(pwb, min(oc0 + o, OC - 1)) : 0.0f);
            acc2[o] = (DWV)(has_pwb && two ? LD(pwb, min(oc0 + PW_OC + o, OC - 1)) : 0.0f);
        }
        __global const sfloat *wq = pwt + (size_t)oc0 * C; /* packed as conv_pw's */
        if (two) {
            __global const sfloat *wq2 = wq + (size_t)PW_OC * C;
            for (int ic = 0; ic < C; ic++, wq += PW_OC, wq2 += PW_OC) {
                const DWV x = DWLOAD(0, t + ic * DW_PX);
                PW_WLOAD(w_, wq);
                PW_WLOAD(v_, wq2);
#pragma unroll
                for (int o = 0; o < PW_OC; o++) {
                    acc[o] = fma((DWV)(PW_WGET(w_, wq, o)), x, acc[o]);
                    acc2[o] = fma((DWV)(PW_WGET(v_, wq2, o)), x, acc2[o]);
                }
            }
        } else {
            for (int ic = 0; ic < C; ic++, wq += PW_OC) {
                const DWV x = DWLOAD(0, t + ic * DW_PX);
                PW_WLOAD(w_, wq);
#pragma unroll
                for (int o = 0; o < PW_OC; o++)
                    acc[o] = fma((DWV)(PW_WGET(w_, wq, o)), x, acc[o]);
            }
        }
        /* acc's PW_OC outputs from oc0, then acc2's (two) from oc0 + PW_OC */
        for (int o = 0; o < (two ? 2 * PW_OC : PW_OC) && oc0 + o < OC; o++) {
            const size_t i = ob + (size_t)(oc0 + o) * HW;
            DWV y = o < PW_OC ? acc[o] : acc2[o - PW_OC];
            if (whole) {
                if (has_res)
                    y += DWGLOAD(res + i);
                DWGSTORE(FAULT(XCAT(act_float, DW_PX)(y, acts.s1, af.s2, af.s3)), out + i);
                continue;
            }
            /* part of a tile: as conv_dw's */
            if (has_res) {
                float t[DW_PX];
                DWSTORE((DWV)(0.0f), 0, t);
                for (int p = 0; p < left; p++)
                    t[p] = LD(res, i + p);
                y += DWLOAD(0, t);
            }
            XCAT(store_part, DW_PX)(FAULT(XCAT(act_float, DW_PX)(y, acts.s1, af.s2, af.s3)),
                                    left, out + i);
        }
        if (two)
            oc0 += PW_OC;
    }
}
