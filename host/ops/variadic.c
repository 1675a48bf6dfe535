/* variadic.c — Max, Min, Sum, Mean over 1..N float32 inputs with numpy
 * multidirectional broadcasting (opset 8 on; opset 6's equal shapes are a
 * case of it, so 6 and 7 load too). Output shape: the broadcast of all inputs. MACs: 0.
 * Reference: variadic_ref.c; OpenCL: variadic_cl.c (one binary launch per
 * input after the first, accumulating into the output). */
#include "ops_impl.h"

static clcnn_status variadic_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    if (n->n_in < 1) /* op_check_arity would say "expected 1..0" */
        return op_fail(err, CLCNN_ERR_GRAPH, n, "has no inputs (1 or more expected)");
    clcnn_status st = op_check_arity(n, 1, n->n_in, 1, 1, err);
    if (st)
        return st;
    for (int k = 0; k < n->n_in; k++)
        if (!ir_in(g, n, k))
            return op_fail(err, CLCNN_ERR_GRAPH, n, "input %d is omitted", k);
        else if ((st = op_need_float(g, n, k, err)))
            return st;
    /* fold the inputs' shapes pairwise: broadcasting is associative */
    ir_tensor acc = *ir_in(g, n, 0);
    for (int k = 1; k < n->n_in; k++) {
        int nd;
        int64_t dims[IR_MAX_DIMS];
        if ((st = op_broadcast(n, &acc, ir_in(g, n, k), &nd, dims, err)))
            return st;
        acc.ndim = nd;
        for (int d = 0; d < nd; d++)
            acc.dims[d] = dims[d];
    }
    op_set_out(g, n, 0, IR_DT_FLOAT, acc.ndim, acc.dims);
    return CLCNN_OK;
}

/* Max/Min-6 .. 13 and Sum/Mean-6 .. 13: 8 added broadcasting, later versions
 * only types (version 1 had consumed_inputs). */
const op_def op_def_MAX = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = variadic_infer, .ref = variadic_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_MIN = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = variadic_infer, .ref = variadic_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_SUM = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = variadic_infer, .ref = variadic_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_MEAN = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = variadic_infer, .ref = variadic_ref,
    .cl = OP_CL_KERNEL,
};
