/* pool.c — MaxPool, AveragePool (1-D, 2-D and 3-D; a 1-D one held as 2-D
 * with height 1, a 1-D or 2-D one as 3-D with depth 1: kernel_shape, strides, pads, auto_pad, ceil_mode, dilations,
 * count_include_pad; MaxPool's Indices output, storage_order) and GlobalAveragePool /
 * GlobalMaxPool (any rank >= 3). Shape rules only; MACs counted as 0 (no
 * multiplies; pools are memory-bound). Reference: pool_ref.c. */
#include "ops_impl.h"

clcnn_status pool_geometry(const ir_graph *g, const ir_node *n, op_win *w, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    int klen;
    const int64_t *ks = ir_attr_ints(n, "kernel_shape", &klen);
    if (x->ndim < 3 || x->ndim > 5)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "only 1-D, 2-D and 3-D pooling (rank-3, -4 or "
                       "-5 input) are supported, got rank %d", x->ndim);
    const int nsp = x->ndim - 2;
    if (!ks || klen != nsp)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute kernel_shape must hold %d values", nsp);
    const int64_t so = ir_attr_int(n, "storage_order", 0);
    if (so != 0 && so != 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute storage_order = %lld is not 0 or 1",
                       (long long)so);
    return op_window(n, nsp, &x->dims[2], ks, 1, w, err);
}

static clcnn_status pool_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    op_win w;
    const int max_out = n->op == IR_OP_MAXPOOL ? 2 : 1; /* MaxPool's Indices */
    if ((st = op_check_arity(n, 1, 1, 1, max_out, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = pool_geometry(g, n, &w, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    /* N, C, then the output dims in ONNX order: [D,] [H,] W */
    int64_t dims[5] = {x->dims[0], x->dims[1], w.out[OP_WIN_D], w.out[0], w.out[1]};
    if (x->ndim == 4)
        dims[2] = w.out[0], dims[3] = w.out[1];
    else if (x->ndim == 3)
        dims[2] = w.out[1];
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, dims);
    if (n->n_out > 1 && n->out[1] >= 0)
        op_set_out(g, n, 1, IR_DT_INT64, x->ndim, dims);
    return CLCNN_OK;
}

static clcnn_status global_pool_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = op_need_float(g, n, 0, err)))
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    if (x->ndim < 3)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' needs rank >= 3, has %d", x->name, x->ndim);
    int64_t dims[IR_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++)
        dims[d] = d < 2 ? x->dims[d] : 1;
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, dims);
    return CLCNN_OK;
}

const op_def op_def_MAXPOOL = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"auto_pad", OP_A_STRING}, {"ceil_mode", OP_A_INT}, {"dilations", OP_A_INTS}, {"kernel_shape", OP_A_INTS}, {"pads", OP_A_INTS}, {"storage_order", OP_A_INT}, {"strides", OP_A_INTS}),
    .infer = pool_infer, .ref = pool_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_AVGPOOL = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"auto_pad", OP_A_STRING}, {"ceil_mode", OP_A_INT}, {"count_include_pad", OP_A_INT}, {"dilations", OP_A_INTS}, {"kernel_shape", OP_A_INTS}, {"pads", OP_A_INTS}, {"strides", OP_A_INTS}),
    .infer = pool_infer, .ref = pool_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_GLOBALAVGPOOL = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = global_pool_infer, .ref = global_pool_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_GLOBALMAXPOOL = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = global_pool_infer, .ref = global_pool_ref,
    .cl = OP_CL_KERNEL,
};
