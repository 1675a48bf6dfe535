/* op_util.h — helpers shared by the op families in host/ops/: error messages
 * that name the node, arity checks, reading constant shape-deciding inputs,
 * axis normalisation and numpy broadcasting. Nothing here computes an op. */
#ifndef CLCNN_OPS_OP_UTIL_H
#define CLCNN_OPS_OP_UTIL_H

#include "op.h"

/* err_set with "node 'name' (Op): " in front of the message. */
clcnn_status op_fail(clcnn_err *err, clcnn_status st, const ir_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* CLCNN_ERR_GRAPH unless min_in <= n_in <= max_in and min_out <= n_out <= max_out,
 * and the first min_in inputs are present (not omitted). */
clcnn_status op_check_arity(const ir_node *n, int min_in, int max_in, int min_out, int max_out,
                            clcnn_err *err);

/* CLCNN_ERR_UNSUPPORTED unless input k has dtype float32. */
clcnn_status op_need_float(const ir_graph *g, const ir_node *n, int k, clcnn_err *err);

/* Reads constant int tensor input k (int64 or int32) into out[0..cap), *len
 * = element count. Omitted input: *len = -1 and CLCNN_OK. Non-constant input:
 * CLCNN_ERR_UNSUPPORTED naming the node (it decides a shape). */
clcnn_status op_const_ints(const ir_graph *g, const ir_node *n, int k, int64_t *out, int cap,
                           int *len, clcnn_err *err);

/* Maps axis in [-rank, rank) to [0, rank); CLCNN_ERR_SHAPE naming what otherwise. */
clcnn_status op_axis(const ir_node *n, int64_t axis, int rank, const char *what, int *out,
                     clcnn_err *err);

/* Sets output k's dtype and shape. */
void op_set_out(ir_graph *g, const ir_node *n, int k, int dtype, int ndim, const int64_t *dims);

/* numpy multidirectional broadcast of a and b into out (ndim = max rank). */
clcnn_status op_broadcast(const ir_node *n, const ir_tensor *a, const ir_tensor *b, int *ndim,
                          int64_t *dims, clcnn_err *err);
/* Strides (in elements) of t as seen from an output of rank ndim: 0 on
 * broadcast dims, so out index . strides = flat index into t. */
void op_bcast_strides(const ir_tensor *t, int ndim, const int64_t *out_dims, int64_t *strides);

/* Row-major strides of a shape. */
void op_strides(int ndim, const int64_t *dims, int64_t *strides);

/* Reads an optional string attribute, def when absent. */
const char *op_attr_str(const ir_node *n, const char *name, const char *def);

/* Geometry of a sliding window (Conv, pools) of 1 to 3 spatial dims. Index 0
 * and 1 are height and width, as the 2-D ops read them; index OP_WIN_D is the
 * depth of a 3-D window (k, stride, dilation, out 1 and no pads otherwise). */
enum { OP_WIN_D = 2 };
typedef struct op_win {
    int64_t k[3], stride[3], dil[3];
    int64_t pad_begin[3], pad_end[3]; /* top,left,front and bottom,right,back */
    int64_t out[3];
} op_win;

/* Reads strides/dilations/pads/auto_pad (and ceil_mode when allow_ceil) for
 * kernel k[] on input spatial size in[] (nsp = 1, 2 or 3 values each, in ONNX
 * order), checking every value; fills w. A 1-D window is held as 2-D with
 * height 1 (index 0: in, k, stride, dilation 1, no pads, out 1), so 1-D ops
 * run the 2-D loops; a 1-D or 2-D window has depth 1. Callers that handle
 * only 2-D refuse rank 5 before calling. */
clcnn_status op_window(const ir_node *n, int nsp, const int64_t *in, const int64_t *k,
                       int allow_ceil, op_win *w, clcnn_err *err);

#endif
