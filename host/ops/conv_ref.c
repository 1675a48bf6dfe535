/* conv_ref.c — reference convolution (1-D as height 1, 2-D as depth 1, 3-D): the textbook nested loops,
 * double accumulation, no tiling or im2col, so it shares nothing with the
 * OpenCL kernels it checks. */
#include "ops_impl.h"

clcnn_status conv_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    op_win w;
    clcnn_status st = conv_geometry(g, n, &w, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *wt = ir_in(g, n, 1);
    const float *x = bufs[n->in[0]];                  /* N,C,D,H,W (2-D: D = 1; 1-D: D = H = 1) */
    const float *wgt = bufs[n->in[1]];                /* M,C/g,kd,kh,kw */
    const float *bias = (n->n_in > 2 && n->in[2] >= 0) ? bufs[n->in[2]] : NULL; /* M */
    float *y = bufs[n->out[0]];                       /* N,M,Do,Ho,Wo */
    const int dd = OP_WIN_D;
    int64_t N = xt->dims[0], C = xt->dims[1], D = xt->ndim == 5 ? xt->dims[2] : 1,
            H = xt->ndim >= 4 ? xt->dims[xt->ndim - 2] : 1, W = xt->dims[xt->ndim - 1];
    int64_t M = wt->dims[0], Cg = wt->dims[1], KD = w.k[dd], KH = w.k[0], KW = w.k[1];
    int64_t G = C / Cg, Mg = M / G, Do = w.out[dd], Ho = w.out[0], Wo = w.out[1];
    for (int64_t b = 0; b < N; b++)
        for (int64_t m = 0; m < M; m++) {
            int64_t grp = m / Mg;
            for (int64_t od = 0; od < Do; od++)
                for (int64_t oh = 0; oh < Ho; oh++)
                    for (int64_t ow = 0; ow < Wo; ow++) {
                        double acc = bias ? bias[m] : 0.0;
                        for (int64_t c = 0; c < Cg; c++)
                            for (int64_t kd = 0; kd < KD; kd++) {
                                int64_t id = od * w.stride[dd] - w.pad_begin[dd] + kd * w.dil[dd];
                                if (id < 0 || id >= D)
                                    continue;
                                for (int64_t kh = 0; kh < KH; kh++) {
                                    int64_t ih = oh * w.stride[0] - w.pad_begin[0] + kh * w.dil[0];
                                    if (ih < 0 || ih >= H)
                                        continue;
                                    for (int64_t kw = 0; kw < KW; kw++) {
                                        int64_t iw = ow * w.stride[1] - w.pad_begin[1] + kw * w.dil[1];
                                        if (iw < 0 || iw >= W)
                                            continue;
                                        acc += (double)x[(((b * C + grp * Cg + c) * D + id) * H + ih) *
                                                             W + iw] *
                                               wgt[(((m * Cg + c) * KD + kd) * KH + kh) * KW + kw];
                                    }
                                }
                            }
                        y[(((b * M + m) * Do + od) * Ho + oh) * Wo + ow] = (float)acc;
                    }
        }
    return CLCNN_OK;
}
