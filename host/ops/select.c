/* select.c — ops that pick or repeat elements without arithmetic, on any
 * dtype: Where (condition ? X : Y, three-way numpy broadcasting), Expand
 * (broadcast X to a shape given as a constant int64 input) and Tile (repeat X
 * `repeats[d]` times along each dim; repeats a constant input); ScatterND and
 * Trilu (the masks that use them usually fold at load). The shape-
 * deciding inputs must be constants. OpenCL: select_cl.c (elements moved as
 * 1/2/4/8-byte words, so every dtype). No MACs. Reference: select_ref.c. */
#include <string.h>

#include "elem.h"
#include "ops_impl.h"

static clcnn_status where_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 3, 3, 1, 1, err);
    if (st)
        return st;
    const ir_tensor *c = ir_in(g, n, 0), *x = ir_in(g, n, 1), *y = ir_in(g, n, 2);
    if (c->dtype != IR_DT_BOOL)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "condition '%s' is %s, not bool", c->name,
                       ir_dtype_name(c->dtype));
    if (x->dtype != y->dtype)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "inputs '%s' and '%s' have different dtypes %s and %s",
                       x->name, y->name, ir_dtype_name(x->dtype), ir_dtype_name(y->dtype));
    if (!ir_dtype_size(x->dtype))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "dtype %s is not supported", ir_dtype_name(x->dtype));
    ir_tensor xy = *x; /* the X-Y broadcast, then with the condition */
    if ((st = op_broadcast(n, x, y, &xy.ndim, xy.dims, err)))
        return st;
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, c, &xy, &nd, dims, err)))
        return st;
    op_set_out(g, n, 0, x->dtype, nd, dims);
    return CLCNN_OK;
}

static clcnn_status expand_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    ir_tensor s = {0};
    if ((st = op_check_arity(n, 2, 2, 1, 1, err)) ||
        (st = op_const_ints(g, n, 1, s.dims, IR_MAX_DIMS, &s.ndim, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    s.name = ir_in(g, n, 1)->name;
    for (int d = 0; d < s.ndim; d++)
        if (s.dims[d] < 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "shape[%d] = %lld is negative", d,
                           (long long)s.dims[d]);
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, x, &s, &nd, dims, err)))
        return st;
    op_set_out(g, n, 0, x->dtype, nd, dims);
    return CLCNN_OK;
}

/* Tile's repeats, one per dim of X, each >= 0. */
clcnn_status tile_repeats(const ir_graph *g, const ir_node *n, int64_t *rep, clcnn_err *err)
{
    int len;
    clcnn_status st = op_const_ints(g, n, 1, rep, IR_MAX_DIMS, &len, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (len != x->ndim)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "repeats has %d values for rank %d", len, x->ndim);
    for (int d = 0; d < len; d++)
        if (rep[d] < 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "repeats[%d] = %lld is negative", d,
                           (long long)rep[d]);
    return CLCNN_OK;
}

static clcnn_status tile_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int64_t rep[IR_MAX_DIMS], dims[IR_MAX_DIMS];
    clcnn_status st;
    if ((st = op_check_arity(n, 2, 2, 1, 1, err)) || (st = tile_repeats(g, n, rep, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    for (int d = 0; d < x->ndim; d++) {
        if (rep[d] && x->dims[d] > IR_MAX_ELEMS / rep[d])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "dim %d x %lld repeats is too large", d,
                           (long long)rep[d]);
        dims[d] = x->dims[d] * rep[d];
    }
    op_set_out(g, n, 0, x->dtype, x->ndim, dims);
    return CLCNN_OK;
}

const op_def op_def_WHERE = {.infer = where_infer, .ref = where_ref, .opset_min = 9,
                             .opset_max = OP_OPSET_LATEST, .attrs = OP_NO_ATTRS,
                             .cl = OP_CL_KERNEL};
const op_def op_def_EXPAND = {.infer = expand_infer, .ref = expand_ref, .opset_min = 8,
                              .opset_max = OP_OPSET_LATEST, .attrs = OP_NO_ATTRS,
                              .cl = OP_CL_KERNEL};
/* Tile-1 took (tiles, axis) inputs; from 6 on it is (input, repeats). */
const op_def op_def_TILE = {.infer = tile_infer, .ref = tile_ref, .opset_min = 6,
                            .opset_max = OP_OPSET_LATEST, .attrs = OP_NO_ATTRS,
                            .cl = OP_CL_KERNEL};

/* ScatterND: y = data with updates written (or combined by `reduction`) at
 * the index tuples of indices[..., k]. Swin's attention mask builds it from
 * constants, so it usually folds at load; select.cl runs it otherwise. */
clcnn_status scatternd_geometry(const ir_graph *g, const ir_node *n, int *k, int64_t *slice,
                                int *red, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0), *ix = ir_in(g, n, 1), *u = ir_in(g, n, 2);
    const char *r = op_attr_str(n, "reduction", "none");
    static const char *const names[] = {"none", "add", "mul", "max", "min"};
    *red = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(r, names[i]) == 0)
            *red = i;
    if (*red < 0)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute 'reduction' = '%s' is not supported", r);
    if (*red > 0 && !elem_is_numeric(x->dtype))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "reduction '%s' on %s data", r, ir_dtype_name(x->dtype));
    if (ix->dtype != IR_DT_INT64)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "indices '%s' must be int64", ix->name);
    if (u->dtype != x->dtype)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "updates '%s' has dtype %s, data %s", u->name,
                       ir_dtype_name(u->dtype), ir_dtype_name(x->dtype));
    if (ix->ndim < 1 || (*k = (int)ix->dims[ix->ndim - 1]) > x->ndim || *k < 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "indices' last dim must be in [1, rank %d]", x->ndim);
    /* updates = indices.shape[:-1] + data.shape[k:] */
    int ok = u->ndim == ix->ndim - 1 + x->ndim - *k;
    for (int d = 0; ok && d < ix->ndim - 1; d++)
        ok = u->dims[d] == ix->dims[d];
    for (int d = *k; ok && d < x->ndim; d++)
        ok = u->dims[ix->ndim - 1 + d - *k] == x->dims[d];
    if (!ok)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "updates '%s' does not have shape indices[:-1] + "
                       "data[%d:]", u->name, *k);
    *slice = 1;
    for (int d = *k; d < x->ndim; d++)
        *slice *= x->dims[d];
    return CLCNN_OK;
}

static clcnn_status scatternd_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int k, red;
    int64_t slice;
    clcnn_status st;
    if ((st = op_check_arity(n, 3, 3, 1, 1, err)) ||
        (st = scatternd_geometry(g, n, &k, &slice, &red, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, x->dtype, x->ndim, x->dims);
    return CLCNN_OK;
}

/* reduction: 16 (add, mul), 18 (max, min); refused values are named by the shape rule */
const op_def op_def_SCATTERND = {.infer = scatternd_infer, .ref = scatternd_ref, .opset_min = 11,
                                 .opset_max = OP_OPSET_LATEST,
                                 .attrs = OP_ATTRS({"reduction", OP_A_STRING}),
                                 .cl = OP_CL_KERNEL};

/* Trilu: keeps the upper (upper=1) or lower triangle of the last two dims,
 * shifted by the optional constant k; zeros elsewhere (select.cl trilu_mask). */
clcnn_status trilu_k(const ir_graph *g, const ir_node *n, int64_t *k, clcnn_err *err)
{
    int len;
    int64_t v[1] = {0};
    clcnn_status st = op_const_ints(g, n, 1, v, 1, &len, err);
    if (st)
        return st;
    if (len == 0)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "k must be a scalar");
    *k = len < 0 ? 0 : v[0];
    return CLCNN_OK;
}

static clcnn_status trilu_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int64_t k;
    clcnn_status st;
    if ((st = op_check_arity(n, 1, 2, 1, 1, err)) || (st = trilu_k(g, n, &k, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (x->ndim < 2)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' has rank %d, needs 2 or more", x->name,
                       x->ndim);
    op_set_out(g, n, 0, x->dtype, x->ndim, x->dims);
    return CLCNN_OK;
}

const op_def op_def_TRILU = {.infer = trilu_infer, .ref = trilu_ref, .opset_min = 14,
                             .opset_max = OP_OPSET_LATEST, .attrs = OP_ATTRS({"upper", OP_A_INT}),
                             .cl = OP_CL_KERNEL};
