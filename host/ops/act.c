/* act.c — element-wise activations: Relu, LeakyRelu, Clip, HardSigmoid,
 * HardSwish, Sigmoid. Shape rule: output = input (float32). Clip reads its
 * bounds from attributes (opset < 11) or optional constant inputs (>= 11).
 * MACs: 0 (memory-bound, not arithmetic). Reference: act_ref.c. */
#include <math.h>

#include "ops_impl.h"

clcnn_status act_clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi,
                             clcnn_err *err)
{
    *lo = ir_attr_float(n, "min", -INFINITY);
    *hi = ir_attr_float(n, "max", INFINITY);
    int present;
    float v;
    clcnn_status st = op_const_float(g, n, 1, &v, &present, err);
    if (st)
        return st;
    if (present)
        *lo = v;
    if ((st = op_const_float(g, n, 2, &v, &present, err)))
        return st;
    if (present)
        *hi = v;
    return CLCNN_OK;
}

static clcnn_status act_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    int max_in = n->op == IR_OP_CLIP ? 3 : 1;
    clcnn_status st = op_check_arity(n, 1, max_in, 1, 1, err);
    if (st || (st = op_need_float(g, n, 0, err)))
        return st;
    if (n->op == IR_OP_CLIP) {
        float lo, hi;
        if ((st = act_clip_bounds(g, n, &lo, &hi, err)))
            return st;
    }
    const ir_tensor *x = ir_in(g, n, 0);
    op_set_out(g, n, 0, IR_DT_FLOAT, x->ndim, x->dims);
    return CLCNN_OK;
}

const op_def op_def_RELU = {act_infer, act_ref, NULL};
const op_def op_def_LEAKYRELU = {act_infer, act_ref, NULL};
const op_def op_def_CLIP = {act_infer, act_ref, NULL};
const op_def op_def_HARDSIGMOID = {act_infer, act_ref, NULL};
const op_def op_def_HARDSWISH = {act_infer, act_ref, NULL};
const op_def op_def_SIGMOID = {act_infer, act_ref, NULL};
