/* bn_ref.c — reference BatchNormalization, per channel c, in double:
 *   inference:      y = scale * (x - mean) / sqrt(var + epsilon) + bias
 *   training_mode=1 (opset 14+): the same with the batch's own statistics,
 *     bm = mean of x over N and every spatial position, bv = the population
 *     variance (divide by the count, as ONNX's reference x.var()); the running
 *     outputs are mean * momentum + bm * (1 - momentum), likewise for var
 *     (momentum default 0.9). */
#include <math.h>

#include "ops_impl.h"

/* Batch mean and population variance of channel c of x (N,C,S), two-pass. */
static void batch_stats(const float *x, int64_t N, int64_t C, int64_t S, int64_t c, double *bm,
                        double *bv)
{
    double sum = 0.0, sq = 0.0, cnt = (double)(N * S);
    for (int64_t b = 0; b < N; b++)
        for (int64_t s = 0; s < S; s++)
            sum += x[(b * C + c) * S + s];
    *bm = sum / cnt; /* NaN for an empty batch, as numpy's mean */
    for (int64_t b = 0; b < N; b++)
        for (int64_t s = 0; s < S; s++) {
            double d = x[(b * C + c) * S + s] - *bm;
            sq += d * d;
        }
    *bv = sq / cnt;
}

clcnn_status bn_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    (void)err;
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]];     /* N,C,spatial... */
    const float *scale = bufs[n->in[1]], *bias = bufs[n->in[2]]; /* C */
    const float *mean = bufs[n->in[3]], *var = bufs[n->in[4]];  /* C */
    float *y = bufs[n->out[0]];
    float *run_mean = n->n_out > 1 && n->out[1] >= 0 ? bufs[n->out[1]] : NULL; /* C */
    float *run_var = n->n_out > 2 && n->out[2] >= 0 ? bufs[n->out[2]] : NULL;  /* C */
    const int training = ir_attr_int(n, "training_mode", 0) != 0;
    double eps = ir_attr_float(n, "epsilon", 1e-5f);
    double mom = ir_attr_float(n, "momentum", 0.9f);
    int64_t N = xt->dims[0], C = xt->dims[1], S = 1;
    for (int d = 2; d < xt->ndim; d++)
        S *= xt->dims[d];
    for (int64_t c = 0; c < C; c++) {
        double m = mean[c], v = var[c];
        if (training) {
            batch_stats(x, N, C, S, c, &m, &v);
            if (run_mean)
                run_mean[c] = (float)(mean[c] * mom + m * (1.0 - mom));
            if (run_var)
                run_var[c] = (float)(var[c] * mom + v * (1.0 - mom));
        }
        double inv = 1.0 / sqrt(v + eps);
        for (int64_t b = 0; b < N; b++)
            for (int64_t s = 0; s < S; s++) {
                int64_t i = (b * C + c) * S + s;
                y[i] = (float)(scale[c] * ((double)x[i] - m) * inv + bias[c]);
            }
    }
    return CLCNN_OK;
}
