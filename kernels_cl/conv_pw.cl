/* conv_pw.cl — pointwise (1x1) convolution, NCHW float (stored as sfloat: float,
 * or half in an fp16 plan, act.cl), bias and activation fused. Variants
 * (host/ops_cl/conv_cl.c picks one and records it):
 *   conv_pw       1x1, no pads, group 1, any stride (stride 2 = subsampled input);
 *                 weights packed by the host (conv_cl_pack_weights): for each block of
 *                 PW_OC output channels, C x PW_OC interleaved, zero rows past OC;
 *                 has_gate: input channel c of image n scaled by gate[n*C + c] (an SE
 *                 block's Mul fused in). Built with -DPROLOGUE=<ACT_* code>: input
 *                 channel c is read as act(x * pro[c] + pro[C + c]; pro_a, pro_b), a
 *                 BatchNormalization (+ activation) before the Conv fused in (pro is
 *                 float in fp16 plans too); exact since a 1x1 Conv without pads reads
 *                 every input element as it is. Without -DPROLOGUE the kernel and its
 *                 arguments are as before. Each work-item computes PW_OC output channels x
 *                 `tiles` x PW_PX consecutive pixels (register tile, the pixels floatN
 *                 vectors). NDRange (ceil(OHW/(tiles*PW_PX)), ceil(OC/PW_OC), N), the first
 *                 two swapped with oc_first.
 *   pw_subsample  y[z, oh, ow] = x[z, oh*S, ow*S]: a strided pointwise Conv first
 *                 copies the pixels it reads, then conv_pw reads them at stride 1 (its
 *                 per-lane gather at stride 2 ran ResNet's downsample convs at 35-40
 *                 GFLOP/s, 75% of the network). NDRange (OW, OH, N*C).
 *   im2col        col[n, (c*KH + kh)*KW + kw, oh, ow] = x[n, c, oh*SH - PT + kh,
 *                 ow*SW - PL + kw] (0 in the padding): a KxK Conv becomes conv_pw over
 *                 C*KH*KW input channels, whose packed weights are the KxK weights as
 *                 they are packed for conv_kxk (conv_im2col). NDRange (ceil(OW/8), OH,
 *                 N*C*KH*KW), 8 pixels of a row per work-item.
 *   im2col_pairs, conv_pwp
 *                 conv_im2col on CPUs: the same unfolding laid out by pairs of
 *                 PW_PX-pixel tiles, each pair's channels one after another, and
 *                 conv_pw's 2-tile loop reading it as one contiguous stream.
 *                 NDRange (C*KH*KW, pairs, N) and conv_pw's.
 *   conv_pwu      the same in one launch where the device's local memory holds a
 *                 pair's C*KH*KW x 2 * PW_PX unfolded floats: a work-group unfolds
 *                 one pair there, then its work-items run conv_pwp's sums over it.
 *                 NDRange (L * groups, pairs, N), work-group (L, 1, 1).
 *   conv_mv       1x1, group 1, on a 1x1 input and output image, no SE gate: a
 *                 matrix-vector product per image, weights as they are. NDRange (OC, N).
 * Every variant ends with the same epilogue: + bias, + res (has_res: a residual
 * Add the plan fused in, same shape as out), then the activation (act.cl).
 * Every kernel guards its tail: the host pads global sizes to the work-group size
 * (POCL has no non-uniform work-groups). */

#ifndef PW_OC
#define PW_OC 8 /* pointwise: output channels per work-item */
#endif
#ifndef PW_PX
#define PW_PX 16 /* pointwise: pixels per work-item, one vector: 2, 4, 8 or 16 */
#endif
#define VEC XCAT(float, PW_PX)
#define VLOAD XCAT(vload, PW_PX) /* private arrays, conv_pwu's local tile; tensors: LDN/STN */

/* in: N,C,H,W  wt: OC,C  out: N,OC,OH,OW; HW = OH*OW; sd: (W, OW, stride, H*W).
 * The PW_PX pixels of a tile are one floatN vector (vloadN / fma): explicit
 * vector code whatever POCL's work-item vectoriser makes of the loop (float16
 * x 8 channels measured ~1.9x faster than the scalar 8x8 tile on MobileNetV2's
 * pointwise layers). Whole stride-1 tiles load contiguously; tail or strided
 * tiles gather into a private array first. */
/* The PW_OC packed weights of one input channel, wq[0..PW_OC), through
 * act.cl's PW_WLOAD / PW_WGET (fp16: one vload_halfN into floats first). */
/* One input channel of conv_pw's tile: x (PW_PX pixels) times its PW_OC weights. */
#define PW_STEP(xexpr)                                                                 \
    do {                                                                               \
        const VEC x_ = (xexpr);                                                        \
        PW_WLOAD(w_, wq);                                                              \
        _Pragma("unroll") for (int o = 0; o < PW_OC; o++)                              \
            acc[o] = fma((VEC)(PW_WGET(w_, wq, o)), x_, acc[o]);                       \
    } while (0)

/* The input prologue on one channel's pixels v (PROLOGUE: the fused
 * BatchNormalization's affine and activation; else v as it is). */
#ifdef PROLOGUE
#define PW_IN(v, ic) XCAT(act_float, PW_PX)((v) * pro[ic] + pro[C + (ic)], PROLOGUE, pro_a, pro_b)
#else
#define PW_IN(v, ic) (v)
#endif

/* Output pixel q's offset in an input channel (sd as conv_pw's: the output
 * row width sd.s1 maps q to (oh, ow), read at (oh * stride, ow * stride)). */
int pw_src(int q, int4 sd)
{
    return (q / sd.s1) * sd.s2 * sd.s0 + (q % sd.s1) * sd.s2;
}

/* The plane's last pixels of conv_pw when fewer than PW_OC are left (7x7
 * planes: 49 = 3 x 16 + 1; 14x14: 196 = 12 x 16 + 4): a PW_PX tile would
 * spend PW_OC vector FMAs per input channel on them, lanes mostly dropped.
 * Here each pixel has its own accumulator with the tile's PW_OC output
 * channels as the vector, the pixels side by side (independent FMA chains):
 * one packed weight load and `HW - p0` FMAs per channel. Same sums in the
 * same order as the tile's lanes (bias, then each channel's fma), so a
 * pixel's result does not depend on which path computed it. */
#define OVEC XCAT(float, PW_OC)
#ifdef PROLOGUE
#define PW_IN1(v, ic) act_epi((v) * pro[ic] + pro[C + (ic)], PROLOGUE, pro_a, pro_b)
#else
#define PW_IN1(v, ic) (v)
#endif
void pw_last_pixels(__global const sfloat *in, __global const sfloat *wt,
                    __global const sfloat *bias, int has_bias, __global sfloat *out, int C, int OC,
                    int HW, int4 sd, int act, float a, float b, __global const sfloat *res,
                    int has_res, __global const sfloat *gate, int has_gate, int p0, int oc0, int n
#ifdef PROLOGUE
                    , __global const float *pro, float pro_a, float pro_b
#endif
                    )
{
    float bz[PW_OC];
    for (int o = 0; o < PW_OC; o++)
        bz[o] = has_bias ? LD(bias, min(oc0 + o, OC - 1)) : 0.0f;
    const OVEC bv = XCAT(vload, PW_OC)(0, bz);
    __global const sfloat *wq = wt + (size_t)oc0 * C; /* packed: wq[ic * PW_OC + o] */
    __global const sfloat *ip = in + (size_t)n * C * sd.s3;
    __global const sfloat *gp = gate + (size_t)n * C;
    const size_t ob = (size_t)n * OC * HW;
    const int left = HW - p0; /* 1 .. PW_OC - 1 */
    size_t off[PW_OC];        /* pixel slot s: its offset in a channel (clamped past left) */
    for (int s = 0; s < PW_OC; s++) {
        const int q = min(p0 + s, HW - 1);
        off[s] = (size_t)pw_src(q, sd);
    }
    OVEC acc[PW_OC];
    for (int s = 0; s < PW_OC; s++)
        acc[s] = bv;
    for (int ic = 0; ic < C; ic++) {
        const OVEC w = LDN(PW_OC, 0, wq + (size_t)ic * PW_OC);
        const float g = has_gate ? LD(gp, ic) : 1.0f;
        __global const sfloat *cp = ip + (size_t)ic * sd.s3;
#pragma unroll
        for (int s = 0; s < PW_OC; s++)
            if (s < left)
                acc[s] = fma((OVEC)(PW_IN1(LD(cp, off[s]), ic) * g), w, acc[s]);
    }
    for (int s = 0; s < left; s++) {
        float r[PW_OC];
        XCAT(vstore, PW_OC)(acc[s], 0, r);
        for (int o = 0; o < PW_OC && oc0 + o < OC; o++) {
            const size_t i = ob + (size_t)(oc0 + o) * HW + p0 + s;
            const float y = has_res ? r[o] + LD(res, i) : r[o];
            ST(out, i, FAULT(act_epi(y, act, a, b)));
        }
    }
}

/* One PW_PX-pixel tile of conv_pw from pixel p0 (PW_OC channels from oc0, image n). */
void pw_tile(__global const sfloat *in, __global const sfloat *wt, __global const sfloat *bias,
             int has_bias, __global sfloat *out, int C, int OC, int HW, int4 sd, int act,
             float a, float b, __global const sfloat *res, int has_res,
             __global const sfloat *gate, int has_gate
#ifdef PROLOGUE
             , __global const float *pro, float pro_a, float pro_b
#endif
             , int p0, int oc0, int n)
{
    if (HW - p0 < PW_OC) {
        pw_last_pixels(in, wt, bias, has_bias, out, C, OC, HW, sd, act, a, b, res, has_res, gate,
                       has_gate, p0, oc0, n
#ifdef PROLOGUE
                       , pro, pro_a, pro_b
#endif
                       );
        return;
    }
    VEC acc[PW_OC];
#pragma unroll
    for (int o = 0; o < PW_OC; o++)
        acc[o] = (VEC)(has_bias ? LD(bias, min(oc0 + o, OC - 1)) : 0.0f);
    /* packed weights: this tile's PW_OC rows interleaved, wq[ic * PW_OC + o] */
    __global const sfloat *wq = wt + (size_t)oc0 * C;
    __global const sfloat *ip = in + (size_t)n * C * sd.s3;
    __global const sfloat *gp = gate + (size_t)n * C;
    int ic = 0;
    if (sd.s2 == 1) {
        /* A part-filled tile's vector reads run past the plane into the next
         * channels' (lanes dropped in the epilogue), which must stay inside
         * this image's C*HW floats: the next image, or any byte past the
         * tensor, is not the launch's to read. `over` floats past the plane's
         * end cross ceil(over / HW) planes (several when HW < PW_PX: 1x1 to
         * 3x3 planes), so that many last channels gather below. */
        const int over = max(p0 + PW_PX - HW, 0);
        const int cv = max(C - (over + HW - 1) / HW, 0);
        __global const sfloat *cp = ip + p0;
        if (has_gate)
            for (; ic < cv; ic++, wq += PW_OC)
                PW_STEP(LDN(PW_PX, 0, cp + (size_t)ic * sd.s3) * LD(gp, ic));
        else
            for (; ic < cv; ic++, wq += PW_OC)
                PW_STEP(PW_IN(LDN(PW_PX, 0, cp + (size_t)ic * sd.s3), ic));
    }
    if (ic < C) { /* strided input, or the last channels of a part tile: gather */
        int src[PW_PX];
        for (int p = 0; p < PW_PX; p++) {
            const int q = min(p0 + p, HW - 1);
            src[p] = pw_src(q, sd);
        }
        for (; ic < C; ic++, wq += PW_OC) {
            __global const sfloat *cp = ip + (size_t)ic * sd.s3;
            float xs[PW_PX];
            for (int p = 0; p < PW_PX; p++)
                xs[p] = LD(cp, src[p]);
            PW_STEP(PW_IN(VLOAD(0, xs), ic) * (has_gate ? LD(gp, ic) : 1.0f));
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
                y += LDN(PW_PX, 0, res + i);
            STN(PW_PX, FAULT(XCAT(act_float, PW_PX)(y, act, a, b)), 0, out + i);
            continue;
        }
        float t[PW_PX];
        if (has_res) {
            for (int p = 0; p < left; p++)
                t[p] = LD(res, i + p);
            y += VLOAD(0, t);
        }
        XCAT(store_part, PW_PX)(FAULT(XCAT(act_float, PW_PX)(y, act, a, b)), left, out + i);
    }
}

/* One input channel of a pair of tiles (conv_pw's 2-tile path, conv_pwp): x0 and
 * x1 (PW_PX pixels each) times the PW_OC weights at wq, into a0 / a1. */
#define PW_PAIR_STEP(x0e, x1e)                                                         \
    do {                                                                               \
        const VEC x0_ = (x0e), x1_ = (x1e);                                            \
        PW_WLOAD(w_, wq);                                                              \
        _Pragma("unroll") for (int o = 0; o < PW_OC; o++) {                            \
            const VEC w = (VEC)(PW_WGET(w_, wq, o));                                   \
            a0[o] = fma(w, x0_, a0[o]);                                                \
            a1[o] = fma(w, x1_, a1[o]);                                                \
        }                                                                              \
    } while (0)

/* A whole pair's epilogue at out[i..i + 2 * PW_PX): + res, activation, stores. */
void pw_pair_store(VEC y0, VEC y1, size_t i, __global sfloat *out, __global const sfloat *res,
                   int has_res, int act, float a, float b)
{
    if (has_res) {
        y0 += LDN(PW_PX, 0, res + i);
        y1 += LDN(PW_PX, 0, res + i + PW_PX);
    }
    STN(PW_PX, FAULT(XCAT(act_float, PW_PX)(y0, act, a, b)), 0, out + i);
    STN(PW_PX, FAULT(XCAT(act_float, PW_PX)(y1, act, a, b)), 0, out + i + PW_PX);
}

/* conv_pw's (2-tile path), conv_pwp's and conv_pwu's epilogue: the sums a0 / a1
 * of output channels oc0 .. oc0 + PW_OC - 1 for the pixel pair from p0 of
 * image n. A part-filled pair (the image's last) still applies the
 * activation as vectors, then stores the lanes below HW: per lane, a SiLU
 * cost more than the pair's sums on 7x7 planes. */
void pwp_store(const VEC *a0, const VEC *a1, int oc0, int OC, int HW, int p0, int n,
               __global sfloat *out, __global const sfloat *res, int has_res, int act, float a,
               float b)
{
    const size_t ob = (size_t)n * OC * HW + p0;
    const int left = HW - p0;
    for (int o = 0; o < PW_OC && oc0 + o < OC; o++) {
        const size_t i = ob + (size_t)(oc0 + o) * HW;
        if (left >= 2 * PW_PX) {
            pw_pair_store(a0[o], a1[o], i, out, res, has_res, act, a, b);
            continue;
        }
        /* the image's last pair: lanes past HW are neither read nor stored */
        VEC y0 = a0[o], y1 = a1[o];
        if (has_res) {
            float t[2 * PW_PX];
            for (int p = 0; p < 2 * PW_PX; p++)
                t[p] = p < left ? LD(res, i + p) : 0.0f;
            y0 += VLOAD(0, t);
            y1 += VLOAD(1, t);
        }
        y0 = FAULT(XCAT(act_float, PW_PX)(y0, act, a, b));
        y1 = FAULT(XCAT(act_float, PW_PX)(y1, act, a, b));
        if (left >= PW_PX) { /* store_partN takes 1 .. N - 1 lanes */
            STN(PW_PX, y0, 0, out + i);
            if (left > PW_PX)
                XCAT(store_part, PW_PX)(y1, left - PW_PX, out + i + PW_PX);
        } else {
            XCAT(store_part, PW_PX)(y0, left, out + i);
        }
    }
}

/* conv_pw: `tiles` (1 or 2) PW_PX-pixel tiles per work-item. With 2 (the
 * host's choice on CPUs) two whole stride-1 tiles side by side share each
 * weight broadcast: 2 x PW_OC vector accumulators, enough independent FMA
 * chains to keep two FMA ports busy (clcnn bench, alternated, POCL on an
 * Intel Xeon AVX-512: ResNet-50 83.2 -> 78.4 ms, MobileNetV2 7.59 -> 7.23,
 * its pointwise layers 10-15% faster); each pixel's
 * sum is formed in the same order as pw_tile's, so the same bits. GPUs keep
 * 1: twice the accumulators per work-item would cost registers and
 * occupancy. A strided pair runs as two tiles. A gated pair (an SE block's
 * projection) scales each channel's two vectors by its gate first, as pw_tile
 * does: run as two tiles, MnasNet's and EfficientNet-B0's gated projections
 * ran at 100-140 GFLOP/s, their ungated expansions at 200-290. A pair whose
 * second tile is part-filled (a 7x7 plane's pixels 32..48) is still one
 * pair: as a tile and then a lone pixel, that work-item took 1.5x the time of
 * its whole-pair neighbour. Its last channels are gathered as pw_tile's.
 * oc_first (conv_im2col on CPUs, see conv_cl.c): dimension 0 runs over the
 * channel tiles, 1 over the pixel tiles, so a work-group (and POCL's order of
 * work-items) takes a pixel tile's channel tiles one after another while its
 * unfolded input is still in cache. */
/* PW_PFD (set by the host on CPU devices): the pair's channel loop asks the
 * cache for the pixels it reads PW_PFD channels later (clang's
 * __builtin_prefetch, a hint that never faults; the channel index is clamped
 * to the last one the loop reads, so no address outside the tensor is formed).
 * Each step jumps a whole plane, more streams than a CPU's prefetcher follows
 * (see conv_pwp below), and the FMAs waited on those loads (perf: the two
 * input loads held ~20% of the loop's samples). POCL on the AVX-512 Xeon,
 * clcnn bench --no-cold, 3 alternated rounds, ms: MnasNet 4.39-4.41 ->
 * 4.26-4.30, EfficientNet-B0 5.78-5.84 -> 5.55-5.62, MobileNetV3-Large 3.41 ->
 * 3.27-3.29, MobileNetV1 4.94-4.97 -> 4.79-4.86, DenseNet-121 29.0-29.2 ->
 * 27.4; the deep-input layers gain most (MnasNet's 144 -> 24 projection 0.114
 * -> 0.087). 8 and 32 channels ahead were within noise of 16 on the light
 * networks, 8 behind 16 on ResNet-50 and DenseNet-121. */
#ifdef PW_PFD
#define PW_PREFETCH_PAIR(cp, ic, cv, hw)                                                \
    do {                                                                               \
        __global const sfloat *pf_ = (cp) + (size_t)min((ic) + PW_PFD, (cv) - 1) * (hw); \
        __builtin_prefetch(pf_, 0, 3);                                                 \
        __builtin_prefetch(pf_ + 2 * PW_PX - 1, 0, 3);                                 \
    } while (0)
#else
#define PW_PREFETCH_PAIR(cp, ic, cv, hw) ((void)0)
#endif
#ifdef PROLOGUE
#define PRO_ARGS , pro, pro_a, pro_b
#else
#define PRO_ARGS
#endif
__kernel void conv_pw(__global const sfloat *in, __global const sfloat *wt,
                      __global const sfloat *bias, int has_bias, __global sfloat *out, int C,
                      int OC, int HW, int4 sd, int act, float a, float b,
                      __global const sfloat *res, int has_res, __global const sfloat *gate,
                      int has_gate, int tiles, int oc_first
#ifdef PROLOGUE
                      , __global const float *pro, float pro_a, float pro_b
#endif
                      )
{
    const int g0 = get_global_id(0), g1 = get_global_id(1), n = get_global_id(2);
    const int p0 = (oc_first ? g1 : g0) * tiles * PW_PX, oc0 = (oc_first ? g0 : g1) * PW_OC;
    if (p0 >= HW || oc0 >= OC)
        return;
    if (tiles == 2 && p0 + PW_PX < HW && sd.s2 == 1) {
        VEC a0[PW_OC], a1[PW_OC];
#pragma unroll
        for (int o = 0; o < PW_OC; o++)
            a0[o] = a1[o] = (VEC)(has_bias ? LD(bias, min(oc0 + o, OC - 1)) : 0.0f);
        __global const sfloat *wq = wt + (size_t)oc0 * C;
        __global const sfloat *cp = in + (size_t)n * C * sd.s3 + p0;
        __global const sfloat *gp = gate + (size_t)n * C;
        /* A part-filled pair reads on into the next channels' planes as
         * pw_tile does (lanes dropped by pwp_store), the last ones gathered. */
        const int over = max(p0 + 2 * PW_PX - HW, 0);
        const int cv = max(C - (over + HW - 1) / HW, 0);
        int ic = 0;
        if (has_gate) { /* x * gate, then the fma: pw_tile's gated stride-1 order */
            for (; ic < cv; ic++, wq += PW_OC) {
                PW_PREFETCH_PAIR(cp, ic, cv, sd.s3);
                const float g = LD(gp, ic);
                PW_PAIR_STEP(LDN(PW_PX, 0, cp + (size_t)ic * sd.s3) * g,
                             LDN(PW_PX, 0, cp + (size_t)ic * sd.s3 + PW_PX) * g);
            }
        } else {
            for (; ic < cv; ic++, wq += PW_OC) {
                PW_PREFETCH_PAIR(cp, ic, cv, sd.s3);
                PW_PAIR_STEP(PW_IN(LDN(PW_PX, 0, cp + (size_t)ic * sd.s3), ic),
                             PW_IN(LDN(PW_PX, 0, cp + (size_t)ic * sd.s3 + PW_PX), ic));
            }
        }
        for (; ic < C; ic++, wq += PW_OC) { /* pw_tile's gather, lanes past HW clamped */
            __global const sfloat *c1 = cp + (size_t)ic * sd.s3;
            float xs[2 * PW_PX];
            for (int p = 0; p < 2 * PW_PX; p++)
                xs[p] = LD(c1, min(p, HW - 1 - p0));
            const float g = has_gate ? LD(gp, ic) : 1.0f;
            PW_PAIR_STEP(PW_IN(VLOAD(0, xs), ic) * g, PW_IN(VLOAD(1, xs), ic) * g);
        }
        pwp_store(a0, a1, oc0, OC, HW, p0, n, out, res, has_res, act, a, b);
        return;
    }
    for (int t = 0; t < tiles && p0 + t * PW_PX < HW; t++)
        pw_tile(in, wt, bias, has_bias, out, C, OC, HW, sd, act, a, b, res, has_res, gate,
                has_gate PRO_ARGS, p0 + t * PW_PX, oc0, n);
}

/* conv_pwp: conv_pw's pair of PW_PX tiles over an input packed by pixel pairs
 * (im2col_pairs): in[n][t][ic][2 * PW_PX], pair t holding pixels t * 2 * PW_PX
 * on, lanes past HW zero. Each channel step reads the next 2 * PW_PX floats,
 * so a work-item walks one contiguous block of C * 2 * PW_PX floats: in
 * conv_pw's plane layout each step jumps a whole plane (12.5 KiB on a 56x56
 * plane), beyond what a CPU's stride prefetcher follows, and the FMAs waited
 * on the loads. Weights, sums and their order are conv_pw's (same bits as
 * its 2-tile path); the epilogue stores only the pixels below HW. oc_first as
 * conv_pw's. NDRange (ceil(HW / (2 * PW_PX)), ceil(OC / PW_OC), N), the first
 * two swapped with oc_first. */
__kernel void conv_pwp(__global const sfloat *in, __global const sfloat *wt,
                       __global const sfloat *bias, int has_bias, __global sfloat *out, int C,
                       int OC, int HW, int act, float a, float b, __global const sfloat *res,
                       int has_res, int oc_first)
{
    const int g0 = get_global_id(0), g1 = get_global_id(1), n = get_global_id(2);
    const int t = oc_first ? g1 : g0, oc0 = (oc_first ? g0 : g1) * PW_OC;
    const int p0 = t * 2 * PW_PX, T = (HW + 2 * PW_PX - 1) / (2 * PW_PX);
    if (p0 >= HW || oc0 >= OC)
        return;
    VEC a0[PW_OC], a1[PW_OC];
#pragma unroll
    for (int o = 0; o < PW_OC; o++)
        a0[o] = a1[o] = (VEC)(has_bias ? LD(bias, min(oc0 + o, OC - 1)) : 0.0f);
    __global const sfloat *wq = wt + (size_t)oc0 * C;
    __global const sfloat *cp = in + ((size_t)n * T + t) * C * 2 * PW_PX;
    for (int ic = 0; ic < C; ic++, wq += PW_OC, cp += 2 * PW_PX)
        PW_PAIR_STEP(LDN(PW_PX, 0, cp), LDN(PW_PX, 0, cp + PW_PX));
    pwp_store(a0, a1, oc0, OC, HW, p0, n, out, res, has_res, act, a, b);
}

/* conv_mv: a pointwise Conv on a 1x1 image (an SE block's two FCs after its
 * global pool) is a matrix-vector product per image; conv_pw's pixel tile
 * would compute 1 pixel of its 16 and leave most work-items idle. One
 * work-item per output channel reads its weight row and the input vector
 * with dot_contig (both contiguous along C). in: N x C, wt: OC x C,
 * out/res: N x OC. NDRange (OC, N). */
__kernel void conv_mv(__global const sfloat *in, __global const sfloat *wt,
                      __global const sfloat *bias, int has_bias, __global sfloat *out, int C,
                      int OC, int N, int act, float a, float b, __global const sfloat *res,
                      int has_res)
{
    const int oc = get_global_id(0), n = get_global_id(1);
    if (oc >= OC || n >= N)
        return;
    __global const sfloat *w = wt + (size_t)oc * C;
    __global const sfloat *x = in + (size_t)n * C;
    float acc = dot_contig(w, x, C);
    const size_t o = (size_t)n * OC + oc;
    acc += (has_bias ? LD(bias, oc) : 0.0f) + (has_res ? LD(res, o) : 0.0f);
    ST(out, o, FAULT(act_epi(acc, act, a, b)));
}

/* se_fc: an SE block's two FCs (1x1 Convs on 1x1 planes) as one launch:
 * h = act1(W1 x + b1) (R values), y = act2(W2 h + b2) (C2 values) per image.
 * Each work-group computes all of h into local memory (its work-items split
 * the R rows, each row dot_contig as conv_mv's), then, after the barrier, its
 * slice of y: outputs [group * per, min(group * per + per, C2)). Every group
 * recomputes h (R x C MACs, fewer than the launch and the trip through global
 * memory it saves) so that no group waits on another. An image's sums keep
 * one order whatever the batch and the groups. x: N x C, w1: R x C,
 * w2: C2 x R, out: N x C2; d: (C, R, C2, per); acts/af: (act1, act2) and their
 * (a, b) pairs. NDRange (groups * L, N), work-groups (L, 1). */
__kernel void se_fc(__global const sfloat *x, __global const sfloat *w1, __global const sfloat *b1,
                    int has_b1, __global const sfloat *w2, __global const sfloat *b2, int has_b2,
                    __global sfloat *out, int4 d, int2 acts, float4 af, __local float *h)
{
    const int C = d.s0, R = d.s1, C2 = d.s2, per = d.s3;
    const int L = get_local_size(0), lid = get_local_id(0), n = get_global_id(1);
    __global const sfloat *xn = x + (size_t)n * C;
    for (int r = lid; r < R; r += L) {
        const float v = dot_contig(w1 + (size_t)r * C, xn, C) + (has_b1 ? LD(b1, r) : 0.0f);
        h[r] = act_epi(v, acts.s0, af.s0, af.s1);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const int o0 = get_group_id(0) * per, o1 = min(o0 + per, C2);
    for (int o = o0 + lid; o < o1; o += L) {
        __global const sfloat *w = w2 + (size_t)o * R;
        float16 s = (float16)(0.0f);
        int k = 0;
        for (; k + 16 <= R; k += 16)
            s = fma(LDN(16, 0, w + k), vload16(0, h + k), s);
        const float8 s8 = s.lo + s.hi;
        const float4 s4 = s8.lo + s8.hi;
        float v = (s4.s0 + s4.s1) + (s4.s2 + s4.s3);
        for (; k < R; k++)
            v = fma(LD(w, k), h[k], v);
        v += has_b2 ? LD(b2, o) : 0.0f;
        ST(out, (size_t)n * C2 + o, FAULT(act_epi(v, acts.s1, af.s2, af.s3)));
    }
}

/* d: (H, W, OH, OW); S the stride; NC = N*C planes. out is a copy of in's
 * pixels, so it is stored as in is (sfloat). */
__kernel void pw_subsample(__global const sfloat *in, __global sfloat *out, int4 d, int S,
                           int NC)
{
    const int ow = get_global_id(0), oh = get_global_id(1), z = get_global_id(2);
    if (ow >= d.s3 || oh >= d.s2 || z >= NC)
        return;
    const size_t src = ((size_t)z * d.s0 + (size_t)oh * S) * d.s1 + (size_t)ow * S;
    ST(out, ((size_t)z * d.s2 + oh) * d.s3 + ow, LD(in, src));
}

/* im2col (conv_im2col's first launch): conv_kxk computes 8 pixels x 8 channels
 * per work-item and gathers lane by lane wherever a tile touches the padding,
 * which on 7-, 14- and 28-wide planes is most tiles (ResNet-50's 3x3 convs
 * ran at 56-85 GFLOP/s, 70% of its time); conv_pw on the unfolded input runs
 * its 8 x 16 register tile on plain vector loads. g: (C, H, W, -, OH, OW, -, N),
 * k: (KH, KW, SH, SW, PT, PL, -, -); col: N x C*KH*KW x OH*OW. */
__kernel void im2col(__global const sfloat *in, __global sfloat *col, int8 g, int8 k)
{
    const int ow0 = get_global_id(0) * 8, oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OH = g.s4, OW = g.s5, N = g.s7;
    const int KH = k.s0, KW = k.s1, SW = k.s3;
    if (ow0 >= OW || oh >= OH || z >= N * C * KH * KW)
        return;
    const int kw = z % KW, kh = (z / KW) % KH, nc = z / (KH * KW);
    const int ih = oh * k.s2 - k.s4 + kh, iw0 = ow0 * SW - k.s5 + kw;
    const int n = min(OW - ow0, 8);
    float8 v = (float8)(0.0f);
    if (ih >= 0 && ih < H) {
        __global const sfloat *row = in + ((size_t)nc * H + ih) * W;
        if (SW == 1 && iw0 >= 0 && iw0 + 8 <= W) {
            v = LDN(8, 0, row + iw0);
        } else {
            float t[8];
            for (int p = 0; p < 8; p++) {
                const int iw = iw0 + p * SW;
                t[p] = p < n && iw >= 0 && iw < W ? LD(row, iw) : 0.0f;
            }
            v = vload8(0, t);
        }
    }
    __global sfloat *dst = col + ((size_t)z * OH + oh) * OW + ow0;
    if (n == 8)
        STN(8, v, 0, dst);
    else
        store_part8(v, n, dst);
}

/* One row of the unfolded pixel pair t of image n (row kk = (c*KH + kh)*KW + kw:
 * lanes q = t * 2 * PW_PX + 0 .. 2 * PW_PX - 1 of the OH x OW plane, tap (kh, kw)
 * of input channel c, 0 in the padding and at q >= OH*OW) into dst, one output
 * row's run of it at a time: at horizontal stride 1 a run is a contiguous input
 * span (8-float vectors, then the tail) between the columns of padding, so
 * rows that straddle the pair (28 and 14 wide planes) and edge taps stay on the
 * copy path (an earlier version took 8 lanes at a time and gathered lane by
 * lane whenever they straddled a row or an edge). Written once for both
 * destinations, as OpenCL 1.2 has no generic address space: im2col_pairs's
 * global scratch (sfloat) and conv_pwu's local tile (float). g, k as im2col's. */
#define UNFOLD_PAIR_ROW(NAME, DST, ST1, ST8)                                                \
    void NAME(__global const sfloat *in, DST dst, int kk, int t, int n, int8 g, int8 k)     \
    {                                                                                      \
        const int C = g.s0, H = g.s1, W = g.s2, OH = g.s4, OW = g.s5;                      \
        const int KH = k.s0, KW = k.s1, SH = k.s2, SW = k.s3, TP = 2 * PW_PX;              \
        const int kw = kk % KW, kh = (kk / KW) % KH, c = kk / (KH * KW);                   \
        __global const sfloat *plane = in + ((size_t)n * C + c) * H * W;                   \
        const int ih_off = kh - k.s4, iw_off = kw - k.s5;                                  \
        const int q0 = t * TP, live = min(TP, OH * OW - q0); /* lanes inside the plane */  \
        int oh = q0 / OW, ow = q0 % OW;                                                    \
        for (int j = 0; j < live; oh++, ow = 0) {                                          \
            const int len = min(live - j, OW - ow), ih = oh * SH + ih_off; /* the run */   \
            DST d = dst + j;                                                               \
            j += len;                                                                      \
            if (ih < 0 || ih >= H) {                                                       \
                for (int p = 0; p < len; p++)                                              \
                    ST1(d, p, 0.0f);                                                       \
                continue;                                                                  \
            }                                                                              \
            __global const sfloat *row = plane + (size_t)ih * W;                           \
            if (SW != 1) {                                                                 \
                for (int p = 0; p < len; p++) {                                            \
                    const int iw = (ow + p) * SW + iw_off;                                 \
                    ST1(d, p, iw >= 0 && iw < W ? LD(row, iw) : 0.0f);                     \
                }                                                                          \
                continue;                                                                  \
            }                                                                              \
            /* lanes [0, lo) left of the image, [lo, hi) inside, [hi, len) right of it */  \
            const int iw0 = ow + iw_off, lo = clamp(-iw0, 0, len);                         \
            const int hi = clamp(W - iw0, lo, len);                                        \
            int p = 0;                                                                     \
            for (; p < lo; p++)                                                            \
                ST1(d, p, 0.0f);                                                           \
            for (; p + 8 <= hi; p += 8)                                                    \
                ST8(LDN(8, 0, row + iw0 + p), d + p);                                      \
            for (; p < hi; p++)                                                            \
                ST1(d, p, LD(row, iw0 + p));                                               \
            for (; p < len; p++)                                                           \
                ST1(d, p, 0.0f);                                                           \
        }                                                                                  \
        for (int p = max(live, 0); p < TP; p++)                                            \
            ST1(dst, p, 0.0f);                                                             \
    }
#define UNFOLD_GST8(v, p) STN(8, (v), 0, (p))
#define UNFOLD_LST1(p, i, v) ((p)[i] = (v))
#define UNFOLD_LST8(v, p) vstore8((v), 0, (p))
UNFOLD_PAIR_ROW(unfold_pair_row_g, __global sfloat *, ST, UNFOLD_GST8)
UNFOLD_PAIR_ROW(unfold_pair_row_l, __local float *, UNFOLD_LST1, UNFOLD_LST8)

/* im2col_pairs (conv_im2col's first launch on CPUs, before conv_pwp, where
 * conv_pwu's local tile would not fit): the same unfolded values as im2col,
 * laid out for conv_pwp: col[n][t][kk][2 * PW_PX] with kk = (c*KH + kh)*KW + kw
 * and pixel q = t * 2 * PW_PX + lane of the OH x OW plane; lanes at q >= OH*OW
 * are written 0 (conv_pwp reads whole vectors and drops them). A work-item
 * fills one kk's row of a pair (unfold_pair_row). Dimension 0 runs over kk, so
 * consecutive work-items write consecutive rows (one stream; neighbouring kw
 * and kh read the same input rows). g, k as im2col's. NDRange (C*KH*KW, T, N),
 * T = ceil(OH*OW / (2 * PW_PX)). */
__kernel void im2col_pairs(__global const sfloat *in, __global sfloat *col, int8 g, int8 k)
{
    const int kk = get_global_id(0), t = get_global_id(1), n = get_global_id(2);
    const int TP = 2 * PW_PX, T = (g.s4 * g.s5 + TP - 1) / TP, CKK = g.s0 * k.s0 * k.s1;
    if (kk >= CKK || t >= T || n >= g.s7)
        return;
    unfold_pair_row_g(in, col + (((size_t)n * T + t) * CKK + kk) * TP, kk, t, n, g, k);
}

/* conv_pwu: conv_im2col on a CPU in one launch. A work-group unfolds one pixel
 * pair of one image into local memory (its work-items taking every L-th row),
 * then computes conv_pwp's sums over it for `ocg` channel tiles from group
 * grp * ocg (a work-item every L-th tile). With im2col_pairs + conv_pwp the
 * unfolded input (7.2 MiB for GoogLeNet's conv3) leaves the core's 2 MiB L2
 * before conv_pwp reads it back, and the first channel tile of each pair waits
 * on those reads; here the pair is read where it was just written. A C loop of
 * conv_pwp's shape on this Xeon: 113-123 GFLOP/s a core unfolding all pairs
 * first, 146-149 a pair at a time. Same weights, sums and order as conv_pwp
 * (same bits). g, k as im2col's (g.s3 = OC). NDRange (L * groups, T, N),
 * work-group (L, 1, 1); colp: C*KH*KW * 2 * PW_PX floats. */
__kernel void conv_pwu(__global const sfloat *in, __global const sfloat *wt,
                       __global const sfloat *bias, int has_bias, __global sfloat *out, int8 g,
                       int8 k, int act, float a, float b, __global const sfloat *res, int has_res,
                       int ocg, __local float *colp)
{
    const int lid = get_local_id(0), L = get_local_size(0), grp = get_group_id(0);
    const int t = get_global_id(1), n = get_global_id(2);
    const int OC = g.s3, HW = g.s4 * g.s5, CKK = g.s0 * k.s0 * k.s1, TP = 2 * PW_PX;
    for (int kk = lid; kk < CKK; kk += L)
        unfold_pair_row_l(in, colp + (size_t)kk * TP, kk, t, n, g, k);
    barrier(CLK_LOCAL_MEM_FENCE);
    const int ot1 = min((grp + 1) * ocg, (OC + PW_OC - 1) / PW_OC);
    for (int ot = grp * ocg + lid; ot < ot1; ot += L) {
        const int oc0 = ot * PW_OC;
        VEC a0[PW_OC], a1[PW_OC];
#pragma unroll
        for (int o = 0; o < PW_OC; o++)
            a0[o] = a1[o] = (VEC)(has_bias ? LD(bias, min(oc0 + o, OC - 1)) : 0.0f);
        __global const sfloat *wq = wt + (size_t)oc0 * CKK;
        __local const float *cp = colp;
        for (int ic = 0; ic < CKK; ic++, wq += PW_OC, cp += TP)
            PW_PAIR_STEP(VLOAD(0, cp), VLOAD(0, cp + PW_PX));
        pwp_store(a0, a1, oc0, OC, HW, t * TP, n, out, res, has_res, act, a, b);
    }
}
