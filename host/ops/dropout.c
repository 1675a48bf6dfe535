/* dropout.c — Dropout: y = x and, when asked for, mask = all true. That is
 * inference (no training_mode input, or a false one; is_test) and also
 * training_mode true with ratio 0, the one deterministic training case.
 * Training with any other ratio drops elements at random and is refused
 * with CLCNN_ERR_UNSUPPORTED naming the node: at load when the ratio is a
 * constant or absent (default 0.5); when it is fed at run time, the
 * reference checks it each run (dropout_ref.c) and the OpenCL path refuses
 * it at load (passes/dropout_training.c: its plan has no host step that
 * could read the value). ops/fold.c drops the node and makes the mask a
 * constant, except where the reference must check a run-time ratio. */
#include "ops_impl.h"

/* training_mode (input 2, opset 12+): *on = its value; a run-time one is
 * refused (whether the node trains is decided at load). */
static clcnn_status training_on(const ir_graph *g, const ir_node *n, int *on, clcnn_err *err)
{
    *on = 0;
    if (n->n_in <= 2 || n->in[2] < 0)
        return CLCNN_OK;
    const ir_tensor *tm = ir_in(g, n, 2);
    if (tm->dtype != IR_DT_BOOL || ir_numel(tm) != 1)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "training_mode '%s' must be one bool, is %s with %lld elements",
                       tm->name, ir_dtype_name(tm->dtype), (long long)ir_numel(tm));
    if (!tm->data)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "training_mode '%s' is fed at run time; clcnn needs it a constant", tm->name);
    *on = *(const uint8_t *)tm->data != 0;
    return CLCNN_OK;
}

/* A constant scalar ratio r (float32, double or float16) into *v; 0 when r is not one. */
static int ratio_value(const ir_tensor *r, double *v)
{
    if (!r->data || ir_numel(r) != 1)
        return 0;
    switch (r->dtype) {
    case IR_DT_FLOAT: *v = *(const float *)r->data; return 1;
    case IR_DT_DOUBLE: *v = *(const double *)r->data; return 1;
    case IR_DT_FLOAT16: *v = ir_half_to_float(*(const uint16_t *)r->data); return 1;
    default: return 0;
    }
}

/* A training node's ratio: 0 runs; a constant other value (or none: 0.5) is
 * refused; a run-time one must be a float32 scalar (dropout_ref reads it). */
static clcnn_status training_ratio(const ir_graph *g, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *r = ir_in(g, n, 1);
    double v = 0.5; /* ONNX's default ratio */
    if (r && !r->data) {
        if (r->dtype != IR_DT_FLOAT || ir_numel(r) != 1)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "ratio '%s' (%s, %lld elements) is fed at run time "
                           "with training_mode true; clcnn checks only a float32 scalar ratio",
                           r->name, ir_dtype_name(r->dtype), (long long)ir_numel(r));
        return CLCNN_OK;
    }
    if (r && !ratio_value(r, &v))
        return op_fail(err, CLCNN_ERR_GRAPH, n, "ratio '%s' must be one float, is %s with %lld elements",
                       r->name, ir_dtype_name(r->dtype), (long long)ir_numel(r));
    if (v != 0.0)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "training_mode is true with ratio %g%s: training "
                       "drops elements at random; clcnn runs training-mode Dropout only with ratio 0",
                       v, r ? "" : " (the default)");
    return CLCNN_OK;
}

int dropout_runtime_ratio(const ir_graph *g, const ir_node *n)
{
    int on = 0;
    const ir_tensor *r = ir_in(g, n, 1);
    return n->op == IR_OP_DROPOUT && r && !r->data && training_on(g, n, &on, NULL) == CLCNN_OK && on;
}

static clcnn_status dropout_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int on = 0;
    clcnn_status st = op_check_arity(n, 1, 3, 1, 2, err);
    if (st || (st = training_on(g, n, &on, err)) || (on && (st = training_ratio(g, n, err))))
        return st;
    if (ir_attr_int(n, "is_test", 1) == 0) /* opsets < 7 */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "is_test=0 (training before opset 7) is not supported");
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, x->dtype, x->ndim, x->dims);
    if (n->n_out > 1)
        op_set_out(g, n, 1, IR_DT_BOOL, x->ndim, x->dims);
    return CLCNN_OK;
}

/* is_test=0 (1..6) is refused; training_mode (12+) as dropout_infer says */
const op_def op_def_DROPOUT = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"ratio", OP_A_FLOAT}, {"seed", OP_A_INT}, {"is_test", OP_A_INT}, {"consumed_inputs", OP_A_INTS}),
    .infer = dropout_infer, .ref = dropout_ref,
    .cl = OP_CL_ALIAS,
};
