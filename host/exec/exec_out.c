/* exec_out.c — output conversion shared by both executors (exec_out.h). */
#include "exec_out.h"

void exec_to_float(int dtype, const void *src, int64_t n, float *dst)
{
    for (int64_t i = 0; i < n; i++) {
        switch (dtype) {
        case IR_DT_FLOAT: dst[i] = ((const float *)src)[i]; break;
        case IR_DT_INT64: dst[i] = (float)((const int64_t *)src)[i]; break;
        case IR_DT_INT32: dst[i] = (float)((const int32_t *)src)[i]; break;
        case IR_DT_DOUBLE: dst[i] = (float)((const double *)src)[i]; break;
        case IR_DT_INT8: dst[i] = ((const int8_t *)src)[i]; break;
        case IR_DT_INT16: dst[i] = ((const int16_t *)src)[i]; break;
        case IR_DT_UINT16: dst[i] = ((const uint16_t *)src)[i]; break;
        case IR_DT_UINT32: dst[i] = (float)((const uint32_t *)src)[i]; break;
        case IR_DT_UINT64: dst[i] = (float)((const uint64_t *)src)[i]; break;
        case IR_DT_FLOAT16: dst[i] = ir_half_to_float(((const uint16_t *)src)[i]); break;
        default: dst[i] = ((const uint8_t *)src)[i]; break; /* uint8, bool */
        }
    }
}
