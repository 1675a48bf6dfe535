/* passes.h — graph rewrites run on a session's clone of the model's IR before
 * planning. Each pass lives in its own file, is pure IR -> IR, and must leave
 * outputs unchanged within float rounding (tests/test_passes.c checks each).
 * The fusion passes, which mark groups rather than rewrite, are in fuse.h
 * (the plan runs them with its backend's answers; tests/test_fuse.c). */
#ifndef CLCNN_PASSES_H
#define CLCNN_PASSES_H

#include "../core/ir.h"

/* What each pass did, for `bench`/`summary` reports. */
typedef struct passes_report {
    int bn_folded;      /* BatchNormalization folded into the preceding Conv */
    int pads_folded;    /* zero Pad folded into the following Conv's pads */
    int bn_training;    /* training-mode BatchNormalization spelled out in plain ops */
    int means_pooled;   /* spatial ReduceMean rewritten as GlobalAveragePool */
} passes_report;

/* Folds BatchNormalization into a preceding Conv whose output only the BN reads. */
clcnn_status pass_fold_bn(ir_graph *g, int *count, clcnn_err *err);
/* Folds a constant-zero Pad on H/W into the following Conv's pads. */
clcnn_status pass_fold_pad(ir_graph *g, int *count, clcnn_err *err);
/* ReduceMean over axes {2, 3} of a 4-D float tensor with keepdims 1 becomes
 * GlobalAveragePool (what PyTorch's dynamo exporter writes for an SE squeeze). */
clcnn_status pass_mean_to_pool(ir_graph *g, int *count, clcnn_err *err);

/* Spells BatchNormalization with training_mode=1 (batch statistics, running
 * mean/var outputs) in ReduceMean, Sub, Mul, Add, Sqrt, Div and Reshape. */
clcnn_status pass_bn_training(ir_graph *g, int *count, clcnn_err *err);
/* CLCNN_ERR_UNSUPPORTED for a training-mode Dropout whose ratio is fed at run
 * time (the reference checks it is 0 each run; the OpenCL plan cannot). */
clcnn_status pass_dropout_training(ir_graph *g, clcnn_err *err);

/* Runs every pass in order; rep may be NULL. */
clcnn_status passes_run(ir_graph *g, passes_report *rep, clcnn_err *err);

#endif
