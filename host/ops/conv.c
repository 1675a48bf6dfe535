/* conv.c — Conv: attribute checks, shape rule and MAC count (2-D: N,C,H,W
 * input, M,C/group,kh,kw weight, optional bias of M; 1-D: N,C,W and M,C/group,kw,
 * held as 2-D with height 1; 3-D: N,C,D,H,W and M,C/group,kd,kh,kw). group covers ordinary, grouped and depthwise
 * convolution. The reference is conv_ref.c. */
#include "ops_impl.h"

clcnn_status conv_geometry(const ir_graph *g, const ir_node *n, op_win *w, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0), *wt = ir_in(g, n, 1), *b = ir_in(g, n, 2);
    if (x->ndim < 3 || x->ndim > 5 || wt->ndim != x->ndim)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "only 1-D, 2-D and 3-D convolution (rank-3, -4 "
                       "or -5 input and weight of the same rank) are supported, got ranks %d and %d",
                       x->ndim, wt->ndim);
    const int nsp = x->ndim - 2;
    int64_t group = ir_attr_int(n, "group", 1);
    int64_t cin = x->dims[1], m = wt->dims[0];
    if (group < 1 || m % group)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "group %lld does not divide output channels %lld",
                       (long long)group, (long long)m);
    if (wt->dims[1] < 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "weight '%s' has no input channels", wt->name);
    if (cin != wt->dims[1] * group)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input channels %lld != weight channels*group %lld",
                       (long long)cin, (long long)(wt->dims[1] * group));
    if (b && (b->ndim != 1 || b->dims[0] != m))
        return op_fail(err, CLCNN_ERR_SHAPE, n, "bias '%s' must have %lld values", b->name, (long long)m);
    int klen;
    const int64_t *ks = ir_attr_ints(n, "kernel_shape", &klen);
    for (int i = 0; ks && i < nsp; i++)
        if (klen != nsp || ks[i] != wt->dims[2 + i])
            return op_fail(err, CLCNN_ERR_SHAPE, n, "kernel_shape does not match weight '%s'", wt->name);
    return op_window(n, nsp, &x->dims[2], &wt->dims[2], 0, w, err);
}

static clcnn_status conv_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    op_win w;
    if ((st = op_check_arity(n, 2, 3, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = op_need_float(g, n, 1, err)) || (st = op_need_float(g, n, 2, err)) ||
        (st = conv_geometry(g, n, &w, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *wt = ir_in(g, n, 1);
    /* N, M, then the output dims in ONNX order: [D,] [H,] W */
    int64_t dims[5] = {x->dims[0], wt->dims[0], w.out[OP_WIN_D], w.out[0], w.out[1]};
    if (x->ndim == 4)
        dims[2] = w.out[0], dims[3] = w.out[1];
    else if (x->ndim == 3)
        dims[2] = w.out[1];
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, dims);
    return CLCNN_OK;
}

/* N*Cout*Ho*Wo*(Cin/group)*kh*kw: weight dims[1] already is Cin/group. */
static int64_t conv_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *y = ir_out(g, n, 0), *wt = ir_in(g, n, 1);
    if (!y || !wt || y->ndim < 3 || wt->ndim != y->ndim || !wt->dims[0])
        return 0;
    return ir_numel(y) * (ir_numel(wt) / wt->dims[0]);
}

/* Conv-1/11/22 differ only in types and auto_pad wording. */
const op_def op_def_CONV = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"auto_pad", OP_A_STRING}, {"dilations", OP_A_INTS}, {"group", OP_A_INT}, {"kernel_shape", OP_A_INTS}, {"pads", OP_A_INTS}, {"strides", OP_A_INTS}),
    .infer = conv_infer, .ref = conv_ref, .macs = conv_macs,
    .cl = OP_CL_KERNEL,
};
