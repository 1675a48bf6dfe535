/* reduce.cl — ReduceMean/Sum/Max/Min/Prod/L1/L2/SumSquare/LogSumExp and
 * ArgMax/ArgMin, float tensors as sfloat (ArgMax/ArgMin write int64).
 * Variants (host/ops_cl/reduce_cl.c):
 *   reduce_contig   the reduced axes are adjacent: input viewed as (outer, R, inner);
 *                   one work-item per (outer, inner). NDRange (inner, outer).
 *   reduce_general  any set of axes, up to 6 dims: dims of the input left-padded
 *                   to 6, red = 1 on reduced dims. No preconditions. NDRange (n_out).
 *   arg_line        ArgMax (ARG_MIN undefined) / ArgMin (ARG_MIN defined) along one
 *                   axis, input viewed as (outer, R, inner), R >= 1; int64 out;
 *                   last != 0 keeps the last of equal extremes. NDRange (inner, outer).
 * RED_OP (a -D of the host, default mean) picks the fold; sums run in float.
 * Mean multiplies by inv_count (1 / R, from the host); LogSumExp makes two
 * passes (max, then the sum of exp(x - max)) so large inputs do not overflow. */

#define RED_MEAN 0
#define RED_SUM 1
#define RED_MAX 2
#define RED_MIN 3
#define RED_PROD 4
#define RED_L1 5
#define RED_L2 6
#define RED_SUMSQ 7
#define RED_LSE 8
#ifndef RED_OP
#define RED_OP RED_MEAN
#endif

#if RED_OP == RED_MAX
#define RED_INIT (-INFINITY)
#define RED_ACC(s, v) ((v) > (s) ? (v) : (s))
#elif RED_OP == RED_MIN
#define RED_INIT INFINITY
#define RED_ACC(s, v) ((v) < (s) ? (v) : (s))
#elif RED_OP == RED_PROD
#define RED_INIT 1.0f
#define RED_ACC(s, v) ((s) * (v))
#elif RED_OP == RED_L1
#define RED_INIT 0.0f
#define RED_ACC(s, v) ((s) + fabs(v))
#elif RED_OP == RED_L2 || RED_OP == RED_SUMSQ
#define RED_INIT 0.0f
#define RED_ACC(s, v) fma((v), (v), (s))
#else
#define RED_INIT 0.0f
#define RED_ACC(s, v) ((s) + (v))
#endif

#if RED_OP == RED_MEAN
#define RED_FIN(s) ((s) * inv_count)
#elif RED_OP == RED_L2
#define RED_FIN(s) sqrt(s)
#else
#define RED_FIN(s) (s)
#endif

/* res = the fold of LOAD (an expression of q) over q in [0, R). */
#if RED_OP == RED_LSE
#define REDUCE(LOAD, res)                                                                  \
    do {                                                                                   \
        float m_ = -INFINITY, s_ = 0.0f;                                                   \
        for (int q = 0; q < R; q++)                                                        \
            m_ = fmax(m_, (LOAD));                                                         \
        for (int q = 0; q < R; q++)                                                        \
            s_ += exp((LOAD) - m_);                                                        \
        res = isinf(m_) ? m_ : m_ + log(s_);                                               \
    } while (0)
#else
#define REDUCE(LOAD, res)                                                                  \
    do {                                                                                   \
        float s_ = RED_INIT;                                                               \
        for (int q = 0; q < R; q++) {                                                      \
            const float v_ = (LOAD);                                                       \
            s_ = RED_ACC(s_, v_);                                                          \
        }                                                                                  \
        res = RED_FIN(s_);                                                                 \
    } while (0)
#endif

__kernel void reduce_contig(__global const sfloat *in, __global sfloat *out, int outer, int R,
                            int inner, float inv_count)
{
    const int j = get_global_id(0), o = get_global_id(1);
    if (j >= inner || o >= outer)
        return;
    __global const sfloat *ip = in + (size_t)o * R * inner + j;
    float r;
    REDUCE(LD(ip, (size_t)q * inner), r);
    ST(out, (size_t)o * inner + j, FAULT(r));
}

/* Offset of the q-th element (row-major over the reduced dims) of a window at base. */
static int general_off(int base, int q, const int *d, const int *st, const int *m)
{
    int off = base;
    for (int k = 5; k >= 0; k--) {
        if (!m[k])
            continue;
        off += (q % d[k]) * st[k];
        q /= d[k];
    }
    return off;
}

__kernel void reduce_general(__global const sfloat *in, __global sfloat *out, int n_out, int R,
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
    float res;
    REDUCE(LD(in, general_off(base, q, d, st, m)), res);
    ST(out, i, FAULT(res));
}

__kernel void arg_line(__global const sfloat *in, __global long *out, int outer, int R, int inner,
                       int last)
{
    const int j = get_global_id(0), o = get_global_id(1);
    if (j >= inner || o >= outer)
        return;
    __global const sfloat *ip = in + (size_t)o * R * inner + j;
    float b = LD(ip, 0);
    int best = 0;
    for (int r = 1; r < R; r++) {
        const float v = LD(ip, (size_t)r * inner);
#ifdef ARG_MIN
        if (v < b || (last && v == b))
#else
        if (v > b || (last && v == b))
#endif
            b = v, best = r;
    }
    out[(size_t)o * inner + j] = best;
}
