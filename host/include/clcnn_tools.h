/* clcnn_tools.h — the calls behind `clcnn compare`, `bench` and `tune`:
 * layer-by-layer comparison with the reference, per-kernel profiles, device
 * memory figures and measured tuning. Exported and kept with the same care as
 * clcnn.h (status codes, options with struct_size, errors on the object, the
 * thread rules of clcnn.h), but their row structs describe the engine's
 * internals and may grow between minor versions: include this header only
 * where you need those tools.
 */
#ifndef CLCNN_TOOLS_H
#define CLCNN_TOOLS_H

#include "clcnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- compare: OpenCL pipeline vs the reference, layer by layer ----------- */

typedef struct clcnn_compare_row {
    const char *name;       /* node name, owned by the model */
    const char *op;
    int ndim;
    int64_t dims[CLCNN_MAX_DIMS];
    double max_abs;         /* max |cl - ref| over the node's first output */
    double max_rel;         /* max_abs / max |ref| (0 when ref is all zero) */
    double ref_max;         /* max |ref| */
} clcnn_compare_row;

/* Runs m on ctx's OpenCL device with every intermediate kept, and on the
 * reference, on the same inputs (float32, the model's input shapes). *rows
 * (free with clcnn_compare_free) gets one row per node in execution order.
 * ctx must be an OpenCL context; errors go to ctx's last error. */
CLCNN_API clcnn_status clcnn_compare(clcnn_context *ctx, const clcnn_model *m,
                                     const float *const *inputs, clcnn_compare_row **rows,
                                     int *n_rows);
/* The same with the OpenCL side in `precision`: FP32 (= clcnn_compare) or FP16
 * (every float tensor stored half; CLCNN_ERR_UNSUPPORTED on a device without
 * cl_khr_fp16). AUTO is refused (CLCNN_ERR_INVALID_ARG): its per-layer choice
 * is made for a session's rewritten graph (bench/summary --precision auto). */
CLCNN_API clcnn_status clcnn_compare_precision(clcnn_context *ctx, const clcnn_model *m,
                                               const float *const *inputs, clcnn_precision precision,
                                               clcnn_compare_row **rows, int *n_rows);
CLCNN_API void clcnn_compare_free(clcnn_compare_row *rows);

/* ---- plan figures ----------------------------------------------------------- */

/* Kernels (and other device commands) enqueued per run; 0 on the reference backend. */
CLCNN_API int clcnn_session_kernel_count(const clcnn_session *s);

typedef struct clcnn_memory_info {
    uint64_t weight_bytes;     /* weights/constants uploaded to the device */
    uint64_t act_bytes;        /* activation buffers after liveness reuse */
    uint64_t naive_act_bytes;  /* one buffer per materialised activation (no reuse) */
} clcnn_memory_info;

/* Device memory of the session's plan. CLCNN_ERR_UNSUPPORTED on the reference
 * backend (it allocates per run, on the host). */
CLCNN_API clcnn_status clcnn_session_memory(const clcnn_session *s, clcnn_memory_info *out);

/* ---- precision: which layers store half (clcnn_session_precision) ---------- */

typedef struct clcnn_layer_precision {
    const char *name;       /* node name, owned by the session */
    const char *op;         /* "Conv"; "Cast" for the storage conversions the plan inserted */
    int half;               /* 1: its float tensors are stored as half */
    double fp16_error;      /* auto: its first output's max |fp16 - fp32| / max |fp32| in
                               the all-fp16 calibration run (errors from earlier layers
                               included); -1: not measured */
} clcnn_layer_precision;

/* One row per node of the session's plan, in execution order; free *rows with clcnn_free. */
CLCNN_API clcnn_status clcnn_session_layer_precision(const clcnn_session *s,
                                                     clcnn_layer_precision **rows, int *n_rows);

/* ---- plan groups: what the plan executes (summary --plan) ---------------- */

/* One executed group: a node the plan kept plus everything it fused into it
 * (activations, BatchNorm, a residual Add, an SE gate, a depthwise conv run
 * by its pointwise conv, a shuffle chain run by its Concat). */
typedef struct clcnn_plan_group {
    const char *name;       /* the group's root node (the one its launches belong to;
                               clcnn_profile_row's name), owned by the session */
    char op[64];            /* members' ops in execution order, "Conv+Relu" */
    char variant[64];       /* its launches' kernel variants ("conv_dwpw"), "a+b" when
                               several; with no launches, the node's ("alias": a view) or "" */
    int launches;           /* device commands per run; 0 for views and in-place nodes */
    int profile_row;        /* its row in clcnn_session_profile's rows; -1 with no launches */
    int is_output;          /* 1: its output is a graph output */
    int ndim;
    int64_t dims[CLCNN_MAX_DIMS]; /* shape of its output (the largest tensor it writes that
                                     leaves the group) */
    int n_layers;
    const int *layers;      /* the model layers it runs (clcnn_model_layer indices,
                               ascending), layers the passes removed included: a folded
                               BatchNorm or Pad counts with its Conv */
    int n_inputs;
    const int *inputs;      /* groups it reads (indices into the array, ascending);
                               -1: a graph input */
    const char *fallback;   /* why a fusion or a faster kernel was refused for one of its
                               members ("SE gate not fused into Conv 'x': ...", "Concat
                               copies 2 of 4 inputs ..."), owned by the session; NULL:
                               nothing was. The library also logs each at CLCNN_LOG_DEBUG
                               when the session is created. */
} clcnn_plan_group;

/* The session's plan as groups in execution order; *groups (free with
 * clcnn_plan_groups_free, one block: the index lists live in it) gets
 * *n_groups entries. A model layer is in at most one group (none when its
 * work was done at load, e.g. a constant). CLCNN_ERR_UNSUPPORTED on the
 * reference backend (it fuses nothing). */
CLCNN_API clcnn_status clcnn_session_plan_groups(const clcnn_session *s, clcnn_plan_group **groups,
                                                 int *n_groups);
CLCNN_API void clcnn_plan_groups_free(clcnn_plan_group *groups);

/* ---- profile (bench) ---------------------------------------------------------- */

/* One row per node that launches device work, in execution order. Activations
 * the plan folded into their producer are in their producer's row ("Conv+Relu"). */
typedef struct clcnn_profile_row {
    const char *name;       /* node name (the fused group's producer), owned by the session */
    char op[64];            /* "Conv", or "Conv+Relu" for a fused group */
    char variant[64];       /* kernel variant ("conv_dw"); "a+b" when the node has several */
    int launches;           /* device commands of this row */
    double ms;              /* device time from profiling events */
    int64_t macs;           /* multiply-accumulates of the group (whole batch) */
    int64_t bytes;          /* tensors read (weights included) + written, whole batch */
    double gflops;          /* 2 * macs / time; 0 when no MACs */
    double gbps;            /* bytes / time */
} clcnn_profile_row;

/* Runs once like clcnn_session_run, timing every launch with OpenCL profiling
 * events; *rows (free with clcnn_profile_free) gets *n_rows rows. The
 * reference backend has no per-kernel timing: CLCNN_ERR_UNSUPPORTED. Errors
 * go to the session's last error. */
CLCNN_API clcnn_status clcnn_session_profile(clcnn_session *s, const float *const *inputs,
                                             float *const *outputs, clcnn_profile_row **rows,
                                             int *n_rows);
CLCNN_API void clcnn_profile_free(clcnn_profile_row *rows);

/* ---- tune: measured per-device decisions (`clcnn tune`) ------------------- */

typedef enum clcnn_tune_kind {
    CLCNN_TUNE_CLBLAST_WARMUP, /* clblast_ms: CLBlast's first call (its kernel compile) */
    CLCNN_TUNE_CLBLAST,        /* a pointwise-conv GEMM shape: conv_pw vs CLBlast SGEMM */
    CLCNN_TUNE_LWS,            /* conv_pw work-group: heuristic lws vs the best one tried */
} clcnn_tune_kind;

typedef struct clcnn_tune_options {
    size_t struct_size;        /* sizeof(clcnn_tune_options): set by _init() */
    int runs;                  /* back-to-back repetitions per timing; 0: 20 */
    int no_lws;                /* 1: skip work-group tuning */
} clcnn_tune_options;

static inline void clcnn_tune_options_init(clcnn_tune_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

typedef struct clcnn_tune_row {
    clcnn_tune_kind kind;
    int64_t m, n, k;           /* per image: M = C_out, N = H*W, K = C_in */
    int64_t batch;
    double ours_ms;            /* conv_pw (with the heuristic work-group), wall ms per conv */
    double clblast_ms;         /* CLBlast SGEMM + bias epilogue; -1: built without CLBlast */
    double tuned_ms;           /* LWS rows: conv_pw with tuned_lws */
    size_t lws[3], tuned_lws[3];
    int use;                   /* 1: stored as the choice (CLBlast, or tuned_lws) */
} clcnn_tune_row;

/* Times every distinct pointwise-conv shape of m on ctx's device and stores the
 * decisions beside the program cache (read by later sessions; a session never
 * measures). *rows (free with clcnn_tune_free) gets *n rows. OpenCL contexts
 * only; opt may be NULL; errors go to ctx's last error. */
CLCNN_API clcnn_status clcnn_tune(clcnn_context *ctx, const clcnn_model *m,
                                  const clcnn_tune_options *opt, clcnn_tune_row **rows, int *n);
CLCNN_API void clcnn_tune_free(clcnn_tune_row *rows);
/* The decision store's file for ctx's device into buf ("" when there is no disk cache). */
CLCNN_API clcnn_status clcnn_tune_store_path(clcnn_context *ctx, char *buf, size_t len);

/* ---- where a run's time goes (bench's breakdown) --------------------------- */

/* One profiled run's wall time taken apart, in ms. Two views, each a
 * partition of its own interval, measured on two clocks compared only by
 * duration:
 * - host (the host's monotonic clock), wall_ms = host_ms + enqueue_ms + wait_ms:
 *   the calling thread was staging/converting, inside enqueue calls, or
 *   blocked in the one sync;
 * - device (profiling events on every command: input writes, launches, output
 *   reads), span_ms = kernel_ms + upload_ms + download_ms + idle_enqueue_ms +
 *   idle_dispatch_ms, where span_ms runs from the first command's enqueue to
 *   the last command's end.
 * wall_ms - host_ms - span_ms is what neither view explains: mostly the host
 * waking up after the device finished. The device view may be missing parts
 * on drivers whose events carry no timestamps (those commands count as idle). */
typedef struct clcnn_run_timing {
    size_t struct_size;      /* sizeof(clcnn_run_timing): set by clcnn_run_timing_init */
    double wall_ms;          /* host: the whole run call */
    double host_ms;          /* host: outside enqueue and sync (checks, staging, output conversion) */
    double enqueue_ms;       /* host: inside the enqueue calls (writes, launches, reads) */
    double wait_ms;          /* host: blocked in the sync (the final blocking read) */
    double span_ms;          /* device: first command enqueued -> last command ended */
    double kernel_ms;        /* device: sum of launch times (START -> END) */
    double upload_ms;        /* device: input writes */
    double download_ms;      /* device: output reads */
    double idle_enqueue_ms;  /* device idle because the host had not enqueued the next command yet */
    double idle_dispatch_ms; /* device idle with the next command enqueued but not started */
} clcnn_run_timing;

static inline void clcnn_run_timing_init(clcnn_run_timing *t)
{
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
}

/* clcnn_session_profile that also fills *timing (set up by
 * clcnn_run_timing_init; the library writes at most struct_size bytes). rows
 * and n_rows may both be NULL: timing only. Errors as clcnn_session_profile. */
CLCNN_API clcnn_status clcnn_session_profile_timed(clcnn_session *s, const float *const *inputs,
                                                   float *const *outputs, clcnn_profile_row **rows,
                                                   int *n_rows, clcnn_run_timing *timing);

/* ---- program builds (bench's progress) ------------------------------------ */

/* What the context's on-disk program cache did so far: programs compiled from
 * source (no usable entry) and programs loaded from a cached binary. A program
 * a context already holds counts nothing again. With no disk cache (no_cache,
 * or no usable folder) nothing is counted: disk_cache says which. */
typedef struct clcnn_program_stats {
    int built;               /* compiled from source */
    int loaded;              /* read from the disk cache */
    int disk_cache;          /* 1: the counters mean something */
    int deferred;            /* built here and not yet written: CLCNN_CACHE_STORE_AUTO
                                writes them at clcnn_context_destroy, _NO_DEFERRED never;
                                also programs whose lean copy (lean_programs) is not
                                written yet */
} clcnn_program_stats;

/* CLCNN_ERR_UNSUPPORTED on the reference backend (it builds no programs). */
CLCNN_API clcnn_status clcnn_context_program_stats(clcnn_context *ctx, clcnn_program_stats *out);

/* The program cache folder the context reads and writes (it exists); NULL on
 * the reference backend and when there is no disk cache (no_cache, or no
 * usable folder). Lives as long as the context. */
CLCNN_API const char *clcnn_context_cache_dir(const clcnn_context *ctx);

/* Launches each distinct kernel of the session's plan (kernel function and
 * work-group shape) once, over one work-group, in the order a run first uses
 * them or (reverse = 1) from the last first used, and waits. For a helper
 * process on an OpenCL implementation that compiles each kernel at its first
 * launch into an on-disk cache of its own (POCL): the helper, started from clcnn_context_options.cold_build,
 * compiles from the end of the plan while the process that runs it compiles
 * from the start, and each finds what the other compiled. What the launches
 * write is overwritten by the next run (the session stays usable). A no-op on
 * the reference backend. */
CLCNN_API clcnn_status clcnn_session_warm_kernels(clcnn_session *s, int reverse);

#ifdef __cplusplus
}
#endif
#endif /* CLCNN_TOOLS_H */
