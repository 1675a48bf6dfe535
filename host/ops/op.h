/* op.h — the per-op table: shape rule, reference implementation, cost.
 * One op family per pair of files (conv.c + conv_ref.c, ...); op_table.c
 * gathers their functions into one table indexed by ir_op, static-asserted
 * against IR_OP_COUNT. The OpenCL side of each op lives in host/ops/ too
 * but is reached through the plan, not this table. */
#ifndef CLCNN_OPS_OP_H
#define CLCNN_OPS_OP_H

#include "../core/ir.h"

/* Sets dtype/ndim/dims of every output of node n from its inputs and
 * attributes. Inputs that decide shapes (Reshape's shape, Slice's starts...)
 * must be constant (tensor->data set) or CLCNN_ERR_UNSUPPORTED naming the node. */
typedef clcnn_status (*op_infer_fn)(ir_graph *g, ir_node *n, clcnn_err *err);

/* Plain-C reference: bufs[t] is the data of tensor t (inputs filled; outputs
 * allocated by the caller to the inferred size). Float32 with double
 * accumulation where sums are long; int64 where shape ops need it. */
typedef clcnn_status (*op_ref_fn)(const ir_graph *g, const ir_node *n, void *const *bufs,
                                  clcnn_err *err);

/* Multiply-accumulates of one run of node n (batch included); 0 for data movement. */
typedef int64_t (*op_macs_fn)(const ir_graph *g, const ir_node *n);

typedef struct op_def {
    op_infer_fn infer;
    op_ref_fn ref;
    op_macs_fn macs;   /* may be NULL: no arithmetic worth counting */
} op_def;

const op_def *op_get(ir_op op);

/* Runs shape inference over the whole (topologically sorted) graph. */
clcnn_status ops_infer_graph(ir_graph *g, clcnn_err *err);

/* The loader's one call after ir_toposort: walks nodes in order inferring
 * shapes; folds Shape of a known shape and every node whose inputs are all
 * constant (the Shape/Gather/Unsqueeze/Concat chains exporters emit) by running
 * its reference op, its outputs becoming constants; drops Identity/Dropout by
 * rewiring their consumers; then prunes and re-infers. Afterwards every
 * tensor has dtype and shape, and only real compute nodes remain. */
clcnn_status ops_fold_constants(ir_graph *g, clcnn_err *err);

#endif
