/* shape_ops.c — shape rules of ops that only reinterpret or copy data:
 * Reshape, Flatten, Squeeze, Unsqueeze, Identity, Constant, Shape
 * (Dropout, a copy too, has dropout.c). Inputs that decide a shape (Reshape's shape,
 * the axes inputs) must be constants. No MACs. Reference: shape_ops_ref.c. */
#include <string.h>

#include "ops_impl.h"

static clcnn_status reshape_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t shape[IR_MAX_DIMS], dims[IR_MAX_DIMS];
    int len;
    if ((st = op_check_arity(n, 1, 2, 1, 1, err)) ||
        (st = op_const_ints(g, n, 1, shape, IR_MAX_DIMS, &len, err)))
        return st;
    if (len < 0) { /* opset < 5 kept the target shape in an attribute */
        const int64_t *a = ir_attr_ints(n, "shape", &len);
        if (!a || len > IR_MAX_DIMS)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "needs a shape input (or shape attribute)");
        memcpy(shape, a, sizeof(int64_t) * (size_t)len);
    }
    const ir_tensor *x = ir_in(g, n, 0);
    int allowzero = (int)ir_attr_int(n, "allowzero", 0), infer_at = -1;
    int64_t known = 1, total = ir_numel(x);
    for (int d = 0; d < len; d++) {
        dims[d] = shape[d];
        if (shape[d] == 0 && !allowzero) {
            if (d >= x->ndim)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "shape[%d] = 0 copies a dim the input (rank %d) lacks",
                               d, x->ndim);
            dims[d] = x->dims[d];
        } else if (shape[d] == -1) {
            if (infer_at >= 0)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "shape has more than one -1");
            infer_at = d;
            continue;
        } else if (shape[d] < 0) {
            return op_fail(err, CLCNN_ERR_SHAPE, n, "shape[%d] = %lld is negative", d, (long long)shape[d]);
        }
        known *= dims[d];
    }
    if (infer_at >= 0) {
        if (known == 0 || total % known)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "cannot infer -1: %lld elements do not divide by %lld",
                           (long long)total, (long long)known);
        dims[infer_at] = total / known;
        known *= dims[infer_at];
    }
    if (known != total) {
        char s[96];
        return op_fail(err, CLCNN_ERR_SHAPE, n, "cannot reshape %s (%lld elements) to %lld elements",
                       ir_shape_str(x, s, sizeof s), (long long)total, (long long)known);
    }
    op_set_out(g, n, 0, x->dtype, len, dims);
    return CLCNN_OK;
}

static clcnn_status flatten_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 1, 1, 1, 1, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    int64_t axis = ir_attr_int(n, "axis", 1);
    if (axis < -x->ndim || axis > x->ndim) /* axis == rank is allowed: (numel, 1) */
        return op_fail(err, CLCNN_ERR_SHAPE, n, "axis %lld is out of range for rank %d",
                       (long long)axis, x->ndim);
    if (axis < 0)
        axis += x->ndim;
    int64_t dims[2] = {1, 1};
    for (int d = 0; d < x->ndim; d++)
        dims[d >= axis] *= x->dims[d];
    op_set_out(g, n, 0, x->dtype, 2, dims);
    return CLCNN_OK;
}

/* axes from input 1 (opset >= 13) or the attribute; *len = -1 when neither */
static clcnn_status read_axes(const ir_graph *g, const ir_node *n, int64_t *axes, int *len,
                              clcnn_err *err)
{
    clcnn_status st = op_const_ints(g, n, 1, axes, IR_MAX_DIMS, len, err);
    if (st || *len >= 0)
        return st;
    const int64_t *a = ir_attr_ints(n, "axes", len);
    if (!a) {
        *len = -1;
        return CLCNN_OK;
    }
    if (*len > IR_MAX_DIMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "too many axes (%d)", *len);
    memcpy(axes, a, sizeof(int64_t) * (size_t)*len);
    return CLCNN_OK;
}

static clcnn_status squeeze_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t axes[IR_MAX_DIMS], dims[IR_MAX_DIMS];
    int len, drop[IR_MAX_DIMS] = {0}, nd = 0;
    if ((st = op_check_arity(n, 1, 2, 1, 1, err)) || (st = read_axes(g, n, axes, &len, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    for (int d = 0; d < x->ndim && len < 0; d++) /* no axes: drop every 1 */
        drop[d] = x->dims[d] == 1;
    for (int i = 0; i < len; i++) {
        int ax;
        if ((st = op_axis(n, axes[i], x->ndim, "axis", &ax, err)))
            return st;
        if (x->dims[ax] != 1)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "cannot squeeze axis %d of size %lld", ax,
                           (long long)x->dims[ax]);
        drop[ax] = 1;
    }
    for (int d = 0; d < x->ndim; d++)
        if (!drop[d])
            dims[nd++] = x->dims[d];
    op_set_out(g, n, 0, x->dtype, nd, dims);
    return CLCNN_OK;
}

static clcnn_status unsqueeze_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t axes[IR_MAX_DIMS], dims[IR_MAX_DIMS];
    int len, ins[IR_MAX_DIMS] = {0};
    if ((st = op_check_arity(n, 1, 2, 1, 1, err)) || (st = read_axes(g, n, axes, &len, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (len < 0)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "needs axes");
    int r = x->ndim + len;
    if (r > IR_MAX_DIMS)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "output rank %d exceeds %d", r, IR_MAX_DIMS);
    for (int i = 0; i < len; i++) {
        int ax;
        if ((st = op_axis(n, axes[i], r, "axis", &ax, err)))
            return st;
        if (ins[ax])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "axis %lld is listed twice", (long long)axes[i]);
        ins[ax] = 1;
    }
    for (int d = 0, k = 0; d < r; d++)
        dims[d] = ins[d] ? 1 : x->dims[k++];
    op_set_out(g, n, 0, x->dtype, r, dims);
    return CLCNN_OK;
}

static clcnn_status identity_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 1, 1, 1, 1, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, x->dtype, x->ndim, x->dims);
    return CLCNN_OK;
}

static clcnn_status constant_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 0, 0, 1, 1, err);
    if (st)
        return st;
    const ir_attr *a = ir_attr_find(n, "value");
    if (a && a->type == IR_ATTR_TENSOR && a->t >= 0 && a->t < g->n_tensors) {
        const ir_tensor *v = &g->tensors[a->t];
        op_set_out(g, n, 0, v->dtype, v->ndim, v->dims);
        return CLCNN_OK;
    }
    int64_t one = 0;
    if ((a = ir_attr_find(n, "value_float")) && a->type == IR_ATTR_FLOAT)
        op_set_out(g, n, 0, IR_DT_FLOAT, 0, &one);
    else if ((a = ir_attr_find(n, "value_int")) && a->type == IR_ATTR_INT)
        op_set_out(g, n, 0, IR_DT_INT64, 0, &one);
    else if ((a = ir_attr_find(n, "value_floats")) && a->type == IR_ATTR_FLOATS)
        op_set_out(g, n, 0, IR_DT_FLOAT, 1, &(int64_t){a->n});
    else if ((a = ir_attr_find(n, "value_ints")) && a->type == IR_ATTR_INTS)
        op_set_out(g, n, 0, IR_DT_INT64, 1, &(int64_t){a->n});
    else
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "has no value clcnn can read");
    return CLCNN_OK;
}

void shape_range(const ir_graph *g, const ir_node *n, int *start, int *end)
{
    int r = ir_in(g, n, 0)->ndim;
    int64_t s = ir_attr_int(n, "start", 0), e = ir_attr_int(n, "end", r);
    /* negative counts from the back; out of range clamps (ONNX Shape-15) */
    s = s < 0 ? s + r : s;
    e = e < 0 ? e + r : e;
    s = s < 0 ? 0 : (s > r ? r : s);
    e = e < 0 ? 0 : (e > r ? r : e);
    *start = (int)s;
    *end = (int)(e < s ? s : e);
}

static clcnn_status shape_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 1, 1, 1, 1, err);
    if (st)
        return st;
    int s, e;
    shape_range(g, n, &s, &e);
    op_set_out(g, n, 0, IR_DT_INT64, 1, &(int64_t){e - s});
    return CLCNN_OK;
}

const op_def op_def_RESHAPE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"allowzero", OP_A_INT}, {"shape", OP_A_INTS}, {"consumed_inputs", OP_A_INTS}),
    .infer = reshape_infer, .ref = copy_ref,
    .cl = OP_CL_ALIAS,
};

const op_def op_def_FLATTEN = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}),
    .infer = flatten_infer, .ref = copy_ref,
    .cl = OP_CL_ALIAS,
};

/* axes as attribute (1..11) or input (13+) */
const op_def op_def_SQUEEZE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axes", OP_A_INTS}),
    .infer = squeeze_infer, .ref = copy_ref,
    .cl = OP_CL_ALIAS,
};

const op_def op_def_UNSQUEEZE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axes", OP_A_INTS}),
    .infer = unsqueeze_infer, .ref = copy_ref,
    .cl = OP_CL_ALIAS,
};

const op_def op_def_IDENTITY = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = identity_infer, .ref = copy_ref,
    .cl = OP_CL_ALIAS,
};

/* The loader turns Constant nodes into constants itself (onnx_node.c add_constant);
 * sparse_value and value_string(s) are refused there. */
const op_def op_def_CONSTANT = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"value", OP_A_TENSOR}, {"value_float", OP_A_FLOAT}, {"value_floats", OP_A_FLOATS}, {"value_int", OP_A_INT}, {"value_ints", OP_A_INTS}),
    .infer = constant_infer, .ref = constant_ref,
    .cl = OP_CL_FOLDED,
};

/* start/end from Shape-15 */
const op_def op_def_SHAPE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"start", OP_A_INT}, {"end", OP_A_INT}),
    .infer = shape_infer, .ref = shape_ref,
    .cl = OP_CL_FOLDED,
};
