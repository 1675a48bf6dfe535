/* api_internal.h — what the public handles are, for the files in host/api.
 * A context owns the OpenCL runtime (or none, for the reference backend) and
 * the last error; a model owns its IR; a session owns an executor. */
#ifndef CLCNN_API_INTERNAL_H
#define CLCNN_API_INTERNAL_H

#include "clcnn.h"
#include "../core/ir.h"
#include "../runtime/rt.h"

struct clcnn_context {
    rt_ctx *rt;               /* NULL for the reference backend */
    clcnn_err err;            /* last error of any call on this context */
    char *last_error;         /* msg + detail joined, returned by last_error() */
    clcnn_log_fn log;
    void *log_user;
};

typedef struct api_layer {
    int node;                 /* node index in the graph */
    int64_t params, non_trainable, macs;
    int n_inputs;
    int *inputs;              /* producing layer indices, -1 = graph input */
} api_layer;

struct clcnn_model {
    clcnn_context *ctx;
    ir_graph *g;              /* owned */
    api_layer *layers;        /* one per node, computed at load */
    int n_layers;
};

/* Stores err into ctx (joining detail) and returns its status. */
clcnn_status api_fail(clcnn_context *ctx, const clcnn_err *err);
/* Logs through the context's callback, if any. */
void api_log(clcnn_context *ctx, clcnn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Wraps a freshly built graph (ownership taken, also on failure) as a model. */
clcnn_status api_model_from_graph(clcnn_context *ctx, ir_graph *g, clcnn_model **out);

#endif
