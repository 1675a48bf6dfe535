/* pool_ref.c — reference pooling with plain window loops.
 * AveragePool divisor: count_include_pad=0 counts the taps inside the input;
 * =1 counts the taps inside the padded input (a ceil_mode window hanging past
 * the end pad is clipped there, as onnxruntime does). */
#include <math.h>

#include "ops_impl.h"

clcnn_status pool_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    op_win w;
    clcnn_status st = pool_geometry(g, n, &w, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]]; /* N,C,H,W (1-D: H = 1) */
    float *y = bufs[n->out[0]];      /* N,C,Ho,Wo */
    /* MaxPool's Indices: flat index of the max in the input, row-major (storage_order 0)
     * or with H and W swapped (1); NULL when the output is not asked for */
    int64_t *yi = n->n_out > 1 && n->out[1] >= 0 ? bufs[n->out[1]] : NULL;
    const int col_major = ir_attr_int(n, "storage_order", 0) == 1;
    int64_t NC = xt->dims[0] * xt->dims[1], H = xt->ndim == 4 ? xt->dims[2] : 1,
            W = xt->dims[xt->ndim - 1];
    int is_max = n->op == IR_OP_MAXPOOL;
    int incl = (int)ir_attr_int(n, "count_include_pad", 0);
    for (int64_t p = 0; p < NC; p++)
        for (int64_t oh = 0; oh < w.out[0]; oh++)
            for (int64_t ow = 0; ow < w.out[1]; ow++) {
                double acc = is_max ? -INFINITY : 0.0;
                int64_t inside = 0, padded = 0, arg = -1;
                for (int64_t kh = 0; kh < w.k[0]; kh++) {
                    int64_t ih = oh * w.stride[0] - w.pad_begin[0] + kh * w.dil[0];
                    if (ih >= H + w.pad_end[0])
                        continue;
                    for (int64_t kw = 0; kw < w.k[1]; kw++) {
                        int64_t iw = ow * w.stride[1] - w.pad_begin[1] + kw * w.dil[1];
                        if (iw >= W + w.pad_end[1])
                            continue;
                        padded++;
                        if (ih < 0 || iw < 0 || ih >= H || iw >= W)
                            continue;
                        double v = x[(p * H + ih) * W + iw];
                        inside++;
                        if (is_max && (v > acc || (arg < 0 && v == acc))) /* first max; NaN skipped */
                            acc = v, arg = col_major ? iw * H + ih : ih * W + iw;
                        else if (!is_max)
                            acc += v;
                    }
                }
                if (!is_max)
                    acc = (incl ? padded : inside) ? acc / (double)(incl ? padded : inside) : 0.0;
                y[(p * w.out[0] + oh) * w.out[1] + ow] = (float)acc;
                if (yi)
                    yi[(p * w.out[0] + oh) * w.out[1] + ow] = arg < 0 ? -1 : p * H * W + arg;
            }
    return CLCNN_OK;
}

/* GlobalAveragePool / GlobalMaxPool over every dim after N,C. */
clcnn_status global_pool_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                             clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0);
    const float *x = bufs[n->in[0]]; /* N,C,S... */
    float *y = bufs[n->out[0]];      /* N,C,1... */
    int64_t NC = xt->dims[0] * xt->dims[1], S = ir_numel(xt) / (NC ? NC : 1);
    for (int64_t p = 0; p < NC; p++) {
        double acc = n->op == IR_OP_GLOBALMAXPOOL ? -INFINITY : 0.0;
        for (int64_t s = 0; s < S; s++) {
            double v = x[p * S + s];
            if (n->op == IR_OP_GLOBALMAXPOOL)
                acc = v > acc ? v : acc;
            else
                acc += v;
        }
        y[p] = (float)(n->op == IR_OP_GLOBALMAXPOOL ? acc : (S ? acc / (double)S : 0.0));
    }
    return CLCNN_OK;
}
