/* softmax.c — Softmax and LogSoftmax shape rule (output = input) and axis check. Semantics
 * depend on the opset: before 13 the input is coerced to 2-D at `axis`
 * (default 1) and normalised over the flattened tail; from 13 on it is
 * normalised along the single axis (default -1). LogSoftmax is the log of
 * the same, x - max - log(sum exp(x - max)). MACs counted as 0.
 * Reference: softmax_ref.c. */
#include "ops_impl.h"

static clcnn_status softmax_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int ax;
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = op_need_float(g, n, 0, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    int64_t axis = ir_attr_int(n, "axis", g->opset < 13 ? 1 : -1);
    if ((st = op_axis(n, axis, x->ndim ? x->ndim : 1, "axis", &ax, err)))
        return st;
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    return CLCNN_OK;
}

/* both semantics: 2-D coercion before 13, one axis from 13 (softmax_infer, softmax_ref) */
const op_def op_def_SOFTMAX = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}),
    .infer = softmax_infer, .ref = softmax_ref,
    .cl = OP_CL_KERNEL,
};

/* LogSoftmax: Softmax's two forms (2-D coercion before 13, one axis from 13). */
const op_def op_def_LOGSOFTMAX = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}),
    .infer = softmax_infer, .ref = softmax_ref,
    .cl = OP_CL_KERNEL,
};
