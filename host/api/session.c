/* session.c — a model planned on a context: the OpenCL executor, or the
 * reference executor when the context has no OpenCL device. A batch other
 * than the model's re-batches a clone of the graph first (batch.c); the model
 * itself is only read, so sessions of one model may be made and run from
 * several threads. Typed runs and the per-batch plans of a dynamic-batch model
 * live in session_tensors.c; profiling, kernel counts and memory in profile.c. */
#include <stdlib.h>

#include "session_internal.h"
#include "batch.h"
#include "../exec/exec_ref.h"
#include "../ops/op.h"
#include "../ops_cl/op_cl.h"
#include "../passes/passes.h"

/* The OpenCL path runs the rewritten graph; the reference runs the model's own
 * graph untouched (only re-batched when asked), so it stays an oracle for the
 * passes too. *out stays NULL when the reference needs no copy. */
static clcnn_status plan_graph(const ir_graph *g, ir_graph *take, int is_cl, int64_t batch,
                               const session_prec *pr, ir_graph **out, precision_report *rep,
                               clcnn_err *err)
{
    if (!is_cl && batch == 0)
        return CLCNN_OK;
    /* the model outlives its sessions; take (g itself, from an owning
     * session) gives its weights to the clone instead of lending them */
    ir_graph *c = take ? ir_clone_take(take) : ir_clone_shared(g);
    if (!c)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory copying the graph");
    clcnn_status st = batch ? graph_rebatch(c, batch, err) : CLCNN_OK;
    if (st == CLCNN_OK && is_cl)
        st = passes_run(c, NULL, err);
    if (st == CLCNN_OK && is_cl)
        st = ops_infer_graph(c, err);
    if (st == CLCNN_OK && is_cl && pr && pr->on) {
        /* a plan at another batch has the same nodes; if not, its own choice is unknown */
        const unsigned char *want = pr->want_half && pr->n_want == c->n_nodes ? pr->want_half : NULL;
        if (want || !pr->want_half)
            st = pass_precision(c, want, opcl_half_ok, opcl_is_alias, rep, err);
    }
    if (st != CLCNN_OK) {
        ir_graph_free(c);
        return st;
    }
    *out = c;
    return CLCNN_OK;
}

clcnn_status session_cl_graph(const ir_graph *mg, int64_t batch, const session_prec *pr,
                              ir_graph **out, precision_report *rep, clcnn_err *err)
{
    return plan_graph(mg, NULL, 1, batch, pr, out, rep, err);
}

/* dim 0 of the graph's first input: the batch a plan of g runs (1 for a model
 * without inputs, or a scalar input, which has no batch to change). */
static int64_t graph_batch(const ir_graph *g)
{
    const ir_tensor *t = g->n_inputs ? &g->tensors[g->inputs[0]] : NULL;
    return t && t->ndim > 0 ? t->dims[0] : 1;
}

/* Weights the plan's own passes made (BN folded into a Conv, ...) and the
 * device now holds a copy of (packed, as halves, or on a GPU) are dropped from
 * the plan graph: otherwise a model with BN left unfolded keeps three copies
 * of its conv weights (the model's, the folded, the packed) where it needs
 * two. Graph outputs keep theirs (a constant output is copied from it). */
static void release_one(void *graph, int t)
{
    ir_graph *g = graph;
    ir_tensor *x = &g->tensors[t];
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return;
    if (!x->borrowed && ir_nbytes(x) >= IR_PAGE)
        ir_tensor_release(x);
}

/* The rest of them once the plan is built (packed ones go as they are
 * packed, through exec_cl_options.packed: the peak never holds all three). */
static void release_uploaded(session_plan *p)
{
    for (int t = 0; t < p->g->n_tensors; t++)
        if (exec_cl_const_copied(p->cl, t))
            release_one(p->g, t);
}

clcnn_status session_plan_make(clcnn_session *s, int64_t batch, session_plan *p, clcnn_err *err)
{
    clcnn_context *ctx = s->ctx;
    const ir_graph *mg = s->model->g;
    if (batch == graph_batch(mg))
        batch = 0;
    /* An owning session's plan takes the model's weights (its only reader from
     * here: nothing else may plan from it) and frees each as the device copies
     * it, like the weights its passes made. A dynamic batch keeps them, since
     * a run at another batch plans again. */
    ir_graph *take = s->owned && !s->dynamic && ctx->rt && p == &s->plans[0] ? s->owned->g : NULL;
    clcnn_status st = plan_graph(mg, take, ctx->rt != NULL, batch, &s->prec, &p->g,
                                 p == &s->plans[0] ? &s->prec.rep : NULL, err);
    if (take)
        s->owned->weights_released = 1; /* whether or not the plan was made */
    if (st == CLCNN_OK && ctx->rt) {
        /* plan_build reaches the context's program cache and tune store */
        pthread_mutex_lock(&ctx->lock);
        rt_set_lean_tag(ctx->rt, ir_graph_workload_hash(p->g)); /* the programs it loads */
        exec_cl_options eo = {0};
        eo.packed = release_one;
        eo.packed_user = p->g;
        st = exec_cl_create(ctx->rt, p->g, &eo, &p->cl, err);
        pthread_mutex_unlock(&ctx->lock);
    }
    if (st != CLCNN_OK) {
        ir_graph_free(p->g);
        p->g = NULL;
        return st;
    }
    if (p->cl)
        release_uploaded(p);
    p->batch = graph_batch(plan_graph_of(s, p));
    p->used = s->clock;
    /* what the plan could not fuse or speed up, for a user reading debug logs
     * (bench and summary --plan show the same through clcnn_session_plan_groups) */
    for (int i = 0; p->cl && ctx->log && i < p->g->n_nodes; i++) {
        const char *why = NULL;
        exec_cl_node_variant(p->cl, i, &why);
        if (why)
            api_log(ctx, CLCNN_LOG_DEBUG, "plan: node '%s' (%s): %s", p->g->nodes[i].name,
                    ir_op_name(p->g->nodes[i].op), why);
    }
    return CLCNN_OK;
}

void session_plan_free(clcnn_session *s, session_plan *p)
{
    if (p->cl) {
        pthread_mutex_lock(&s->ctx->lock);
        exec_cl_destroy(p->cl);
        pthread_mutex_unlock(&s->ctx->lock);
    }
    ir_graph_free(p->g);
    *p = (session_plan){0};
}

/* The batch the options ask for (0: the model's own); reads only what the
 * caller's struct_size covers. */
static clcnn_status options_batch(const clcnn_session_options *opt, int64_t *batch, clcnn_err *err)
{
    *batch = 0;
    clcnn_status st = API_CHECK_OPT(opt, clcnn_session_options, err);
    if (st != CLCNN_OK || !opt || !OPT_HAS(opt, batch))
        return st;
    if (opt->batch < 0)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "clcnn_session_create: batch is %d; it must be >= 0",
                       opt->batch);
    *batch = opt->batch;
    return CLCNN_OK;
}

/* owned: m itself when the session takes it (clcnn_session_create_owning) */
static clcnn_status session_create(clcnn_context *ctx, const clcnn_model *m, clcnn_model *owned,
                                   const clcnn_session_options *opt, clcnn_session **out)
{
    clcnn_err err = {0};
    *out = NULL;
    int64_t batch = 0;
    clcnn_status st = options_batch(opt, &batch, &err);
    if (st == CLCNN_OK)
        st = api_model_whole(m, "clcnn_session_create", &err);
    if (st != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    clcnn_session *s = calloc(1, sizeof *s);
    if (!s)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_OUT_OF_MEMORY, "clcnn_session_create: out of memory",
                                          NULL});
    s->ctx = ctx;
    s->model = m;
    s->dynamic = api_model_dynamic(m);
    if ((st = session_precision_setup(s, opt, batch, &err)) != CLCNN_OK)
        goto fail;
    s->owned = owned; /* session_plan_make may free its weights */
    if ((st = session_plan_make(s, batch, &s->plans[0], &err)) != CLCNN_OK)
        goto fail;
    *out = s;
    return CLCNN_OK;
fail:
    s->owned = NULL; /* clcnn_session_create_owning destroys it after the error is kept */
    clcnn_session_destroy(s);
    return api_fail_clear(ctx, &err);
}

clcnn_status clcnn_session_create(clcnn_context *ctx, const clcnn_model *m,
                                  const clcnn_session_options *opt, clcnn_session **out)
{
    if (!ctx || !m || !out)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG,
                                          "clcnn_session_create: ctx, model and out must not be NULL",
                                          NULL});
    return session_create(ctx, m, NULL, opt, out);
}

clcnn_status clcnn_session_create_owning(clcnn_context *ctx, clcnn_model *m,
                                         const clcnn_session_options *opt, clcnn_session **out)
{
    clcnn_status st;
    if (!ctx || !m || !out)
        st = api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG,
                                        "clcnn_session_create_owning: ctx, model and out must not be "
                                        "NULL", NULL});
    else
        st = session_create(ctx, m, m, opt, out);
    if (st != CLCNN_OK)
        clcnn_model_destroy(m); /* taken whatever the result */
    return st;
}

void clcnn_session_destroy(clcnn_session *s)
{
    if (!s)
        return;
    for (int i = 0; i < SESSION_MAX_PLANS; i++)
        session_plan_free(s, &s->plans[i]);
    session_precision_free(&s->prec);
    errbox_free(&s->last);
    clcnn_model_destroy(s->owned); /* after the plans, which borrow its weights */
    free(s);
}

const char *clcnn_session_last_error(const clcnn_session *s)
{
    if (!s)
        return "no session";
    return errbox_str(&s->last);
}

clcnn_status session_fail(clcnn_session *s, clcnn_err *err)
{
    clcnn_status st = err->status;
    api_log_detail(s->ctx, err);
    errbox_set(&s->last, err);
    err_clear(err);
    return st;
}

clcnn_status clcnn_session_run(clcnn_session *s, const float *const *inputs, float *const *outputs)
{
    clcnn_err err = {0};
    if (!s)
        return CLCNN_ERR_INVALID_ARG;
    if (!inputs || !outputs) {
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_session_run: %s is NULL", !inputs ? "inputs" : "outputs");
        return session_fail(s, &err);
    }
    session_plan *p = &s->plans[0];
    p->used = ++s->clock;
    clcnn_status st = p->cl ? exec_cl_run(p->cl, inputs, outputs, &err)
                            : exec_ref_run(plan_graph_of(s, p), inputs, outputs, NULL, &err);
    return st != CLCNN_OK ? session_fail(s, &err) : CLCNN_OK;
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
    out->dtype = (clcnn_dtype)t->dtype;
    out->dynamic_batch = output ? s->dynamic : t->dynamic_batch;
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
