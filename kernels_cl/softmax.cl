/* softmax.cl — Softmax and LogSoftmax over one (flattened) axis, float tensors as sfloat,
 * max-subtracted for range; LogSoftmax (as_log) is (x - max) - log(sum).
 * Variant (host/ops_cl/softmax_cl.c): softmax_line, no preconditions: the input is viewed
 * as (outer, L, inner); one work-item per line (outer, inner). NDRange (inner, outer). */

__kernel void softmax_line(__global const sfloat *x, __global sfloat *y, int outer, int L, int inner,
                           int as_log)
{
    const int j = get_global_id(0), o = get_global_id(1);
    if (j >= inner || o >= outer)
        return;
    const size_t base = (size_t)o * L * inner + j;
    float mx = -INFINITY;
    for (int l = 0; l < L; l++)
        mx = fmax(mx, LD(x, base + (size_t)l * inner));
    float s = 0.0f;
    for (int l = 0; l < L; l++)
        s += exp(LD(x, base + (size_t)l * inner) - mx);
    if (as_log) {
        const float ls = log(s);
        for (int l = 0; l < L; l++)
            ST(y, base + (size_t)l * inner, FAULT((LD(x, base + (size_t)l * inner) - mx) - ls));
        return;
    }
    const float inv = 1.0f / s;
    for (int l = 0; l < L; l++)
        ST(y, base + (size_t)l * inner, FAULT(exp(LD(x, base + (size_t)l * inner) - mx) * inv));
}
