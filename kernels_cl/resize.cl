/* resize.cl — Resize / Upsample, float tensors as sfloat, any layout (the op is per dim).
 * The host (host/ops_cl/resize_cl.c) turns every output position into its
 * source positions once at plan time (the coordinate transforms need float
 * division rounded as onnxruntime rounds it, which OpenCL's 2.5-ulp divide
 * does not promise) and uploads them as one int table `tab`.
 * Variants, no preconditions beyond the shapes the host checked:
 *   resize_nearest   any rank <= 6 (dims left-padded with 1 to 6), any dims
 *                    resized: y[o0..o5] = x[tab[off.d + o_d] per dim].
 *                    NDRange (O5, O4, O0*O1*O2*O3).
 *   resize_bilinear  only the last two dims resized (H, W; P = the product of
 *                    the others, unchanged): tab = y0[OH] y1[OH] wy[OH] x0[OW]
 *                    x1[OW] wx[OW], the weights as float bits; each output
 *                    blends its four source pixels. NDRange (OW, OH, P).
 *   resize_bicubic   cubic, only the last two dims resized: tab = yi[4*OH] yw[4*OH]
 *                    xi[4*OW] xw[4*OW] (4 clamped taps and their weights per output
 *                    row / column); each output sums its 4x4 taps. NDRange (OW, OH, P).
 *   resize_taps      linear or cubic with antialias (a filter widened by 1/scale:
 *                    KH, KW taps a row / column) or tf_crop_and_resize, only the
 *                    last two dims resized: tab = yi[KH*OH] yw[KH*OH] xi[KW*OW]
 *                    xw[KW*OW]; unused taps read index 0 with weight 0; a row or
 *                    column whose first index is -1 lies off the input, and its
 *                    outputs are ev (extrapolation_value). NDRange (OW, OH, P).
 * resize_nearest also takes ev: a tab entry of -1 (tf_crop_and_resize off the
 * input) makes the output ev. */

/* i: (I0..I5 input dims, -, -), o: (O0..O5 output dims, -, -), off: start of
 * each dim's part of tab (s0..s5). */
__kernel void resize_nearest(__global const sfloat *x, __global sfloat *y, __global const int *tab,
                             int8 i, int8 o, int8 off, float ev)
{
    const int o5 = get_global_id(0), o4 = get_global_id(1);
    int z = get_global_id(2);
    if (o5 >= o.s5 || o4 >= o.s4 || z >= o.s0 * o.s1 * o.s2 * o.s3)
        return;
    const int o3 = z % o.s3;
    z /= o.s3;
    const int o2 = z % o.s2;
    z /= o.s2;
    const int o1 = z % o.s1, o0 = z / o.s1;
    const int t0 = tab[off.s0 + o0], t1 = tab[off.s1 + o1], t2 = tab[off.s2 + o2];
    const int t3 = tab[off.s3 + o3], t4 = tab[off.s4 + o4], t5 = tab[off.s5 + o5];
    const size_t dst = (size_t)get_global_id(2) * (size_t)o.s4 * (size_t)o.s5 +
                       (size_t)o4 * (size_t)o.s5 + (size_t)o5;
    if ((t0 | t1 | t2 | t3 | t4 | t5) < 0) { /* off the input: no read */
        ST(y, dst, FAULT(ev));
        return;
    }
    size_t src = (size_t)t0;
    src = src * (size_t)i.s1 + (size_t)t1;
    src = src * (size_t)i.s2 + (size_t)t2;
    src = src * (size_t)i.s3 + (size_t)t3;
    src = src * (size_t)i.s4 + (size_t)t4;
    src = src * (size_t)i.s5 + (size_t)t5;
    ST(y, dst, FAULT(LD(x, src)));
}

/* g: (H, W, OH, OW, P, -, -, -) */
__kernel void resize_bilinear(__global const sfloat *x, __global sfloat *y, __global const int *tab,
                              int8 g)
{
    const int ow = get_global_id(0), oh = get_global_id(1), p = get_global_id(2);
    const int H = g.s0, W = g.s1, OH = g.s2, OW = g.s3;
    if (ow >= OW || oh >= OH || p >= g.s4)
        return;
    __global const int *ty = tab, *tx = tab + 3 * OH;
    const int y0 = ty[oh], y1 = ty[OH + oh], x0 = tx[ow], x1 = tx[OW + ow];
    const float wy = as_float(ty[2 * OH + oh]), wx = as_float(tx[2 * OW + ow]);
    __global const sfloat *ip = x + (size_t)p * H * W;
    const float top = LD(ip, y0 * W + x0) * (1.0f - wx) + LD(ip, y0 * W + x1) * wx;
    const float bot = LD(ip, y1 * W + x0) * (1.0f - wx) + LD(ip, y1 * W + x1) * wx;
    ST(y, (size_t)p * OH * OW + (size_t)oh * OW + ow, FAULT(top * (1.0f - wy) + bot * wy));
}

/* g: (H, W, OH, OW, P, -, -, -) */
__kernel void resize_bicubic(__global const sfloat *x, __global sfloat *y, __global const int *tab,
                             int8 g)
{
    const int ow = get_global_id(0), oh = get_global_id(1), p = get_global_id(2);
    const int H = g.s0, W = g.s1, OH = g.s2, OW = g.s3;
    if (ow >= OW || oh >= OH || p >= g.s4)
        return;
    __global const int *ty = tab + 4 * oh, *tx = tab + 8 * OH + 4 * ow;
    __global const sfloat *ip = x + (size_t)p * H * W;
    float acc = 0.0f;
    for (int a = 0; a < 4; a++) {
        __global const sfloat *row = ip + (size_t)ty[a] * W;
        const float r = LD(row, tx[0]) * as_float(tx[4 * OW]) +
                        LD(row, tx[1]) * as_float(tx[4 * OW + 1]) +
                        LD(row, tx[2]) * as_float(tx[4 * OW + 2]) +
                        LD(row, tx[3]) * as_float(tx[4 * OW + 3]);
        acc += r * as_float(ty[4 * OH + a]);
    }
    ST(y, (size_t)p * OH * OW + (size_t)oh * OW + ow, FAULT(acc));
}

/* g: (H, W, OH, OW, P, KH, KW, -) */
__kernel void resize_taps(__global const sfloat *x, __global sfloat *y, __global const int *tab,
                          int8 g, float ev)
{
    const int ow = get_global_id(0), oh = get_global_id(1), p = get_global_id(2);
    const int H = g.s0, W = g.s1, OH = g.s2, OW = g.s3, KH = g.s5, KW = g.s6;
    if (ow >= OW || oh >= OH || p >= g.s4)
        return;
    __global const int *yi = tab + (size_t)KH * oh, *yw = tab + (size_t)KH * OH + (size_t)KH * oh;
    __global const int *xt = tab + 2 * (size_t)KH * OH;
    __global const int *xi = xt + (size_t)KW * ow, *xw = xt + (size_t)KW * OW + (size_t)KW * ow;
    const size_t dst = (size_t)p * OH * OW + (size_t)oh * OW + ow;
    if (yi[0] < 0 || xi[0] < 0) { /* tf_crop_and_resize off the input: no read */
        ST(y, dst, FAULT(ev));
        return;
    }
    __global const sfloat *ip = x + (size_t)p * H * W;
    float acc = 0.0f;
    for (int a = 0; a < KH; a++) {
        __global const sfloat *row = ip + (size_t)yi[a] * W;
        float r = 0.0f;
        for (int b = 0; b < KW; b++)
            r += LD(row, xi[b]) * as_float(xw[b]);
        acc += r * as_float(yw[a]);
    }
    ST(y, dst, FAULT(acc));
}
