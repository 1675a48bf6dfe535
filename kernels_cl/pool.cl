/* pool.cl — 1-D, 2-D and 3-D pooling, NC[D]HW, float tensors as sfloat.
 * Variants (host/ops_cl/pool_cl.c):
 *   pool2d       MaxPool / AveragePool with stride, dilation (max only), asymmetric
 *                pads and ceil_mode (the host gives the output size; windows are
 *                clipped here). count_include_pad counts padding but not the part of a
 *                ceil_mode window that runs past the padded input (as onnxruntime and
 *                PyTorch). No preconditions. NDRange (OW, OH, N*C).
 *   pool_max8    MaxPool with dilation 1 and horizontal stride 1 or 2 (any kernel,
 *                vertical stride, pads, ceil_mode): 8 consecutive outputs of a row per
 *                work-item as one float8; tiles wholly inside the row read each tap
 *                as one vector (stride 2: the even lanes of a vload16), edge tiles
 *                gather lane by lane with the lanes outside at -inf. The scalar
 *                pool2d took 0.4 ms of ShuffleNetV2's 4.5 on POCL.
 *                NDRange (ceil(OW/8), OH, N*C).
 *   pool_maxf    MaxPool at stride 1, dilation 1, output plane = input plane: the
 *                flattened plane in 16-pixel vectors, one masked load per tap (below).
 *                NDRange (ceil(H*W/16), N*C).
 *   pool3d       MaxPool / AveragePool on N,C,D,H,W (a 2-D pool as depth 1), tap by
 *                tap: every attribute incl. AveragePool's dilations, with the
 *                reference's divisor (count_include_pad counts the taps inside the
 *                padded input). Used for rank-5 inputs and dilated AveragePool;
 *                3-D pools are rare in CNNs, so it stays scalar. No preconditions.
 *                NDRange (OW, OH, N*C*OD).
 *   global_pool  GlobalAveragePool / GlobalMaxPool: one work-item per (n, c) plane,
 *                16-wide vector reads.
 *                NDRange (N*C). */

#define POOL_MAX 0
#define POOL_AVG 1

/* g: (H, W, OH, OW, NC, count_include_pad, -, -); k: (KH, KW, SH, SW, PT, PL, DH, DW);
 * pe: (PB, PR) the bottom / right pads. */
__kernel void pool2d(__global const sfloat *in, __global sfloat *out, int kind, int8 g, int8 k,
                     int2 pe)
{
    const int ow = get_global_id(0), oh = get_global_id(1), z = get_global_id(2);
    const int H = g.s0, W = g.s1, OH = g.s2, OW = g.s3;
    if (ow >= OW || oh >= OH || z >= g.s4)
        return;
    const int hs = oh * k.s2 - k.s4, ws = ow * k.s3 - k.s5;
    __global const sfloat *ip = in + (size_t)z * H * W;
    float r;
    if (kind == POOL_MAX) {
        r = -INFINITY;
        for (int kh = 0; kh < k.s0; kh++) {
            const int ih = hs + kh * k.s6;
            if (ih < 0 || ih >= H)
                continue;
            for (int kw = 0; kw < k.s1; kw++) {
                const int iw = ws + kw * k.s7;
                if (iw >= 0 && iw < W)
                    r = fmax(r, LD(ip, ih * W + iw));
            }
        }
    } else {
        const int he = min(hs + k.s0, H + pe.s0), we = min(ws + k.s1, W + pe.s1);
        const int h0 = max(hs, 0), w0 = max(ws, 0), h1 = min(he, H), w1 = min(we, W);
        float s = 0.0f;
        for (int ih = h0; ih < h1; ih++)
            for (int iw = w0; iw < w1; iw++)
                s += LD(ip, ih * W + iw);
        const int cnt = g.s5 ? (he - hs) * (we - ws) : (h1 - h0) * (w1 - w0);
        r = cnt > 0 ? s / (float)cnt : 0.0f;
    }
    ST(out, (size_t)z * OH * OW + oh * OW + ow, FAULT(r));
}

/* g: (D, H, W, OD, OH, OW, NC, count_include_pad);
 * k: (KD, KH, KW, SD, SH, SW, PD, PT, PL, DD, DH, DW, ED, EB, ER, -): kernel,
 * strides, begin pads, dilations, end pads, each depth / height / width. */
__kernel void pool3d(__global const sfloat *in, __global sfloat *out, int kind, int8 g, int16 k)
{
    const int ow = get_global_id(0), oh = get_global_id(1), zd = get_global_id(2);
    const int D = g.s0, H = g.s1, W = g.s2, OD = g.s3, OH = g.s4, OW = g.s5;
    if (ow >= OW || oh >= OH || zd >= g.s6 * OD)
        return;
    const int z = zd / OD, od = zd % OD;
    const int ds = od * k.s3 - k.s6, hs = oh * k.s4 - k.s7, ws = ow * k.s5 - k.s8;
    __global const sfloat *ip = in + (size_t)z * D * H * W;
    const bool mx = kind == POOL_MAX;
    float r = mx ? -INFINITY : 0.0f;
    int inside = 0, padded = 0;
    for (int kd = 0; kd < k.s0; kd++) {
        const int id = ds + kd * k.s9;
        if (id >= D + k.sc)
            continue;
        for (int kh = 0; kh < k.s1; kh++) {
            const int ih = hs + kh * k.sa;
            if (ih >= H + k.sd)
                continue;
            for (int kw = 0; kw < k.s2; kw++) {
                const int iw = ws + kw * k.sb;
                if (iw >= W + k.se)
                    continue;
                padded++;
                if (id < 0 || ih < 0 || iw < 0 || id >= D || ih >= H || iw >= W)
                    continue;
                const float v = LD(ip, ((size_t)id * H + ih) * W + iw);
                inside++;
                r = mx ? fmax(r, v) : r + v;
            }
        }
    }
    if (!mx) {
        const int cnt = g.s7 ? padded : inside;
        r = cnt > 0 ? r / (float)cnt : 0.0f;
    }
    ST(out, (((size_t)z * OD + od) * OH + oh) * OW + ow, FAULT(r));
}

/* Same g / k as pool2d (k.s6, k.s7 are 1). */
__kernel void pool_max8(__global const sfloat *in, __global sfloat *out, int8 g, int8 k)
{
    const int ow0 = get_global_id(0) * 8, oh = get_global_id(1), z = get_global_id(2);
    const int H = g.s0, W = g.s1, OH = g.s2, OW = g.s3, KH = k.s0, KW = k.s1, SW = k.s3;
    if (ow0 >= OW || oh >= OH || z >= g.s4)
        return;
    const int hs = oh * k.s2 - k.s4, ws = ow0 * SW - k.s5;
    __global const sfloat *ip = in + (size_t)z * H * W;
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW + ws;
    /* every vector read of the tile (8 or 16 floats from ws + kw) inside the row */
    const bool inside = ws >= 0 && ws + KW - 1 + (SW == 1 ? 8 : 16) <= W;
    float8 r = (float8)(-INFINITY);
    for (int kh = 0; kh < KH; kh++) {
        const int ih = hs + kh;
        if (ih < 0 || ih >= H)
            continue;
        __global const sfloat *row = ip + ih * W;
        for (int kw = 0; kw < KW; kw++) {
            float8 x;
            if (inside) {
                x = SW == 1 ? LDN(8, 0, row + ws + kw) : LDN(16, 0, row + ws + kw).even;
            } else {
                /* vector bounds: Oclgrind 21.10 mis-evaluates an int8 clamp
                 * with scalar bounds (same meaning in OpenCL C) */
                const int8 iw = lane + kw, cw = clamp(iw, (int8)(0), (int8)(W - 1));
                x = (float8)(LD(row, cw.s0), LD(row, cw.s1), LD(row, cw.s2), LD(row, cw.s3),
                             LD(row, cw.s4), LD(row, cw.s5), LD(row, cw.s6), LD(row, cw.s7));
                x = select((float8)(-INFINITY), x, iw >= 0 && iw < W);
            }
            r = fmax(r, x);
        }
    }
    __global sfloat *o = out + (size_t)z * OH * OW + (size_t)oh * OW + ow0;
    if (ow0 + 8 <= OW)
        STN(8, FAULT(r), 0, o);
    else
        store_part8(FAULT(r), OW - ow0, o);
}

/* pool_maxf: a stride-1 MaxPool (dilation 1) whose output plane is its input
 * plane ("same" pads: GoogLeNet's 3x3 branch pools on 28, 14 and 7 wide
 * planes), over the flattened plane as conv_dwf: output pixel p reads input
 * p + (kh - PT)*W + (kw - PL) for tap (kh, kw), so 16 consecutive pixels are
 * one unaligned vector load per tap wherever their rows fall, lanes whose tap
 * lies outside the plane (above, below, or wrapped past a row's end) at -inf.
 * pool_max8's row tiles left 14- and 7-wide rows on its lane-by-lane edge path
 * (0.15 ms per 14x14x480 pool on POCL). A tile whose shifted reads would leave
 * the tensor (the first and last planes' edges) gathers lane by lane instead.
 * Same g / k as pool2d. NDRange (ceil(H*W/16), N*C). */
__kernel void pool_maxf(__global const sfloat *in, __global sfloat *out, int8 g, int8 k)
{
    const int t = get_global_id(0), z = get_global_id(1);
    const int H = g.s0, W = g.s1, NC = g.s4, KH = k.s0, KW = k.s1, PT = k.s4, PL = k.s5;
    const int HW = H * W, p0 = t * 16;
    if (p0 >= HW || z >= NC)
        return;
    /* each lane's (row, column): p0's, then past each row's end onto the next */
    const int oh0 = p0 / W;
    int16 owv = (p0 - oh0 * W) + (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    int16 ohv = (int16)(oh0);
    for (int16 m = owv >= W; any(m); m = owv >= W) {
        owv -= m & (int16)(W); /* m is -1 where true */
        ohv -= m;
    }
    const long zp = (long)z * HW + p0; /* the tile's first pixel in the tensor */
    const bool in_buf = zp - PT * W - PL >= 0 &&
                        zp + 15 + (KH - 1 - PT) * W + (KW - 1 - PL) < (long)NC * HW;
    __global const sfloat *ip = in + (size_t)z * HW;
    float16 r = (float16)(-INFINITY);
    for (int kh = 0; kh < KH; kh++) {
        const int16 ih = ohv + (kh - PT);
        const int16 rowok = ih >= 0 && ih < H;
        for (int kw = 0; kw < KW; kw++) {
            const int16 iw = owv + (kw - PL);
            const int16 ok = rowok & (iw >= 0 && iw < W);
            const int shift = (kh - PT) * W + kw - PL;
            float16 x;
            if (in_buf) {
                x = LDN(16, 0, ip + p0 + shift);
            } else {
                int oks[16];
                float xs[16];
                vstore16(ok, 0, oks);
                for (int l = 0; l < 16; l++) /* a lane in the plane reads inside it */
                    xs[l] = oks[l] ? LD(ip, p0 + l + shift) : 0.0f;
                x = vload16(0, xs);
            }
            r = fmax(r, select((float16)(-INFINITY), x, ok));
        }
    }
    __global sfloat *o = out + (size_t)z * HW + p0;
    if (HW - p0 >= 16)
        STN(16, FAULT(r), 0, o);
    else
        store_part16(FAULT(r), HW - p0, o);
}

/* One plane per work-item, read 16 floats at a time into 16 independent
 * accumulators: the scalar loop's one dependent add per element ran at
 * ~5 GB/s (EfficientNet's 112x112 squeeze pools, 0.33 ms each on POCL). */
__kernel void global_pool(__global const sfloat *in, __global sfloat *out, int kind, int HW, int NC)
{
    const int z = get_global_id(0);
    if (z >= NC)
        return;
    __global const sfloat *ip = in + (size_t)z * HW;
    const bool mx = kind == POOL_MAX;
    float16 v = mx ? (float16)(-INFINITY) : (float16)(0.0f);
    int i = 0;
    if (mx)
        for (; i + 16 <= HW; i += 16)
            v = fmax(v, LDN(16, 0, ip + i));
    else
        for (; i + 16 <= HW; i += 16)
            v += LDN(16, 0, ip + i);
    const float8 h = mx ? fmax(v.lo, v.hi) : v.lo + v.hi;
    const float4 q = mx ? fmax(h.lo, h.hi) : h.lo + h.hi;
    const float2 d = mx ? fmax(q.lo, q.hi) : q.lo + q.hi;
    float r = mx ? fmax(d.x, d.y) : d.x + d.y;
    for (; i < HW; i++)
        r = mx ? fmax(r, LD(ip, i)) : r + LD(ip, i);
    if (!mx)
        r /= (float)HW;
    ST(out, z, FAULT(r));
}
