/* eltwise_ref.c — reference Add/Sub/Mul/Div with broadcasting: walks every
 * output index as a multi-index (odometer) and maps it into each input
 * through broadcast strides (0 on broadcast dims). int64 Div truncates
 * toward zero, as C and onnxruntime do; division by zero is an error.
 * Pow: C's pow in double on a float32 base and an exponent of any numeric
 * dtype (a negative base with a non-integral exponent gives NaN, as in
 * onnxruntime). PRelu x < 0 ? slope*x : x. */
#include <math.h>
#include <stdint.h>

#include "elem.h"
#include "ops_impl.h"

static double f_op(ir_op op, double a, double b)
{
    switch (op) {
    case IR_OP_ADD: return a + b;
    case IR_OP_SUB: return a - b;
    case IR_OP_MUL: return a * b;
    case IR_OP_POW: return pow(a, b);
    case IR_OP_PRELU: return a < 0 ? a * b : a;
    default: return a / b;
    }
}

clcnn_status eltwise_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *at = ir_in(g, n, 0), *bt = ir_in(g, n, 1), *yt = ir_out(g, n, 0);
    int nd = yt->ndim;
    int64_t sa[IR_MAX_DIMS], sb[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0};
    op_bcast_strides(at, nd, yt->dims, sa);
    op_bcast_strides(bt, nd, yt->dims, sb);
    if (yt->dtype != IR_DT_FLOAT && yt->dtype != IR_DT_INT64) /* the other dtypes: binop_ref.c */
        return binop_ref(g, n, bufs, err);
    int64_t cnt = ir_numel(yt);
    int is_int = yt->dtype == IR_DT_INT64;
    for (int64_t i = 0; i < cnt; i++) {
        int64_t ia = 0, ib = 0;
        for (int d = 0; d < nd; d++) {
            ia += idx[d] * sa[d];
            ib += idx[d] * sb[d];
        }
        if (is_int) {
            int64_t a = ((const int64_t *)bufs[n->in[0]])[ia];
            int64_t b = ((const int64_t *)bufs[n->in[1]])[ib], r;
            switch (n->op) {
            case IR_OP_ADD: r = (int64_t)((uint64_t)a + (uint64_t)b); break;
            case IR_OP_SUB: r = (int64_t)((uint64_t)a - (uint64_t)b); break;
            case IR_OP_MUL: r = (int64_t)((uint64_t)a * (uint64_t)b); break;
            default:
                if (b == 0 || (a == INT64_MIN && b == -1))
                    return op_fail(err, CLCNN_ERR_INVALID_ARG, n, "integer division %lld / %lld",
                                   (long long)a, (long long)b);
                r = a / b;
            }
            ((int64_t *)bufs[n->out[0]])[i] = r;
        } else {
            const float a = ((const float *)bufs[n->in[0]])[ia];
            const double b = bt->dtype == IR_DT_FLOAT ? ((const float *)bufs[n->in[1]])[ib]
                                                      : elem_get_f(bufs[n->in[1]], bt->dtype, ib);
            ((float *)bufs[n->out[0]])[i] = (float)f_op(n->op, a, b);
        }
        for (int d = nd - 1; d >= 0; d--) { /* odometer step */
            if (++idx[d] < yt->dims[d])
                break;
            idx[d] = 0;
        }
    }
    return CLCNN_OK;
}
