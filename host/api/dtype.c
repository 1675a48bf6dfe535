/* dtype.c — element type names and sizes, and clcnn_free for the buffers the
 * library hands to callers (run_tensors' outputs). */
#include <stdlib.h>

#include "api_internal.h"

const char *clcnn_dtype_str(clcnn_dtype t)
{
    switch (t) {
    case CLCNN_DTYPE_FLOAT32: return "float32";
    case CLCNN_DTYPE_UINT8: return "uint8";
    case CLCNN_DTYPE_INT8: return "int8";
    case CLCNN_DTYPE_INT32: return "int32";
    case CLCNN_DTYPE_INT64: return "int64";
    case CLCNN_DTYPE_BOOL: return "bool";
    case CLCNN_DTYPE_FLOAT64: return "float64";
    case CLCNN_DTYPE_UINT16: return "uint16";
    case CLCNN_DTYPE_INT16: return "int16";
    case CLCNN_DTYPE_FLOAT16: return "float16";
    case CLCNN_DTYPE_UINT32: return "uint32";
    case CLCNN_DTYPE_UINT64: return "uint64";
    default: return "undefined";
    }
}

size_t clcnn_dtype_size(clcnn_dtype t)
{
    switch (t) {
    case CLCNN_DTYPE_UINT8:
    case CLCNN_DTYPE_INT8:
    case CLCNN_DTYPE_BOOL: return 1;
    case CLCNN_DTYPE_UINT16:
    case CLCNN_DTYPE_INT16:
    case CLCNN_DTYPE_FLOAT16: return 2;
    case CLCNN_DTYPE_UINT32: return 4;
    case CLCNN_DTYPE_UINT64: return 8;
    case CLCNN_DTYPE_FLOAT32:
    case CLCNN_DTYPE_INT32: return 4;
    case CLCNN_DTYPE_INT64:
    case CLCNN_DTYPE_FLOAT64: return 8;
    default: return 0;
    }
}

void clcnn_free(void *p)
{
    free(p);
}
