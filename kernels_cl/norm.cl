/* norm.cl — LayerNormalization, InstanceNormalization, GroupNormalization
 * (norm_rows) and LRN (lrn_elems), float tensors (the optional Mean / InvStdDev
 * outputs too) as sfloat; sums in float.
 * Variants (host/ops_cl/norm_cl.c):
 *   norm_rows  one work-group per row of D contiguous elements (host/ops/norm.h):
 *              the items stride over the row summing in float, a tree in __local
 *              memory (size = the work-group size, a power of two) adds the
 *              partial sums; the mean first, then the variance of the centred
 *              values (two passes: no cancellation of E[x^2] - E[x]^2).
 *              Factor index of element j of row r: (r % rm) * rs + (j / jd) * js.
 *              flags: 1 = bias present (else `bias` is not read), 2 = write
 *              the row's mean to mean_out, 4 = its 1/sqrt(var + eps) to istd_out
 *              (else those are not written). NDRange (rows * L) with local size L.
 *   norm_row1  the same, one work-item per row (no local memory, no barrier): rows
 *              short enough that a work-group per row is mostly overhead (CPU
 *              devices: D <= 256). NDRange (rows).
 *   lrn_elems  one work-item per element: x / (bias + alpha/size * sum of x^2 over
 *              channels [c - lo, c + hi] clipped to [0, C))^beta. LRN_BETA (a -D of
 *              the host): 1 when beta is 0.75, 2 when 0.5 (square roots), else 0
 *              (exp2/log2). NDRange (n). */

#ifndef LRN_BETA
#define LRN_BETA 0
#endif

/* Sum of v over the work-group; every item gets it. sh has get_local_size(0) floats. */
static float group_sum(float v, __local float *sh)
{
    const int lid = get_local_id(0), L = get_local_size(0);
    sh[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int o = L / 2; o > 0; o >>= 1) {
        if (lid < o)
            sh[lid] += sh[lid + o];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float r = sh[0];
    barrier(CLK_LOCAL_MEM_FENCE); /* sh is reused by the next call */
    return r;
}

__kernel void norm_rows(__global const sfloat *x, __global const sfloat *scale,
                        __global const sfloat *bias, __global sfloat *y, __global sfloat *mean_out,
                        __global sfloat *istd_out, int rows, int D, float eps, int4 sidx,
                        int4 bidx, int flags, __local float *sh)
{
    const int r = get_group_id(0), lid = get_local_id(0), L = get_local_size(0);
    if (r >= rows) /* the whole group leaves together: no barrier is split */
        return;
    __global const sfloat *xr = x + (size_t)r * D;
    __global sfloat *yr = y + (size_t)r * D;
    float s = 0.0f;
    for (int j = lid; j < D; j += L)
        s += LD(xr, j);
    const float mean = group_sum(s, sh) / (float)D;
    float v = 0.0f;
    for (int j = lid; j < D; j += L) {
        const float d = LD(xr, j) - mean;
        v += d * d;
    }
    const float inv = 1.0f / sqrt(group_sum(v, sh) / (float)D + eps);
    const int s0 = (r % sidx.s0) * sidx.s1, b0 = (r % bidx.s0) * bidx.s1;
    for (int j = lid; j < D; j += L) {
        float t = (LD(xr, j) - mean) * inv * LD(scale, s0 + j / sidx.s2 * sidx.s3);
        if (flags & 1)
            t += LD(bias, b0 + j / bidx.s2 * bidx.s3);
        ST(yr, j, FAULT(t));
    }
    if ((flags & 2) && lid == 0)
        ST(mean_out, r, mean);
    if ((flags & 4) && lid == 0)
        ST(istd_out, r, inv);
}

__kernel void norm_row1(__global const sfloat *x, __global const sfloat *scale,
                        __global const sfloat *bias, __global sfloat *y, __global sfloat *mean_out,
                        __global sfloat *istd_out, int rows, int D, float eps, int4 sidx,
                        int4 bidx, int flags)
{
    const int r = get_global_id(0);
    if (r >= rows)
        return;
    __global const sfloat *xr = x + (size_t)r * D;
    __global sfloat *yr = y + (size_t)r * D;
    float s = 0.0f;
    for (int j = 0; j < D; j++)
        s += LD(xr, j);
    const float mean = s / (float)D;
    float v = 0.0f;
    for (int j = 0; j < D; j++) {
        const float d = LD(xr, j) - mean;
        v += d * d;
    }
    const float inv = 1.0f / sqrt(v / (float)D + eps);
    const int s0 = (r % sidx.s0) * sidx.s1, b0 = (r % bidx.s0) * bidx.s1;
    for (int j = 0; j < D; j++) {
        float t = (LD(xr, j) - mean) * inv * LD(scale, s0 + j / sidx.s2 * sidx.s3);
        if (flags & 1)
            t += LD(bias, b0 + j / bidx.s2 * bidx.s3);
        ST(yr, j, FAULT(t));
    }
    if (flags & 2)
        ST(mean_out, r, mean);
    if (flags & 4)
        ST(istd_out, r, inv);
}

__kernel void lrn_elems(__global const sfloat *x, __global sfloat *y, int n, int C, int S, int lo,
                        int hi, float alpha_over_size, float beta, float bias)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const int c = i / S % C, base = i - c * S;
    float sq = 0.0f;
    for (int k = max(c - lo, 0); k <= min(c + hi, C - 1); k++) {
        const float v = LD(x, base + k * S);
        sq += v * v;
    }
    const float den = bias + alpha_over_size * sq;
    /* den^beta: POCL's pow() took 140 ms for a 96x55x55 LRN on 2 cores and its
     * exp2(beta * log2()) 30 ms, against 1 ms for the rest; the usual betas
     * (AlexNet, GoogLeNet: 0.75) are square roots. */
#if LRN_BETA == 1
    const float r = sqrt(den);
    ST(y, i, FAULT(LD(x, i) / (r * sqrt(r))));
#elif LRN_BETA == 2
    ST(y, i, FAULT(LD(x, i) / sqrt(den)));
#else
    ST(y, i, FAULT(LD(x, i) * exp2(-beta * log2(den))));
#endif
}
