/* session.c — a model planned on a context: the OpenCL executor, or the
 * reference executor when the context has no OpenCL device. A batch other
 * than the model's re-batches a clone of the graph first (batch.c). Profiling,
 * kernel counts and memory figures live in profile.c. */
#include <stdlib.h>

#include "session_internal.h"
#include "batch.h"
#include "../exec/exec_ref.h"
#include "../ops/op.h"
#include "../passes/passes.h"

/* The OpenCL path runs the rewritten graph; the reference runs the model's own
 * graph untouched (only re-batched when asked), so it stays an oracle for the
 * passes too. *out stays NULL when the reference needs no copy. */
static clcnn_status plan_graph(const ir_graph *g, int is_cl, int64_t batch, ir_graph **out,
                               clcnn_err *err)
{
    if (!is_cl && batch == 0)
        return CLCNN_OK;
    ir_graph *c = ir_clone(g);
    if (!c)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory copying the graph");
    clcnn_status st = batch ? graph_rebatch(c, batch, err) : CLCNN_OK;
    if (st == CLCNN_OK && is_cl)
        st = passes_run(c, NULL, err);
    if (st == CLCNN_OK && is_cl)
        st = ops_infer_graph(c, err);
    if (st != CLCNN_OK) {
        ir_graph_free(c);
        return st;
    }
    *out = c;
    return CLCNN_OK;
}

/* 0 when the options keep the model's own batch. */
static int64_t wanted_batch(const ir_graph *g, const clcnn_session_options *opt)
{
    if (!opt || !opt->batch)
        return 0;
    const ir_tensor *t = g->n_inputs ? &g->tensors[g->inputs[0]] : NULL;
    return t && t->ndim > 0 && t->dims[0] == opt->batch ? 0 : opt->batch;
}

clcnn_status clcnn_session_create_ex(clcnn_context *ctx, const clcnn_model *m,
                                     const clcnn_session_options *opt, clcnn_session **out)
{
    clcnn_err err = {0};
    if (!ctx || !m || !out)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG, "clcnn_session_create: NULL argument", NULL});
    if (opt && opt->batch < 0)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG, "clcnn_session_create: batch < 0", NULL});
    *out = NULL;
    clcnn_session *s = calloc(1, sizeof *s);
    if (!s)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_OUT_OF_MEMORY, "out of memory", NULL});
    s->ctx = ctx;
    s->model = m;
    clcnn_status st = plan_graph(m->g, ctx->rt != NULL, wanted_batch(m->g, opt), &s->planned, &err);
    if (st == CLCNN_OK && ctx->rt)
        st = exec_cl_create(ctx->rt, s->planned, NULL, &s->cl, &err);
    if (st != CLCNN_OK) {
        ir_graph_free(s->planned);
        free(s);
        api_fail(ctx, &err);
        err_clear(&err);
        return st;
    }
    *out = s;
    return CLCNN_OK;
}

clcnn_status clcnn_session_create(clcnn_context *ctx, const clcnn_model *m, clcnn_session **out)
{
    return clcnn_session_create_ex(ctx, m, NULL, out);
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
                            : exec_ref_run(session_graph(s), inputs, outputs, NULL, &err);
    if (st != CLCNN_OK) {
        api_fail(s->ctx, &err);
        err_clear(&err);
    }
    return st;
}

static clcnn_status tensor_info(const clcnn_session *s, int i, int output, clcnn_tensor_info *out)
{
    const ir_graph *g = s ? session_graph(s) : NULL;
    if (!g || !out || i < 0 || i >= (output ? g->n_outputs : g->n_inputs))
        return CLCNN_ERR_INVALID_ARG;
    const ir_tensor *t = &g->tensors[output ? g->outputs[i] : g->inputs[i]];
    out->name = t->name;
    out->ndim = t->ndim;
    for (int d = 0; d < CLCNN_MAX_DIMS; d++)
        out->dims[d] = d < t->ndim ? t->dims[d] : 0;
    return CLCNN_OK;
}

clcnn_status clcnn_session_input(const clcnn_session *s, int i, clcnn_tensor_info *out)
{
    return tensor_info(s, i, 0, out);
}

clcnn_status clcnn_session_output(const clcnn_session *s, int i, clcnn_tensor_info *out)
{
    return tensor_info(s, i, 1, out);
}
