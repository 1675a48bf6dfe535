/* cast_ref.c — Cast's reference on every dtype clcnn stores (elem.h), with
 * onnxruntime's conversions: integer -> integer keeps the low bits (wraps,
 * as static_cast and numpy's astype do); float -> integer truncates toward
 * zero, out-of-range values saturate and NaN becomes 0 (C and
 * onnxruntime leave those undefined; this matches the OpenCL path); anything -> bool is != 0; integer ->
 * float rounds once, to nearest; float16 rounds to nearest even. */
#include <math.h>
#include <stdint.h>

#include "elem.h"
#include "ops_impl.h"

/* Float -> integer: truncate, saturate at dst's range (as the OpenCL path's
 * convert_*_sat_rtz), NaN -> 0. */
static void sat_store(void *y, int dst, int64_t i, double v)
{
    double lo, hi;
    switch (dst) {
    case IR_DT_INT8: lo = INT8_MIN, hi = INT8_MAX; break;
    case IR_DT_INT16: lo = INT16_MIN, hi = INT16_MAX; break;
    case IR_DT_INT32: lo = INT32_MIN, hi = INT32_MAX; break;
    case IR_DT_UINT8: lo = 0, hi = UINT8_MAX; break;
    case IR_DT_UINT16: lo = 0, hi = UINT16_MAX; break;
    case IR_DT_UINT32: lo = 0, hi = UINT32_MAX; break;
    case IR_DT_UINT64: /* above INT64_MAX: through uint64 */
        ((uint64_t *)y)[i] = isnan(v) || v <= 0 ? 0 : v >= 18446744073709551615.0 ? UINT64_MAX
                                                                                  : (uint64_t)v;
        return;
    default: lo = -9223372036854775808.0, hi = 9223372036854774784.0; break;
    }
    v = isnan(v) ? 0 : v < lo ? lo : v > hi ? hi : trunc(v);
    elem_set_i(y, dst, i, (int64_t)v);
}

clcnn_status cast_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(g, n, 0), *yt = ir_out(g, n, 0);
    const void *x = bufs[n->in[0]];
    void *y = bufs[n->out[0]];
    const int src = xt->dtype, dst = yt->dtype;
    if (!ir_dtype_size(dst))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "cast to %s", ir_dtype_name(dst));
    for (int64_t i = 0, cnt = ir_numel(xt); i < cnt; i++) {
        if (dst == IR_DT_BOOL)
            elem_set_i(y, dst, i, elem_is_float(src) ? elem_get_f(x, src, i) != 0
                                                     : elem_get_i(x, src, i) != 0);
        else if (elem_is_float(dst) && src == IR_DT_FLOAT16 && dst == IR_DT_FLOAT16)
            ((uint16_t *)y)[i] = ((const uint16_t *)x)[i]; /* bit copy keeps NaN payloads */
        else if (elem_is_float(dst) && src == IR_DT_UINT64)
            elem_set_f(y, dst, i, (double)(uint64_t)elem_get_i(x, src, i));
        else if (elem_is_float(dst) && elem_is_int(src) && dst == IR_DT_FLOAT)
            ((float *)y)[i] = (float)elem_get_i(x, src, i); /* one rounding, not two via double */
        else if (elem_is_float(dst))
            elem_set_f(y, dst, i, elem_get_f(x, src, i));
        else if (elem_is_float(src))
            sat_store(y, dst, i, elem_get_f(x, src, i));
        else
            elem_set_i(y, dst, i, elem_get_i(x, src, i)); /* integer/bool: low bits */
    }
    return CLCNN_OK;
}
