/* resize_ref.c — reference Resize / Upsample: one dim at a time (the
 * interpolation is separable), in double, through a scratch buffer. The
 * OpenCL kernels instead blend the (up to) four source pixels of each output
 * directly; both take the sample positions from resize_axis_map. */
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"

/* Resamples dim d of src (dims cur[]) into dst, which gets p->out[d] there. */
static void resample_dim(const resize_params *p, int d, const int64_t *cur, const double *src,
                         double *dst)
{
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < d; k++)
        outer *= cur[k];
    for (int k = d + 1; k < p->ndim; k++)
        inner *= cur[k];
    const int64_t in = cur[d], out = p->out[d];
    for (int64_t o = 0; o < out; o++) {
        int64_t idx[4];
        float w[4];
        int taps = 4;
        if (p->mode == RESIZE_CUBIC) {
            resize_cubic_taps(p, d, o, idx, w);
        } else { /* nearest: i0 with weight 1; linear: two taps */
            resize_axis_map(p, d, o, &idx[0], &idx[1], &w[1]);
            w[0] = 1.0f - w[1];
            taps = 2;
        }
        for (int64_t a = 0; a < outer; a++) {
            double *y = dst + (a * out + o) * inner;
            for (int64_t b = 0; b < inner; b++) {
                double acc = 0.0;
                for (int k = 0; k < taps; k++)
                    acc += src[(a * in + idx[k]) * inner + b] * (double)w[k];
                y[b] = acc;
            }
        }
    }
}

clcnn_status resize_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    resize_params p;
    clcnn_status st = resize_params_get(g, n, &p, err);
    if (st)
        return st;
    /* the largest intermediate: every dim at max(in, out) bounds each step */
    int64_t cap = 1, cur[IR_MAX_DIMS];
    for (int d = 0; d < p.ndim; d++) {
        cur[d] = p.in[d];
        cap *= p.in[d] > p.out[d] ? p.in[d] : p.out[d];
    }
    double *a = malloc((size_t)cap * sizeof *a), *b = malloc((size_t)cap * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for the Resize reference");
    }
    const float *x = bufs[n->in[0]];
    int64_t cnt = ir_numel(ir_in(g, n, 0));
    for (int64_t i = 0; i < cnt; i++)
        a[i] = x[i];
    for (int d = 0; d < p.ndim; d++) {
        resample_dim(&p, d, cur, a, b);
        cur[d] = p.out[d];
        double *t = a;
        a = b;
        b = t;
    }
    float *y = bufs[n->out[0]];
    cnt = ir_numel(ir_out(g, n, 0));
    for (int64_t i = 0; i < cnt; i++)
        y[i] = (float)a[i];
    free(a);
    free(b);
    return CLCNN_OK;
}
