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
    const char *force_variant; /* tests: a kernel variant to use wherever its preconditions hold
                                  (others fall back to the general kernel); NULL: automatic */
} exec_cl_options;

/* g must outlive the executor. opt may be NULL. */
clcnn_status exec_cl_create(rt_ctx *rt, const ir_graph *g, const exec_cl_options *opt,
                            exec_cl **out, clcnn_err *err);
void exec_cl_destroy(exec_cl *e);
/* outputs[i] receives output i converted to float32 (one float per element,
 * whatever its dtype). */
clcnn_status exec_cl_run(exec_cl *e, const float *const *inputs, float *const *outputs,
                         clcnn_err *err);
/* Like exec_cl_run, but outputs[i] receives output i in its own dtype
 * (ir_nbytes bytes), not converted to float. */
clcnn_status exec_cl_run_raw(exec_cl *e, const float *const *inputs, void *const *outputs,
                             clcnn_err *err);
/* Reads tensor t (float32) as of the last run. CLCNN_ERR_INVALID_ARG when the
 * plan did not materialise t (fused away, or reused without keep_intermediates). */
clcnn_status exec_cl_read_tensor(exec_cl *e, int t, float *dst, clcnn_err *err);

/* ---- plan introspection (bench, summary, tests) ---- */
/* Kernels enqueued per run (what one inference costs in launches). */
int exec_cl_kernel_count(const exec_cl *e);
/* Launch i: the node it belongs to and its kernel variant ("conv_dw", ...). */
void exec_cl_launch_info(const exec_cl *e, int i, int *node, const char **variant);
/* Node's variant: a kernel name, "alias" (zero-copy view), "fused" (folded into
 * its producer) or NULL; *fallback = 1 when the general kernel stood in. */
const char *exec_cl_node_variant(const exec_cl *e, int node, int *fallback);
/* The node whose launches run `node`: itself, or (following fused chains) the
 * node it was fused into; -1 when out of range. */
int exec_cl_node_host(const exec_cl *e, int node);
/* Like exec_cl_run, also filling kernel_ms[i] (exec_cl_kernel_count entries)
 * with each launch's device time from its profiling events. */
clcnn_status exec_cl_run_profiled(exec_cl *e, const float *const *inputs, float *const *outputs,
                                  double *kernel_ms, clcnn_err *err);
/* Device memory of the plan: uploaded weights/constants, activation buffers
 * after liveness reuse, and what activations would take with one buffer per
 * materialised tensor (the planner's saving is naive - act). NULLs allowed. */
void exec_cl_memory(const exec_cl *e, size_t *weight_bytes, size_t *act_bytes,
                    size_t *naive_act_bytes);

#endif
