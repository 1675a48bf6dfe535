/* session.c — a model planned on a context: the OpenCL executor, or the
 * reference executor when the context has no OpenCL device. */
#include <stdlib.h>

#include "api_internal.h"
#include "../exec/exec_cl.h"
#include "../exec/exec_ref.h"
#include "../ops/op.h"
#include "../passes/passes.h"

struct clcnn_session {
    clcnn_context *ctx;
    const clcnn_model *model;
    exec_cl *cl;               /* NULL on the reference backend */
    ir_graph *planned;         /* the model's graph after passes (OpenCL only), owned */
};

/* The OpenCL path runs the rewritten graph; the reference runs the model's own
 * graph untouched, so it stays an oracle for the passes too. */
static clcnn_status plan_graph(const ir_graph *g, ir_graph **out, clcnn_err *err)
{
    ir_graph *c = ir_clone(g);
    if (!c)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory copying the graph");
    clcnn_status st = passes_run(c, NULL, err);
    if (st == CLCNN_OK)
        st = ops_infer_graph(c, err);
    if (st != CLCNN_OK) {
        ir_graph_free(c);
        return st;
    }
    *out = c;
    return CLCNN_OK;
}

clcnn_status clcnn_session_create(clcnn_context *ctx, const clcnn_model *m, clcnn_session **out)
{
    clcnn_err err = {0};
    if (!ctx || !m || !out)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG, "clcnn_session_create: NULL argument", NULL});
    *out = NULL;
    clcnn_session *s = calloc(1, sizeof *s);
    if (!s)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_OUT_OF_MEMORY, "out of memory", NULL});
    s->ctx = ctx;
    s->model = m;
    if (ctx->rt) {
        clcnn_status st = plan_graph(m->g, &s->planned, &err);
        if (st == CLCNN_OK)
            st = exec_cl_create(ctx->rt, s->planned, NULL, &s->cl, &err);
        if (st != CLCNN_OK) {
            ir_graph_free(s->planned);
            free(s);
            api_fail(ctx, &err);
            err_clear(&err);
            return st;
        }
    }
    *out = s;
    return CLCNN_OK;
}

void clcnn_session_destroy(clcnn_session *s)
{
    if (!s)
        return;
    exec_cl_destroy(s->cl);
    ir_graph_free(s->planned);
    free(s);
}

clcnn_status clcnn_session_run(clcnn_session *s, const float *const *inputs, float *const *outputs)
{
    if (!s || !inputs || !outputs)
        return CLCNN_ERR_INVALID_ARG;
    clcnn_err err = {0};
    clcnn_status st = s->cl ? exec_cl_run(s->cl, inputs, outputs, &err)
                            : exec_ref_run(s->model->g, inputs, outputs, NULL, &err);
    if (st != CLCNN_OK) {
        api_fail(s->ctx, &err);
        err_clear(&err);
    }
    return st;
}
