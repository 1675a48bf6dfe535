/* variadic_ref.c — reference Max, Min, Sum, Mean: for each output index (an
 * odometer over the output's dims) every input is read through its broadcast
 * strides. Sum and Mean accumulate in double; Max and Min return NaN when any
 * input is NaN (onnxruntime does). */
#include <math.h>
#include <stdlib.h>

#include "ops_impl.h"

clcnn_status variadic_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *yt = ir_out(g, n, 0);
    const int nd = yt->ndim, ni = n->n_in;
    int64_t *st = malloc((size_t)ni * IR_MAX_DIMS * sizeof *st);
    if (!st)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for %d inputs", ni);
    for (int k = 0; k < ni; k++)
        op_bcast_strides(ir_in(g, n, k), nd, yt->dims, st + (size_t)k * IR_MAX_DIMS);
    int64_t idx[IR_MAX_DIMS] = {0}, cnt = ir_numel(yt);
    float *y = bufs[n->out[0]];
    for (int64_t i = 0; i < cnt; i++) {
        double r = 0;
        for (int k = 0; k < ni; k++) {
            const int64_t *s = st + (size_t)k * IR_MAX_DIMS;
            int64_t off = 0;
            for (int d = 0; d < nd; d++)
                off += idx[d] * s[d];
            const double v = ((const float *)bufs[n->in[k]])[off];
            if (k == 0 || n->op == IR_OP_SUM || n->op == IR_OP_MEAN)
                r = k == 0 ? v : r + v;
            else if (isnan(v) || isnan(r))
                r = NAN;
            else if (n->op == IR_OP_MAX)
                r = v > r ? v : r;
            else
                r = v < r ? v : r;
        }
        y[i] = (float)(n->op == IR_OP_MEAN ? r / ni : r);
        for (int d = nd - 1; d >= 0; d--) { /* odometer step */
            if (++idx[d] < yt->dims[d])
                break;
            idx[d] = 0;
        }
    }
    free(st);
    return CLCNN_OK;
}
