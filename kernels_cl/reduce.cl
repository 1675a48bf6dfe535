/* reduce.cl — ReduceMean, float32.
 * Variants (host/ops_cl/reduce_cl.c):
 *   reduce_contig   the reduced axes are adjacent: input viewed as (outer, R, inner);
 *                   one work-item per (outer, inner). NDRange (inner, outer).
 *   reduce_general  any set of axes, up to 6 dims: dims/strides of the input left-padded
 *                   to 6, red = 1 on reduced dims. No preconditions. NDRange (n_out).
 * Sums run in float; the host divides by the count (passed as inv_count). */

__kernel void reduce_contig(__global const float *in, __global float *out, int outer, int R,
                            int inner, float inv_count)
{
    const int j = get_global_id(0), o = get_global_id(1);
    if (j >= inner || o >= outer)
        return;
    __global const float *ip = in + (size_t)o * R * inner + j;
    float s = 0.0f;
    for (int r = 0; r < R; r++)
        s += ip[(size_t)r * inner];
    out[(size_t)o * inner + j] = FAULT(s * inv_count);
}

__kernel void reduce_general(__global const float *in, __global float *out, int n_out, int R,
                             int8 dims, int8 red, float inv_count)
{
    const int i = get_global_id(0);
    if (i >= n_out)
        return;
    const int d[6] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5};
    const int m[6] = {red.s0, red.s1, red.s2, red.s3, red.s4, red.s5};
    int st[6], base = 0, r = i;
    st[5] = 1;
    for (int k = 4; k >= 0; k--)
        st[k] = st[k + 1] * d[k + 1];
    /* the output index runs over kept dims only (reduced ones have extent 1) */
    for (int k = 5; k >= 0; k--) {
        if (m[k])
            continue;
        base += (r % d[k]) * st[k];
        r /= d[k];
    }
    float s = 0.0f;
    for (int q = 0; q < R; q++) {
        int off = base, t = q;
        for (int k = 5; k >= 0; k--) {
            if (!m[k])
                continue;
            off += (t % d[k]) * st[k];
            t /= d[k];
        }
        s += in[off];
    }
    out[i] = FAULT(s * inv_count);
}
