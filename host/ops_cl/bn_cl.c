/* bn_cl.c — OpenCL side of standalone BatchNormalization (inference form):
 * one `bn` kernel, per-channel statistics read on the device, activation fused. */
#include "op_cl.h"
#include "../ops/ops_impl.h"

clcnn_status bn_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0);
    if (x->ndim < 2)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' needs rank >= 2", x->name);
    cl_int C = (cl_int)x->dims[1], NC = (cl_int)(x->dims[0] * x->dims[1]);
    cl_int HW = 1;
    for (int d = 2; d < x->ndim; d++)
        HW *= (cl_int)x->dims[d];
    float eps = ir_attr_float(n, "epsilon", 1e-5f);
    cl_int code = c->act.code;
    cl_kernel k = NULL;
    clcnn_status st;
    if ((st = opcl_kernel(c, "bn", NULL, "bn", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[n->in[1]]),
                        OPCL_ARG(c->mem[n->in[2]]), OPCL_ARG(c->mem[n->in[3]]),
                        OPCL_ARG(c->mem[n->in[4]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(C),
                        OPCL_ARG(HW), OPCL_ARG(NC), OPCL_ARG(eps), OPCL_ARG(code),
                        OPCL_ARG(c->act.a), OPCL_ARG(c->act.b))))
        goto fail;
    size_t gws[2] = {(size_t)HW, (size_t)NC};
    return opcl_push(c, n, k, 2, gws, NULL, "bn", err);
fail:
    clReleaseKernel(k);
    return st;
}
