/* gather.cl — Gather along one axis, any element type of 4 or 8 bytes, and
 * float tensors stored half (2 bytes, an fp16 plan).
 * Variant (host/ops_cl/movement_cl.c): gather_words, no preconditions: the data is
 * moved as words W (uint; -DW=ushort for half-stored floats: a half moves
 * bit-exact, no conversion) and never interpreted; an int64/double element
 * is 2 uint words, so the host scales `inner` by the words per element. One
 * kernel serves float, int32 and int64 data. The tensor is seen as
 * x[outer, dim, inner] and y[outer, ni, inner]. NDRange (inner, ni, outer).
 * Indices are IDX_T (int: constant indices the host already wrapped and
 * range-checked; long: int64 indices produced at run time). Negative indices
 * wrap once; an index still out of range yields 0 (onnxruntime fails the run
 * instead; a kernel cannot, and 0 is at least deterministic). */

#ifndef IDX_T
#define IDX_T long /* int64 indices; the host passes -DIDX_T=int for int32 ones */
#endif
#ifndef W
#define W uint
#endif

/* The test hook (act.cl) on raw words: flips the top (a float's sign) bit of each. */
#undef FAULT
#ifdef CLCNN_FAULT_FLIP_SIGN
#define FAULT(v) ((W)((v) ^ ((W)1 << (8 * sizeof(W) - 1))))
#else
#define FAULT(v) (v)
#endif

__kernel void gather_words(__global const W *x, __global const IDX_T *idx, __global W *y,
                           int outer, int dim, int ni, int inner)
{
    const int i = get_global_id(0), j = get_global_id(1), o = get_global_id(2);
    if (i >= inner || j >= ni || o >= outer)
        return;
    long k = (long)idx[j];
    k = k < 0 ? k + dim : k;
    const size_t dst = ((size_t)o * ni + j) * inner + i;
    if (k < 0 || k >= dim) {
        y[dst] = (W)0;
        return;
    }
    y[dst] = FAULT(x[((size_t)o * dim + (size_t)k) * inner + i]);
}

/* GatherND as words (host/ops_cl/movement_cl.c gathernd_cl): y[b, j, :] =
 * x[b, tuple j of indices, :], x seen as [batch, dims[0] * ... * dims[k-1],
 * words] (k <= 8 dims in `dims`). Constant indices come as one wrapped flat
 * int per tuple (k = 1, dims.s0 = the product); run-time int64 tuples are
 * wrapped here, and a tuple out of range yields 0 like gather_words.
 * NDRange (words, ntup, batch). */
__kernel void gathernd_words(__global const W *x, __global const IDX_T *idx, __global W *y,
                             int batch, int ntup, int words, int k, int8 dims)
{
    const int i = get_global_id(0), j = get_global_id(1), b = get_global_id(2);
    if (i >= words || j >= ntup || b >= batch)
        return;
    const int dd[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    __global const IDX_T *t = idx + ((size_t)b * ntup + j) * k;
    long off = 0, per_batch = 1;
    int bad = 0;
    for (int m = 0; m < k; m++) {
        long v = (long)t[m];
        v = v < 0 ? v + dd[m] : v;
        bad |= v < 0 || v >= dd[m];
        off = off * dd[m] + v;
        per_batch *= dd[m];
    }
    const size_t dst = ((size_t)b * ntup + j) * words + i;
    y[dst] = bad ? (W)0 : FAULT(x[((size_t)b * per_batch + (size_t)off) * words + i]);
}
