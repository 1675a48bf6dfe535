/* softmax_ref.c — reference Softmax: the input is seen as outer x len x inner
 * where `len` is the normalised extent (one axis from opset 13; the whole
 * tail from `axis` before 13, i.e. inner = 1). Max-subtracted, double sums.
 * LogSoftmax: (x - max) - log(sum), never the log of the quotient (which
 * rounds small probabilities to log 0 = -inf). */
#include <math.h>

#include "ops_impl.h"

clcnn_status softmax_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]];
    float *y = bufs[n->out[0]];
    int old = g->opset < 13, ax;
    clcnn_status st = op_axis(n, ir_attr_int(n, "axis", old ? 1 : -1), xt->ndim ? xt->ndim : 1,
                              "axis", &ax, err);
    if (st)
        return st;
    int64_t outer = 1, len = 1, inner = 1;
    for (int d = 0; d < xt->ndim; d++) {
        if (d < ax)
            outer *= xt->dims[d];
        else if (d == ax || old)
            len *= xt->dims[d];
        else
            inner *= xt->dims[d];
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            const float *xs = x + o * len * inner + i;
            float *ys = y + o * len * inner + i;
            double mx = -INFINITY, sum = 0;
            for (int64_t k = 0; k < len; k++)
                mx = xs[k * inner] > mx ? xs[k * inner] : mx;
            for (int64_t k = 0; k < len; k++)
                sum += exp((double)xs[k * inner] - mx);
            const double lsum = log(sum);
            for (int64_t k = 0; k < len; k++)
                ys[k * inner] = n->op == IR_OP_LOGSOFTMAX
                                    ? (float)((double)xs[k * inner] - mx - lsum)
                                    : (float)(exp((double)xs[k * inner] - mx) / sum);
        }
    return CLCNN_OK;
}
