/* reduce_cl.c — OpenCL side of the Reduce* ops: reduce_contig when the
 * reduced axes are adjacent (the spatial mean of SE blocks and heads, a
 * LayerNorm-style last axis), else reduce_general; the op picks the fold
 * (RED_OP in kernels_cl/reduce.cl). ArgMax/ArgMin: arg_line, int64 out. */
#include <stdio.h>

#include "op_cl.h"
#include "../ops/ops_impl.h"

/* RED_OP of kernels_cl/reduce.cl for op; -1 when not a Reduce op. */
static int red_code(ir_op op)
{
    switch (op) {
    case IR_OP_REDUCEMEAN: return 0;
    case IR_OP_REDUCESUM: return 1;
    case IR_OP_REDUCEMAX: return 2;
    case IR_OP_REDUCEMIN: return 3;
    case IR_OP_REDUCEPROD: return 4;
    case IR_OP_REDUCEL1: return 5;
    case IR_OP_REDUCEL2: return 6;
    case IR_OP_REDUCESUMSQUARE: return 7;
    case IR_OP_REDUCELOGSUMEXP: return 8;
    default: return -1;
    }
}

clcnn_status reduce_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    int mask[IR_MAX_DIMS] = {0}, none = 0;
    clcnn_status st = reduce_axes(c->g, n, mask, &none, err);
    if (st)
        return st;
    const int code = red_code(n->op);
    if (code < 0)
        return op_fail(err, CLCNN_ERR_INTERNAL, n, "not a Reduce op");
    char opts[32];
    snprintf(opts, sizeof opts, "-DRED_OP=%d", code);
    const ir_tensor *x = ir_in(c->g, n, 0);
    int first = -1, last = -1, contig = 1;
    int64_t R = 1;
    for (int d = 0; d < x->ndim; d++)
        if (mask[d] && !none) {
            if (first < 0)
                first = d;
            else if (last != d - 1)
                contig = 0;
            last = d;
            R *= x->dims[d];
        }
    if (first < 0) { /* nothing reduced: each element folded alone, R = 1 */
        first = last = x->ndim;
        R = 1;
    }
    cl_mem in = c->mem[n->in[0]], out = c->mem[c->out];
    cl_float inv = 1.0f / (float)(R > 0 ? R : 1);
    cl_int cR = (cl_int)R, nout = (cl_int)ir_numel(ir_out(c->g, n, 0));
    cl_kernel k = NULL;
    if (contig && !opcl_forced_away(c, "reduce_contig")) {
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < first; d++)
            outer *= x->dims[d];
        for (int d = last + 1; d < x->ndim; d++)
            inner *= x->dims[d];
        cl_int co = (cl_int)outer, ci = (cl_int)inner;
        if ((st = opcl_kernel(c, "reduce", opts, "reduce_contig", &k, err)))
            return st;
        if ((st = OPCL_ARGS(k, err, OPCL_ARG(in), OPCL_ARG(out), OPCL_ARG(co), OPCL_ARG(cR),
                            OPCL_ARG(ci), OPCL_ARG(inv))))
            goto fail;
        size_t gws[2] = {(size_t)inner, (size_t)outer};
        return opcl_push(c, n, k, 2, gws, NULL, "reduce_contig", err);
    }
    cl_int8 dims = {{0}}, red = {{0}};
    if ((st = opcl_dims6(n, x, dims.s, err)))
        return st;
    for (int d = 0; d < x->ndim; d++)
        red.s[6 - x->ndim + d] = mask[d] && !none;
    if ((st = opcl_kernel(c, "reduce", opts, "reduce_general", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(in), OPCL_ARG(out), OPCL_ARG(nout), OPCL_ARG(cR),
                        OPCL_ARG(dims), OPCL_ARG(red), OPCL_ARG(inv))))
        goto fail;
    size_t gws[1] = {(size_t)nout};
    return opcl_push(c, n, k, 1, gws, NULL, "reduce_general", err);
fail:
    clReleaseKernel(k);
    return st;
}

clcnn_status arg_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    int ax;
    clcnn_status st = arg_axis(c->g, n, &ax, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(c->g, n, 0);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < x->ndim; d++)
        if (d != ax)
            *(d < ax ? &outer : &inner) *= x->dims[d];
    cl_int co = (cl_int)outer, cR = (cl_int)x->dims[ax], ci = (cl_int)inner;
    cl_int last = ir_attr_int(n, "select_last_index", 0) != 0;
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "reduce", n->op == IR_OP_ARGMIN ? "-DARG_MIN" : NULL, "arg_line", &k,
                          err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(co),
                        OPCL_ARG(cR), OPCL_ARG(ci), OPCL_ARG(last)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[2] = {(size_t)inner, (size_t)outer};
    return opcl_push(c, n, k, 2, gws, NULL, "arg_line", err);
}
