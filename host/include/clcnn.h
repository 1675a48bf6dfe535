/* clcnn.h — the only public header of libclcnn.
 *
 * Life cycle: make a context (picks an OpenCL device, or the plain-C reference
 * backend), load a model into it (ONNX file or built-in architecture), make a
 * session (model x context: device buffers + execution plan), run it as often
 * as you like, then destroy in reverse order. Every destroy accepts NULL.
 *
 * Errors: every call returns clcnn_status; the readable message (with the CL
 * error name, or the kernel build log) is kept in the context and read with
 * clcnn_context_last_error(). The library never prints, exits or aborts.
 */
#ifndef CLCNN_H
#define CLCNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLCNN_VERSION "0.1.0"
#define CLCNN_MAX_DIMS 8

typedef enum clcnn_status {
    CLCNN_OK = 0,
    CLCNN_ERR_INVALID_ARG,    /* a caller's argument is wrong (NULL, bad flag value) */
    CLCNN_ERR_OUT_OF_MEMORY,  /* host allocation failed or a size is absurd */
    CLCNN_ERR_IO,             /* a file could not be opened, read or written */
    CLCNN_ERR_PARSE,          /* a file is not what it claims (bad protobuf, bad NPY) */
    CLCNN_ERR_UNSUPPORTED,    /* an op, attribute or dtype clcnn does not implement */
    CLCNN_ERR_SHAPE,          /* shapes do not fit together */
    CLCNN_ERR_GRAPH,          /* malformed graph: cycle, missing tensor, bad arity */
    CLCNN_ERR_NO_DEVICE,      /* no OpenCL device matches the request */
    CLCNN_ERR_CL,             /* an OpenCL call failed; message names the CL error */
    CLCNN_ERR_KERNEL_BUILD,   /* an OpenCL program failed to build; message has the log */
    CLCNN_ERR_INTERNAL,       /* a bug in clcnn */
    CLCNN_STATUS_COUNT
} clcnn_status;

/* Readable name of a status ("CLCNN_ERR_CL"); never NULL. */
const char *clcnn_status_str(clcnn_status s);
const char *clcnn_version(void);

typedef struct clcnn_context clcnn_context;
typedef struct clcnn_model clcnn_model;
typedef struct clcnn_session clcnn_session;

/* ---- devices ---------------------------------------------------------- */

typedef struct clcnn_device_info {
    int index;                 /* global index across platforms, as `--device N` takes */
    char platform[128];
    char name[128];
    char vendor[128];
    char type[16];             /* "gpu", "cpu", "accelerator", "other" */
    unsigned compute_units;
    unsigned max_clock_mhz;
    uint64_t global_mem_bytes;
    uint64_t local_mem_bytes;
    size_t max_work_group_size;
    int image_support;
    int fp16;                  /* cl_khr_fp16 */
    char cl_version[128];      /* CL_DEVICE_VERSION */
    char c_version[128];       /* CL_DEVICE_OPENCL_C_VERSION */
    char driver_version[128];
} clcnn_device_info;

/* Lists every OpenCL device on every platform into out[0..cap). *count gets
 * the number found (may exceed cap). With no platform at all this returns
 * CLCNN_OK and *count = 0. err (may be NULL) gets a message on failure. */
clcnn_status clcnn_devices_list(clcnn_device_info *out, int cap, int *count,
                                char *err, size_t err_len);

/* ---- context ---------------------------------------------------------- */

typedef enum clcnn_log_level { CLCNN_LOG_DEBUG, CLCNN_LOG_INFO, CLCNN_LOG_WARN } clcnn_log_level;
typedef void (*clcnn_log_fn)(void *user, clcnn_log_level level, const char *msg);

typedef struct clcnn_context_options {
    const char *device;     /* "auto" (NULL), "gpu", "cpu", "ref", an index "N", or a
                               substring of a device name */
    int no_cache;           /* 1: do not read or write the program binary cache */
    const char *cache_dir;  /* NULL: $CLCNN_CACHE_DIR, $XDG_CACHE_HOME/clcnn, ~/.cache/clcnn */
    clcnn_log_fn log;       /* NULL: silent */
    void *log_user;
} clcnn_context_options;

/* opt may be NULL (auto device, cache on, silent). On failure *out is NULL and
 * err (may be NULL) receives the message, since there is no context to hold it. */
clcnn_status clcnn_context_create(const clcnn_context_options *opt, clcnn_context **out,
                                  char *err, size_t err_len);
void clcnn_context_destroy(clcnn_context *ctx);
/* Message of the last failed call on this context (and its models/sessions). */
const char *clcnn_context_last_error(const clcnn_context *ctx);
/* 1 when the context runs the plain-C reference backend. */
int clcnn_context_is_reference(const clcnn_context *ctx);
/* Device name ("reference (plain C)" for ref). */
const char *clcnn_context_device_name(const clcnn_context *ctx);

/* ---- model -------------------------------------------------------------- */

typedef struct clcnn_tensor_info {
    const char *name;       /* owned by the model */
    int ndim;
    int64_t dims[CLCNN_MAX_DIMS];
} clcnn_tensor_info;

/* Loads an ONNX file, or a built-in architecture by name when `path` names no
 * file. The model must not outlive ctx. */
clcnn_status clcnn_model_load(clcnn_context *ctx, const char *path, clcnn_model **out);
void clcnn_model_destroy(clcnn_model *m);
int clcnn_model_num_inputs(const clcnn_model *m);
int clcnn_model_num_outputs(const clcnn_model *m);
clcnn_status clcnn_model_input(const clcnn_model *m, int i, clcnn_tensor_info *out);
clcnn_status clcnn_model_output(const clcnn_model *m, int i, clcnn_tensor_info *out);
/* Name of the op that produces output i ("Softmax", ...), ignoring a trailing
 * Flatten/Reshape; used by classify to avoid a second softmax. */
const char *clcnn_model_output_op(const clcnn_model *m, int i);

/* One row of the Keras-like summary: one per compute node of the graph. */
typedef struct clcnn_layer_info {
    const char *name;       /* node name, owned by the model */
    const char *op;         /* ONNX op type */
    int ndim;               /* first output's shape */
    int64_t dims[CLCNN_MAX_DIMS];
    int64_t params;         /* weights this node owns (initializers it reads) */
    int64_t non_trainable;  /* of which non-trainable (BN running mean/var) */
    int64_t macs;           /* multiply-accumulates for batch 1 */
    int n_inputs;           /* producers of this layer's inputs: */
    const int *inputs;      /* layer indices, -1 for a graph input; owned by the model */
} clcnn_layer_info;

int clcnn_model_num_layers(const clcnn_model *m);
clcnn_status clcnn_model_layer(const clcnn_model *m, int i, clcnn_layer_info *out);

/* ---- session -------------------------------------------------------------- */

/* Plans the model on the context's device: allocates buffers once, uploads weights. */
clcnn_status clcnn_session_create(clcnn_context *ctx, const clcnn_model *m, clcnn_session **out);
void clcnn_session_destroy(clcnn_session *s);
/* inputs[i] holds the element count of clcnn_model_input(i) (float32, C order);
 * outputs[i] receives clcnn_model_output(i). One host sync per call. */
clcnn_status clcnn_session_run(clcnn_session *s, const float *const *inputs, float *const *outputs);

/* ---- built-in architectures (models/) ------------------------------------ */

typedef struct clcnn_builtin_options {
    float width;        /* width multiplier; 0: family default */
    float depth;        /* depth multiplier; 0: family default */
    int classes;        /* 0: 1000 */
    int input_size;     /* 0: family default (224; 299 for xception) */
    uint64_t seed;      /* deterministic random weights */
} clcnn_builtin_options;

typedef struct clcnn_arch_info {
    const char *name;   /* "mobilenet_v2" */
    const char *family; /* "MobileNetV2" */
    const char *seed;   /* source document id, e.g. "002" */
} clcnn_arch_info;

int clcnn_builtin_count(void);
clcnn_status clcnn_builtin_info(int i, clcnn_arch_info *out);
/* Builds a built-in architecture; opt may be NULL (defaults). An unknown name
 * is CLCNN_ERR_INVALID_ARG with the known names in the message. */
clcnn_status clcnn_model_builtin(clcnn_context *ctx, const char *arch,
                                 const clcnn_builtin_options *opt, clcnn_model **out);
/* Writes the model as a standard ONNX file (weights inline), atomically. */
clcnn_status clcnn_model_export_onnx(clcnn_context *ctx, const clcnn_model *m, const char *path);

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
 * reference, on the same inputs. *rows (free with clcnn_compare_free) gets one
 * row per node in execution order. ctx must be an OpenCL context. */
clcnn_status clcnn_compare(clcnn_context *ctx, const clcnn_model *m, const float *const *inputs,
                           clcnn_compare_row **rows, int *n_rows);
void clcnn_compare_free(clcnn_compare_row *rows);

/* ---- session options, shapes and profile (bench) -------------------------- */

typedef struct clcnn_session_options {
    int batch;              /* 0: the model's own batch; B >= 1: dim 0 of every input
                               (and output) becomes B. Exporters' constant Reshape
                               targets that spell the old batch are rewritten; a
                               graph that mixes the batch into other dims fails with
                               CLCNN_ERR_UNSUPPORTED. */
} clcnn_session_options;

/* clcnn_session_create with options; opt may be NULL (same as create). With a
 * batch, inputs/outputs of clcnn_session_run have clcnn_session_input/output's
 * shapes, not the model's. */
clcnn_status clcnn_session_create_ex(clcnn_context *ctx, const clcnn_model *m,
                                     const clcnn_session_options *opt, clcnn_session **out);
/* Input/output i as this session runs it (batch applied); names owned by the session. */
clcnn_status clcnn_session_input(const clcnn_session *s, int i, clcnn_tensor_info *out);
clcnn_status clcnn_session_output(const clcnn_session *s, int i, clcnn_tensor_info *out);
/* Kernels (and other device commands) enqueued per run; 0 on the reference backend. */
int clcnn_session_kernel_count(const clcnn_session *s);

typedef struct clcnn_memory_info {
    uint64_t weight_bytes;     /* weights/constants uploaded to the device */
    uint64_t act_bytes;        /* activation buffers after liveness reuse */
    uint64_t naive_act_bytes;  /* one buffer per materialised activation (no reuse) */
} clcnn_memory_info;

/* Device memory of the session's plan. CLCNN_ERR_UNSUPPORTED on the reference
 * backend (it allocates per run, on the host). */
clcnn_status clcnn_session_memory(const clcnn_session *s, clcnn_memory_info *out);

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
 * reference backend has no per-kernel timing: CLCNN_ERR_UNSUPPORTED. */
clcnn_status clcnn_session_profile(clcnn_session *s, const float *const *inputs, float *const *outputs,
                                   clcnn_profile_row **rows, int *n_rows);
void clcnn_profile_free(clcnn_profile_row *rows);

/* ---- tune: measured per-device decisions (`clcnn tune`) ------------------- */

typedef enum clcnn_tune_kind {
    CLCNN_TUNE_CLBLAST_WARMUP, /* clblast_ms: CLBlast's first call (its kernel compile) */
    CLCNN_TUNE_CLBLAST,        /* a pointwise-conv GEMM shape: conv_pw vs CLBlast SGEMM */
    CLCNN_TUNE_LWS,            /* conv_pw work-group: heuristic lws vs the best one tried */
} clcnn_tune_kind;

typedef struct clcnn_tune_options {
    int runs;                  /* back-to-back repetitions per timing; 0: 20 */
    int no_lws;                /* 1: skip work-group tuning */
} clcnn_tune_options;

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
 * measures). *rows (free with clcnn_tune_free) gets *n rows. OpenCL contexts only. */
clcnn_status clcnn_tune(clcnn_context *ctx, const clcnn_model *m, const clcnn_tune_options *opt,
                        clcnn_tune_row **rows, int *n);
void clcnn_tune_free(clcnn_tune_row *rows);
/* The decision store's file for ctx's device into buf ("" when there is no disk cache). */
clcnn_status clcnn_tune_store_path(clcnn_context *ctx, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* CLCNN_H */
