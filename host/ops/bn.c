/* bn.c — BatchNormalization in inference mode: shape rule (output = input)
 * and checks that scale/bias/mean/var each hold C values. Training mode
 * (extra outputs) is refused. MACs: counted as 0 (one FMA per element folds
 * into the neighbouring conv in every real plan). Reference: bn_ref.c. */
#include "ops_impl.h"

static clcnn_status bn_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 5, 5, 1, 5, err);
    if (st)
        return st;
    if (n->n_out > 1 || ir_attr_int(n, "training_mode", 0))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "training mode is not supported");
    if (ir_attr_int(n, "spatial", 1) != 1) /* opsets < 9: per-element statistics */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "spatial=0 is not supported");
    if (ir_attr_int(n, "is_test", 1) == 0) /* opsets < 7: training */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "is_test=0 (training) is not supported");
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
    return CLCNN_OK;
}

/* Every form: spatial=0 and training (is_test=0, training_mode=1) are refused by bn_infer. */
const op_def op_def_BATCHNORM = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"epsilon", OP_A_FLOAT}, {"momentum", OP_A_FLOAT}, {"training_mode", OP_A_INT}, {"spatial", OP_A_INT}, {"is_test", OP_A_INT}, {"consumed_inputs", OP_A_INTS}),
    .infer = bn_infer, .ref = bn_ref,
    .cl = OP_CL_KERNEL,
};
