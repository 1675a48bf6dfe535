/* gather.cl — Gather along one axis, any element type of 4 or 8 bytes.
 * Variant (host/ops_cl/movement_cl.c): gather_words, no preconditions: the data is
 * moved as 32-bit words (an int64/double element is 2 words, so the host
 * scales `inner` by the words per element) and never interpreted, which makes
 * one kernel serve float, int32 and int64 data. The tensor is seen as
 * x[outer, dim, inner] and y[outer, ni, inner]. NDRange (inner, ni, outer).
 * Indices are IDX_T (int: constant indices the host already wrapped and
 * range-checked; long: int64 indices produced at run time). Negative indices
 * wrap once; an index still out of range yields 0 (onnxruntime fails the run
 * instead; a kernel cannot, and 0 is at least deterministic). */

#ifndef IDX_T
#define IDX_T long /* int64 indices; the host passes -DIDX_T=int for int32 ones */
#endif

/* The test hook (act.cl) on raw words: flips the sign bit of each. */
#undef FAULT
#ifdef CLCNN_FAULT_FLIP_SIGN
#define FAULT(v) ((v) ^ 0x80000000u)
#else
#define FAULT(v) (v)
#endif

__kernel void gather_words(__global const uint *x, __global const IDX_T *idx, __global uint *y,
                           int outer, int dim, int ni, int inner)
{
    const int i = get_global_id(0), j = get_global_id(1), o = get_global_id(2);
    if (i >= inner || j >= ni || o >= outer)
        return;
    long k = (long)idx[j];
    k = k < 0 ? k + dim : k;
    const size_t dst = ((size_t)o * ni + j) * inner + i;
    if (k < 0 || k >= dim) {
        y[dst] = 0u;
        return;
    }
    y[dst] = FAULT(x[((size_t)o * dim + (size_t)k) * inner + i]);
}
