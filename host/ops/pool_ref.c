/* pool_ref.c — reference pooling with plain window loops over depth, height
 * and width (a 1-D or 2-D pool has depth and height 1 as pool_geometry holds it).
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
    const float *x = bufs[n->in[0]]; /* N,C,D,H,W (2-D: D = 1; 1-D: D = H = 1) */
    float *y = bufs[n->out[0]];      /* N,C,Do,Ho,Wo */
    /* MaxPool's Indices: flat index of the max in the input, row-major (storage_order 0)
     * or column-major over the spatial dims (1: W slowest, D fastest); NULL when the
     * output is not asked for */
    int64_t *yi = n->n_out > 1 && n->out[1] >= 0 ? bufs[n->out[1]] : NULL;
    const int col_major = ir_attr_int(n, "storage_order", 0) == 1;
    const int dd = OP_WIN_D;
    int64_t NC = xt->dims[0] * xt->dims[1], D = xt->ndim == 5 ? xt->dims[2] : 1,
            H = xt->ndim >= 4 ? xt->dims[xt->ndim - 2] : 1, W = xt->dims[xt->ndim - 1];
    const int64_t OD = w.out[dd], OH = w.out[0], OW = w.out[1];
    int is_max = n->op == IR_OP_MAXPOOL;
    int incl = (int)ir_attr_int(n, "count_include_pad", 0);
    for (int64_t p = 0; p < NC; p++)
        for (int64_t od = 0; od < OD; od++)
            for (int64_t oh = 0; oh < OH; oh++)
                for (int64_t ow = 0; ow < OW; ow++) {
                    double acc = is_max ? -INFINITY : 0.0;
                    int64_t inside = 0, padded = 0, arg = -1;
                    for (int64_t kd = 0; kd < w.k[dd]; kd++) {
                        int64_t id = od * w.stride[dd] - w.pad_begin[dd] + kd * w.dil[dd];
                        if (id >= D + w.pad_end[dd])
                            continue;
                        for (int64_t kh = 0; kh < w.k[0]; kh++) {
                            int64_t ih = oh * w.stride[0] - w.pad_begin[0] + kh * w.dil[0];
                            if (ih >= H + w.pad_end[0])
                                continue;
                            for (int64_t kw = 0; kw < w.k[1]; kw++) {
                                int64_t iw = ow * w.stride[1] - w.pad_begin[1] + kw * w.dil[1];
                                if (iw >= W + w.pad_end[1])
                                    continue;
                                padded++;
                                if (id < 0 || ih < 0 || iw < 0 || id >= D || ih >= H || iw >= W)
                                    continue;
                                double v = x[((p * D + id) * H + ih) * W + iw];
                                inside++;
                                /* first max; NaN skipped */
                                if (is_max && (v > acc || (arg < 0 && v == acc)))
                                    acc = v, arg = col_major ? (iw * H + ih) * D + id
                                                             : (id * H + ih) * W + iw;
                                else if (!is_max)
                                    acc += v;
                            }
                        }
                    }
                    int64_t cnt = incl ? padded : inside;
                    if (!is_max)
                        acc = cnt ? acc / (double)cnt : 0.0;
                    const int64_t o = ((p * OD + od) * OH + oh) * OW + ow;
                    y[o] = (float)acc;
                    if (yi)
                        yi[o] = arg < 0 ? -1 : p * D * H * W + arg;
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
