/* reduce_cl.c — OpenCL side of ReduceMean: reduce_contig when the reduced axes
 * are adjacent (the spatial mean of SE blocks and heads), else reduce_general. */
#include "op_cl.h"
#include "../ops/ops_impl.h"

clcnn_status reduce_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    int mask[IR_MAX_DIMS] = {0}, none = 0;
    clcnn_status st = reduce_axes(c->g, n, mask, &none, err);
    if (st)
        return st;
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
    if (first < 0) { /* nothing reduced: a copy, expressed as R = 1 */
        first = last = x->ndim;
        R = 1;
    }
    float inv = 1.0f / (float)(R > 0 ? R : 1);
    cl_int cR = (cl_int)R, nout = (cl_int)ir_numel(ir_out(c->g, n, 0));
    cl_kernel k = NULL;
    if (contig && !opcl_forced_away(c, "reduce_contig")) {
        int64_t outer = 1, inner = 1;
        for (int d = 0; d < first; d++)
            outer *= x->dims[d];
        for (int d = last + 1; d < x->ndim; d++)
            inner *= x->dims[d];
        cl_int co = (cl_int)outer, ci = (cl_int)inner;
        if ((st = opcl_kernel(c, "reduce", NULL, "reduce_contig", &k, err)))
            return st;
        if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]),
                            OPCL_ARG(co), OPCL_ARG(cR), OPCL_ARG(ci), OPCL_ARG(inv))))
            goto fail;
        size_t gws[2] = {(size_t)inner, (size_t)outer};
        return opcl_push(c, n, k, 2, gws, NULL, "reduce_contig", err);
    }
    cl_int dims[8] = {0}, red[8] = {0};
    if ((st = opcl_dims6(n, x, dims, err)))
        return st;
    for (int d = 0; d < x->ndim; d++)
        red[6 - x->ndim + d] = mask[d] && !none;
    if ((st = opcl_kernel(c, "reduce", NULL, "reduce_general", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(nout),
                        OPCL_ARG(cR), OPCL_ARG(dims), OPCL_ARG(red), OPCL_ARG(inv))))
        goto fail;
    size_t gws[1] = {(size_t)nout};
    return opcl_push(c, n, k, 1, gws, NULL, "reduce_general", err);
fail:
    clReleaseKernel(k);
    return st;
}
