/* bn_ref.c — reference BatchNormalization (inference):
 * y = scale * (x - mean) / sqrt(var + epsilon) + bias, per channel, in double. */
#include <math.h>

#include "ops_impl.h"

clcnn_status bn_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]];     /* N,C,spatial... */
    const float *scale = bufs[n->in[1]], *bias = bufs[n->in[2]]; /* C */
    const float *mean = bufs[n->in[3]], *var = bufs[n->in[4]];  /* C */
    float *y = bufs[n->out[0]];
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    int64_t N = xt->dims[0], C = xt->dims[1], S = 1;
    for (int d = 2; d < xt->ndim; d++)
        S *= xt->dims[d];
    for (int64_t b = 0; b < N; b++)
        for (int64_t c = 0; c < C; c++) {
            double inv = 1.0 / sqrt((double)var[c] + eps);
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (b * C + c) * S + s;
                y[i] = (float)(scale[c] * ((double)x[i] - mean[c]) * inv + bias[c]);
            }
        }
    return CLCNN_OK;
}
