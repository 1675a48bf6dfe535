/* depth_space_cl.c — OpenCL side of DepthToSpace / SpaceToDepth
 * (kernels_cl/depth_space.cl, one gather kernel for the three layouts). */
#include "op_cl.h"
#include "../ops/ops_impl.h"

clcnn_status depth_space_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    int64_t b;
    int m;
    clcnn_status st = depth_space_params(c->g, n, &b, &m, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    cl_int mode = m;
    cl_int g[8] = {(cl_int)x->dims[1], (cl_int)x->dims[2], (cl_int)x->dims[3], (cl_int)y->dims[1],
                   (cl_int)y->dims[2], (cl_int)y->dims[3], (cl_int)x->dims[0], (cl_int)b};
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "depth_space", NULL, "depth_space", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(mode),
                        OPCL_ARG(g)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)y->dims[3], (size_t)y->dims[2], (size_t)(y->dims[0] * y->dims[1])};
    return opcl_push(c, n, k, 3, gws, NULL, "depth_space", err);
}
