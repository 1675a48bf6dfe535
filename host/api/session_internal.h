/* session_internal.h — what a clcnn_session holds, for session.c (life cycle,
 * run), session_tensors.c (typed runs, dynamic batch) and profile.c (profile,
 * kernel count, memory). */
#ifndef CLCNN_API_SESSION_INTERNAL_H
#define CLCNN_API_SESSION_INTERNAL_H

#include "api_internal.h"
#include "../exec/exec_cl.h"
#include "../passes/precision.h"

/* Plans one session keeps: its own batch, plus up to SESSION_MAX_PLANS - 1
 * other batches a dynamic-batch model was run at. Apps usually alternate
 * between a couple of batch sizes (1 and a full batch, plus a short last
 * batch), so four avoid re-planning in the common case while bounding device
 * memory: each OpenCL plan holds its own activation buffers and weights. */
#define SESSION_MAX_PLANS 4

typedef struct session_plan {
    int64_t batch;            /* dim 0 of every input; 0: an empty slot */
    ir_graph *g;              /* owned; OpenCL: the graph after batch + passes; reference:
                                 the re-batched graph, or NULL to run the model's own */
    exec_cl *cl;              /* NULL on the reference backend */
    uint64_t used;            /* LRU stamp: the session's run counter at its last use */
} session_plan;

/* The session's storage precision (session_precision.c): what the precision
 * pass is asked for each plan. */
typedef struct session_prec {
    clcnn_precision requested;
    int on;                   /* 1: plans run pass_precision (fp16, or auto with fp16 layers) */
    unsigned char *want_half; /* per node of the passes' graph; NULL with on: every node */
    int n_want;               /* entries of want_half (the node count it was made for) */
    double *node_err;         /* auto: per node of the passes' graph, its first output's
                                 relative error in the all-fp16 calibration run; -1: none */
    char **err_names;         /* the names of those nodes (the precision pass keeps names) */
    int n_err;
    double calib_error;       /* auto: the outputs' error as planned; -1: not measured */
    precision_report rep;     /* of the session's own plan */
    char note[256];
} session_prec;

struct clcnn_session {
    clcnn_context *ctx;
    const clcnn_model *model;
    clcnn_model *owned;       /* the model again when the session owns it
                                 (clcnn_session_create_owning), else NULL */
    api_errbox last;          /* last error of a call on this session */
    session_plan plans[SESSION_MAX_PLANS]; /* [0]: made at create, never evicted */
    uint64_t clock;           /* counts runs, for the LRU */
    int dynamic;              /* 1: the model's batch is dynamic (run_tensors may re-plan) */
    session_prec prec;
};

/* The graph plan p runs. */
static inline const ir_graph *plan_graph_of(const clcnn_session *s, const session_plan *p)
{
    return p->g ? p->g : s->model->g;
}

/* The graph of the session's own plan (its batch at create). */
static inline const ir_graph *session_graph(const clcnn_session *s)
{
    return plan_graph_of(s, &s->plans[0]);
}

/* The session's own OpenCL executor; NULL on the reference backend. */
static inline exec_cl *session_cl(const clcnn_session *s)
{
    return s->plans[0].cl;
}

/* Records err as the session's last error (and clears err); returns its status. */
clcnn_status session_fail(clcnn_session *s, clcnn_err *err);

/* Builds the plan for `batch` (0: the model's own) into p. Takes the context
 * lock around the OpenCL part (program builds, cache, tune store). */
clcnn_status session_plan_make(clcnn_session *s, int64_t batch, session_plan *p, clcnn_err *err);
void session_plan_free(clcnn_session *s, session_plan *p);

/* The OpenCL graph for `batch` (0: the model's own) after the rewrite passes
 * and, when pr is not NULL and pr->on, the precision pass with pr's choice
 * (rep, when not NULL, gets its report). */
clcnn_status session_cl_graph(const ir_graph *mg, int64_t batch, const session_prec *pr,
                              ir_graph **out, precision_report *rep, clcnn_err *err);
/* Reads opt's precision fields and decides s->prec (auto: calibrates, on the
 * model's batch `batch`); called by clcnn_session_create before the plan. */
clcnn_status session_precision_setup(clcnn_session *s, const clcnn_session_options *opt,
                                     int64_t batch, clcnn_err *err);
void session_precision_free(session_prec *pr);

#endif
