/* eltwise.c — Add, Sub, Mul, Div: numpy multidirectional broadcasting on
 * every numeric dtype (int64 carries the exporters' shape arithmetic; dtypes
 * other than float32 run binop_ref.c / binop_cl.c). Both
 * inputs must share a dtype. Pow (unary group): float32 base, any numeric
 * exponent, multidirectional broadcasting, float32 out. PRelu: float32, the
 * slope broadcast to X's shape (one direction only). MACs: 0 (one op per
 * element, memory-bound).
 * Reference: eltwise_ref.c. */
#include "elem.h"
#include "ops_impl.h"

static clcnn_status eltwise_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 2, 2, 1, 1, err);
    if (st)
        return st;
    if (ir_attr_find(n, "axis")) /* opsets < 7: b broadcast from dim `axis` of a, not numpy's way */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "the legacy axis attribute (opset < 7 broadcast) "
                       "is not supported");
    const ir_tensor *a = ir_in(g, n, 0), *b = ir_in(g, n, 1);
    if (a->dtype != b->dtype)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "inputs '%s' and '%s' have different dtypes %d and %d",
                       a->name, b->name, a->dtype, b->dtype);
    if (!elem_is_numeric(a->dtype)) /* other than float32: binop_ref.c (shape group) */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "dtype %s is not supported", ir_dtype_name(a->dtype));
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, a, b, &nd, dims, err)))
        return st;
    op_set_out(g, n, 0, a->dtype, nd, dims);
    return CLCNN_OK;
}

/* Opsets < 7: broadcast=1 is numpy broadcasting as here; the legacy axis
 * form is refused by eltwise_infer; consumed_inputs was a memory hint. */
static const op_attr_spec eltwise_attrs[] = {
    {"broadcast", OP_A_INT}, {"axis", OP_A_INT}, {"consumed_inputs", OP_A_INTS}, {NULL, 0}};

const op_def op_def_ADD = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = eltwise_attrs,
    .infer = eltwise_infer, .ref = eltwise_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_SUB = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = eltwise_attrs,
    .infer = eltwise_infer, .ref = eltwise_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_MUL = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = eltwise_attrs,
    .infer = eltwise_infer, .ref = eltwise_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_DIV = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = eltwise_attrs,
    .infer = eltwise_infer, .ref = eltwise_ref,
    .cl = OP_CL_KERNEL,
};

/* unary: Pow, PRelu */

static clcnn_status pow_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 2, 2, 1, 1, err);
    if (st || (st = op_need_float(g, n, 0, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *e = ir_in(g, n, 1);
    if (!elem_is_numeric(e->dtype))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "exponent '%s' has dtype %s (numbers only)",
                       e->name, ir_dtype_name(e->dtype));
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, x, e, &nd, dims, err)))
        return st;
    op_set_out(g, n, 0, IR_DT_FLOAT, nd, dims);
    return CLCNN_OK;
}

/* Pow-7 (broadcasting) .. 15: later versions only added base/exponent types.
 * Float32 bases only; an integer base (integer result) is refused by name. */
const op_def op_def_POW = {
    .opset_min = 7, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = pow_infer, .ref = eltwise_ref,
    .cl = OP_CL_KERNEL,
};

/* PRelu: the slope broadcasts to X, never X to the slope (ONNX's
 * "unidirectional" broadcasting), so Y has X's shape. */
static clcnn_status prelu_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 2, 2, 1, 1, err);
    if (st || (st = op_need_float(g, n, 0, err)) || (st = op_need_float(g, n, 1, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *s = ir_in(g, n, 1);
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, x, s, &nd, dims, err)))
        return st;
    int same = nd == x->ndim;
    for (int d = 0; same && d < nd; d++)
        same = dims[d] == x->dims[d];
    if (!same)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "slope '%s' does not broadcast to the shape of '%s'",
                       s->name, x->name);
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    return CLCNN_OK;
}

/* PRelu-7 (numpy-style slope broadcasting) .. 16: later versions only added types. */
const op_def op_def_PRELU = {
    .opset_min = 7, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = prelu_infer, .ref = eltwise_ref,
    .cl = OP_CL_KERNEL,
};
