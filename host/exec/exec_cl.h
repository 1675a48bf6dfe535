/* exec_cl.h — the OpenCL executor: plans the IR onto kernels once (buffers,
 * weights, kernel args), then each run enqueues the whole pipeline on the
 * context's one in-order queue with a single host sync at the end. */
#ifndef CLCNN_EXEC_CL_H
#define CLCNN_EXEC_CL_H

#include "../core/ir.h"
#include "../runtime/rt.h"

typedef struct exec_cl exec_cl;

typedef struct exec_cl_options {
    int keep_intermediates;   /* 1: no buffer reuse, every tensor readable (compare) */
} exec_cl_options;

/* g must outlive the executor. opt may be NULL. */
clcnn_status exec_cl_create(rt_ctx *rt, const ir_graph *g, const exec_cl_options *opt,
                            exec_cl **out, clcnn_err *err);
void exec_cl_destroy(exec_cl *e);
clcnn_status exec_cl_run(exec_cl *e, const float *const *inputs, float *const *outputs,
                         clcnn_err *err);
/* Reads tensor t (float32) as of the last run. CLCNN_ERR_INVALID_ARG when the
 * plan did not materialise t (fused away, or reused without keep_intermediates). */
clcnn_status exec_cl_read_tensor(exec_cl *e, int t, float *dst, clcnn_err *err);

#endif
