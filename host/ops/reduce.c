/* reduce.c — ReduceMean: axes from the attribute (opset < 18) or the optional
 * constant input 1 (opset 18), keepdims, noop_with_empty_axes. Shape rule
 * only; MACs counted as 0 (one add per element). Reference: reduce_ref.c. */
#include "ops_impl.h"

clcnn_status reduce_axes(const ir_graph *g, const ir_node *n, int *mask, int *none,
                         clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    int64_t axes[IR_MAX_DIMS];
    int len;
    clcnn_status st = op_const_ints(g, n, 1, axes, IR_MAX_DIMS, &len, err);
    if (st)
        return st;
    if (len < 0) {
        const int64_t *a = ir_attr_ints(n, "axes", &len);
        if (len > IR_MAX_DIMS)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "too many axes (%d)", len);
        for (int i = 0; i < len; i++)
            axes[i] = a[i];
    }
    *none = 0;
    for (int d = 0; d < x->ndim; d++)
        mask[d] = len > 0 ? 0 : 1; /* no axes: reduce everything... */
    if (len <= 0 && ir_attr_int(n, "noop_with_empty_axes", 0)) {
        *none = 1;                 /* ...unless asked to pass through */
        for (int d = 0; d < x->ndim; d++)
            mask[d] = 0;
    }
    for (int i = 0; i < len; i++) {
        int ax;
        if ((st = op_axis(n, axes[i], x->ndim, "axis", &ax, err)))
            return st;
        if (mask[ax])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "axis %lld is listed twice", (long long)axes[i]);
        mask[ax] = 1;
    }
    return CLCNN_OK;
}

static clcnn_status reduce_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int mask[IR_MAX_DIMS], none;
    if ((st = op_check_arity(n, 1, 2, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = reduce_axes(g, n, mask, &none, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    int keep = (int)ir_attr_int(n, "keepdims", 1), nd = 0;
    int64_t dims[IR_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) {
        if (!mask[d])
            dims[nd++] = x->dims[d];
        else if (keep)
            dims[nd++] = 1;
    }
    op_set_out(g, n, 0, IR_DT_FLOAT, nd, dims);
    return CLCNN_OK;
}

/* axes attribute (1..13) or input (18+) */
const op_def op_def_REDUCEMEAN = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axes", OP_A_INTS}, {"keepdims", OP_A_INT}, {"noop_with_empty_axes", OP_A_INT}),
    .infer = reduce_infer, .ref = reduce_mean_ref,
    .cl = OP_CL_KERNEL,
};
