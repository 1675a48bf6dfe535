/* clcnn.h — the public header of libclcnn (with clcnn_tools.h for the
 * profiling, tuning and compare calls the CLI's tools use).
 *
 * Life cycle: make a context (picks an OpenCL device, or the plain-C reference
 * backend), load a model into it (ONNX file or built-in architecture), make a
 * session (model x context: device buffers + execution plan), run it as often
 * as you like, then destroy in reverse order. Every destroy accepts NULL.
 *
 * Errors: every call returns clcnn_status. The one-line message (with the CL
 * error name, or the first error line of a kernel build log) is kept on the
 * object the call was made on:
 *   - calls on a session (run, ...)          -> clcnn_session_last_error(s)
 *   - calls that create from a context (model load, builtin, session create)
 *                                            -> clcnn_context_last_error(ctx)
 * so one session's failure never overwrites another session's message.
 * Calls with no object to hold a message (context create, devices list,
 * image preprocessing) and calls on a model (which is immutable and shared
 * between threads: export, preprocess settings) take a `char *err, size_t
 * err_len` buffer instead (err may be NULL). The library never
 * prints, exits or aborts.
 *
 * Threads (the contract the tests check, TSan-clean):
 *   - Free functions (clcnn_version, clcnn_status_str, clcnn_devices_list,
 *     clcnn_builtin_*, clcnn_image_*, clcnn_preprocess_*) may be called from
 *     any thread at any time.
 *   - Contexts are independent of each other: use any number, each from any
 *     thread.
 *   - A context is thread-safe: models and sessions may be created and
 *     destroyed on one context from several threads at once (the context
 *     serialises program builds and its cache internally). Only the last
 *     error of a failed create is shared: read it on the failing thread before
 *     that thread's next create, or give each thread its own context.
 *   - A model is immutable after load: any number of threads may read it and
 *     create sessions from it at once. Destroy it only after every session
 *     made from it.
 *   - A session is used by one thread at a time (run, profile, its last
 *     error). Different sessions, of one model or of several, may run in
 *     parallel threads; on one OpenCL context their kernels share the
 *     context's in-order queue, so results are identical to serial runs.
 *   - Destroy is never concurrent with another call on the same object.
 *
 * ABI: every options struct starts with `size_t struct_size`. Initialise it
 * with the matching clcnn_*_options_init() (an inline function, so it records
 * the size your program was compiled with): the library reads only the fields
 * that size covers and uses defaults for the rest, so a program built against
 * an older, smaller struct keeps working with a newer library. struct_size 0
 * (an options struct never initialised) is CLCNN_ERR_INVALID_ARG.
 */
#ifndef CLCNN_H
#define CLCNN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "clcnn_version.h" /* CLCNN_VERSION_MAJOR/MINOR/PATCH, CLCNN_VERSION (generated) */

#if defined(__GNUC__) || defined(__clang__)
#define CLCNN_API __attribute__((visibility("default")))
#else
#define CLCNN_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define CLCNN_MAX_DIMS 8

typedef enum clcnn_status {
    CLCNN_OK = 0,
    CLCNN_ERR_INVALID_ARG,    /* a caller's argument is wrong (NULL, bad flag value, shape) */
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
CLCNN_API const char *clcnn_status_str(clcnn_status s);
/* The library's version string ("0.2.0"); compare with CLCNN_VERSION to catch
 * a program running against another library than it was built with. */
CLCNN_API const char *clcnn_version(void);

typedef struct clcnn_context clcnn_context;
typedef struct clcnn_model clcnn_model;
typedef struct clcnn_session clcnn_session;

/* ---- element types ------------------------------------------------------ */

/* ONNX TensorProto.DataType numbers. Inputs are float32; outputs may be any
 * of these (an ArgMax, a Cast, a Shape output). */
typedef enum clcnn_dtype {
    CLCNN_DTYPE_UNDEFINED = 0,
    CLCNN_DTYPE_FLOAT32 = 1,
    CLCNN_DTYPE_UINT8 = 2,
    CLCNN_DTYPE_INT8 = 3,
    CLCNN_DTYPE_UINT16 = 4,
    CLCNN_DTYPE_INT16 = 5,
    CLCNN_DTYPE_INT32 = 6,
    CLCNN_DTYPE_INT64 = 7,
    CLCNN_DTYPE_BOOL = 9,     /* one byte per element, 0 or 1 */
    CLCNN_DTYPE_FLOAT16 = 10,  /* IEEE half, 2 bytes */
    CLCNN_DTYPE_FLOAT64 = 11,
    CLCNN_DTYPE_UINT32 = 12,
    CLCNN_DTYPE_UINT64 = 13,
} clcnn_dtype;

/* "float32", "int64", ...; "undefined" for anything else. Never NULL. */
CLCNN_API const char *clcnn_dtype_str(clcnn_dtype t);
/* Bytes per element; 0 for CLCNN_DTYPE_UNDEFINED or an unknown value. */
CLCNN_API size_t clcnn_dtype_size(clcnn_dtype t);

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
CLCNN_API clcnn_status clcnn_devices_list(clcnn_device_info *out, int cap, int *count,
                                          char *err, size_t err_len);

/* ---- context ---------------------------------------------------------- */

typedef enum clcnn_log_level { CLCNN_LOG_DEBUG, CLCNN_LOG_INFO, CLCNN_LOG_WARN } clcnn_log_level;
/* May be called from any thread that uses the context; msg lives for the call. */
typedef void (*clcnn_log_fn)(void *user, clcnn_log_level level, const char *msg);

/* When programs built from source are written to the disk cache (entries
 * found there are always read). */
typedef enum clcnn_cache_store {
    /* As soon as built; on POCL with its own kernel cache on, at
     * clcnn_context_destroy instead: asking POCL for a binary makes it compile
     * every kernel again for a generic work-group size (seconds for a network),
     * which would double a cold start. */
    CLCNN_CACHE_STORE_AUTO = 0,
    CLCNN_CACHE_STORE_NOW = 1,         /* as soon as built, on every driver */
    /* As AUTO, but what AUTO leaves for clcnn_context_destroy is not written
     * (clcnn_program_stats.deferred counts it): for a caller that fills the
     * cache from another process, as the CLI does after a cold `run` or
     * `classify`, so the process ends when its result is out. */
    CLCNN_CACHE_STORE_NO_DEFERRED = 2
} clcnn_cache_store;

typedef struct clcnn_context_options {
    size_t struct_size;     /* sizeof(clcnn_context_options): set by _init() */
    const char *device;     /* "auto" (NULL), "gpu", "cpu", "ref", an index "N", or a
                               substring of a device name */
    int no_cache;           /* 1: do not read or write the program binary cache */
    const char *cache_dir;  /* NULL: $CLCNN_CACHE_DIR, $XDG_CACHE_HOME/clcnn, ~/.cache/clcnn */
    clcnn_log_fn log;       /* NULL: silent */
    void *log_user;
    clcnn_cache_store cache_store; /* AUTO (0) by default */
    /* Called at most once, just before the context compiles its first program
     * from source (none in the binary cache), and only on an implementation
     * that compiles each kernel at its first launch into an on-disk cache of
     * its own (POCL with its kernel cache on), where those compiles are most of
     * a cold start. The clcnn CLI starts a helper process there (see
     * clcnn_session_warm_kernels). NULL: nothing. */
    void (*cold_build)(void *user);
    void *cold_build_user;
    /* 1: on POCL (its kernel cache on, a disk cache), keep each program a
     * second time per workload (the planned graph: model, batch, precision)
     * without its LLVM bitcode, written where this context writes binaries
     * (at destroy, or never with _NO_DEFERRED: clcnn_program_stats.deferred
     * counts it), after the workload's launches compiled; a later context
     * planning the same workload loads that copy: POCL then neither parses
     * the bitcode nor keeps the module (ShuffleNetV2: peak memory -4 MiB,
     * warm start -35 ms). Such a program compiles no new work-group shapes,
     * so a launch the workload did not make runs POCL's generic work-group
     * function (up to ~10% slower). The CLI sets it; 0 by default. */
    int lean_programs;
} clcnn_context_options;

static inline void clcnn_context_options_init(clcnn_context_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

/* opt may be NULL (auto device, cache on, silent). On failure *out is NULL and
 * err (may be NULL) receives the message, since there is no context to hold it. */
CLCNN_API clcnn_status clcnn_context_create(const clcnn_context_options *opt, clcnn_context **out,
                                            char *err, size_t err_len);
CLCNN_API void clcnn_context_destroy(clcnn_context *ctx);
/* Message of the last failed create (model load, builtin, session create) on
 * this context; "" when none. */
CLCNN_API const char *clcnn_context_last_error(const clcnn_context *ctx);
/* 1 when the context runs the plain-C reference backend. */
CLCNN_API int clcnn_context_is_reference(const clcnn_context *ctx);
/* Device name ("reference (plain C)" for ref). */
CLCNN_API const char *clcnn_context_device_name(const clcnn_context *ctx);

/* ---- model -------------------------------------------------------------- */

typedef struct clcnn_tensor_info {
    const char *name;       /* owned by the model (or session) */
    int ndim;
    int64_t dims[CLCNN_MAX_DIMS];
    clcnn_dtype dtype;      /* element type (inputs: float32 unless the model declares
                               another type, e.g. int64 indices or a bool mask) */
    int dynamic_batch;      /* 1: dim 0 was symbolic in the file; dims[0] shows 1 and a
                               session accepts any batch there at run time */
} clcnn_tensor_info;

/* Where clcnn_model_load looks for a bare file name (no '/'), in order:
 *   1. the name as given (relative to the working directory);
 *   2. each folder of $CLCNN_MODEL_PATH (':'-separated);
 *   3. ./models and ./../shared/models (relative to the working directory);
 *   4. $XDG_DATA_HOME/clcnn/models (~/.local/share/clcnn/models);
 *   5. <install prefix>/share/clcnn/models.
 * No build-tree path is compiled in. When nothing matches, a name of a
 * built-in architecture ("mobilenet_v2") builds it. */
#define CLCNN_DEFAULT_MODEL "mobilenet_v1_0.75_224.onnx"

/* Resolves `name` (NULL: CLCNN_DEFAULT_MODEL) through the search path above
 * into buf. CLCNN_ERR_IO (message in err) when no file is found. */
CLCNN_API clcnn_status clcnn_model_find(const char *name, char *buf, size_t len, char *err,
                                        size_t err_len);

/* Loads an ONNX file (found as clcnn_model_find does), or a built-in
 * architecture by name when `path` names no file. The model must not outlive
 * ctx. */
CLCNN_API clcnn_status clcnn_model_load(clcnn_context *ctx, const char *path, clcnn_model **out);
/* Loads an ONNX model from len bytes at buf (a serialized ModelProto; the
 * library does not keep buf). `name` (may be NULL) is what error messages and
 * clcnn_model_path call it. External data is refused (CLCNN_ERR_UNSUPPORTED):
 * there is no folder to resolve it in. Errors as for clcnn_model_load. */
CLCNN_API clcnn_status clcnn_model_load_mem(clcnn_context *ctx, const void *buf, size_t len,
                                            const char *name, clcnn_model **out);
CLCNN_API void clcnn_model_destroy(clcnn_model *m);
/* The file the model was loaded from (NULL for a built-in). */
CLCNN_API const char *clcnn_model_path(const clcnn_model *m);
CLCNN_API int clcnn_model_num_inputs(const clcnn_model *m);
CLCNN_API int clcnn_model_num_outputs(const clcnn_model *m);
CLCNN_API clcnn_status clcnn_model_input(const clcnn_model *m, int i, clcnn_tensor_info *out);
CLCNN_API clcnn_status clcnn_model_output(const clcnn_model *m, int i, clcnn_tensor_info *out);
/* Name of the op that produces output i ("Softmax", ...), ignoring a trailing
 * Flatten/Reshape; used by classify to avoid a second softmax. */
CLCNN_API const char *clcnn_model_output_op(const clcnn_model *m, int i);

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

CLCNN_API int clcnn_model_num_layers(const clcnn_model *m);
CLCNN_API clcnn_status clcnn_model_layer(const clcnn_model *m, int i, clcnn_layer_info *out);

/* ---- tensors --------------------------------------------------------------- */

/* A buffer with its type and shape, for clcnn_session_run_tensors.
 * Input: dtype float32, ndim/dims the shape of the data, data = C-order
 *   elements, bytes = the size of data.
 * Output: the library sets dtype, ndim and dims. With data != NULL, bytes is
 *   the caller's capacity: a smaller buffer is CLCNN_ERR_INVALID_ARG and
 *   nothing is written. With data == NULL the library allocates the buffer
 *   (free it with clcnn_free) and sets bytes. */
typedef struct clcnn_tensor {
    clcnn_dtype dtype;
    int ndim;
    int64_t dims[CLCNN_MAX_DIMS];
    void *data;
    size_t bytes;
} clcnn_tensor;

/* Frees memory the library allocated for the caller; accepts NULL. */
CLCNN_API void clcnn_free(void *p);

/* ---- session -------------------------------------------------------------- */

/* How an OpenCL session stores float tensors on the device. Arithmetic and
 * accumulators are float32 in every mode; inputs and outputs stay float32 at
 * the API. The reference backend always runs float32 (and reports FP32). */
typedef enum clcnn_precision {
    CLCNN_PRECISION_FP32 = 0, /* float32 everywhere (the default) */
    CLCNN_PRECISION_FP16 = 1, /* weights and activations stored as IEEE half (half the
                                 memory and traffic); needs a device with cl_khr_fp16:
                                 elsewhere clcnn_session_create fails with
                                 CLCNN_ERR_UNSUPPORTED */
    CLCNN_PRECISION_AUTO = 2  /* at create, runs the model in fp32 and in fp16 on a
                                 calibration input and keeps fp32 for the layers whose
                                 relative error exceeds auto_tolerance, until the outputs
                                 are within it; fp32 throughout (and says so in
                                 clcnn_session_precision) on a device without cl_khr_fp16 */
} clcnn_precision;

typedef struct clcnn_session_options {
    size_t struct_size;     /* sizeof(clcnn_session_options): set by _init() */
    int batch;              /* 0: the model's own batch; B >= 1: dim 0 of every input
                               (and output) becomes B. Exporters' constant Reshape
                               targets that spell the old batch are rewritten; a
                               graph that mixes the batch into other dims fails with
                               CLCNN_ERR_UNSUPPORTED. */
    clcnn_precision precision;  /* CLCNN_PRECISION_FP32 by default */
    double auto_tolerance;  /* AUTO: max |fp16 - fp32| / max |fp32| allowed on the outputs
                               (and per layer); 0: 1e-3 */
    const float *const *calibration; /* AUTO: one float32 array per model input at the
                               session's shapes (e.g. the first real input); NULL: a
                               seeded uniform [-1, 1) input (see docs/precision.md) */
} clcnn_session_options;

static inline void clcnn_session_options_init(clcnn_session_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

/* Plans the model on the context's device: allocates buffers once, uploads
 * weights. opt may be NULL (the model's own batch). The session must not
 * outlive its model. */
CLCNN_API clcnn_status clcnn_session_create(clcnn_context *ctx, const clcnn_model *m,
                                            const clcnn_session_options *opt,
                                            clcnn_session **out);
/* The same, except that the session takes the model, which saves holding the
 * weights twice: where the device keeps a copy of a weight in its own layout
 * (packed, half, or in a GPU's memory), the model's host copy is freed as soon
 * as that copy exists, and clcnn_session_destroy destroys the model. Never call
 * clcnn_model_destroy(m) after this call, whatever it returns (on failure m is
 * destroyed here). While the session lives, m still answers the metadata calls
 * (clcnn_model_input/_output/_layer/_label/_preprocess/_path); calls that need
 * its weights (another session, compare, tune, export) fail with
 * CLCNN_ERR_INVALID_ARG. Nothing is freed on the reference backend, or for a
 * model whose batch is dynamic (a run at another batch plans again from the
 * model's weights). For an app with one session per model: the CLI's classify,
 * run and bench use it. */
CLCNN_API clcnn_status clcnn_session_create_owning(clcnn_context *ctx, clcnn_model *m,
                                                   const clcnn_session_options *opt,
                                                   clcnn_session **out);
CLCNN_API void clcnn_session_destroy(clcnn_session *s);
/* Message of the last failed call on this session; "" when none. */
CLCNN_API const char *clcnn_session_last_error(const clcnn_session *s);

/* What precision the session's plan runs in (see clcnn_precision). */
typedef struct clcnn_precision_info {
    clcnn_precision requested;
    clcnn_precision effective;  /* FP16 when every layer stores half, FP32 when none,
                                   AUTO when mixed */
    int half_layers;            /* nodes whose float tensors are stored half */
    int float_layers;           /* nodes with float tensors stored float32 */
    int conversions;            /* storage conversions between them (Cast nodes) */
    double calib_error;         /* AUTO: the outputs' max |fp16 - fp32| / max |fp32| on
                                   the calibration input, as this session's plan runs
                                   it; -1 when not measured */
    char note[256];             /* why the request was not taken as is, e.g. the device
                                   has no cl_khr_fp16; "" otherwise */
} clcnn_precision_info;
CLCNN_API clcnn_status clcnn_session_precision(const clcnn_session *s, clcnn_precision_info *out);
/* "fp32", "fp16", "auto"; NULL for other values. */
CLCNN_API const char *clcnn_precision_str(clcnn_precision p);
/* Parses "fp32" / "fp16" / "auto" (also "float32", "float16", "half");
 * CLCNN_ERR_INVALID_ARG otherwise. */
CLCNN_API clcnn_status clcnn_precision_parse(const char *s, clcnn_precision *out);
/* Input/output i as this session runs it at its planned batch; names owned by
 * the session. */
CLCNN_API clcnn_status clcnn_session_input(const clcnn_session *s, int i, clcnn_tensor_info *out);
CLCNN_API clcnn_status clcnn_session_output(const clcnn_session *s, int i, clcnn_tensor_info *out);

/* Runs the session on typed tensors; n_in / n_out must equal the model's input
 * and output counts. Inputs must have the session input's shape, except that
 * where the model's batch is dynamic (clcnn_tensor_info.dynamic_batch) dim 0
 * may be any N >= 1, the same for every input: the session then plans for
 * batch N once (and keeps that plan for later runs of the same N) and the
 * outputs have batch N. One host sync per call. */
CLCNN_API clcnn_status clcnn_session_run_tensors(clcnn_session *s, const clcnn_tensor *inputs,
                                                 int n_in, clcnn_tensor *outputs, int n_out);

/* The float-only shortcut: inputs[i] holds the element count of
 * clcnn_session_input(i) (float32, C order); outputs[i] receives
 * clcnn_session_output(i)'s elements converted to float32 (an int64 output
 * arrives as floats, never as more bytes than that). */
CLCNN_API clcnn_status clcnn_session_run(clcnn_session *s, const float *const *inputs,
                                         float *const *outputs);

/* ---- image preprocessing: what `clcnn classify` puts before the model ------- */

typedef enum clcnn_mapping {
    CLCNN_MAP_TF = 0,     /* x/127.5 - 1 */
    CLCNN_MAP_TORCH = 1,  /* (x/255 - mean[c]) / std[c], ImageNet mean/std */
    CLCNN_MAP_UNIT = 2,   /* x/255 */
    CLCNN_MAP_CUSTOM = 3  /* (x*scale - mean[c]) / std[c] */
} clcnn_mapping;

/* "tf", "torch", "unit", "custom" (the names clcnn_preprocess_set takes);
 * "unknown" for any other value. Never NULL. */
CLCNN_API const char *clcnn_mapping_str(clcnn_mapping m);

typedef struct clcnn_preprocess {
    size_t struct_size;   /* sizeof(clcnn_preprocess): set by _init() */
    int resize;           /* shorter side to this with Pillow's BILINEAR; 0 = keep */
    int crop;             /* centre crop crop x crop; 0 = keep */
    clcnn_mapping mapping;
    float scale;          /* CLCNN_MAP_CUSTOM only */
    float mean[3];        /* per channel, R,G,B order */
    float std[3];
    int bgr;              /* 1: channels B,G,R in the tensor */
    int nhwc;             /* 1: [H,W,3] per image; 0: [3,H,W] */
} clcnn_preprocess;

/* Defaults: resize 256, crop 224, tf mapping, RGB, NCHW. */
static inline void clcnn_preprocess_init(clcnn_preprocess *p)
{
    memset(p, 0, sizeof *p);
    p->struct_size = sizeof *p;
    p->resize = 256;
    p->crop = 224;
    p->mean[0] = p->mean[1] = p->mean[2] = 0.0f;
    p->std[0] = p->std[1] = p->std[2] = 1.0f;
    p->scale = 1.0f;
}

/* The preprocessing `clcnn classify` uses for m, in this order: defaults,
 * the built-in settings of the known shared models (by file name), the
 * `<model>.clcnn` / `<model stem>.clcnn` sidecar of key=value lines, and the
 * model's input shape (crop = its spatial size, nhwc from its layout).
 * A bad sidecar line is CLCNN_ERR_PARSE naming file:line in err. */
CLCNN_API clcnn_status clcnn_model_preprocess(const clcnn_model *m, clcnn_preprocess *out,
                                              char *err, size_t err_len);
/* Applies one "key=value" setting as classify's flags do (mapping, mean, std,
 * scale, resize, crop, bgr, layout). */
CLCNN_API clcnn_status clcnn_preprocess_set(clcnn_preprocess *p, const char *key,
                                            const char *value, char *err, size_t err_len);
/* Decodes a JPEG or PNG file (or buffer) and writes one image's tensor:
 * 3*crop*crop floats (3*H*W after resize when crop is 0: out_floats must fit
 * it; clcnn_image_tensor_size tells). Bit-identical to `clcnn classify`. */
CLCNN_API clcnn_status clcnn_image_to_tensor(const char *path, const clcnn_preprocess *p,
                                             float *out, size_t out_floats, char *err,
                                             size_t err_len);
CLCNN_API clcnn_status clcnn_image_to_tensor_mem(const void *buf, size_t len, const char *name,
                                                 const clcnn_preprocess *p, float *out,
                                                 size_t out_floats, char *err, size_t err_len);
/* Floats one image needs under p, given the decoded size w x h (or, with crop
 * set, independent of it). */
CLCNN_API size_t clcnn_image_tensor_size(const clcnn_preprocess *p, int w, int h);

/* The label of class `index` for m: its `<model stem>.labels.txt` when there
 * is one, else the built-in ImageNet names (1001 outputs: index 0 is
 * "background"), else "class N". Written into buf, which is returned. */
CLCNN_API const char *clcnn_model_label(const clcnn_model *m, int index, char *buf, size_t len);

/* ---- built-in architectures (models/) ------------------------------------ */

typedef struct clcnn_builtin_options {
    size_t struct_size; /* sizeof(clcnn_builtin_options): set by _init() */
    float width;        /* width multiplier; 0: family default */
    float depth;        /* depth multiplier; 0: family default */
    int classes;        /* 0: 1000 */
    int input_size;     /* 0: family default (224; 299 for xception) */
    uint64_t seed;      /* deterministic random weights */
} clcnn_builtin_options;

static inline void clcnn_builtin_options_init(clcnn_builtin_options *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
}

typedef struct clcnn_arch_info {
    const char *name;   /* "mobilenet_v2" */
    const char *family; /* "MobileNetV2" */
    const char *seed;   /* source document id, e.g. "002" */
} clcnn_arch_info;

CLCNN_API int clcnn_builtin_count(void);
CLCNN_API clcnn_status clcnn_builtin_info(int i, clcnn_arch_info *out);
/* Builds a built-in architecture; opt may be NULL (defaults). An unknown name
 * is CLCNN_ERR_INVALID_ARG with the known names in the message. */
CLCNN_API clcnn_status clcnn_model_builtin(clcnn_context *ctx, const char *arch,
                                           const clcnn_builtin_options *opt, clcnn_model **out);
/* Writes the model as a standard ONNX file (weights inline), atomically. */
CLCNN_API clcnn_status clcnn_model_export_onnx(const clcnn_model *m, const char *path, char *err,
                                               size_t err_len);

#ifdef __cplusplus
}
#endif
#endif /* CLCNN_H */
