/* api_internal.h — what the public handles are, for the files in host/api.
 * A context owns the OpenCL runtime (or none, for the reference backend), the
 * lock that serialises everything reaching the runtime's shared state, and the
 * last error of a failed create; a model owns its IR; a session owns its plans
 * (session_internal.h) and its own last error. */
#ifndef CLCNN_API_INTERNAL_H
#define CLCNN_API_INTERNAL_H

#include <pthread.h>

#include "clcnn.h"
#include "../core/ir.h"
#include "../runtime/rt.h"

/* The last error of one object: its one-line message (clcnn.h: a build
 * failure's message carries the log's first error line; the whole log goes to
 * the context's log callback, see api_log_detail). */
typedef struct api_errbox {
    clcnn_err err;            /* detail always NULL */
} api_errbox;

/* Replaces b's error with e's status and message. */
void errbox_set(api_errbox *b, const clcnn_err *e);
/* The text *_last_error() returns; "" when no error. */
const char *errbox_str(const api_errbox *b);
void errbox_free(api_errbox *b);

struct clcnn_context {
    rt_ctx *rt;               /* NULL for the reference backend */
    /* Held while a call reaches the runtime's shared mutable state: program
     * builds and their in-memory/disk cache (rt_program), the tune store,
     * kernel creation, rt destroy. Session runs do not take it: each session
     * owns its kernels and buffers, and OpenCL makes enqueues on one queue
     * thread-safe. */
    pthread_mutex_t lock;
    /* Guards `last` only, so a failure can be recorded while `lock` is held. */
    pthread_mutex_t err_lock;
    api_errbox last;          /* last error of a failed create on this context */
    clcnn_log_fn log;
    void *log_user;
};

typedef struct api_layer {
    int node;                 /* node index in the graph */
    int64_t params, non_trainable, macs;
    int n_inputs;
    int *inputs;              /* producing layer indices, -1 = graph input */
} api_layer;

/* Immutable after api_model_from_graph returns: sessions and other threads
 * only read it. The exception is a model a session owns
 * (clcnn_session_create_owning): that session, its only user, frees weights. */
struct clcnn_model {
    clcnn_context *ctx;
    ir_graph *g;              /* owned */
    int weights_released;     /* 1: an owning session freed some weights: the graph
                                 answers shape and metadata questions only */
    char *path;               /* the file it was loaded from; NULL for a built-in */
    api_layer *layers;        /* one per node, computed at load */
    int n_layers;
};

/* Stores err as ctx's last error (thread-safe) and returns its status. */
clcnn_status api_fail(clcnn_context *ctx, const clcnn_err *err);
/* api_fail, then clears err (frees its detail); returns the status. */
clcnn_status api_fail_clear(clcnn_context *ctx, clcnn_err *err);
/* Hands e's detail (a whole build log), if any, to the context's log callback
 * at CLCNN_LOG_WARN after its message: the last error keeps one line. */
void api_log_detail(clcnn_context *ctx, const clcnn_err *e);
/* Logs through the context's callback, if any. */
void api_log(clcnn_context *ctx, clcnn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Wraps a freshly built graph (ownership taken, also on failure) as a model. */
/* Formats a one-line message into a caller's err buffer (err may be NULL)
 * and returns st: the failure path of the calls that take `char *err, size_t
 * err_len` instead of keeping a last error on an object. */
clcnn_status api_err_buf(char *err, size_t err_len, clcnn_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
clcnn_status api_model_from_graph(clcnn_context *ctx, ir_graph *g, clcnn_model **out);

/* CLCNN_OK, or (into err) why m cannot be run, planned or written again: a
 * session that owns it freed weights. `who` names the call in the message. */
clcnn_status api_model_whole(const clcnn_model *m, const char *who, clcnn_err *err);

/* 1 when an input of m had a symbolic dim 0 in its file. */
int api_model_dynamic(const clcnn_model *m);

/* 1 when the options struct at opt (with its struct_size first) covers
 * `field`: a program built against an older, smaller struct never had it,
 * and the library must not read past what the caller allocated. Computed
 * from the field's address so it needs no typeof. */
#define OPT_HAS(opt, field)                                                        \
    ((size_t)((const char *)&(opt)->field - (const char *)(opt)) + sizeof((opt)->field) <= \
     (opt)->struct_size)

/* CLCNN_OK when opt is NULL or initialised; CLCNN_ERR_INVALID_ARG naming the
 * _init() to call when its struct_size is 0 (an options struct never
 * initialised, whose other fields cannot be trusted either). */
clcnn_status api_check_opt(const void *opt, size_t struct_size, const char *type_name,
                           clcnn_err *err);
#define API_CHECK_OPT(opt, type, err) \
    api_check_opt((opt), (opt) ? (opt)->struct_size : 0, #type, (err))

/* 1 when the fp16 plan may run on rt's device: it has cl_khr_fp16, or the
 * test hook CLCNN_FP16_ANY_DEVICE=1 is set (session_precision.c). */
int api_fp16_allowed(const rt_ctx *rt);
/* Appends s to the string dst (capacity cap), after sep when dst is not empty; truncates. */
void api_append(char *dst, size_t cap, const char *sep, const char *s);

#endif
