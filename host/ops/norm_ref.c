/* norm_ref.c — reference LayerNormalization / InstanceNormalization /
 * GroupNormalization (one loop over norm.h's rows: mean, then the variance
 * of the centred values, both summed in double) and LRN (the sum of squares
 * over the channel window, in double). */
#include <math.h>

#include "norm.h"
#include "ops_impl.h"

clcnn_status norm_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    norm_geom ng;
    clcnn_status st = norm_geometry(g, n, &ng, err);
    if (st)
        return st;
    const float *x = bufs[n->in[0]], *scale = bufs[n->in[1]];
    const float *bias = ng.has_bias ? bufs[n->in[2]] : NULL;
    float *y = bufs[n->out[0]];
    float *mean_out = n->n_out > 1 && n->out[1] >= 0 ? bufs[n->out[1]] : NULL;
    float *istd_out = n->n_out > 2 && n->out[2] >= 0 ? bufs[n->out[2]] : NULL;
    for (int64_t r = 0; r < ng.rows; r++) {
        const float *xr = x + r * ng.D;
        float *yr = y + r * ng.D;
        double s = 0, v = 0;
        for (int64_t j = 0; j < ng.D; j++)
            s += xr[j];
        const double mean = ng.D ? s / (double)ng.D : 0;
        for (int64_t j = 0; j < ng.D; j++)
            v += (xr[j] - mean) * (xr[j] - mean);
        const double inv = 1.0 / sqrt((ng.D ? v / (double)ng.D : 0) + ng.eps);
        for (int64_t j = 0; j < ng.D; j++) {
            double t = (xr[j] - mean) * inv * scale[norm_index(&ng.scale, r, j)];
            if (bias)
                t += bias[norm_index(&ng.bias, r, j)];
            yr[j] = (float)t;
        }
        if (mean_out)
            mean_out[r] = (float)mean;
        if (istd_out)
            istd_out[r] = (float)inv;
    }
    return CLCNN_OK;
}

clcnn_status lrn_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    (void)err;
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]];
    float *y = bufs[n->out[0]];
    const int64_t size = ir_attr_int(n, "size", 1), C = xt->dims[1];
    const int64_t lo = (size - 1) / 2, hi = size / 2; /* floor and ceil of (size-1)/2 */
    const double alpha = ir_attr_float(n, "alpha", 1e-4f), beta = ir_attr_float(n, "beta", 0.75f),
                 bias = ir_attr_float(n, "bias", 1.0f);
    int64_t S = 1;
    for (int d = 2; d < xt->ndim; d++)
        S *= xt->dims[d];
    const int64_t total = ir_numel(xt);
    for (int64_t i = 0; i < total; i++) {
        const int64_t c = i / S % C, base = i - c * S;
        double sq = 0;
        for (int64_t k = c - lo < 0 ? 0 : c - lo; k <= c + hi && k < C; k++)
            sq += (double)x[base + k * S] * x[base + k * S];
        y[i] = (float)(x[i] / pow(bias + alpha / (double)size * sq, beta));
    }
    return CLCNN_OK;
}
