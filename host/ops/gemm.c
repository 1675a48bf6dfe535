/* gemm.c — Gemm (2-D, transA/transB, alpha/beta, C broadcast to M,N) and
 * MatMul (numpy semantics: 1-D operands promoted and squeezed back, batch
 * dims broadcast). Shape rules and MACs = batch*M*N*K. Reference: gemm_ref.c. */
#include "ops_impl.h"

static clcnn_status gemm_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    if ((st = op_check_arity(n, 2, 3, 1, 1, err)))
        return st;
    for (int k = 0; k < 3; k++)
        if ((st = op_need_float(g, n, k, err)))
            return st;
    const ir_tensor *a = ir_in(g, n, 0), *b = ir_in(g, n, 1), *c = ir_in(g, n, 2);
    if (a->ndim != 2 || b->ndim != 2)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "A and B must be 2-D, got ranks %d and %d", a->ndim, b->ndim);
    int ta = (int)ir_attr_int(n, "transA", 0), tb = (int)ir_attr_int(n, "transB", 0);
    int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
    int64_t Kb = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
    if (K != Kb)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "inner dims differ: A gives K=%lld, B gives K=%lld",
                       (long long)K, (long long)Kb);
    int64_t dims[2] = {M, N};
    if (c) {
        ir_tensor y = {.ndim = 2, .dims = {M, N}, .name = "A*B"};
        int nd;
        int64_t bd[IR_MAX_DIMS];
        if (c->ndim > 2 || (st = op_broadcast(n, c, &y, &nd, bd, err)))
            return st ? st : op_fail(err, CLCNN_ERR_SHAPE, n, "C has rank %d > 2", c->ndim);
        if (bd[0] != M || bd[1] != N)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "C '%s' does not broadcast to %lldx%lld", c->name,
                           (long long)M, (long long)N);
    }
    op_set_out(g, n, 0, IR_DT_FLOAT, 2, dims);
    return CLCNN_OK;
}

static int64_t gemm_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *a = ir_in(g, n, 0), *y = ir_out(g, n, 0);
    if (!a || !y || a->ndim != 2 || y->ndim != 2)
        return 0;
    return ir_numel(y) * (ir_attr_int(n, "transA", 0) ? a->dims[0] : a->dims[1]);
}

static clcnn_status matmul_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    if ((st = op_check_arity(n, 2, 2, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = op_need_float(g, n, 1, err)))
        return st;
    const ir_tensor *a = ir_in(g, n, 0), *b = ir_in(g, n, 1);
    if (a->ndim < 1 || b->ndim < 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "operands must have rank >= 1");
    int64_t K = a->dims[a->ndim - 1];
    int64_t Kb = b->ndim == 1 ? b->dims[0] : b->dims[b->ndim - 2];
    if (K != Kb)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "inner dims differ: %lld vs %lld", (long long)K,
                       (long long)Kb);
    /* batch dims: everything but the last two, broadcast numpy-style */
    ir_tensor ba = {.name = a->name, .ndim = a->ndim > 2 ? a->ndim - 2 : 0};
    ir_tensor bb = {.name = b->name, .ndim = b->ndim > 2 ? b->ndim - 2 : 0};
    for (int d = 0; d < ba.ndim; d++)
        ba.dims[d] = a->dims[d];
    for (int d = 0; d < bb.ndim; d++)
        bb.dims[d] = b->dims[d];
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, &ba, &bb, &nd, dims, err)))
        return st;
    if (a->ndim > 1)
        dims[nd++] = a->dims[a->ndim - 2];
    if (b->ndim > 1)
        dims[nd++] = b->dims[b->ndim - 1];
    op_set_out(g, n, 0, IR_DT_FLOAT, nd, dims);
    return CLCNN_OK;
}

static int64_t matmul_macs(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *a = ir_in(g, n, 0), *y = ir_out(g, n, 0);
    if (!a || !y || a->ndim < 1 || y->ndim < 0)
        return 0;
    return ir_numel(y) * a->dims[a->ndim - 1];
}

/* Gemm-1/6 broadcast (C broadcast as numpy does); later forms only relax C. */
const op_def op_def_GEMM = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"alpha", OP_A_FLOAT}, {"beta", OP_A_FLOAT}, {"transA", OP_A_INT}, {"transB", OP_A_INT}, {"broadcast", OP_A_INT}),
    .infer = gemm_infer, .ref = gemm_ref, .macs = gemm_macs,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_MATMUL = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_NO_ATTRS,
    .infer = matmul_infer, .ref = matmul_ref, .macs = matmul_macs,
    .cl = OP_CL_KERNEL,
};
