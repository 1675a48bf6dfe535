/* pool_cl.c — OpenCL side of MaxPool / AveragePool (pool_maxf for a stride-1
 * MaxPool that keeps its plane's size, pool_max8 for other MaxPools with
 * dilation 1 and horizontal stride 1 or 2; pool2d for the rest: stride, dilation,
 * asymmetric pads, ceil_mode, count_include_pad; pool3d for rank-5 inputs and
 * dilated AveragePool) and GlobalAverage/MaxPool
 * (global_pool, one work-item per plane). */
#include "op_cl.h"
#include "../ops/ops_impl.h"

enum { POOL_MAX, POOL_AVG }; /* match pool.cl */

/* pool3d: any pool, N,C,D,H,W (a 1-D or 2-D one with depth / height 1). */
static clcnn_status pool3d_push(opcl_ctx *c, const ir_node *n, const op_win *w, cl_int kind,
                                clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0);
    const int dd = OP_WIN_D, r = x->ndim;
    const int64_t NC = x->dims[0] * x->dims[1], zd = NC * w->out[dd];
    if (ir_numel(x) > INT32_MAX || zd * w->out[0] * w->out[1] > INT32_MAX)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "pooling of more than 2^31 elements is not "
                       "supported on OpenCL");
    const cl_int D = r == 5 ? (cl_int)x->dims[2] : 1, H = r >= 4 ? (cl_int)x->dims[r - 2] : 1,
                 W = (cl_int)x->dims[r - 1];
    cl_int gv[8] = {D, H, W, (cl_int)w->out[dd], (cl_int)w->out[0], (cl_int)w->out[1], (cl_int)NC,
                    (cl_int)ir_attr_int(n, "count_include_pad", 0)};
    cl_int kv[16] = {0};
    for (int i = 0; i < 3; i++) {
        const int j = i == 0 ? dd : i - 1; /* depth, height, width */
        kv[i] = (cl_int)w->k[j], kv[3 + i] = (cl_int)w->stride[j];
        kv[6 + i] = (cl_int)w->pad_begin[j], kv[9 + i] = (cl_int)w->dil[j];
        kv[12 + i] = (cl_int)w->pad_end[j];
    }
    cl_kernel k = NULL;
    clcnn_status st;
    if ((st = opcl_kernel(c, "pool", NULL, "pool3d", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(kind),
                        OPCL_ARG(gv), OPCL_ARG(kv)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)w->out[1], (size_t)w->out[0], (size_t)zd};
    return opcl_push(c, n, k, 3, gws, NULL, "pool3d", err);
}

clcnn_status pool_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    op_win w;
    clcnn_status st = pool_geometry(c->g, n, &w, err);
    if (st)
        return st;
    if (n->n_out > 1 && n->out[1] >= 0)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "MaxPool's Indices output runs on the "
                       "reference backend only (--device ref)");
    const ir_tensor *x = ir_in(c->g, n, 0);
    cl_int kind = n->op == IR_OP_MAXPOOL ? POOL_MAX : POOL_AVG;
    if (x->ndim == 5 || (kind == POOL_AVG && (w.dil[0] != 1 || w.dil[1] != 1)))
        return pool3d_push(c, n, &w, kind, err);
    cl_int NC = (cl_int)(x->dims[0] * x->dims[1]);
    /* a 1-D pool (N,C,W) runs as 2-D with height 1, as pool_geometry holds it */
    const cl_int H = x->ndim == 4 ? (cl_int)x->dims[2] : 1, W = (cl_int)x->dims[x->ndim - 1];
    const cl_int OH = (cl_int)w.out[0], OW = (cl_int)w.out[1];
    cl_int gv[8] = {H, W, OH, OW, NC, (cl_int)ir_attr_int(n, "count_include_pad", 0), 0, 0};
    cl_int kv[8] = {(cl_int)w.k[0], (cl_int)w.k[1], (cl_int)w.stride[0], (cl_int)w.stride[1],
                    (cl_int)w.pad_begin[0], (cl_int)w.pad_begin[1], (cl_int)w.dil[0],
                    (cl_int)w.dil[1]};
    cl_int pe[2] = {(cl_int)w.pad_end[0], (cl_int)w.pad_end[1]};
    cl_kernel k = NULL;
    if (kind == POOL_MAX && w.dil[0] == 1 && w.dil[1] == 1 && w.stride[0] == 1 &&
        w.stride[1] == 1 && OH == H && OW == W && !opcl_forced_away(c, "pool_maxf")) {
        if ((st = opcl_kernel(c, "pool", NULL, "pool_maxf", &k, err)))
            return st;
        if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]),
                            OPCL_ARG(gv), OPCL_ARG(kv)))) {
            clReleaseKernel(k);
            return st;
        }
        size_t gws[2] = {(size_t)(H * W + 15) / 16, (size_t)NC};
        return opcl_push(c, n, k, 2, gws, NULL, "pool_maxf", err);
    }
    if (kind == POOL_MAX && w.dil[0] == 1 && w.dil[1] == 1 && (w.stride[1] == 1 || w.stride[1] == 2) &&
        !opcl_forced_away(c, "pool_max8")) {
        if ((st = opcl_kernel(c, "pool", NULL, "pool_max8", &k, err)))
            return st;
        if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]),
                            OPCL_ARG(gv), OPCL_ARG(kv)))) {
            clReleaseKernel(k);
            return st;
        }
        size_t gws[3] = {(size_t)(OW + 7) / 8, (size_t)OH, (size_t)NC};
        return opcl_push(c, n, k, 3, gws, NULL, "pool_max8", err);
    }
    if ((st = opcl_kernel(c, "pool", NULL, "pool2d", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(kind),
                        OPCL_ARG(gv), OPCL_ARG(kv), OPCL_ARG(pe)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)OW, (size_t)OH, (size_t)NC};
    return opcl_push(c, n, k, 3, gws, NULL, "pool2d", err);
}

clcnn_status global_pool_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0);
    if (x->ndim < 3)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' needs rank >= 3", x->name);
    cl_int kind = n->op == IR_OP_GLOBALMAXPOOL ? POOL_MAX : POOL_AVG;
    cl_int NC = (cl_int)(x->dims[0] * x->dims[1]), HW = (cl_int)(ir_numel(x) / (x->dims[0] * x->dims[1]));
    cl_kernel k = NULL;
    clcnn_status st;
    if ((st = opcl_kernel(c, "pool", NULL, "global_pool", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(kind),
                        OPCL_ARG(HW), OPCL_ARG(NC)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[1] = {(size_t)NC};
    return opcl_push(c, n, k, 1, gws, NULL, "global_pool", err);
}
