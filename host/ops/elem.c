/* elem.c — per-dtype element access (elem.h). */
#include <math.h>
#include <string.h>

#include "elem.h"

int elem_is_float(int dt)
{
    return dt == IR_DT_FLOAT || dt == IR_DT_DOUBLE || dt == IR_DT_FLOAT16;
}

int elem_is_int(int dt)
{
    switch (dt) {
    case IR_DT_INT8: case IR_DT_INT16: case IR_DT_INT32: case IR_DT_INT64:
    case IR_DT_UINT8: case IR_DT_UINT16: case IR_DT_UINT32: case IR_DT_UINT64: return 1;
    default: return 0;
    }
}

int elem_is_numeric(int dt) { return elem_is_float(dt) || elem_is_int(dt); }

double elem_get_f(const void *p, int dt, int64_t i)
{
    switch (dt) {
    case IR_DT_FLOAT: return ((const float *)p)[i];
    case IR_DT_DOUBLE: return ((const double *)p)[i];
    case IR_DT_FLOAT16: return ir_half_to_float(((const uint16_t *)p)[i]);
    case IR_DT_UINT64: return (double)((const uint64_t *)p)[i];
    default: return elem_is_int(dt) || dt == IR_DT_BOOL ? (double)elem_get_i(p, dt, i) : 0.0;
    }
}

/* Truncates toward zero, saturating at the int64 range; NaN -> 0. */
static int64_t f_to_i(double v)
{
    if (isnan(v))
        return 0;
    if (v >= 9223372036854775807.0)
        return INT64_MAX;
    if (v <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)v;
}

int64_t elem_get_i(const void *p, int dt, int64_t i)
{
    switch (dt) {
    case IR_DT_INT8: return ((const int8_t *)p)[i];
    case IR_DT_INT16: return ((const int16_t *)p)[i];
    case IR_DT_INT32: return ((const int32_t *)p)[i];
    case IR_DT_INT64: return ((const int64_t *)p)[i];
    case IR_DT_UINT8: case IR_DT_BOOL: return ((const uint8_t *)p)[i];
    case IR_DT_UINT16: return ((const uint16_t *)p)[i];
    case IR_DT_UINT32: return ((const uint32_t *)p)[i];
    case IR_DT_UINT64: return (int64_t)((const uint64_t *)p)[i];
    default: return elem_is_float(dt) ? f_to_i(elem_get_f(p, dt, i)) : 0;
    }
}

void elem_set_f(void *p, int dt, int64_t i, double v)
{
    switch (dt) {
    case IR_DT_FLOAT: ((float *)p)[i] = (float)v; break;
    case IR_DT_DOUBLE: ((double *)p)[i] = v; break;
    case IR_DT_FLOAT16: ((uint16_t *)p)[i] = ir_float_to_half((float)v); break;
    default:
        if (elem_is_int(dt) || dt == IR_DT_BOOL)
            elem_set_i(p, dt, i, dt == IR_DT_BOOL ? v != 0 : f_to_i(v));
        break;
    }
}

void elem_set_i(void *p, int dt, int64_t i, int64_t v)
{
    switch (dt) {
    case IR_DT_INT8: case IR_DT_UINT8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case IR_DT_BOOL: ((uint8_t *)p)[i] = v != 0; break;
    case IR_DT_INT16: case IR_DT_UINT16: ((uint16_t *)p)[i] = (uint16_t)v; break;
    case IR_DT_INT32: case IR_DT_UINT32: ((uint32_t *)p)[i] = (uint32_t)v; break;
    case IR_DT_INT64: case IR_DT_UINT64: ((uint64_t *)p)[i] = (uint64_t)v; break;
    default:
        if (elem_is_float(dt))
            elem_set_f(p, dt, i, (double)v);
        break;
    }
}
