/* variadic_cl.c — OpenCL side of Max, Min, Sum, Mean: y = in0 (op) in1, then
 * y = y (op) in_k for each further input (the binary kernels of eltwise.cl
 * with a = y: each work-item reads and writes only its own y[i]), then, for
 * Mean, y *= 1/N. One input: a copy (unary, no activation). */
#include "op_cl.h"
#include "../ops/ops_impl.h"

static clcnn_status copy_launch(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    return opcl_unary(c, n, c->mem[n->in[0]], OPCL_ACT_NONE, 0.0f, 0.0f, err);
}

static clcnn_status scale_launch(opcl_ctx *c, const ir_node *n, float s, clcnn_err *err)
{
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "eltwise", NULL, "scale", &k, err);
    if (st)
        return st;
    cl_int cnt = (cl_int)ir_numel(ir_out(c->g, n, 0));
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt), OPCL_ARG(s)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, "scale", err);
}

clcnn_status variadic_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    const ir_tensor *y = ir_out(g, n, 0);
    const int code = eltwise_cl_code(n->op);
    clcnn_status st = n->n_in == 1 ? copy_launch(c, n, err)
                                   : eltwise_cl_binary(c, n, code, c->mem[n->in[0]], ir_in(g, n, 0),
                                                       c->mem[n->in[1]], ir_in(g, n, 1),
                                                       c->mem[c->out], y, err);
    for (int k = 2; !st && k < n->n_in; k++)
        st = eltwise_cl_binary(c, n, code, c->mem[c->out], y, c->mem[n->in[k]], ir_in(g, n, k),
                               c->mem[c->out], y, err);
    if (!st && n->op == IR_OP_MEAN && n->n_in > 1)
        st = scale_launch(c, n, 1.0f / (float)n->n_in, err);
    return st;
}
