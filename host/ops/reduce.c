/* reduce.c — the Reduce* ops (Mean, Sum, Max, Min, Prod, L1, L2, SumSquare,
 * LogSumExp) and ArgMax/ArgMin: shape rules. Reduce axes come from the
 * attribute (opset < 18; ReduceSum < 13) or the optional constant input 1
 * (from then on); keepdims; noop_with_empty_axes (no axes given: reduce
 * nothing, so each output is its input element through the op's
 * per-element part: |x| for L1, x^2 for SumSquare). ArgMax/ArgMin: one axis,
 * keepdims, select_last_index; int64 output. MACs counted as 0 (one add per
 * element). References: reduce_ref.c. */
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

clcnn_status arg_axis(const ir_graph *g, const ir_node *n, int *axis, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    return op_axis(n, ir_attr_int(n, "axis", 0), x->ndim ? x->ndim : 1, "axis", axis, err);
}

static clcnn_status arg_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int ax;
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = arg_axis(g, n, &ax, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (x->ndim == 0)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' is a scalar (no axis)", x->name);
    if (x->dims[ax] == 0)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' has no elements along axis %d",
                       x->name, ax);
    int keep = (int)ir_attr_int(n, "keepdims", 1), nd = 0;
    int64_t dims[IR_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++)
        if (d != ax)
            dims[nd++] = x->dims[d];
        else if (keep)
            dims[nd++] = 1;
    op_set_out(g, n, 0, IR_DT_INT64, nd, dims);
    return CLCNN_OK;
}

#define REDUCE_ATTRS \
    OP_ATTRS({"axes", OP_A_INTS}, {"keepdims", OP_A_INT}, {"noop_with_empty_axes", OP_A_INT})
/* one form for every opset: axes from the attribute or, when given, input 1 */
#define REDUCE_DEF(e)                                                                   \
    const op_def op_def_##e = {                                                         \
        .opset_min = 1, .opset_max = OP_OPSET_LATEST, .attrs = REDUCE_ATTRS,            \
        .infer = reduce_infer, .ref = reduce_ref, .cl = OP_CL_KERNEL,                   \
    }
REDUCE_DEF(REDUCEMEAN);
REDUCE_DEF(REDUCESUM);
REDUCE_DEF(REDUCEMAX);
REDUCE_DEF(REDUCEMIN);
REDUCE_DEF(REDUCEPROD);
REDUCE_DEF(REDUCEL1);
REDUCE_DEF(REDUCEL2);
REDUCE_DEF(REDUCESUMSQUARE);
REDUCE_DEF(REDUCELOGSUMEXP);

/* select_last_index from opset 12 (default 0 is the older behaviour) */
#define ARG_DEF(e)                                                                      \
    const op_def op_def_##e = {                                                         \
        .opset_min = 1, .opset_max = OP_OPSET_LATEST,                                   \
        .attrs = OP_ATTRS({"axis", OP_A_INT}, {"keepdims", OP_A_INT},                   \
                          {"select_last_index", OP_A_INT}),                             \
        .infer = arg_infer, .ref = arg_ref, .cl = OP_CL_KERNEL,                         \
    }
ARG_DEF(ARGMAX);
ARG_DEF(ARGMIN);
