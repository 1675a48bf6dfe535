/* einsum.h — an Einsum equation resolved against its inputs' shapes, shared
 * by the shape rule (einsum.c), the reference (einsum_ref.c) and the OpenCL
 * launch (host/ops_cl/einsum_cl.c). Every distinct index ("letter"; each dim
 * an ellipsis stands for is a letter of its own) is either an output dim or
 * a summed one; each input steps through memory by a stride per letter (the
 * sum of its dims' strides for a letter repeated in one term, a diagonal; 0
 * where the input does not have the letter or broadcasts an ellipsis dim). */
#ifndef CLCNN_OPS_EINSUM_H
#define CLCNN_OPS_EINSUM_H

#include "op_util.h"

#define EINSUM_MAX 16 /* letters in all, ellipsis dims included */

typedef struct einsum_spec {
    int n_in;                                /* 1 or 2 */
    int n_out, n_sum;                        /* output letters (in output order), summed letters */
    int64_t out_ext[EINSUM_MAX], sum_ext[EINSUM_MAX];
    int64_t out_st[2][EINSUM_MAX], sum_st[2][EINSUM_MAX]; /* per input, in elements */
    int64_t out_dims[IR_MAX_DIMS];           /* = out_ext, the output shape */
} einsum_spec;

/* Parses node n's equation against its inputs; CLCNN_ERR_UNSUPPORTED or
 * CLCNN_ERR_SHAPE naming the node and what is wrong. */
clcnn_status einsum_parse(const ir_graph *g, const ir_node *n, einsum_spec *s, clcnn_err *err);

#endif
