/* conv_transpose.cl — ConvTranspose (1-D as height 1, 2-D as depth 1, 3-D),
 * NC[D]HW float (stored float or half: sfloat, act.cl).
 * Variant (host/ops_cl/conv_transpose_cl.c): convt_gather, no preconditions.
 * One work-item per output pixel gathers the input pixels that reach it
 * (oh = ih*SH - PT + kh*DH, so ih = (oh + PT - kh*DH) / SH when that divides),
 * so no two work-items write one place and no atomics are needed. The fused
 * activation (act.cl) is applied after the bias. NDRange (OW, OH, N*M*OD). */

/* s: (C, H, W, M, OH, OW, N, M/group); k: (KH, KW, SH, SW, PT, PL, DH, DW);
 * d: (D, OD, KD, SD, PF, DD, -, -) the depth (1, 1, 1, 1, 0, 1 below 3-D);
 * has_bias: the bias buffer holds M values (else it is a dummy). */
__kernel void convt_gather(__global const sfloat *x, __global const sfloat *w,
                           __global const sfloat *bias, __global sfloat *y, int8 s, int8 k,
                           int8 d, int has_bias, int act, float act_a, float act_b)
{
    const int ow = get_global_id(0), oh = get_global_id(1), zd = get_global_id(2);
    const int C = s.s0, H = s.s1, W = s.s2, M = s.s3, OH = s.s4, OW = s.s5, Mg = s.s7;
    const int D = d.s0, OD = d.s1, KD = d.s2, SD = d.s3;
    if (ow >= OW || oh >= OH || zd >= s.s6 * M * OD)
        return;
    const int z = zd / OD, od = zd % OD;
    const int n = z / M, m = z % M, grp = m / Mg, mm = m % Mg, Cg = C / (M / Mg);
    const int KH = k.s0, KW = k.s1, SH = k.s2, SW = k.s3;
    float acc = has_bias ? LD(bias, m) : 0.0f;
    const size_t plane = (size_t)D * H * W, wstep = (size_t)Mg * KD * KH * KW;
    /* taps outside, channels inside: the divisibility tests run once per tap */
    for (int kd = 0; kd < KD; kd++) {
        const int td = od + d.s4 - kd * d.s5;
        if (td < 0 || td % SD)
            continue;
        const int id = td / SD;
        if (id >= D)
            continue;
        for (int kh = 0; kh < KH; kh++) {
            const int th = oh + k.s4 - kh * k.s6;
            if (th < 0 || th % SH)
                continue;
            const int ih = th / SH;
            if (ih >= H)
                continue;
            for (int kw = 0; kw < KW; kw++) {
                const int tw = ow + k.s5 - kw * k.s7;
                if (tw < 0 || tw % SW)
                    continue;
                const int iw = tw / SW;
                if (iw >= W)
                    continue;
                __global const sfloat *xp =
                    x + ((size_t)n * C + grp * Cg) * plane + ((size_t)id * H + ih) * W + iw;
                __global const sfloat *wp =
                    w + ((size_t)grp * Cg * Mg + mm) * KD * KH * KW + (kd * KH + kh) * KW + kw;
                for (int c = 0; c < Cg; c++)
                    acc += LD(xp, c * plane) * LD(wp, c * wstep);
            }
        }
    }
    ST(y, (((size_t)z * OD + od) * OH + oh) * OW + ow, FAULT(act_epi(acc, act, act_a, act_b)));
}
