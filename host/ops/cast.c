/* cast.c — Cast's shape rule: same shape, dtype `to`, between float32/64,
 * int64/32/8, uint8 and bool (others refused). No MACs. Reference: cast_ref.c;
 * OpenCL: host/ops_cl/cast_cl.c. */
#include "ops_impl.h"

static int cast_ok(int dt)
{
    return dt == IR_DT_FLOAT || dt == IR_DT_INT64 || dt == IR_DT_INT32 || dt == IR_DT_DOUBLE ||
           dt == IR_DT_UINT8 || dt == IR_DT_INT8 || dt == IR_DT_BOOL;
}

static clcnn_status cast_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 1, 1, 1, 1, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    int to = (int)ir_attr_int(n, "to", IR_DT_UNDEFINED);
    if (!cast_ok(to) || !cast_ok(x->dtype))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "cast from dtype %d to %d is not supported",
                       x->dtype, to);
    op_set_out(g, n, 0, to, x->ndim, x->dims);
    return CLCNN_OK;
}

/* shape as attribute (1..4) or input (5+); allowzero (14+) */

/* Cast-1 spelt `to` as a string: not read (opset_min 6). saturate (19+) only
 * concerns float8 types, refused here; round_mode (24+) likewise. */
const op_def op_def_CAST = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"to", OP_A_INT}, {"saturate", OP_A_INT}, {"round_mode", OP_A_STRING}),
    .infer = cast_infer, .ref = cast_ref,
    .cl = OP_CL_KERNEL,
};
