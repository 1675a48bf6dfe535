/* einsum.cl — Einsum, float tensors as sfloat, one or two inputs.
 * Variant (host/ops_cl/einsum_cl.c): einsum_general, no preconditions beyond at
 * most 8 output and 8 summed letters: one work-item per output element; its
 * index is split over the output letters' extents (oext, padded in front with
 * extent 1), giving its offset into each input (strides osa/osb); then an
 * odometer over the summed letters (sext, strides ssa/ssb, padded in front;
 * the innermost one a tight loop) adds a[pa] * b[pb] (a[pa] alone when
 * two == 0; b is then not read). Float accumulation. NDRange (n). */

#define V8(v) {(v).s0, (v).s1, (v).s2, (v).s3, (v).s4, (v).s5, (v).s6, (v).s7}

__kernel void einsum_general(__global const sfloat *a, __global const sfloat *b, __global sfloat *y,
                             int n, int n_sum, int8 oext, int8 osa, int8 osb, int8 sext, int8 ssa,
                             int8 ssb, int two)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const int oe[8] = V8(oext), oa[8] = V8(osa), ob[8] = V8(osb);
    const int se[8] = V8(sext), sa[8] = V8(ssa), sb[8] = V8(ssb);
    int r = i, pa = 0, pb = 0;
    for (int k = 7; k >= 0; k--) {
        const int idx = r % oe[k];
        r /= oe[k];
        pa += idx * oa[k], pb += idx * ob[k];
    }
    int si[7] = {0, 0, 0, 0, 0, 0, 0};
    float acc = 0.0f;
    /* the innermost summed letter as a tight loop (a dot product for matmul-like
     * equations); the odometer steps the other seven */
    const int e7 = se[7], a7 = sa[7], b7 = sb[7];
    for (int q = 0; q < n_sum; q += e7) {
        if (two)
            for (int t = 0; t < e7; t++)
                acc = fma(LD(a, pa + t * a7), LD(b, pb + t * b7), acc);
        else
            for (int t = 0; t < e7; t++)
                acc += LD(a, pa + t * a7);
        for (int k = 6; k >= 0; k--) { /* next combination; offsets return to base after the last */
            pa += sa[k], pb += sb[k];
            if (++si[k] < se[k])
                break;
            pa -= sa[k] * si[k], pb -= sb[k] * si[k];
            si[k] = 0;
        }
    }
    ST(y, i, FAULT(acc));
}
