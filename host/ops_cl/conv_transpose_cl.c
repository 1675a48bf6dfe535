/* conv_transpose_cl.c — OpenCL side of ConvTranspose (kernels_cl/conv_transpose.cl,
 * convt_gather: one work-item per output pixel, no atomics), with the plan's
 * fused activation. A 1-D ConvTranspose runs as 2-D with height 1, a 1-D or 2-D
 * one as 3-D with depth 1. */
#include "op_cl.h"
#include "../ops/ops_impl.h"

clcnn_status conv_transpose_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    op_win w;
    clcnn_status st = convt_geometry(c->g, n, &w, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(c->g, n, 0), *wt = ir_in(c->g, n, 1);
    const cl_int G = (cl_int)ir_attr_int(n, "group", 1), Mg = (cl_int)wt->dims[1];
    const int dd = OP_WIN_D, r = x->ndim;
    const cl_int D = r == 5 ? (cl_int)x->dims[2] : 1, H = r >= 4 ? (cl_int)x->dims[r - 2] : 1,
                 W = (cl_int)x->dims[r - 1];
    cl_int s[8] = {(cl_int)x->dims[1], H, W, Mg * G, (cl_int)w.out[0], (cl_int)w.out[1],
                   (cl_int)x->dims[0], Mg};
    cl_int k8[8] = {(cl_int)w.k[0], (cl_int)w.k[1], (cl_int)w.stride[0], (cl_int)w.stride[1],
                    (cl_int)w.pad_begin[0], (cl_int)w.pad_begin[1], (cl_int)w.dil[0],
                    (cl_int)w.dil[1]};
    cl_int d8[8] = {D, (cl_int)w.out[dd], (cl_int)w.k[dd], (cl_int)w.stride[dd],
                    (cl_int)w.pad_begin[dd], (cl_int)w.dil[dd], 0, 0};
    const int has_b = n->n_in > 2 && n->in[2] >= 0;
    cl_int has_bias = has_b, act = c->act.code;
    cl_mem bias = c->mem[n->in[has_b ? 2 : 1]]; /* no bias: any valid buffer, never read */
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "conv_transpose", NULL, "convt_gather", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[n->in[1]]),
                        OPCL_ARG(bias), OPCL_ARG(c->mem[c->out]), OPCL_ARG(s), OPCL_ARG(k8), OPCL_ARG(d8),
                        OPCL_ARG(has_bias), OPCL_ARG(act), OPCL_ARG(c->act.a),
                        OPCL_ARG(c->act.b)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)w.out[1], (size_t)w.out[0], (size_t)(x->dims[0] * Mg * G * w.out[dd])};
    return opcl_push(c, n, k, 3, gws, NULL, "convt_gather", err);
}
