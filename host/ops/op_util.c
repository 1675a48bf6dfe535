/* op_util.c — shared plumbing for the op families: node-naming errors, arity,
 * constant-input readers, axes and broadcasting. See op_util.h. */
#include "op_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

clcnn_status op_fail(clcnn_err *err, clcnn_status st, const ir_node *n, const char *fmt, ...)
{
    char msg[CLCNN_ERR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *op = ir_op_name(n->op);
    return err_set(err, st, "node '%s' (%s): %s", n->name, op ? op : "?", msg);
}

clcnn_status op_check_arity(const ir_node *n, int min_in, int max_in, int min_out, int max_out,
                            clcnn_err *err)
{
    if (n->n_in < min_in || n->n_in > max_in)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "has %d inputs, expected %d..%d", n->n_in,
                       min_in, max_in);
    if (n->n_out < min_out || n->n_out > max_out)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "has %d outputs, expected %d..%d", n->n_out,
                       min_out, max_out);
    for (int k = 0; k < min_in; k++)
        if (n->in[k] < 0)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "required input %d is missing", k);
    for (int k = 0; k < min_out; k++)
        if (n->out[k] < 0)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "required output %d is missing", k);
    return CLCNN_OK;
}

clcnn_status op_need_float(const ir_graph *g, const ir_node *n, int k, clcnn_err *err)
{
    const ir_tensor *t = ir_in(g, n, k);
    if (t && t->dtype != IR_DT_FLOAT)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "input '%s' has dtype %s, only float32 is supported",
                       t->name, ir_dtype_name(t->dtype));
    return CLCNN_OK;
}

clcnn_status op_const_ints(const ir_graph *g, const ir_node *n, int k, int64_t *out, int cap,
                           int *len, clcnn_err *err)
{
    const ir_tensor *t = ir_in(g, n, k);
    *len = -1;
    if (!t)
        return CLCNN_OK;
    if (!t->data)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "input '%s' decides the output shape but is not a constant", t->name);
    if (t->dtype != IR_DT_INT64 && t->dtype != IR_DT_INT32)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "input '%s' must be int64 or int32, not %s",
                       t->name, ir_dtype_name(t->dtype));
    int64_t cnt = ir_numel(t);
    if (cnt < 0 || cnt > cap)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' has %lld values, at most %d allowed",
                       t->name, (long long)cnt, cap);
    for (int64_t i = 0; i < cnt; i++)
        out[i] = t->dtype == IR_DT_INT64 ? ((const int64_t *)t->data)[i]
                                         : ((const int32_t *)t->data)[i];
    *len = (int)cnt;
    return CLCNN_OK;
}

clcnn_status op_axis(const ir_node *n, int64_t axis, int rank, const char *what, int *out,
                     clcnn_err *err)
{
    if (axis < -rank || axis >= rank)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "%s %lld is out of range for rank %d", what,
                       (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return CLCNN_OK;
}

void op_set_out(ir_graph *g, const ir_node *n, int k, int dtype, int ndim, const int64_t *dims)
{
    ir_tensor *t = ir_out(g, n, k);
    if (!t)
        return;
    t->dtype = dtype;
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        t->dims[d] = dims[d];
}

clcnn_status op_broadcast(const ir_node *n, const ir_tensor *a, const ir_tensor *b, int *ndim,
                          int64_t *dims, clcnn_err *err)
{
    int r = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int d = 0; d < r; d++) {
        /* align from the right: missing leading dims count as 1 */
        int da = d - (r - a->ndim), db = d - (r - b->ndim);
        int64_t x = da >= 0 ? a->dims[da] : 1, y = db >= 0 ? b->dims[db] : 1;
        if (x != y && x != 1 && y != 1) {
            char sa[96], sb[96];
            return op_fail(err, CLCNN_ERR_SHAPE, n, "shapes %s ('%s') and %s ('%s') do not broadcast",
                           ir_shape_str(a, sa, sizeof sa), a->name, ir_shape_str(b, sb, sizeof sb),
                           b->name);
        }
        dims[d] = x == 1 ? y : x;
    }
    *ndim = r;
    return CLCNN_OK;
}

void op_strides(int ndim, const int64_t *dims, int64_t *strides)
{
    int64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        strides[d] = s;
        s *= dims[d];
    }
}

void op_bcast_strides(const ir_tensor *t, int ndim, const int64_t *out_dims, int64_t *strides)
{
    int64_t own[IR_MAX_DIMS];
    op_strides(t->ndim, t->dims, own);
    for (int d = 0; d < ndim; d++) {
        int dt = d - (ndim - t->ndim);
        strides[d] = (dt < 0 || t->dims[dt] == 1) ? 0 : own[dt];
    }
}

const char *op_attr_str(const ir_node *n, const char *name, const char *def)
{
    const ir_attr *a = ir_attr_find(n, name);
    return (a && a->type == IR_ATTR_STRING && a->s) ? a->s : def;
}

/* Window index (0 height, 1 width, OP_WIN_D depth) of ONNX spatial dim i of nsp. */
static int win_index(int nsp, int i)
{
    if (nsp == 3)
        return i == 0 ? OP_WIN_D : i - 1;
    return i + 2 - nsp;
}

/* Reads nsp (1..3) values of attribute name into v[win_index(nsp, i)]; the
 * window dims the op lacks stay def. */
static clcnn_status attr_win(const ir_node *n, const char *name, int nsp, int64_t def, int64_t min,
                             int64_t *v, clcnn_err *err)
{
    int len;
    const int64_t *a = ir_attr_ints(n, name, &len);
    v[0] = v[1] = v[2] = def;
    if (!a)
        return CLCNN_OK;
    if (len != nsp)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute %s has %d values, expected %d", name,
                       len, nsp);
    for (int i = 0; i < nsp; i++) {
        if (a[i] < min)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute %s[%d] = %lld is below %lld", name, i,
                           (long long)a[i], (long long)min);
        if (a[i] > IR_MAX_ELEMS) /* keeps the window arithmetic below in int64 */
            return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute %s[%d] = %lld is absurd", name, i,
                           (long long)a[i]);
        v[win_index(nsp, i)] = a[i];
    }
    return CLCNN_OK;
}

clcnn_status op_window(const ir_node *n, int nsp, const int64_t *in_sp, const int64_t *k_sp,
                       int allow_ceil, op_win *w, clcnn_err *err)
{
    clcnn_status st;
    memset(w, 0, sizeof *w);
    if (nsp < 1 || nsp > 3)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "only 1-D, 2-D and 3-D windows are supported, "
                       "got %d-D", nsp);
    /* the dims the op lacks: size 1, kernel 1, no pads */
    int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, pads[6] = {0};
    int npads;
    const int64_t *pads_sp = ir_attr_ints(n, "pads", &npads);
    if (pads_sp && npads != 2 * nsp)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute pads has %d values, expected %d",
                       npads, 2 * nsp);
    for (int i = 0; i < nsp; i++) {
        const int j = win_index(nsp, i);
        in[j] = in_sp[i], k[j] = k_sp[i];
        if (pads_sp)
            pads[j] = pads_sp[i], pads[j + 3] = pads_sp[i + nsp];
    }
    if ((st = attr_win(n, "strides", nsp, 1, 1, w->stride, err)) ||
        (st = attr_win(n, "dilations", nsp, 1, 1, w->dil, err)))
        return st;
    int ceil_mode = allow_ceil ? (int)ir_attr_int(n, "ceil_mode", 0) : 0;
    const char *ap = op_attr_str(n, "auto_pad", "NOTSET");
    for (int i = 0; i < 3; i++) {
        w->k[i] = k[i];
        if (k[i] < 1 || k[i] > IR_MAX_ELEMS)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "kernel size %lld is not positive or absurd",
                           (long long)k[i]);
        int64_t ext = (k[i] - 1) * w->dil[i] + 1; /* dilated kernel extent */
        if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
            w->out[i] = (in[i] + w->stride[i] - 1) / w->stride[i];
            int64_t total = (w->out[i] - 1) * w->stride[i] + ext - in[i];
            if (total < 0)
                total = 0;
            /* SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning */
            w->pad_begin[i] = !strcmp(ap, "SAME_UPPER") ? total / 2 : total - total / 2;
            w->pad_end[i] = total - w->pad_begin[i];
            continue;
        }
        if (!strcmp(ap, "NOTSET") && pads_sp) {
            w->pad_begin[i] = pads[i];
            w->pad_end[i] = pads[i + 3];
            if (pads[i] < 0 || pads[i + 3] < 0)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "negative pads are not allowed");
            if (pads[i] > IR_MAX_ELEMS || pads[i + 3] > IR_MAX_ELEMS)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "pads of %lld are absurd",
                               (long long)(pads[i] > pads[i + 3] ? pads[i] : pads[i + 3]));
        } else if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID")) {
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "auto_pad '%s' is not supported", ap);
        }
        int64_t span = in[i] + w->pad_begin[i] + w->pad_end[i] - ext;
        if (span < 0)
            return op_fail(err, CLCNN_ERR_SHAPE, n,
                           "kernel extent %lld exceeds padded input size %lld", (long long)ext,
                           (long long)(in[i] + w->pad_begin[i] + w->pad_end[i]));
        w->out[i] = ceil_mode ? (span + w->stride[i] - 1) / w->stride[i] + 1 : span / w->stride[i] + 1;
        /* ceil mode: the last window must start inside the input or left pad */
        if (ceil_mode && (w->out[i] - 1) * w->stride[i] >= in[i] + w->pad_begin[i])
            w->out[i]--;
    }
    return CLCNN_OK;
}
