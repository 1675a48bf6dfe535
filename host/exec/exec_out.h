/* exec_out.h — graph outputs handed to a caller: in their own element type
 * (run_tensors), or converted to float32 (the float-only run), where the
 * conversion never writes more than one float per element. */
#ifndef CLCNN_EXEC_OUT_H
#define CLCNN_EXEC_OUT_H

#include "../core/ir.h"

/* dst[i] = (float)src[i] for n elements of ir dtype `dtype` (bool/uint8 as 0..255). */
void exec_to_float(int dtype, const void *src, int64_t n, float *dst);

#endif
