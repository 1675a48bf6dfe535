/* conv.cl — 2-D convolution, NCHW float (stored as sfloat: float, or half in an
 * fp16 plan, act.cl), bias and activation fused: the
 * general variants (host/ops_cl/conv_cl.c picks one and records it; the fast
 * special cases live in conv_pw.cl, conv_dw.cl and conv_kxk.cl):
 *   conv_general  any groups / dilation / stride / asymmetric pads; no preconditions.
 *                 One work-item per output pixel. NDRange (OW, OH, N*OC).
 *   conv_tiled    any kernel size / stride / dilation / pads; precondition: group 1, or
 *                 (C_out/group) % CONV_CT == 0 so a tile never straddles two groups
 *                 (the host picks CONV_CT from 16, 8, 4 per layer).
 *                 Each work-item computes CONV_CT output channels x CONV_PX consecutive
 *                 pixels of a row: every input value loaded feeds CONV_CT MACs, every
 *                 weight CONV_PX, and out-of-image taps are masked rather than branched
 *                 around. NDRange (ceil(OW/CONV_PX), OH, N*ceil(OC/CONV_CT)).
 *   conv3d        a 3-D Conv (N,C,D,H,W): conv_general with a depth loop; no
 *                 preconditions (3-D convolution is rare in the CNNs clcnn targets,
 *                 so it stays one work-item per output pixel). NDRange (OW, OH, N*OC*OD).
 * Every variant ends with the same epilogue: + bias, + res (has_res: a residual
 * Add the plan fused in, same shape as out), then the activation (act.cl).
 * Every kernel guards its tail: the host pads global sizes to the work-group size
 * (POCL has no non-uniform work-groups). */

#ifndef CONV_CT
#define CONV_CT 4 /* conv_tiled: output channels per work-item */
#endif
#ifndef CONV_PX
#define CONV_PX 4 /* conv_tiled: consecutive output pixels of a row per work-item */
#endif

/* geometry packed as int8: (C_in, H, W, C_out, OH, OW, groups, N) and
 * int8 (KH, KW, SH, SW, PT, PL, DH, DW): fewer arguments to set and keep in sync. */
__kernel void conv_general(__global const sfloat *in, __global const sfloat *wt,
                           __global const sfloat *bias, int has_bias, __global sfloat *out,
                           int8 g, int8 k, int act, float a, float b,
                           __global const sfloat *res, int has_res)
{
    const int ow = get_global_id(0), oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, G = g.s6, N = g.s7;
    if (ow >= OW || oh >= OH || z >= N * OC)
        return;
    const int n = z / OC, oc = z % OC;
    const int icg = C / G, ocg = OC / G, grp = oc / ocg;
    const int KH = k.s0, KW = k.s1;
    const int ih0 = oh * k.s2 - k.s4, iw0 = ow * k.s3 - k.s5;
    float acc = has_bias ? LD(bias, oc) : 0.0f;
    __global const sfloat *wp = wt + (size_t)oc * icg * KH * KW;
    for (int ic = 0; ic < icg; ic++) {
        __global const sfloat *ip = in + ((size_t)n * C + grp * icg + ic) * H * W;
        for (int kh = 0; kh < KH; kh++) {
            const int ih = ih0 + kh * k.s6;
            if (ih < 0 || ih >= H)
                continue;
            for (int kw = 0; kw < KW; kw++) {
                const int iw = iw0 + kw * k.s7;
                if (iw >= 0 && iw < W)
                    acc += LD(ip, ih * W + iw) * LD(wp, (ic * KH + kh) * KW + kw);
            }
        }
    }
    const size_t o = ((size_t)n * OC + oc) * OH * OW + oh * OW + ow;
    ST(out, o, FAULT(act_epi(acc + (has_res ? LD(res, o) : 0.0f), act, a, b)));
}

/* g, k as conv_general; d: (D, OD, KD, SD, PF, DF, -, -) the depth: input and
 * output size, kernel, stride, front pad, dilation. */
__kernel void conv3d(__global const sfloat *in, __global const sfloat *wt,
                     __global const sfloat *bias, int has_bias, __global sfloat *out, int8 g,
                     int8 k, int8 d, int act, float a, float b, __global const sfloat *res,
                     int has_res)
{
    const int ow = get_global_id(0), oh = get_global_id(1), zd = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, G = g.s6, N = g.s7;
    const int D = d.s0, OD = d.s1, KD = d.s2;
    if (ow >= OW || oh >= OH || zd >= N * OC * OD)
        return;
    const int z = zd / OD, od = zd % OD, n = z / OC, oc = z % OC;
    const int icg = C / G, ocg = OC / G, grp = oc / ocg;
    const int KH = k.s0, KW = k.s1;
    const int id0 = od * d.s3 - d.s4, ih0 = oh * k.s2 - k.s4, iw0 = ow * k.s3 - k.s5;
    float acc = has_bias ? LD(bias, oc) : 0.0f;
    __global const sfloat *wp = wt + (size_t)oc * icg * KD * KH * KW;
    for (int ic = 0; ic < icg; ic++) {
        __global const sfloat *ip = in + ((size_t)n * C + grp * icg + ic) * D * H * W;
        for (int kd = 0; kd < KD; kd++) {
            const int id = id0 + kd * d.s5;
            if (id < 0 || id >= D)
                continue;
            for (int kh = 0; kh < KH; kh++) {
                const int ih = ih0 + kh * k.s6;
                if (ih < 0 || ih >= H)
                    continue;
                for (int kw = 0; kw < KW; kw++) {
                    const int iw = iw0 + kw * k.s7;
                    if (iw >= 0 && iw < W)
                        acc += LD(ip, ((size_t)id * H + ih) * W + iw) *
                               LD(wp, ((ic * KD + kd) * KH + kh) * KW + kw);
                }
            }
        }
    }
    const size_t o = (((size_t)n * OC + oc) * OD + od) * OH * OW + oh * OW + ow;
    ST(out, o, FAULT(act_epi(acc + (has_res ? LD(res, o) : 0.0f), act, a, b)));
}

__kernel void conv_tiled(__global const sfloat *in, __global const sfloat *wt,
                         __global const sfloat *bias, int has_bias, __global sfloat *out, int8 g,
                         int8 k, int act, float a, float b, __global const sfloat *res,
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
        const float b0 = has_bias ? LD(bias, oc) : 0.0f;
        for (int p = 0; p < CONV_PX; p++)
            acc[o][p] = b0;
        wbase[o] = oc * wstride;
    }
    __global const sfloat *ip = in + ((size_t)n * C + grp * icg) * H * W;
    /* Tiles wholly inside the image (most of them) skip the clamping and masking. */
    const bool inside = ih0 >= 0 && ih0 + (KH - 1) * k.s6 < H && iw0 >= 0 &&
                        iw0 + (CONV_PX - 1) * k.s3 + (KW - 1) * k.s7 < W;
    for (int ic = 0; ic < icg; ic++, ip += H * W) {
        for (int kh = 0; kh < KH; kh++) {
            const int ih = ih0 + kh * k.s6;
            const float hm = (ih >= 0 && ih < H) ? 1.0f : 0.0f;
            __global const sfloat *row = ip + clamp(ih, 0, H - 1) * W;
            for (int kw = 0; kw < KW; kw++) {
                float v[CONV_PX];
                if (inside) {
                    for (int p = 0; p < CONV_PX; p++)
                        v[p] = LD(row, iw0 + p * k.s3 + kw * k.s7);
                } else {
                    for (int p = 0; p < CONV_PX; p++) {
                        const int iw = iw0 + p * k.s3 + kw * k.s7;
                        v[p] = LD(row, clamp(iw, 0, W - 1)) * ((iw >= 0 && iw < W) ? hm : 0.0f);
                    }
                }
                const int wo = (ic * KH + kh) * KW + kw;
                for (int o = 0; o < CONV_CT; o++) {
                    const float wv = LD(wt, wbase[o] + wo);
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
                    ST(out, i, FAULT(act_epi(acc[o][p] + (has_res ? LD(res, i) : 0.0f), act,
                                               a, b)));
                }
}
