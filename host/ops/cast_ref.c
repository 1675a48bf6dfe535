/* cast_ref.c — Cast's reference: converts through double (exact for every
 * supported type but int64, copied as is when both sides are int64). */
#include <math.h>
#include <stdint.h>

#include "ops_impl.h"

static double load(const void *p, int dt, int64_t i)
{
    switch (dt) {
    case IR_DT_FLOAT: return ((const float *)p)[i];
    case IR_DT_DOUBLE: return ((const double *)p)[i];
    case IR_DT_INT64: return (double)((const int64_t *)p)[i];
    case IR_DT_INT32: return ((const int32_t *)p)[i];
    case IR_DT_INT8: return ((const int8_t *)p)[i];
    default: return ((const uint8_t *)p)[i]; /* UINT8, BOOL */
    }
}

/* Float -> integer is truncation; out-of-range values saturate (C leaves that
 * undefined, so clamp first) and NaN becomes 0. */
static double clamp(double v, double lo, double hi)
{
    return isnan(v) ? 0 : (v < lo ? lo : (v > hi ? hi : trunc(v)));
}

clcnn_status cast_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const void *x = bufs[n->in[0]];
    void *y = bufs[n->out[0]];
    int64_t cnt = ir_numel(xt);
    for (int64_t i = 0; i < cnt; i++) {
        double v = load(x, xt->dtype, i);
        switch (yt->dtype) {
        case IR_DT_FLOAT: ((float *)y)[i] = (float)v; break;
        case IR_DT_DOUBLE: ((double *)y)[i] = v; break;
        case IR_DT_INT64:
            if (xt->dtype == IR_DT_INT64) /* exact: doubles lose bits past 2^53 */
                ((int64_t *)y)[i] = ((const int64_t *)x)[i];
            else
                ((int64_t *)y)[i] = (int64_t)clamp(v, -9223372036854775808.0, 9223372036854774784.0);
            break;
        case IR_DT_INT32: ((int32_t *)y)[i] = (int32_t)clamp(v, INT32_MIN, INT32_MAX); break;
        case IR_DT_INT8: ((int8_t *)y)[i] = (int8_t)clamp(v, INT8_MIN, INT8_MAX); break;
        case IR_DT_UINT8: ((uint8_t *)y)[i] = (uint8_t)clamp(v, 0, UINT8_MAX); break;
        case IR_DT_BOOL: ((uint8_t *)y)[i] = v != 0; break;
        default: return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "cast to dtype %d", yt->dtype);
        }
    }
    return CLCNN_OK;
}
