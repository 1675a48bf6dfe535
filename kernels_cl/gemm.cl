/* gemm.cl — Gemm and (batched) MatMul, float tensors as sfloat (gemm_general; gemm_bcast below
 * for MatMul batch dims that broadcast only partly; gemm_smallm at the end for a
 * few rows of A, the classifier's matrix-vector product).
 * Variant (host/ops_cl/gemm_cl.c): gemm_general, no preconditions: any transposition is
 * expressed as element strides, a batch dim (stride 0 = broadcast operand) covers
 * MatMul, and C (Gemm's bias) is read through strides so (N), (1,N), (M,1), (M,N) and
 * scalars all broadcast. One work-item per output; where A's rows and B's
 * columns are both contiguous along K (Gemm with transB), act.cl's dot_contig,
 * the sum gemm_smallm_nt takes for every row too: a classifier gives an image
 * the same bits at any batch size. NDRange (N, M, batch).
 *   y[b,m,n] = act(alpha * sum_k A[b,m,k] B[b,k,n] + beta * C[m,n])
 * act (act.cl's epilogue codes, ACT_NONE for none): an activation after a Gemm
 * (MobileNetV3's classifier HardSwish, VGG's Relu) fused into its store. */

/* alpha * acc + beta * C[ci] (C read only when has_c), the one spelling every
 * Gemm kernel stores: written as an explicit fma so no compiler contracts one
 * kernel's epilogue and not another's (Intel's CPU runtime and POCL differ),
 * which would give a row other bits at another batch size. */
float gemm_out(float acc, float alpha, float beta, int has_c, __global const sfloat *C, size_t ci)
{
    const float v = alpha * acc;
    return has_c ? fma(beta, LD(C, ci), v) : v;
}

/* sz: (M, N, K, batch); st: (a_sb, a_sm, a_sk, b_sb, b_sk, b_sn, c_sm, c_sn). */
__kernel void gemm_general(__global const sfloat *A, __global const sfloat *B,
                           __global const sfloat *C, int has_c, __global sfloat *Y, int4 sz,
                           int8 st, float alpha, float beta, int act, float act_a,
                           float act_b)
{
    const int n = get_global_id(0), m = get_global_id(1), bt = get_global_id(2);
    if (n >= sz.s1 || m >= sz.s0 || bt >= sz.s3)
        return;
    __global const sfloat *ap = A + (size_t)bt * st.s0 + (size_t)m * st.s1;
    __global const sfloat *bp = B + (size_t)bt * st.s3 + (size_t)n * st.s5;
    float acc = 0.0f;
    if (st.s2 == 1 && st.s4 == 1) /* both contiguous along K: gemm_smallm_nt's sum */
        acc = dot_contig(ap, bp, sz.s2);
    else /* one fma per k from 0, as gemm_smallm_nn's and gemm_tile's lanes */
        for (int k = 0; k < sz.s2; k++)
            acc = fma(LD(ap, (size_t)k * st.s2), LD(bp, (size_t)k * st.s4), acc);
    const float v = gemm_out(acc, alpha, beta, has_c, C, (size_t)m * st.s6 + (size_t)n * st.s7);
    ST(Y, ((size_t)bt * sz.s0 + m) * sz.s1 + n, FAULT(act_epi(v, act, act_a, act_b)));
}

/* Variant gemm_bcast (MatMul only): like gemm_general without C, alpha or beta,
 * for batch dims that broadcast only partly ([2,1,3,4] @ [3,4,2]): the flat
 * batch index is split over up to four output batch dims bd (innermost in .s3)
 * and each operand's matrix offset is the dot with its own batch strides
 * (elements, 0 on a broadcast dim). st: (a_sm, a_sk, b_sk, b_sn). */
__kernel void gemm_bcast(__global const sfloat *A, __global const sfloat *B, __global sfloat *Y,
                         int4 sz, int4 bd, int4 sa, int4 sb, int4 st)
{
    const int n = get_global_id(0), m = get_global_id(1), bt = get_global_id(2);
    if (n >= sz.s1 || m >= sz.s0 || bt >= sz.s3)
        return;
    const int i3 = bt % bd.s3, r3 = bt / bd.s3;
    const int i2 = r3 % bd.s2, r2 = r3 / bd.s2;
    const int i1 = r2 % bd.s1, i0 = r2 / bd.s1;
    const size_t oa = (size_t)i0 * sa.s0 + (size_t)i1 * sa.s1 + (size_t)i2 * sa.s2 + (size_t)i3 * sa.s3;
    const size_t ob = (size_t)i0 * sb.s0 + (size_t)i1 * sb.s1 + (size_t)i2 * sb.s2 + (size_t)i3 * sb.s3;
    __global const sfloat *ap = A + oa + (size_t)m * st.s0;
    __global const sfloat *bp = B + ob + (size_t)n * st.s3;
    float acc = 0.0f;
    for (int k = 0; k < sz.s2; k++)
        acc += LD(ap, (size_t)k * st.s1) * LD(bp, (size_t)k * st.s2);
    ST(Y, ((size_t)bt * sz.s0 + m) * sz.s1 + n, FAULT(acc));
}

/* Variant gemm_smallm (host/ops_cl/gemm_cl.c): M <= SM_MAX_M, any transposition,
 * batch as gemm_general. With M this small the product is a stream over B
 * (memory-bound), so each work-item keeps all M rows' accumulators and reads B
 * once, SM_VEC floats at a time along B's contiguous dim: gemm_smallm_nt when
 * B is N x K (transB, weights of output n contiguous along K), gemm_smallm_nn
 * when B is K x N (SM_VEC consecutive outputs per work-item). A is small and
 * cache-resident, read through its strides. Same sz/st/alpha/beta as gemm_general. */
#ifndef SM_MAX_M
#define SM_MAX_M 4
#endif

/* y[m, n] for the rows m < M of one batch: alpha * acc + beta * C. */
#define SM_STORE(m, n, accv)                                                                 \
    do {                                                                                     \
        const float v_ = gemm_out((accv), alpha, beta, has_c, C,                             \
                                  (size_t)(m) * st.s6 + (size_t)(n) * st.s7);                \
        ST(Y, ((size_t)bt * sz.s0 + (m)) * sz.s1 + (n), FAULT(act_epi(v_, act, act_a, act_b))); \
    } while (0)

/* NDRange (N, batch): one output column n, all M rows; B row n read with vload8. */
__kernel void gemm_smallm_nt(__global const sfloat *A, __global const sfloat *B,
                             __global const sfloat *C, int has_c, __global sfloat *Y, int4 sz,
                             int8 st, float alpha, float beta, int act, float act_a,
                             float act_b)
{
    const int n = get_global_id(0), bt = get_global_id(1);
    if (n >= sz.s1 || bt >= sz.s3)
        return;
    const int M = sz.s0, K = sz.s2, ask = st.s2, asm_ = st.s1;
    __global const sfloat *ap = A + (size_t)bt * st.s0;
    __global const sfloat *bp = B + (size_t)bt * st.s3 + (size_t)n * st.s5;
    if (ask == 1) { /* a classifier: one dot product a row (act.cl) */
        for (int m = 0; m < M; m++)
            SM_STORE(m, n, dot_contig(ap + (size_t)m * asm_, bp, K));
        return;
    }
    float8 acc[SM_MAX_M];
    for (int m = 0; m < SM_MAX_M; m++)
        acc[m] = (float8)(0.0f);
    int k = 0;
    for (; k + 8 <= K; k += 8) {
        const float8 b = LDN(8, 0, bp + k);
        for (int m = 0; m < SM_MAX_M; m++) {
            if (m < M) {
                __global const sfloat *a = ap + (size_t)m * asm_ + (size_t)k * ask;
                const float8 av = ask == 1 ? LDN(8, 0, a)
                                           : (float8)(LD(a, 0), LD(a, ask), LD(a, 2 * ask),
                                                      LD(a, 3 * ask), LD(a, 4 * ask), LD(a, 5 * ask),
                                                      LD(a, 6 * ask), LD(a, 7 * ask));
                acc[m] = fma(av, b, acc[m]);
            }
        }
    }
    float tail[SM_MAX_M];
    for (int m = 0; m < SM_MAX_M; m++)
        tail[m] = 0.0f;
    for (; k < K; k++) {
        const float b = LD(bp, k);
        for (int m = 0; m < SM_MAX_M; m++)
            if (m < M)
                tail[m] = fma(LD(ap, (size_t)m * asm_ + (size_t)k * ask), b, tail[m]);
    }
    for (int m = 0; m < SM_MAX_M; m++) {
        if (m < M) {
            const float4 h = acc[m].lo + acc[m].hi;
            SM_STORE(m, n, (h.s0 + h.s1) + (h.s2 + h.s3) + tail[m]);
        }
    }
}

/* NDRange (ceil(N / 4), batch): outputs n0..n0+3 of all M rows; B row k read
 * with vload4 (scalar reads for the last, partial group). */
__kernel void gemm_smallm_nn(__global const sfloat *A, __global const sfloat *B,
                             __global const sfloat *C, int has_c, __global sfloat *Y, int4 sz,
                             int8 st, float alpha, float beta, int act, float act_a,
                             float act_b)
{
    const int n0 = get_global_id(0) * 4, bt = get_global_id(1);
    if (n0 >= sz.s1 || bt >= sz.s3)
        return;
    const int M = sz.s0, K = sz.s2, N = sz.s1, ask = st.s2, asm_ = st.s1, bsk = st.s4;
    const int full = n0 + 4 <= N;
    __global const sfloat *ap = A + (size_t)bt * st.s0;
    __global const sfloat *bp = B + (size_t)bt * st.s3 + n0;
    float4 acc[SM_MAX_M];
    for (int m = 0; m < SM_MAX_M; m++)
        acc[m] = (float4)(0.0f);
    for (int k = 0; k < K; k++) {
        __global const sfloat *br = bp + (size_t)k * bsk;
        const float4 b = full ? LDN(4, 0, br)
                              : (float4)(LD(br, 0), n0 + 1 < N ? LD(br, 1) : 0.0f,
                                         n0 + 2 < N ? LD(br, 2) : 0.0f, 0.0f);
        for (int m = 0; m < SM_MAX_M; m++)
            if (m < M)
                acc[m] = fma((float4)(LD(ap, (size_t)m * asm_ + (size_t)k * ask)), b, acc[m]);
    }
    for (int m = 0; m < SM_MAX_M; m++) {
        if (m < M) {
            SM_STORE(m, n0, acc[m].s0);
            if (n0 + 1 < N)
                SM_STORE(m, n0 + 1, acc[m].s1);
            if (n0 + 2 < N)
                SM_STORE(m, n0 + 2, acc[m].s2);
            if (n0 + 3 < N)
                SM_STORE(m, n0 + 3, acc[m].s3);
        }
    }
}

/* Variant gemm_tile (host/ops_cl/gemm_cl.c): B contiguous along N (b_sn == 1:
 * MatMul's K x N weights, the channels-last Linear of ConvNeXt/ViT/Swin), any
 * A strides, batch and C as gemm_general. Each work-item owns a 4 x 8 block of
 * Y: per k it reads 4 scalars of A and one float8 row segment of B, so B is
 * read M/4 times instead of M times and the inner loop vectorises (gemm_general
 * ran these at ~1 GFLOP/s on POCL). Rows past M reuse row M-1's reads (results
 * dropped); columns past N read 0 (scalar loads, never past B's row).
 * NDRange (ceil(N / 8), ceil(M / 4), batch). */
__kernel void gemm_tile(__global const sfloat *A, __global const sfloat *B,
                        __global const sfloat *C, int has_c, __global sfloat *Y, int4 sz,
                        int8 st, float alpha, float beta, int act, float act_a, float act_b)
{
    const int n0 = get_global_id(0) * 8, m0 = get_global_id(1) * 4, bt = get_global_id(2);
    const int M = sz.s0, N = sz.s1, K = sz.s2;
    if (n0 >= N || m0 >= M || bt >= sz.s3)
        return;
    const int nn = min(8, N - n0), ask = st.s2, bsk = st.s4;
    __global const sfloat *ap = A + (size_t)bt * st.s0;
    __global const sfloat *a0 = ap + (size_t)m0 * st.s1;
    __global const sfloat *a1 = ap + (size_t)min(m0 + 1, M - 1) * st.s1;
    __global const sfloat *a2 = ap + (size_t)min(m0 + 2, M - 1) * st.s1;
    __global const sfloat *a3 = ap + (size_t)min(m0 + 3, M - 1) * st.s1;
    __global const sfloat *bp = B + (size_t)bt * st.s3 + n0;
    float8 c0 = (float8)(0.0f), c1 = c0, c2 = c0, c3 = c0;
    for (int k = 0; k < K; k++) {
        __global const sfloat *br = bp + (size_t)k * bsk;
        float8 b;
        if (nn == 8) {
            b = LDN(8, 0, br);
        } else {
            float t[8];
            for (int j = 0; j < 8; j++)
                t[j] = j < nn ? LD(br, j) : 0.0f;
            b = vload8(0, t);
        }
        const size_t ko = (size_t)k * ask;
        c0 = fma((float8)(LD(a0, ko)), b, c0);
        c1 = fma((float8)(LD(a1, ko)), b, c1);
        c2 = fma((float8)(LD(a2, ko)), b, c2);
        c3 = fma((float8)(LD(a3, ko)), b, c3);
    }
    float r[4][8];
    vstore8(c0, 0, r[0]);
    vstore8(c1, 0, r[1]);
    vstore8(c2, 0, r[2]);
    vstore8(c3, 0, r[3]);
    for (int i = 0; i < 4 && m0 + i < M; i++)
        for (int j = 0; j < nn; j++) {
            const int m = m0 + i, n = n0 + j;
            const float v = gemm_out(r[i][j], alpha, beta, has_c, C,
                                     (size_t)m * st.s6 + (size_t)n * st.s7);
            ST(Y, ((size_t)bt * M + m) * N + n, FAULT(act_epi(v, act, act_a, act_b)));
        }
}
