/* cast.c — Cast's shape rule: same shape, dtype `to`, between every type
 * clcnn stores: float32/64, float16, int8/16/32/64, uint8/16/32/64, bool.
 * No MACs. Reference: cast_ref.c; OpenCL: host/ops_cl/cast_cl.c (every type
 * but double and float16). */
#include "elem.h"
#include "ops_impl.h"

static int cast_ok(int dt) { return elem_is_numeric(dt) || dt == IR_DT_BOOL; }

static clcnn_status cast_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st = op_check_arity(n, 1, 1, 1, 1, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, n, 0);
    int to = (int)ir_attr_int(n, "to", IR_DT_UNDEFINED);
    if (!cast_ok(to) || !cast_ok(x->dtype))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "cast from %s to %s is not supported",
                       ir_dtype_name(x->dtype), ir_dtype_name(to));
    op_set_out(g, n, 0, to, x->ndim, x->dims);
    return CLCNN_OK;
}

/* Cast-1 spelt `to` as a string: not read (opset_min 6). saturate (19+) only
 * concerns float8 types, refused here; round_mode (24+) likewise. */
const op_def op_def_CAST = {
    .opset_min = 6, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"to", OP_A_INT}, {"saturate", OP_A_INT}, {"round_mode", OP_A_STRING}),
    .infer = cast_infer, .ref = cast_ref,
    .cl = OP_CL_KERNEL,
};
