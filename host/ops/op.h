/* op.h — the one description of each op (op_def): the opsets it covers, its
 * attributes with their types, shape rule, reference, cost, how the OpenCL
 * path runs it and whether it folds at load. One op family per pair of files
 * (conv.c defines op_def_CONV, conv_ref.c its reference); op_table.c gathers
 * the descriptors into one table indexed by ir_op, static-asserted against
 * IR_OP_COUNT. The OpenCL launches live a room below, in host/ops_cl/
 * (<family>_cl.c, reached through the plan), and are checked against `cl`
 * here by tests/test_op_registry.c. This room includes no OpenCL header. */
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

/* Attribute types as ONNX spells them (the loader maps AttributeProto types). */
typedef enum op_attr_type { OP_A_INT, OP_A_FLOAT, OP_A_STRING, OP_A_INTS, OP_A_FLOATS, OP_A_TENSOR } op_attr_type;
typedef struct op_attr_spec { const char *name; op_attr_type type; } op_attr_spec; /* list ends at name NULL */

/* How the OpenCL path runs an op. */
typedef enum op_cl_kind {
    OP_CL_KERNEL,   /* host/ops_cl/ has a plan function for it (opcl_get(op) != NULL) */
    OP_CL_ALIAS,    /* a zero-copy view of input 0 on OpenCL (Reshape, Flatten, Squeeze, ...) */
    OP_CL_FOLDED,   /* only ever runs folded at load (Shape, Constant, ConstantOfShape...); the plan refuses it */
    OP_CL_REF_ONLY  /* reference backend only; the plan refuses it with a clear message */
} op_cl_kind;

/* Whether ops_fold_constants may run the reference at load. */
typedef enum op_fold_kind {
    OP_FOLD_CONST,  /* folded at load when every input is constant (the default) */
    OP_FOLD_NEVER   /* never folded (e.g. random ops) */
} op_fold_kind;

/* The newest default-domain opset clcnn reads (onnx_load.c refuses files
 * above it): the upper bound of every form that has not changed since. */
#define OP_OPSET_LATEST 28

typedef struct op_def {
    int opset_min, opset_max;      /* default-domain opsets this form covers (inclusive) */
    const op_attr_spec *attrs;     /* every attribute ONNX defines for it at those opsets */
    op_infer_fn infer;             /* shape rule (required) */
    op_ref_fn ref;                 /* reference (required) */
    op_macs_fn macs;               /* may be NULL: no arithmetic worth counting */
    op_cl_kind cl;
    op_fold_kind fold;
} op_def;
#define OP_ATTRS(...) ((const op_attr_spec[]){__VA_ARGS__, {NULL, 0}})
#define OP_NO_ATTRS ((const op_attr_spec[]){{NULL, 0}})

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
