/* elem.h — reading and writing one element of any dtype clcnn stores, for the
 * references that take every ONNX numeric type (Cast, comparisons, Where,
 * Expand, Tile, Mod, ConstantOfShape, Range). Integers travel as int64 (bits
 * kept: uint64 above INT64_MAX wraps and comes back unchanged), floats as
 * double; nothing here rounds an integer through a double. */
#ifndef CLCNN_OPS_ELEM_H
#define CLCNN_OPS_ELEM_H

#include <stdint.h>

#include "../core/ir.h"

/* float, double, float16 */
int elem_is_float(int dt);
/* int8..int64, uint8..uint64 (not bool) */
int elem_is_int(int dt);
/* elem_is_float or elem_is_int */
int elem_is_numeric(int dt);

double elem_get_f(const void *p, int dt, int64_t i);
int64_t elem_get_i(const void *p, int dt, int64_t i); /* floats truncate toward 0 (saturating) */
void elem_set_f(void *p, int dt, int64_t i, double v);  /* float dtypes only */
void elem_set_i(void *p, int dt, int64_t i, int64_t v); /* integer/bool dtypes: wraps as C */

#endif
