/* session_internal.h — what a clcnn_session holds, for session.c (life cycle,
 * run) and profile.c (profile, kernel count, memory). */
#ifndef CLCNN_API_SESSION_INTERNAL_H
#define CLCNN_API_SESSION_INTERNAL_H

#include "api_internal.h"
#include "../exec/exec_cl.h"

struct clcnn_session {
    clcnn_context *ctx;
    const clcnn_model *model;
    exec_cl *cl;               /* NULL on the reference backend */
    ir_graph *planned;         /* owned; OpenCL: the graph after batch + passes; reference:
                                  the re-batched graph, or NULL to run the model's own */
};

/* The graph the session runs. */
static inline const ir_graph *session_graph(const clcnn_session *s)
{
    return s->planned ? s->planned : s->model->g;
}

#endif
