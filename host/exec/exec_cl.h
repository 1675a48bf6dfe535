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
    void (*packed)(void *user, int t); /* NULL, or plan_options.packed */
    void *packed_user;
    size_t arena_cap;          /* tests: plan_options.arena_cap (0: the device's limit) */
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
/* 1 when the device holds its own copy of constant t (packed, as halves, or
 * copied at creation): the executor never reads the graph's bytes of t again. */
int exec_cl_const_copied(const exec_cl *e, int t);
/* Launches each distinct kernel of the plan (kernel function, work-group
 * shape) once over a single work-group with its planned arguments, in the
 * order of their first use in the plan or in reverse, then waits; *launched
 * (may be NULL) gets how many. What it writes is garbage the next run
 * overwrites (a run never reads an intermediate before writing it). For a
 * helper process: POCL compiles a kernel at its first launch, into an on-disk
 * cache the process running the plan then finds (clcnn_session_warm_kernels). */
clcnn_status exec_cl_warm_kernels(exec_cl *e, int reverse, int *launched, clcnn_err *err);
/* Kernels enqueued per run (what one inference costs in launches). */
int exec_cl_kernel_count(const exec_cl *e);
/* Launch i: the node it belongs to and its kernel variant ("conv_dw", ...). */
void exec_cl_launch_info(const exec_cl *e, int i, int *node, const char **variant);
/* Node's variant: a kernel name, "alias" (zero-copy view), "fused" (folded into
 * its producer) or NULL; *fallback (may be NULL) gets why a fusion or faster
 * kernel was refused for it (owned by the plan), NULL when nothing was. */
const char *exec_cl_node_variant(const exec_cl *e, int node, const char **fallback);
/* The node whose launches run `node`: itself, or (following fused chains) the
 * node it was fused into; -1 when out of range. */
int exec_cl_node_host(const exec_cl *e, int node);
/* Like exec_cl_run, also filling kernel_ms[i] (exec_cl_kernel_count entries)
 * with each launch's device time from its profiling events. */
clcnn_status exec_cl_run_profiled(exec_cl *e, const float *const *inputs, float *const *outputs,
                                  double *kernel_ms, clcnn_err *err);

/* Where one profiled run's wall time went (exec_cl_run_timed), in ms.
 * Host view, from the host clock, a partition of wall_ms: pre_ms + enqueue_ms
 * + wait_ms + post_ms. Device view, from the profiling events of every command
 * (input writes, launches, output reads) on the device clock, a partition of
 * span_ms (first command queued -> last command ended): kernel_ms + upload_ms
 * + download_ms + idle_enqueue_ms + idle_dispatch_ms. The two clocks are only
 * compared by duration, never by timestamp: they need not share an origin. */
typedef struct exec_cl_timing {
    double wall_ms;          /* host: the whole call */
    double pre_ms;           /* host: before the first enqueue (checks, staging buffers) */
    double enqueue_ms;       /* host: inside the enqueue calls, up to the sync */
    double wait_ms;          /* host: blocked in the one sync (blocking read or clFinish) */
    double post_ms;          /* host: after the sync (output conversion, frees) */
    double span_ms;          /* device: first command queued -> last command ended */
    double kernel_ms;        /* device: launches, START -> END */
    double upload_ms;        /* device: input writes */
    double download_ms;      /* device: output reads */
    double idle_enqueue_ms;  /* device idle: the next command not yet enqueued by the host */
    double idle_dispatch_ms; /* device idle: the next command enqueued but not started */
} exec_cl_timing;

/* exec_cl_run_profiled plus *timing (both may not be NULL). */
clcnn_status exec_cl_run_timed(exec_cl *e, const float *const *inputs, float *const *outputs,
                               double *kernel_ms, exec_cl_timing *timing, clcnn_err *err);
/* Device memory of the plan: uploaded weights/constants, activation buffers
 * after liveness reuse, and what activations would take with one buffer per
 * materialised tensor (the planner's saving is naive - act). NULLs allowed. */
void exec_cl_memory(const exec_cl *e, size_t *weight_bytes, size_t *act_bytes,
                    size_t *naive_act_bytes);

#endif
