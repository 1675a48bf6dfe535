/* depth_space.c — DepthToSpace and SpaceToDepth (modes DCR and CRD; SpaceToDepth's from opset 28) on
 * N,C,H,W: blocks of blocksize x blocksize pixels move between the channel
 * dim and the plane. Shape rules only, no MACs (pure data movement).
 * Reference: depth_space_ref.c. */
#include <string.h>

#include "ops_impl.h"

clcnn_status depth_space_params(const ir_graph *g, const ir_node *n, int64_t *b, int *mode,
                                clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    if (x->ndim != 4)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' must have rank 4 (N,C,H,W), has %d",
                       x->name, x->ndim);
    if (!ir_attr_find(n, "blocksize"))
        return op_fail(err, CLCNN_ERR_GRAPH, n, "attribute blocksize is required");
    *b = ir_attr_int(n, "blocksize", 1);
    if (*b < 1 || *b > 46340) /* b*b stays an int32 */
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute blocksize = %lld is not positive or absurd",
                       (long long)*b);
    const char *m = op_attr_str(n, "mode", "DCR"); /* SpaceToDepth's from opset 28 */
    const int d2s = n->op == IR_OP_DEPTHTOSPACE;
    if (!strcmp(m, "DCR"))
        *mode = d2s ? DS_DCR : DS_SPACE_TO_DEPTH;
    else if (!strcmp(m, "CRD"))
        *mode = d2s ? DS_CRD : DS_SPACE_TO_DEPTH_CRD;
    else
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute mode '%s' is not DCR or CRD", m);
    if (d2s) {
        if (x->dims[1] % (*b * *b))
            return op_fail(err, CLCNN_ERR_SHAPE, n, "channels %lld are not a multiple of "
                           "blocksize^2 = %lld", (long long)x->dims[1], (long long)(*b * *b));
    } else if (x->dims[2] % *b || x->dims[3] % *b) {
        return op_fail(err, CLCNN_ERR_SHAPE, n, "plane %lldx%lld is not a multiple of blocksize %lld",
                       (long long)x->dims[2], (long long)x->dims[3], (long long)*b);
    }
    return CLCNN_OK;
}

static clcnn_status depth_space_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    int64_t b;
    int mode;
    if ((st = op_check_arity(n, 1, 1, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = depth_space_params(g, n, &b, &mode, err)))
        return st;
    const int64_t *d = ir_in(g, n, 0)->dims;
    int64_t y[4] = {d[0], d[1] / (b * b), d[2] * b, d[3] * b};
    if (n->op == IR_OP_SPACETODEPTH)
        y[1] = d[1] * b * b, y[2] = d[2] / b, y[3] = d[3] / b;
    if (y[1] > IR_MAX_ELEMS || y[2] > IR_MAX_ELEMS || y[3] > IR_MAX_ELEMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "output dims are absurd");
    op_set_out(g, n, 0, IR_DT_FLOAT, 4, y);
    return CLCNN_OK;
}

const op_def op_def_DEPTHTOSPACE = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"blocksize", OP_A_INT}, {"mode", OP_A_STRING}),
    .infer = depth_space_infer, .ref = depth_space_ref,
    .cl = OP_CL_KERNEL,
};

const op_def op_def_SPACETODEPTH = {
    .opset_min = 1, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"blocksize", OP_A_INT}, {"mode", OP_A_STRING}),
    .infer = depth_space_infer, .ref = depth_space_ref,
    .cl = OP_CL_KERNEL,
};
