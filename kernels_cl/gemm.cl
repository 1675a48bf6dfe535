/* gemm.cl — Gemm and (batched) MatMul, float32 (gemm_general; gemm_bcast below
 * for MatMul batch dims that broadcast only partly).
 * Variant (host/ops/gemm_cl.c): gemm_general, no preconditions: any transposition is
 * expressed as element strides, a batch dim (stride 0 = broadcast operand) covers
 * MatMul, and C (Gemm's bias) is read through strides so (N), (1,N), (M,1), (M,N) and
 * scalars all broadcast. One work-item per output. NDRange (N, M, batch).
 *   y[b,m,n] = alpha * sum_k A[b,m,k] B[b,k,n] + beta * C[m,n] */

#ifdef CLCNN_FAULT_FLIP_SIGN /* test hook, see conv.cl */
#define FAULT(v) (-(v))
#else
#define FAULT(v) (v)
#endif

/* sz: (M, N, K, batch); st: (a_sb, a_sm, a_sk, b_sb, b_sk, b_sn, c_sm, c_sn). */
__kernel void gemm_general(__global const float *A, __global const float *B,
                           __global const float *C, int has_c, __global float *Y, int4 sz,
                           int8 st, float alpha, float beta)
{
    const int n = get_global_id(0), m = get_global_id(1), bt = get_global_id(2);
    if (n >= sz.s1 || m >= sz.s0 || bt >= sz.s3)
        return;
    __global const float *ap = A + (size_t)bt * st.s0 + (size_t)m * st.s1;
    __global const float *bp = B + (size_t)bt * st.s3 + (size_t)n * st.s5;
    float acc = 0.0f;
    for (int k = 0; k < sz.s2; k++)
        acc += ap[(size_t)k * st.s2] * bp[(size_t)k * st.s4];
    float v = alpha * acc;
    if (has_c)
        v += beta * C[(size_t)m * st.s6 + (size_t)n * st.s7];
    Y[((size_t)bt * sz.s0 + m) * sz.s1 + n] = FAULT(v);
}

/* Variant gemm_bcast (MatMul only): like gemm_general without C, alpha or beta,
 * for batch dims that broadcast only partly ([2,1,3,4] @ [3,4,2]): the flat
 * batch index is split over up to four output batch dims bd (innermost in .s3)
 * and each operand's matrix offset is the dot with its own batch strides
 * (elements, 0 on a broadcast dim). st: (a_sm, a_sk, b_sk, b_sn). */
__kernel void gemm_bcast(__global const float *A, __global const float *B, __global float *Y,
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
    __global const float *ap = A + oa + (size_t)m * st.s0;
    __global const float *bp = B + ob + (size_t)n * st.s3;
    float acc = 0.0f;
    for (int k = 0; k < sz.s2; k++)
        acc += ap[(size_t)k * st.s1] * bp[(size_t)k * st.s2];
    Y[((size_t)bt * sz.s0 + m) * sz.s1 + n] = FAULT(acc);
}
