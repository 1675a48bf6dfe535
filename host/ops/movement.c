/* movement.c — shape rules of the data-movement ops: Transpose, Concat,
 * Split, Slice, Gather, GatherND, Pad, across their opset variants (attributes before
 * opsets 10/11/13/18, constant inputs after). Any element type: they move
 * bytes. No MACs. Reference: movement_ref.c. */
#include <stdlib.h>
#include <string.h>

#include "elem.h"
#include "ops_impl.h"

clcnn_status transpose_perm(const ir_graph *g, const ir_node *n, int *perm, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    int len, seen[IR_MAX_DIMS] = {0};
    const int64_t *p = ir_attr_ints(n, "perm", &len);
    if (p && len != x->ndim)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "perm has %d values for rank %d", len, x->ndim);
    for (int d = 0; d < x->ndim; d++) {
        int64_t v = p ? p[d] : x->ndim - 1 - d; /* default: reverse the dims */
        if (v < 0 || v >= x->ndim || seen[v])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "perm is not a permutation of 0..%d", x->ndim - 1);
        seen[v] = 1;
        perm[d] = (int)v;
    }
    return CLCNN_OK;
}

static clcnn_status transpose_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int perm[IR_MAX_DIMS];
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = transpose_perm(g, n, perm, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    int64_t dims[IR_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++)
        dims[d] = x->dims[perm[d]];
    op_set_out(g, n, 0, x->dtype, x->ndim, dims);
    return CLCNN_OK;
}

static clcnn_status concat_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int ax;
    if ((st = op_check_arity(n, 1, 1 << 20, 1, 1, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (!ir_attr_find(n, "axis") && g->opset < 4) /* Concat-1 defaulted it to 1 */
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "has no axis attribute (the opset %d default "
                       "axis is not supported)", g->opset);
    if (!ir_attr_find(n, "axis"))
        return op_fail(err, CLCNN_ERR_GRAPH, n, "attribute axis is required");
    if ((st = op_axis(n, ir_attr_int(n, "axis", 0), x->ndim, "axis", &ax, err)))
        return st;
    int64_t dims[IR_MAX_DIMS];
    memcpy(dims, x->dims, sizeof dims);
    dims[ax] = 0;
    for (int k = 0; k < n->n_in; k++) {
        const ir_tensor *t = ir_in(g, n, k);
        if (!t)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "input %d is missing", k);
        if (t->ndim != x->ndim || t->dtype != x->dtype)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' differs in rank or dtype from '%s'",
                           t->name, x->name);
        for (int d = 0; d < x->ndim; d++)
            if (d != ax && t->dims[d] != x->dims[d])
                return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' dim %d is %lld, '%s' has %lld",
                               t->name, d, (long long)t->dims[d], x->name, (long long)x->dims[d]);
        dims[ax] += t->dims[ax];
    }
    op_set_out(g, n, 0, x->dtype, x->ndim, dims);
    return CLCNN_OK;
}

clcnn_status split_sizes(const ir_graph *g, const ir_node *n, int *axis, int64_t *sizes,
                         clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    clcnn_status st = op_axis(n, ir_attr_int(n, "axis", 0), x->ndim, "axis", axis, err);
    int len;
    if (st || (st = op_const_ints(g, n, 1, sizes, n->n_out, &len, err)))
        return st;
    if (len < 0) {
        const int64_t *a = ir_attr_ints(n, "split", &len);
        if (a && len == n->n_out)
            memcpy(sizes, a, sizeof(int64_t) * (size_t)len);
        else if (a)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "split has %d values for %d outputs", len, n->n_out);
        else
            len = -1;
    }
    int64_t dim = x->dims[*axis], sum = 0;
    if (len < 0) {
        /* equal parts; num_outputs (opset 18) lets the last part be smaller */
        int64_t part = (dim + n->n_out - 1) / n->n_out;
        if (!ir_attr_find(n, "num_outputs") && dim % n->n_out)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "dim %lld does not split into %d equal parts",
                           (long long)dim, n->n_out);
        if (ir_attr_find(n, "num_outputs") && ir_attr_int(n, "num_outputs", 0) != n->n_out)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "num_outputs %lld != %d outputs",
                           (long long)ir_attr_int(n, "num_outputs", 0), n->n_out);
        for (int k = 0; k < n->n_out; k++)
            sizes[k] = dim - k * part < part ? (dim - k * part > 0 ? dim - k * part : 0) : part;
        return CLCNN_OK;
    }
    if (len != n->n_out)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "split has %d values for %d outputs", len, n->n_out);
    for (int k = 0; k < len; k++) {
        if (sizes[k] < 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "split[%d] = %lld is negative", k, (long long)sizes[k]);
        sum += sizes[k];
    }
    if (sum != dim)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "split sizes sum to %lld, axis has %lld",
                       (long long)sum, (long long)dim);
    return CLCNN_OK;
}

static clcnn_status split_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int ax;
    if ((st = op_check_arity(n, 1, 2, 1, 1 << 16, err)))
        return st;
    int64_t *sizes = malloc(sizeof(int64_t) * (size_t)n->n_out);
    if (!sizes)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory");
    if (!(st = split_sizes(g, n, &ax, sizes, err))) {
        const ir_tensor *x = ir_in(g, n, 0);
        int64_t dims[IR_MAX_DIMS];
        memcpy(dims, x->dims, sizeof dims);
        for (int k = 0; k < n->n_out; k++) {
            dims[ax] = sizes[k];
            op_set_out(g, n, k, x->dtype, x->ndim, dims);
        }
    }
    free(sizes);
    return st;
}

/* Reads Slice's starts/ends/axes/steps from inputs (opset >= 10) or
 * attributes, then applies ONNX's clamping per axis. */
clcnn_status slice_params(const ir_graph *g, const ir_node *n, int64_t *start, int64_t *step,
                          int64_t *count, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    int64_t v[4][IR_MAX_DIMS];
    int len[4];
    const char *names[4] = {"starts", "ends", "axes", "steps"};
    for (int k = 0; k < 4; k++) {
        clcnn_status st = op_const_ints(g, n, k + 1, v[k], IR_MAX_DIMS, &len[k], err);
        if (st)
            return st;
        if (len[k] < 0 && n->n_in < 2) {
            const int64_t *a = ir_attr_ints(n, names[k], &len[k]);
            if (len[k] > IR_MAX_DIMS)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "%s has too many values", names[k]);
            if (a)
                memcpy(v[k], a, sizeof(int64_t) * (size_t)len[k]);
            else
                len[k] = -1;
        }
    }
    if (len[0] < 0 || len[1] != len[0])
        return op_fail(err, CLCNN_ERR_SHAPE, n, "starts and ends must be given with equal lengths");
    if ((len[2] >= 0 && len[2] != len[0]) || (len[3] >= 0 && len[3] != len[0]))
        return op_fail(err, CLCNN_ERR_SHAPE, n, "axes/steps length differs from starts");
    int seen[IR_MAX_DIMS] = {0};
    for (int d = 0; d < x->ndim; d++) {
        start[d] = 0;
        step[d] = 1;
        count[d] = x->dims[d];
    }
    for (int i = 0; i < len[0]; i++) {
        int ax;
        clcnn_status st = op_axis(n, len[2] >= 0 ? v[2][i] : i, x->ndim, "axis", &ax, err);
        if (st)
            return st;
        if (seen[ax])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "axis %d is sliced twice", ax);
        seen[ax] = 1;
        int64_t dim = x->dims[ax], s = v[0][i], e = v[1][i], k = len[3] >= 0 ? v[3][i] : 1;
        if (k == 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "step 0 on axis %d", ax);
        s = s < 0 ? s + dim : s; /* cannot overflow: s < 0 and dim >= 0 */
        e = e < 0 ? e + dim : e;
        if (k > 0) {
            s = s < 0 ? 0 : (s > dim ? dim : s);
            e = e < 0 ? 0 : (e > dim ? dim : e);
            count[ax] = e > s ? (e - s + k - 1) / k : 0;
        } else {
            s = s < 0 ? 0 : (s > dim - 1 ? dim - 1 : s);
            e = e < -1 ? -1 : (e > dim - 1 ? dim - 1 : e);
            count[ax] = s > e ? (s - e + (-k) - 1) / (-k) : 0;
        }
        start[ax] = s;
        step[ax] = k;
    }
    return CLCNN_OK;
}

static clcnn_status slice_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t s[IR_MAX_DIMS], k[IR_MAX_DIMS], c[IR_MAX_DIMS];
    if ((st = op_check_arity(n, 1, 5, 1, 1, err)) || (st = slice_params(g, n, s, k, c, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, x->dtype, x->ndim, c);
    return CLCNN_OK;
}

static clcnn_status gather_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int ax;
    if ((st = op_check_arity(n, 2, 2, 1, 1, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *idx = ir_in(g, n, 1);
    if (idx->dtype != IR_DT_INT64 && idx->dtype != IR_DT_INT32)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "indices '%s' must be int64 or int32", idx->name);
    if ((st = op_axis(n, ir_attr_int(n, "axis", 0), x->ndim, "axis", &ax, err)))
        return st;
    /* constant indices (the usual case) are checked at load, not first run */
    for (int64_t j = 0; idx->data && j < ir_numel(idx); j++) {
        int64_t k = idx->dtype == IR_DT_INT64 ? ((const int64_t *)idx->data)[j]
                                              : ((const int32_t *)idx->data)[j];
        if (k < -x->dims[ax] || k >= x->dims[ax])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "index %lld is out of range for axis size %lld",
                           (long long)k, (long long)x->dims[ax]);
    }
    int r = x->ndim - 1 + idx->ndim;
    if (r > IR_MAX_DIMS)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "output rank %d exceeds %d", r, IR_MAX_DIMS);
    int64_t dims[IR_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < ax; d++)
        dims[nd++] = x->dims[d];
    for (int d = 0; d < idx->ndim; d++)
        dims[nd++] = idx->dims[d];
    for (int d = ax + 1; d < x->ndim; d++)
        dims[nd++] = x->dims[d];
    op_set_out(g, n, 0, x->dtype, nd, dims);
    return CLCNN_OK;
}

/* GatherND (opset 11; batch_dims from 12): y[i..., :] = data[batch..., indices[i..., :], :].
 * Swin-V2 gathers its relative-position bias this way from constants, so it
 * folds at load; at run time gather.cl gathernd_words moves 4/8-byte elements. */
clcnn_status gathernd_geometry(const ir_graph *g, const ir_node *n, gathernd_geom *geo,
                               clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0), *ix = ir_in(g, n, 1);
    int64_t b = ir_attr_int(n, "batch_dims", 0);
    if (ix->dtype != IR_DT_INT64)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "indices '%s' must be int64", ix->name);
    if (b < 0 || b >= x->ndim || b >= ix->ndim)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "batch_dims %lld must be in [0, min(rank %d, %d))",
                       (long long)b, x->ndim, ix->ndim);
    geo->b = (int)b;
    int64_t k = ix->dims[ix->ndim - 1];
    if (k < 1 || k > x->ndim - b)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "indices' last dim %lld must be in [1, %lld]",
                       (long long)k, (long long)(x->ndim - b));
    geo->k = (int)k;
    geo->batch = geo->ntup = geo->slice = 1;
    for (int d = 0; d < geo->b; d++) {
        if (ix->dims[d] != x->dims[d])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "indices dim %d is %lld, data's is %lld "
                           "(the first batch_dims must match)", d, (long long)ix->dims[d],
                           (long long)x->dims[d]);
        geo->batch *= x->dims[d];
    }
    for (int d = geo->b; d < ix->ndim - 1; d++)
        geo->ntup *= ix->dims[d];
    for (int d = geo->b + geo->k; d < x->ndim; d++)
        geo->slice *= x->dims[d];
    return CLCNN_OK;
}

static clcnn_status gathernd_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    gathernd_geom geo;
    if ((st = op_check_arity(n, 2, 2, 1, 1, err)) || (st = gathernd_geometry(g, n, &geo, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *ix = ir_in(g, n, 1);
    /* constant indices (the usual case) are checked at load, not first run */
    for (int64_t j = 0; ix->data && j < ir_numel(ix); j++) {
        int64_t v = ((const int64_t *)ix->data)[j], len = x->dims[geo.b + j % geo.k];
        if (v < -len || v >= len)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "index %lld is out of range for dim size %lld",
                           (long long)v, (long long)len);
    }
    int r = ix->ndim - 1 + x->ndim - geo.b - geo.k;
    if (r > IR_MAX_DIMS)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "output rank %d exceeds %d", r, IR_MAX_DIMS);
    int64_t dims[IR_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < ix->ndim - 1; d++)
        dims[nd++] = ix->dims[d];
    for (int d = geo.b + geo.k; d < x->ndim; d++)
        dims[nd++] = x->dims[d];
    op_set_out(g, n, 0, x->dtype, nd, dims);
    return CLCNN_OK;
}

clcnn_status pad_params(const ir_graph *g, const ir_node *n, int64_t *pads, pad_mode *mode,
                        double *value, int *value_runtime, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    int r = x->ndim, len, nax;
    int64_t raw[2 * IR_MAX_DIMS], axes[IR_MAX_DIMS];
    const char *m = op_attr_str(n, "mode", "constant");
    if (!strcmp(m, "constant"))
        *mode = PAD_CONSTANT;
    else if (!strcmp(m, "reflect"))
        *mode = PAD_REFLECT;
    else if (!strcmp(m, "edge"))
        *mode = PAD_EDGE;
    else
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "mode '%s' is not supported", m);
    clcnn_status st = op_const_ints(g, n, 1, raw, 2 * IR_MAX_DIMS, &len, err);
    if (st || (st = op_const_ints(g, n, 3, axes, IR_MAX_DIMS, &nax, err)))
        return st;
    if (len < 0) { /* opset < 11: pads and value are attributes */
        const int64_t *a = ir_attr_ints(n, "pads", &len);
        if (!a || len > 2 * IR_MAX_DIMS)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "needs pads");
        memcpy(raw, a, sizeof(int64_t) * (size_t)len);
    }
    *value = ir_attr_float(n, "value", 0.0f);
    const ir_tensor *cv = ir_in(g, n, 2);
    *value_runtime = 0;
    if (cv) {
        if (ir_numel(cv) != 1)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "constant_value '%s' must be one element", cv->name);
        if (cv->data) {
            *value = elem_get_f(cv->data, cv->dtype, 0); /* any dtype (integer Pad, shape group) */
        } else if (cv->dtype != x->dtype) { /* copied as x's element from its buffer */
            return op_fail(err, CLCNN_ERR_SHAPE, n, "constant_value '%s' has dtype %s, x has %s",
                           cv->name, ir_dtype_name(cv->dtype), ir_dtype_name(x->dtype));
        } else {
            *value_runtime = 1;
        }
    }
    if (nax < 0) { /* no axes input: every dim, in order */
        nax = r;
        for (int d = 0; d < r; d++)
            axes[d] = d;
    }
    if (len != 2 * nax)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "pads has %d values, expected %d", len, 2 * nax);
    for (int d = 0; d < 2 * r; d++)
        pads[d] = 0;
    for (int i = 0; i < nax; i++) {
        int ax;
        if ((st = op_axis(n, axes[i], r, "axis", &ax, err)))
            return st;
        pads[ax] = raw[i];
        pads[ax + r] = raw[i + nax];
    }
    for (int d = 0; d < r; d++) {
        if (x->dims[d] + pads[d] + pads[d + r] < 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "pads crop dim %d below zero", d);
        if (*mode != PAD_CONSTANT && (pads[d] || pads[d + r]) && x->dims[d] == 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "cannot %s-pad an empty dim %d", m, d);
        if (*mode == PAD_REFLECT && (pads[d] >= x->dims[d] || pads[d + r] >= x->dims[d]) &&
            (pads[d] > 0 || pads[d + r] > 0))
            return op_fail(err, CLCNN_ERR_SHAPE, n, "reflect pads on dim %d must be < its size %lld",
                           d, (long long)x->dims[d]);
    }
    return CLCNN_OK;
}

static clcnn_status pad_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t pads[2 * IR_MAX_DIMS], dims[IR_MAX_DIMS];
    pad_mode mode;
    double v;
    int v_rt;
    if ((st = op_check_arity(n, 1, 4, 1, 1, err)) || (st = pad_params(g, n, pads, &mode, &v, &v_rt, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    for (int d = 0; d < x->ndim; d++)
        dims[d] = x->dims[d] + pads[d] + pads[d + x->ndim];
    op_set_out(g, n, 0, x->dtype, x->ndim, dims);
    return CLCNN_OK;
}

const op_def op_def_TRANSPOSE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"perm", OP_A_INTS}),
    .infer = transpose_infer, .ref = transpose_ref,
    .cl = OP_CL_KERNEL,
};

/* Concat-1 (opsets < 4) made axis optional (default 1): refused without it by concat_infer. */
const op_def op_def_CONCAT = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}),
    .infer = concat_infer, .ref = concat_ref,
    .cl = OP_CL_KERNEL,
};

/* split as attribute (1..11) or input (13+), num_outputs (18+) */
const op_def op_def_SPLIT = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}, {"split", OP_A_INTS}, {"num_outputs", OP_A_INT}),
    .infer = split_infer, .ref = split_ref,
    .cl = OP_CL_KERNEL,
};

/* attributes (1..9) or inputs (10+) */
const op_def op_def_SLICE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axes", OP_A_INTS}, {"ends", OP_A_INTS}, {"starts", OP_A_INTS}),
    .infer = slice_infer, .ref = slice_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_GATHER = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"axis", OP_A_INT}),
    .infer = gather_infer, .ref = gather_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_GATHERND = {
    .opset_min = 11, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"batch_dims", OP_A_INT}),
    .infer = gathernd_infer, .ref = gathernd_ref,
    .cl = OP_CL_KERNEL,
};

/* Pad-1's paddings attribute is not read; Pad-2 attributes, Pad-11+ inputs, Pad-18 axes;
 * mode wrap (Pad-19) is refused by pad_params. */
const op_def op_def_PAD = {
    .opset_min = 2, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"mode", OP_A_STRING}, {"pads", OP_A_INTS}, {"value", OP_A_FLOAT}),
    .infer = pad_infer, .ref = pad_ref,
    .cl = OP_CL_KERNEL,
};
