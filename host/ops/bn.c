/* bn.c — BatchNormalization: shape rule (Y like X; in training mode the
 * running_mean / running_var outputs hold C values) and checks that
 * scale/bias/mean/var each hold C values. training_mode=1 (opset 14+) is
 * deterministic: Y normalises with the batch's own statistics, the running
 * outputs blend them into the given ones by momentum. The ONNX loader spells
 * such a node out in ReduceMean/Sub/Mul/... (passes/bn_training.c) once shapes
 * are known; bn_ref.c computes it itself when folding a constant input. The
 * older training forms (is_test=0 before opset 7; opsets 7-13, which mark
 * training by 5 outputs whose saved_mean/saved_var ONNX leaves open) and
 * spatial=0 are refused. MACs: counted as 0 (one FMA per element folds into
 * the neighbouring conv in every real plan). Reference: bn_ref.c. */
#include "ops_impl.h"

/* training_mode=1 needs opset 14's outputs: Y, running_mean, running_var. */
static clcnn_status bn_check_mode(const ir_graph *g, const ir_node *n, clcnn_err *err)
{
    const int training = ir_attr_int(n, "training_mode", 0) != 0;
    if (ir_attr_int(n, "is_test", 1) == 0) /* opsets < 7: training */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "is_test=0 (training before opset 7) is not supported");
    if (training && g->opset < 14)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "training_mode=1 needs opset 14 or later (the model imports opset %d)", g->opset);
    if (!training && n->n_out > 1)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "has %d outputs: the outputs after Y are training outputs, and training "
                       "without training_mode=1 (opsets 7-13) is not supported", n->n_out);
    if (training && n->n_out != 3) /* ONNX's shape inference asks 3 too ("" for unused ones) */
        return op_fail(err, CLCNN_ERR_GRAPH, n,
                       "training_mode=1 has %d outputs; ONNX gives it 3 (Y, running_mean, running_var)",
                       n->n_out);
    if (ir_attr_int(n, "spatial", 1) != 1) /* opsets < 9: per-element statistics */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "spatial=0 is not supported");
    return CLCNN_OK;
}

static clcnn_status bn_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 5, 5, 1, 5, err);
    if (st || (st = bn_check_mode(g, n, err)))
        return st;
    for (int k = 0; k < 5; k++)
        if ((st = op_need_float(g, n, k, err)))
            return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (x->ndim < 2)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' needs rank >= 2, has %d", x->name, x->ndim);
    for (int k = 1; k < 5; k++) {
        const ir_tensor *p = ir_in(g, n, k);
        if (ir_numel(p) != x->dims[1] || p->ndim != 1)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "parameter '%s' must hold %lld values (C), has %lld",
                           p->name, (long long)x->dims[1], (long long)ir_numel(p));
    }
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    for (int k = 1; k < n->n_out; k++) /* running_mean, running_var: C */
        op_set_out(g, n, k, IR_DT_FLOAT, 1, &x->dims[1]);
    return CLCNN_OK;
}

/* Every form: spatial=0 and the pre-14 training forms are refused by bn_check_mode. */
const op_def op_def_BATCHNORM = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"epsilon", OP_A_FLOAT}, {"momentum", OP_A_FLOAT}, {"training_mode", OP_A_INT}, {"spatial", OP_A_INT}, {"is_test", OP_A_INT}, {"consumed_inputs", OP_A_INTS}),
    .infer = bn_infer, .ref = bn_ref,
    .cl = OP_CL_KERNEL,
};
