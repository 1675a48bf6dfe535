/* gemm_ref.c — reference Gemm and MatMul: a triple loop with double
 * accumulation per output element; operands read through explicit index
 * arithmetic (transposes, broadcast batches), never repacked. MatMul keeps a
 * row of N double accumulators and walks B row by row (k outer, j inner):
 * each output still sums k = 0..K-1 in order, so the values are those of the
 * plain loop, without a stride-N read per multiply (ViT-B/16's 197x768 @
 * 768x3072 made the reference backend take ~7 min). */
#include <stdlib.h>

#include "ops_impl.h"

clcnn_status gemm_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *at = ir_in(g, n, 0), *ct = ir_in(g, n, 2);
    const float *A = bufs[n->in[0]], *B = bufs[n->in[1]]; /* M,K (or K,M); K,N (or N,K) */
    const float *C = ct ? bufs[n->in[2]] : NULL;          /* broadcast to M,N */
    float *Y = bufs[n->out[0]];                           /* M,N */
    const ir_tensor *yt = ir_out(g, n, 0);
    int ta = (int)ir_attr_int(n, "transA", 0), tb = (int)ir_attr_int(n, "transB", 0);
    double alpha = ir_attr_float(n, "alpha", 1.0f), beta = ir_attr_float(n, "beta", 1.0f);
    int64_t M = yt->dims[0], N = yt->dims[1], K = ta ? at->dims[0] : at->dims[1];
    int64_t cs[2] = {0, 0};
    if (C)
        op_bcast_strides(ct, 2, yt->dims, cs);
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
            double acc = 0;
            for (int64_t k = 0; k < K; k++)
                acc += (double)(ta ? A[k * M + i] : A[i * K + k]) * (tb ? B[j * K + k] : B[k * N + j]);
            acc *= alpha;
            if (C)
                acc += beta * C[i * cs[0] + j * cs[1]];
            Y[i * N + j] = (float)acc;
        }
    return CLCNN_OK;
}

clcnn_status matmul_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *at = ir_in(g, n, 0), *bt = ir_in(g, n, 1), *yt = ir_out(g, n, 0);
    const float *A = bufs[n->in[0]], *B = bufs[n->in[1]];
    float *Y = bufs[n->out[0]];
    int64_t K = at->dims[at->ndim - 1];
    int64_t M = at->ndim > 1 ? at->dims[at->ndim - 2] : 1;
    int64_t N = bt->ndim > 1 ? bt->dims[bt->ndim - 1] : 1;
    /* batch shape of Y = Y's dims minus the M/N dims that exist */
    int ybatch = yt->ndim - (at->ndim > 1) - (bt->ndim > 1);
    ir_tensor batch = {.ndim = ybatch};
    ir_tensor ab = {.ndim = at->ndim > 2 ? at->ndim - 2 : 0};
    ir_tensor bb = {.ndim = bt->ndim > 2 ? bt->ndim - 2 : 0};
    for (int d = 0; d < ybatch; d++)
        batch.dims[d] = yt->dims[d];
    for (int d = 0; d < ab.ndim; d++)
        ab.dims[d] = at->dims[d];
    for (int d = 0; d < bb.ndim; d++)
        bb.dims[d] = bt->dims[d];
    int64_t sa[IR_MAX_DIMS], sb[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0};
    op_bcast_strides(&ab, ybatch, batch.dims, sa);
    op_bcast_strides(&bb, ybatch, batch.dims, sb);
    int64_t nb = ir_numel(&batch);
    double *acc = malloc((size_t)(N > 0 ? N : 1) * sizeof *acc);
    if (!acc)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for a MatMul row");
    for (int64_t p = 0; p < nb; p++) {
        int64_t oa = 0, ob = 0; /* which A and B matrices this batch entry uses */
        for (int d = 0; d < ybatch; d++) {
            oa += idx[d] * sa[d];
            ob += idx[d] * sb[d];
        }
        const float *a = A + oa * M * K, *b = B + ob * K * N;
        for (int64_t i = 0; i < M; i++) {
            for (int64_t j = 0; j < N; j++)
                acc[j] = 0;
            for (int64_t k = 0; k < K; k++) {
                const double av = a[i * K + k];
                const float *br = b + k * N;
                for (int64_t j = 0; j < N; j++)
                    acc[j] += av * br[j];
            }
            for (int64_t j = 0; j < N; j++)
                Y[(p * M + i) * N + j] = (float)acc[j];
        }
        for (int d = ybatch - 1; d >= 0; d--) {
            if (++idx[d] < batch.dims[d])
                break;
            idx[d] = 0;
        }
    }
    free(acc);
    return CLCNN_OK;
}
