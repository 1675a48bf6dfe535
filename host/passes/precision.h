/* precision.h — where the OpenCL plan stores float tensors as half (issue 18).
 * Not one of passes_run's rewrites: the session runs it after them, on the
 * OpenCL graph only, when the session's precision is fp16 or auto. */
#ifndef CLCNN_PASSES_PRECISION_H
#define CLCNN_PASSES_PRECISION_H

#include "../core/ir.h"

/* 1 when op qualifies (its OpenCL launch handles half storage; or: it is a
 * zero-copy view of its first input). */
typedef int (*precision_op_fn)(ir_op op);

typedef struct precision_report {
    int half_nodes;   /* nodes that run with half storage */
    int float_nodes;  /* nodes with float tensors that keep float storage */
    int casts;        /* storage conversions inserted (Cast to=FLOAT nodes) */
    int const_dups;   /* float constants read in both storages, uploaded twice */
} precision_report;

/* Marks the float32 tensors the plan stores as half (ir_tensor.half) and
 * inserts the conversions that give every node one storage for all its float
 * tensors, so its kernels build with one -DCLCNN_FP16 choice.
 *   want_half: one entry per node of g as given (NULL: every node); node i
 *     runs half when want_half[i] and capable(op). A view (is_view(op):
 *     Reshape, Flatten...) follows its input's storage instead.
 *   Graph inputs and outputs keep float storage: the API speaks float32. An
 *     output written by a half node gets a converting Cast after it.
 *   A node whose float input is stored otherwise reads a converted copy (one
 *     Cast per tensor and storage, shared by its readers), named
 *     "<tensor>#fp16" / "<tensor>#fp32"; nodes keep their names, so per-node
 *     decisions and reports line up with the graph before the pass.
 *   A float32 constant read by nodes of both storages is duplicated.
 * Constant payloads stay float32 on the host (the plan converts at upload).
 * Leaves g topologically sorted. rep may be NULL. */
clcnn_status pass_precision(ir_graph *g, const unsigned char *want_half, precision_op_fn capable,
                            precision_op_fn is_view, precision_report *rep, clcnn_err *err);

#endif
