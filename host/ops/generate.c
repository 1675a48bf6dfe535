/* generate.c — ops that make a tensor from scalars and a shape: ConstantOfShape
 * (value broadcast to a shape given as an int64 input) and Range (start,
 * limit, delta). Their output shapes depend on input values, so the inputs
 * must be constants and both fold at load (the OpenCL plan never sees them).
 * Every numeric dtype and bool. No MACs. Reference: generate_ref.c. */
#include <math.h>

#include "elem.h"
#include "ops_impl.h"

/* ConstantOfShape's value attribute: a one-element tensor of any dtype; absent
 * = float32 0. *t = -1 when absent. */
clcnn_status cos_value(const ir_graph *g, const ir_node *n, int *t, clcnn_err *err)
{
    const ir_attr *a = ir_attr_find(n, "value");
    *t = -1;
    if (!a)
        return CLCNN_OK;
    if (a->type != IR_ATTR_TENSOR || a->t < 0 || a->t >= g->n_tensors || !g->tensors[a->t].data)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "attribute 'value' is not a tensor");
    const ir_tensor *v = &g->tensors[a->t];
    if (ir_numel(v) != 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute 'value' has %lld elements, must have one",
                       (long long)ir_numel(v));
    if (!elem_is_numeric(v->dtype) && v->dtype != IR_DT_BOOL)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute 'value' has dtype %s", ir_dtype_name(v->dtype));
    *t = a->t;
    return CLCNN_OK;
}

static clcnn_status cos_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t dims[IR_MAX_DIMS];
    int len, vt;
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = cos_value(g, n, &vt, err)))
        return st;
    const ir_tensor *s = ir_in(g, n, 0);
    if (s->ndim != 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' must be 1-D (it is %d-D)", s->name, s->ndim);
    if ((st = op_const_ints(g, n, 0, dims, IR_MAX_DIMS, &len, err)))
        return st;
    for (int d = 0; d < len; d++)
        if (dims[d] < 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "dim %d is negative (%lld)", d, (long long)dims[d]);
    op_set_out(g, n, 0, vt >= 0 ? g->tensors[vt].dtype : IR_DT_FLOAT, len, dims);
    return CLCNN_OK;
}

/* Range's element count: max(ceil((limit - start) / delta), 0), in int64 for
 * integers (no rounding through double) and in double for floats. */
clcnn_status range_count(const ir_graph *g, const ir_node *n, int64_t *cnt, clcnn_err *err)
{
    const ir_tensor *t[3];
    for (int k = 0; k < 3; k++) {
        t[k] = ir_in(g, n, k);
        if (!t[k]->data)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                           "input '%s' decides the output shape but is not a constant", t[k]->name);
        if (ir_numel(t[k]) != 1)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' must be a scalar", t[k]->name);
        if (t[k]->dtype != t[0]->dtype)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "inputs have different dtypes (%s, %s)",
                           ir_dtype_name(t[0]->dtype), ir_dtype_name(t[k]->dtype));
    }
    const int dt = t[0]->dtype;
    if (dt != IR_DT_FLOAT && dt != IR_DT_DOUBLE && dt != IR_DT_INT16 && dt != IR_DT_INT32 &&
        dt != IR_DT_INT64)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "dtype %s (float, double, int16/32/64 only)",
                       ir_dtype_name(dt));
    double c;
    if (elem_is_int(dt)) {
        int64_t s = elem_get_i(t[0]->data, dt, 0), l = elem_get_i(t[1]->data, dt, 0);
        int64_t d = elem_get_i(t[2]->data, dt, 0);
        if (d == 0)
            return op_fail(err, CLCNN_ERR_INVALID_ARG, n, "delta is 0");
        /* ceil((l - s) / d): exact in int64 while |l - s| < 2^53, else in double */
        double span = (double)l - (double)s;
        c = ceil(span / (double)d);
        if (fabs(span) < 9007199254740992.0) { /* exact below 2^53 */
            int64_t q = (l - s) / d, r = (l - s) % d;
            c = (double)(q + (r != 0 && ((r > 0) == (d > 0))));
        }
    } else {
        double s = elem_get_f(t[0]->data, dt, 0), l = elem_get_f(t[1]->data, dt, 0);
        double d = elem_get_f(t[2]->data, dt, 0);
        if (d == 0 || isnan(d) || isnan(s) || isnan(l) || isinf(s) || isinf(l))
            return op_fail(err, CLCNN_ERR_INVALID_ARG, n, "start/limit/delta %g/%g/%g make no range", s,
                           l, d);
        /* limit - start in the input's type, as onnxruntime computes it */
        c = ceil((dt == IR_DT_FLOAT ? (double)((float)l - (float)s) : l - s) / d);
    }
    if (c > (double)IR_MAX_ELEMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "%.0f elements is too many", c);
    *cnt = c > 0 ? (int64_t)c : 0;
    return CLCNN_OK;
}

static clcnn_status range_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int64_t cnt;
    clcnn_status st;
    if ((st = op_check_arity(n, 3, 3, 1, 1, err)) || (st = range_count(g, n, &cnt, err)))
        return st;
    op_set_out(g, n, 0, ir_in(g, n, 0)->dtype, 1, &cnt);
    return CLCNN_OK;
}

const op_def op_def_CONSTANTOFSHAPE = {.infer = cos_infer, .ref = constant_of_shape_ref,
                                       .opset_min = 9, .opset_max = OP_OPSET_LATEST,
                                       .attrs = OP_ATTRS({"value", OP_A_TENSOR}),
                                       .cl = OP_CL_FOLDED};
const op_def op_def_RANGE = {.infer = range_infer, .ref = range_ref, .opset_min = 11,
                             .opset_max = OP_OPSET_LATEST, .attrs = OP_NO_ATTRS,
                             .cl = OP_CL_FOLDED};
