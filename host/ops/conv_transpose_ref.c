/* conv_transpose_ref.c — reference ConvTranspose as the textbook scatter:
 * each input pixel adds its weighted kernel into the output (double
 * accumulation). The OpenCL kernel gathers per output pixel instead, so the
 * two share no index arithmetic. */
#include <stdlib.h>

#include "ops_impl.h"

clcnn_status conv_transpose_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                                clcnn_err *err)
{
    op_win w;
    clcnn_status st = convt_geometry(g, n, &w, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *wt = ir_in(g, n, 1);
    const float *x = bufs[n->in[0]];                                  /* N,C,D,H,W */
    const float *wg = bufs[n->in[1]];                                 /* C,M/g,kd,kh,kw */
    const float *bias = (n->n_in > 2 && n->in[2] >= 0) ? bufs[n->in[2]] : NULL; /* M */
    const int64_t G = ir_attr_int(n, "group", 1), N = xt->dims[0], C = xt->dims[1];
    const int dd = OP_WIN_D; /* 1-D / 2-D: depth 1 (and 1-D: height 1) */
    const int64_t D = xt->ndim == 5 ? xt->dims[2] : 1, H = xt->ndim >= 4 ? xt->dims[xt->ndim - 2] : 1,
                  W = xt->dims[xt->ndim - 1];
    const int64_t Mg = wt->dims[1], M = Mg * G, Cg = C / G, KD = w.k[dd], KH = w.k[0], KW = w.k[1];
    const int64_t OD = w.out[dd], OH = w.out[0], OW = w.out[1], plane = OD * OH * OW;
    double *acc = malloc((size_t)(N * M * plane) * sizeof *acc);
    if (!acc)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for the ConvTranspose reference");
    for (int64_t i = 0; i < N * M * plane; i++)
        acc[i] = bias ? bias[(i / plane) % M] : 0.0;
    for (int64_t b = 0; b < N; b++)
        for (int64_t c = 0; c < C; c++) {
            const int64_t grp = c / Cg;
            for (int64_t id = 0; id < D; id++)
                for (int64_t ih = 0; ih < H; ih++)
                    for (int64_t iw = 0; iw < W; iw++) {
                        const double v = x[(((b * C + c) * D + id) * H + ih) * W + iw];
                        for (int64_t mm = 0; mm < Mg; mm++) {
                            double *y = acc + (b * M + grp * Mg + mm) * plane;
                            const float *k = wg + (c * Mg + mm) * KD * KH * KW;
                            for (int64_t kd = 0; kd < KD; kd++) {
                                const int64_t od = id * w.stride[dd] - w.pad_begin[dd] + kd * w.dil[dd];
                                if (od < 0 || od >= OD)
                                    continue;
                                for (int64_t kh = 0; kh < KH; kh++) {
                                    const int64_t oh = ih * w.stride[0] - w.pad_begin[0] + kh * w.dil[0];
                                    if (oh < 0 || oh >= OH)
                                        continue;
                                    for (int64_t kw = 0; kw < KW; kw++) {
                                        const int64_t ow =
                                            iw * w.stride[1] - w.pad_begin[1] + kw * w.dil[1];
                                        if (ow >= 0 && ow < OW)
                                            y[(od * OH + oh) * OW + ow] +=
                                                v * k[(kd * KH + kh) * KW + kw];
                                    }
                                }
                            }
                        }
                    }
        }
    float *y = bufs[n->out[0]];
    for (int64_t i = 0; i < N * M * plane; i++)
        y[i] = (float)acc[i];
    free(acc);
    return CLCNN_OK;
}
