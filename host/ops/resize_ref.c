/* resize_ref.c — reference Resize / Upsample: one dim at a time (the
 * interpolation is separable), in double, through a scratch buffer. Each
 * output position's taps come from resize_taps (resize.c); a position that
 * tf_crop_and_resize puts off the input gets extrapolation_value, and the
 * later dims then blend only such values (weights sum to 1), as onnx's
 * reference does. The OpenCL kernels instead blend each output's taps in 2-D. */
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"

/* Resamples dim d of src (dims cur[]) into dst, which gets p->out[d] there;
 * idx and w have room for resize_max_taps(p, d). */
static void resample_dim(const resize_params *p, int d, const int64_t *cur, const double *src,
                         double *dst, int64_t *idx, float *w)
{
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < d; k++)
        outer *= cur[k];
    for (int k = d + 1; k < p->ndim; k++)
        inner *= cur[k];
    const int64_t in = cur[d], out = p->out[d];
    for (int64_t o = 0; o < out; o++) {
        const int taps = resize_taps(p, d, o, idx, w);
        for (int64_t a = 0; a < outer; a++) {
            double *y = dst + (a * out + o) * inner;
            for (int64_t b = 0; b < inner; b++) {
                double acc = taps ? 0.0 : (double)p->extrapolation;
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
    if (p.roi_runtime) /* a graph input or computed roi: its value is known now */
        resize_set_roi(&p, bufs[n->in[1]]);
    /* the largest intermediate: every dim at max(in, out) bounds each step */
    int64_t cap = 1, cur[IR_MAX_DIMS];
    int taps = 1;
    for (int d = 0; d < p.ndim; d++) {
        cur[d] = p.in[d];
        cap *= p.in[d] > p.out[d] ? p.in[d] : p.out[d];
        const int t = resize_max_taps(&p, d);
        taps = t > taps ? t : taps;
    }
    double *a = malloc((size_t)cap * sizeof *a), *b = malloc((size_t)cap * sizeof *b);
    int64_t *idx = malloc((size_t)taps * sizeof *idx);
    float *w = malloc((size_t)taps * sizeof *w);
    if (!a || !b || !idx || !w) {
        free(a);
        free(b);
        free(idx);
        free(w);
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for the Resize reference");
    }
    const float *x = bufs[n->in[0]];
    int64_t cnt = ir_numel(ir_in(g, n, 0));
    for (int64_t i = 0; i < cnt; i++)
        a[i] = x[i];
    for (int d = 0; d < p.ndim; d++) {
        resample_dim(&p, d, cur, a, b, idx, w);
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
    free(idx);
    free(w);
    return CLCNN_OK;
}
