/* softmax_cl.c — OpenCL side of Softmax and LogSoftmax (as_log = 1): the input viewed as (outer, L, inner)
 * per the opset's rule (before 13: coerced to 2-D at axis, so L is the whole
 * tail; from 13: the single axis), one softmax_line work-item per line. */
#include "op_cl.h"
#include "../ops/ops_impl.h"

clcnn_status softmax_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0);
    int ax;
    int64_t axis = ir_attr_int(n, "axis", c->g->opset < 13 ? 1 : -1);
    clcnn_status st = op_axis(n, axis, x->ndim ? x->ndim : 1, "axis", &ax, err);
    if (st)
        return st;
    int64_t outer = 1, L = 1, inner = 1;
    for (int d = 0; d < x->ndim; d++) {
        if (d < ax)
            outer *= x->dims[d];
        else if (d == ax || c->g->opset < 13)
            L *= x->dims[d];
        else
            inner *= x->dims[d];
    }
    cl_int co = (cl_int)outer, cl = (cl_int)L, ci = (cl_int)inner;
    cl_int as_log = n->op == IR_OP_LOGSOFTMAX;
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "softmax", NULL, "softmax_line", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(co),
                        OPCL_ARG(cl), OPCL_ARG(ci), OPCL_ARG(as_log)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[2] = {(size_t)inner, (size_t)outer};
    return opcl_push(c, n, k, 2, gws, NULL, "softmax_line", err);
}
