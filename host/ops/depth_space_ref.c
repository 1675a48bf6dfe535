/* depth_space_ref.c — reference DepthToSpace / SpaceToDepth: walks the
 * input in order and scatters each element to its place (the kernel gathers
 * per output element instead). */
#include "ops_impl.h"

clcnn_status depth_space_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                             clcnn_err *err)
{
    int64_t b;
    int mode;
    clcnn_status st = depth_space_params(g, n, &b, &mode, err);
    if (st)
        return st;
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const float *x = bufs[n->in[0]]; /* N,C,H,W */
    float *y = bufs[n->out[0]];      /* N,OC,OH,OW */
    const int64_t N = xt->dims[0], C = xt->dims[1], H = xt->dims[2], W = xt->dims[3];
    const int64_t OC = yt->dims[1], OH = yt->dims[2], OW = yt->dims[3];
    for (int64_t nn = 0; nn < N; nn++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t h = 0; h < H; h++)
                for (int64_t w = 0; w < W; w++) {
                    int64_t oc, oh, ow;
                    if (mode == DS_SPACE_TO_DEPTH) { /* x[c, h*b+i, w*b+j] -> y[(i*b+j)*C+c, h, w] */
                        oc = ((h % b) * b + w % b) * C + c, oh = h / b, ow = w / b;
                    } else if (mode == DS_SPACE_TO_DEPTH_CRD) { /* -> y[c*b*b + i*b+j, h, w] */
                        oc = c * b * b + (h % b) * b + w % b, oh = h / b, ow = w / b;
                    } else {
                        /* DCR: channel (i*b+j)*OC + c'; CRD: c'*b*b + i*b + j */
                        const int64_t ij = mode == DS_DCR ? c / OC : c % (b * b);
                        oc = mode == DS_DCR ? c % OC : c / (b * b);
                        oh = h * b + ij / b, ow = w * b + ij % b;
                    }
                    y[((nn * OC + oc) * OH + oh) * OW + ow] = x[((nn * C + c) * H + h) * W + w];
                }
    return CLCNN_OK;
}
