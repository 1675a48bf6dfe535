/* conv_transpose.c — ConvTranspose, 1-D to 3-D (N,C,[D,][H,]W input;
 * C, M/group, k... weight; optional bias of M): groups, strides, dilations,
 * pads, output_padding, output_shape and auto_pad (computed padding puts the
 * odd pixel at the end for SAME_UPPER, at the beginning otherwise). A
 * 1-D one is held as 2-D with height 1, a 1-D or 2-D one has depth 1 (op_win's
 * layout). Reference: conv_transpose_ref.c. */
#include <string.h>

#include "ops_impl.h"

/* attribute name of nsp ints, def when absent; values below min refused */
static clcnn_status spatial_attr(const ir_node *n, const char *name, int nsp, int64_t def,
                                 int64_t min, int64_t *v, clcnn_err *err)
{
    int len;
    const int64_t *a = ir_attr_ints(n, name, &len);
    for (int i = 0; i < nsp; i++)
        v[i] = def;
    if (!a)
        return CLCNN_OK;
    if (len != nsp)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute %s has %d values, expected %d", name, len, nsp);
    for (int i = 0; i < nsp; i++) {
        if (a[i] < min || a[i] > IR_MAX_ELEMS)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute %s[%d] = %lld is below %lld or absurd",
                           name, i, (long long)a[i], (long long)min);
        v[i] = a[i];
    }
    return CLCNN_OK;
}

/* Reads the group, checks the weight and bias against the input. */
static clcnn_status check_weights(const ir_graph *g, const ir_node *n, int nsp, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0), *wt = ir_in(g, n, 1), *b = ir_in(g, n, 2);
    const int64_t group = ir_attr_int(n, "group", 1);
    if (wt->ndim != x->ndim)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "weight '%s' has rank %d, input rank %d", wt->name,
                       wt->ndim, x->ndim);
    if (group < 1 || x->dims[1] % group || wt->dims[0] != x->dims[1])
        return op_fail(err, CLCNN_ERR_SHAPE, n, "weight '%s' has %lld input channels for %lld "
                       "(group %lld)", wt->name, (long long)wt->dims[0], (long long)x->dims[1],
                       (long long)group);
    if (wt->dims[1] < 1 || wt->dims[1] * group > IR_MAX_ELEMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "weight '%s' has %lld output channels per group",
                       wt->name, (long long)wt->dims[1]);
    if (b && (b->ndim != 1 || b->dims[0] != wt->dims[1] * group))
        return op_fail(err, CLCNN_ERR_SHAPE, n, "bias '%s' must have %lld values", b->name,
                       (long long)(wt->dims[1] * group));
    int klen;
    const int64_t *ks = ir_attr_ints(n, "kernel_shape", &klen);
    for (int i = 0; ks && i < nsp; i++)
        if (klen != nsp || ks[i] != wt->dims[2 + i])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "kernel_shape does not match weight '%s'", wt->name);
    return CLCNN_OK;
}

/* One spatial dim: out, pad_begin, pad_end from in, k, s, d, output_padding. */
static clcnn_status convt_dim(const ir_node *n, const char *ap, const int64_t *pads, int nsp,
                              int i, int64_t in, int64_t op, int64_t want, op_win *w, int j,
                              clcnn_err *err)
{
    const int64_t full = (in - 1) * w->stride[j] + op + (w->k[j] - 1) * w->dil[j] + 1;
    const int same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    if (want >= 0 || same) {
        const int64_t out = want >= 0 ? want : in * w->stride[j];
        const int64_t total = full - out > 0 ? full - out : 0;
        const int less_first = !strcmp(ap, "SAME_UPPER"); /* the odd pixel at the end */
        w->pad_begin[j] = less_first ? total / 2 : total - total / 2;
        w->pad_end[j] = total - w->pad_begin[j];
        w->out[j] = out;
    } else {
        if (pads && !strcmp(ap, "NOTSET")) {
            w->pad_begin[j] = pads[i], w->pad_end[j] = pads[i + nsp];
            if (pads[i] < 0 || pads[i + nsp] < 0 || pads[i] > IR_MAX_ELEMS || pads[i + nsp] > IR_MAX_ELEMS)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "pads must be non-negative and sane");
        } else if (strcmp(ap, "NOTSET") && strcmp(ap, "VALID")) {
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "auto_pad '%s' is not supported", ap);
        }
        w->out[j] = full - w->pad_begin[j] - w->pad_end[j];
    }
    if (w->out[j] < 1 || w->out[j] > IR_MAX_ELEMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "output size %lld on spatial dim %d is not positive "
                       "or absurd", (long long)w->out[j], i);
    return CLCNN_OK;
}

clcnn_status convt_geometry(const ir_graph *g, const ir_node *n, op_win *w, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0), *wt = ir_in(g, n, 1);
    if (x->ndim < 3 || x->ndim > 5)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "only 1-D, 2-D and 3-D ConvTranspose (rank 3, "
                       "4 or 5 input) are supported, got rank %d", x->ndim);
    const int nsp = x->ndim - 2;
    clcnn_status st = check_weights(g, n, nsp, err);
    if (st)
        return st;
    int64_t s[3], d[3], op[3], want[3] = {-1, -1, -1};
    if ((st = spatial_attr(n, "strides", nsp, 1, 1, s, err)) ||
        (st = spatial_attr(n, "dilations", nsp, 1, 1, d, err)) ||
        (st = spatial_attr(n, "output_padding", nsp, 0, 0, op, err)))
        return st;
    int len, npads;
    const int64_t *os = ir_attr_ints(n, "output_shape", &len);
    if (os && len != nsp)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute output_shape has %d values", len);
    const int64_t *pads = ir_attr_ints(n, "pads", &npads);
    if (pads && npads != 2 * nsp)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute pads has %d values, expected %d", npads,
                       2 * nsp);
    const char *ap = op_attr_str(n, "auto_pad", "NOTSET");
    memset(w, 0, sizeof *w);
    for (int j = 0; j < 3; j++) /* the dims the op lacks: size 1, no pads */
        w->k[j] = w->stride[j] = w->dil[j] = w->out[j] = 1;
    for (int i = 0; i < nsp; i++) {
        /* op_win index: 3-D puts spatial dim 0 at OP_WIN_D; 1-D is width only */
        const int j = nsp == 3 ? (i == 0 ? OP_WIN_D : i - 1) : i + 2 - nsp;
        w->k[j] = wt->dims[2 + i], w->stride[j] = s[i], w->dil[j] = d[i];
        if (op[i] >= s[i] && op[i] >= d[i])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "output_padding[%d] = %lld must be below the "
                           "stride or the dilation", i, (long long)op[i]);
        if (os)
            want[i] = os[i];
        if ((st = convt_dim(n, ap, pads, nsp, i, x->dims[2 + i], op[i], want[i], w, j, err)))
            return st;
    }
    return CLCNN_OK;
}

static clcnn_status convt_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    op_win w;
    if ((st = op_check_arity(n, 2, 3, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = op_need_float(g, n, 1, err)) || (st = op_need_float(g, n, 2, err)) ||
        (st = convt_geometry(g, n, &w, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *wt = ir_in(g, n, 1);
    const int64_t m = wt->dims[1] * ir_attr_int(n, "group", 1);
    /* N, M, then the output dims in ONNX order: [D,] [H,] W */
    int64_t dims[5] = {x->dims[0], m, w.out[OP_WIN_D], w.out[0], w.out[1]};
    if (x->ndim == 4)
        dims[2] = w.out[0], dims[3] = w.out[1];
    else if (x->ndim == 3)
        dims[2] = w.out[1];
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, dims);
    return CLCNN_OK;
}

/* Every input pixel meets every weight of its group: N*C*H*W*(M/group)*k. */
static int64_t convt_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *x = ir_in(g, n, 0), *wt = ir_in(g, n, 1);
    if (!x || !wt || x->ndim < 3 || wt->ndim != x->ndim || !wt->dims[0])
        return 0;
    return ir_numel(x) * (ir_numel(wt) / wt->dims[0]);
}

const op_def op_def_CONVTRANSPOSE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"auto_pad", OP_A_STRING}, {"dilations", OP_A_INTS}, {"group", OP_A_INT},
                      {"kernel_shape", OP_A_INTS}, {"output_padding", OP_A_INTS},
                      {"output_shape", OP_A_INTS}, {"pads", OP_A_INTS}, {"strides", OP_A_INTS}),
    .infer = convt_infer, .ref = conv_transpose_ref, .macs = convt_macs,
    .cl = OP_CL_KERNEL,
};
