/* reduce_ref.c — reference ReduceMean: each input element is added into the
 * output slot its index maps to (reduced dims dropped), then each slot is
 * divided by the number of elements that landed in it. Double sums. */
#include <stdlib.h>

#include "ops_impl.h"

clcnn_status reduce_mean_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                             clcnn_err *err)
{
    int mask[IR_MAX_DIMS], none;
    clcnn_status st = reduce_axes(g, n, mask, &none, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const float *x = bufs[n->in[0]];
    float *y = bufs[n->out[0]];
    int64_t ny = ir_numel(yt), nx = ir_numel(xt);
    double *acc = calloc((size_t)(ny ? ny : 1), sizeof(double));
    if (!acc)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory");
    int64_t idx[IR_MAX_DIMS] = {0};
    for (int64_t i = 0; i < nx; i++) {
        int64_t o = 0; /* flat index over the kept dims, row-major */
        for (int d = 0; d < xt->ndim; d++)
            if (!mask[d])
                o = o * xt->dims[d] + idx[d];
        acc[o] += x[i];
        for (int d = xt->ndim - 1; d >= 0; d--) {
            if (++idx[d] < xt->dims[d])
                break;
            idx[d] = 0;
        }
    }
    int64_t per = ny ? nx / ny : 0;
    for (int64_t o = 0; o < ny; o++)
        y[o] = (float)(per ? acc[o] / (double)per : acc[o]);
    free(acc);
    return CLCNN_OK;
}
