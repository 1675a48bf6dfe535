/* act.c — element-wise activations and unary math: Relu, LeakyRelu, Clip,
 * HardSigmoid, HardSwish, Sigmoid, Abs, Erf, Tanh,
 * Exp, Log, Sqrt, Neg, Reciprocal, Gelu, Elu, Selu, Celu, Softplus,
 * Softsign, Mish. Shape rule: output = input (float32). Clip reads its
 * bounds from attributes (opset < 11) or optional float32 scalar inputs (>= 11),
 * constant or fed at run time.
 * MACs: 0 (memory-bound, not arithmetic). Reference: act_ref.c. */
#include <math.h>
#include <string.h>

#include "ops_impl.h"

/* One bound of Clip-11+ (input k): a float32 scalar, read here when constant;
 * fed at run time (a graph input or a computed tensor) it sets bit k-1 of
 * *runtime and its value is left to the caller, who reads the buffer. */
static clcnn_status clip_operand(const ir_graph *g, const ir_node *n, int k, float *v, int *runtime,
                                 clcnn_err *err)
{
    const ir_tensor *t = ir_in(g, n, k);
    if (!t)
        return CLCNN_OK;
    if (t->dtype != IR_DT_FLOAT || ir_numel(t) != 1)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "input '%s' must be a float32 scalar", t->name);
    if (t->data)
        *v = *(const float *)t->data;
    else
        *runtime |= 1 << (k - 1);
    return CLCNN_OK;
}

clcnn_status act_clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi, int *runtime,
                             clcnn_err *err)
{
    *lo = ir_attr_float(n, "min", -INFINITY);
    *hi = ir_attr_float(n, "max", INFINITY);
    *runtime = 0;
    clcnn_status st = clip_operand(g, n, 1, lo, runtime, err);
    return st ? st : clip_operand(g, n, 2, hi, runtime, err);
}

clcnn_status act_gelu_tanh(const ir_node *n, int *is_tanh, clcnn_err *err)
{
    const char *ap = op_attr_str(n, "approximate", "none");
    if (strcmp(ap, "none") && strcmp(ap, "tanh"))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "attribute 'approximate' = '%s' is not supported ('none' or 'tanh')", ap);
    *is_tanh = ap[0] == 't';
    return CLCNN_OK;
}

static clcnn_status act_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int max_in = n->op == IR_OP_CLIP ? 3 : 1;
    clcnn_status st = op_check_arity(n, 1, max_in, 1, 1, err);
    if (st || (st = op_need_float(g, n, 0, err)))
        return st;
    if (n->op == IR_OP_CLIP) {
        float lo, hi;
        int runtime;
        if ((st = act_clip_bounds(g, n, &lo, &hi, &runtime, err)))
            return st;
    }
    int is_tanh;
    if (n->op == IR_OP_GELU && (st = act_gelu_tanh(n, &is_tanh, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    return CLCNN_OK;
}

/* Relu-1 .. Relu-14: only types and consumed_inputs (a memory hint) changed. */
const op_def op_def_RELU = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"consumed_inputs", OP_A_INTS}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* LeakyRelu-1 .. 16 */
const op_def op_def_LEAKYRELU = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}, {"consumed_inputs", OP_A_INTS}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Clip-1/6 bounds as attributes, Clip-11+ as optional inputs: act_clip_bounds reads both. */
const op_def op_def_CLIP = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"min", OP_A_FLOAT}, {"max", OP_A_FLOAT}, {"consumed_inputs", OP_A_INTS}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_HARDSIGMOID = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}, {"beta", OP_A_FLOAT}, {"consumed_inputs", OP_A_INTS}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* HardSwish first appeared in opset 14. */
const op_def op_def_HARDSWISH = {
    .opset_min = 14, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_SIGMOID = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"consumed_inputs", OP_A_INTS}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* unary: element-wise math, each also an activation the plan fuses into
 * a Conv/BN epilogue (host/ops_cl/act_cl.c). */

/* Abs-6 .. 13: only types changed (Abs-1 had consumed_inputs). */
const op_def op_def_ABS = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Erf-9 .. 13: only types changed. */
const op_def op_def_ERF = {
    .opset_min = 9, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Tanh-6 .. 13: only types changed (Tanh-1 had consumed_inputs). */
const op_def op_def_TANH = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Exp-6 .. 13: only types changed. */
const op_def op_def_EXP = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Log-6 .. 13: only types changed. */
const op_def op_def_LOG = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Sqrt-6 .. 13: only types changed. */
const op_def op_def_SQRT = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Neg-6 .. 13: only types changed. */
const op_def op_def_NEG = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Reciprocal-6 .. 13: only types changed. */
const op_def op_def_RECIPROCAL = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Gelu-20 (new in opset 20): approximate "none" or "tanh". */
const op_def op_def_GELU = {
    .opset_min = 20, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"approximate", OP_A_STRING}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Elu-6 .. 22: only types changed (Elu-1 had consumed_inputs). */
const op_def op_def_ELU = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Selu-6 .. 22: only types changed. */
const op_def op_def_SELU = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}, {"gamma", OP_A_FLOAT}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Celu-12 (new in opset 12). */
const op_def op_def_CELU = {
    .opset_min = 12, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}),
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Softplus-1 .. 22: only types changed. */
const op_def op_def_SOFTPLUS = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Softsign-1 .. 22: only types changed. */
const op_def op_def_SOFTSIGN = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};

/* Mish-18 (new in opset 18) .. 22: only types changed. */
const op_def op_def_MISH = {
    .opset_min = 18, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = act_infer, .ref = act_ref,
    .cl = OP_CL_KERNEL,
};
