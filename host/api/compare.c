/* compare.c — clcnn_compare: the model's graph on the OpenCL executor with every
 * intermediate kept, and on the reference executor, same inputs; one row per
 * node (its first output) with max |cl - ref| and that relative to max |ref|.
 * It compares the model's own graph (no rewrite passes), so each row names a
 * node the user can find in their ONNX file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clcnn_tools.h"
#include "api_internal.h"
#include "../exec/exec_cl.h"
#include "../exec/exec_ref.h"
#include "../ops_cl/op_cl.h"
#include "../passes/precision.h"

/* Fills row r for node i of g from the CL tensor (of cg, the graph the
 * executor runs: g itself, or g after the precision pass, found by name) read
 * into scratch, and the reference. */
static clcnn_status fill_row(exec_cl *e, const ir_graph *g, const ir_graph *cg, int i, void **bufs,
                             float *scratch, clcnn_compare_row *r, clcnn_err *err)
{
    const ir_node *n = &g->nodes[i];
    r->name = n->name;
    r->op = ir_op_name(n->op);
    r->ndim = 0;
    if (n->n_out < 1 || n->out[0] < 0)
        return CLCNN_OK;
    const int t = n->out[0];
    const ir_tensor *x = &g->tensors[t];
    r->ndim = x->ndim;
    memcpy(r->dims, x->dims, sizeof r->dims);
    if (x->dtype != IR_DT_FLOAT || !bufs[t])
        return CLCNN_OK; /* nothing float to compare (folded shape arithmetic) */
    const int tc = cg == g ? t : ir_find_tensor(cg, x->name);
    if (tc < 0)
        return err_set(err, CLCNN_ERR_INTERNAL, "compare: tensor '%s' missing after the precision pass",
                       x->name);
    clcnn_status st = exec_cl_read_tensor(e, tc, scratch, err);
    if (st)
        return st;
    const float *ref = bufs[t];
    const size_t cnt = (size_t)ir_numel(x);
    double mx = 0, ma = 0;
    for (size_t j = 0; j < cnt; j++) {
        double d = fabs((double)scratch[j] - ref[j]);
        if (!(d <= ma)) /* NaN in either arm counts as the worst difference */
            ma = isnan(d) ? INFINITY : d;
        mx = fmax(mx, fabs(ref[j]));
    }
    r->max_abs = ma;
    r->ref_max = mx;
    r->max_rel = mx > 0 ? ma / mx : (ma > 0 ? INFINITY : 0);
    return CLCNN_OK;
}

clcnn_status clcnn_compare(clcnn_context *ctx, const clcnn_model *m, const float *const *inputs,
                           clcnn_compare_row **rows, int *n_rows)
{
    return clcnn_compare_precision(ctx, m, inputs, CLCNN_PRECISION_FP32, rows, n_rows);
}

clcnn_status clcnn_compare_precision(clcnn_context *ctx, const clcnn_model *m,
                                     const float *const *inputs, clcnn_precision precision,
                                     clcnn_compare_row **rows, int *n_rows)
{
    clcnn_err err = {0};
    if (!ctx || !m || !inputs || !rows || !n_rows) {
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_compare: NULL argument");
        return api_fail_clear(ctx, &err);
    }
    if (!ctx->rt) {
        err_set(&err, CLCNN_ERR_INVALID_ARG,
                "clcnn_compare needs an OpenCL context; this one runs the reference backend");
        return api_fail_clear(ctx, &err);
    }
    if (api_model_whole(m, "clcnn_compare", &err) != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    if (precision != CLCNN_PRECISION_FP32 && precision != CLCNN_PRECISION_FP16) {
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_compare: precision %s: compare runs fp32 or fp16 "
                "(auto's choice belongs to a session's rewritten graph: see bench/summary --precision auto)",
                clcnn_precision_str(precision) ? clcnn_precision_str(precision) : "?");
        return api_fail_clear(ctx, &err);
    }
    if (precision == CLCNN_PRECISION_FP16 && !api_fp16_allowed(ctx->rt)) {
        err_set(&err, CLCNN_ERR_UNSUPPORTED, "precision fp16: device '%s' has no cl_khr_fp16",
                rt_info(ctx->rt)->name);
        return api_fail_clear(ctx, &err);
    }
    const ir_graph *g = m->g;
    ir_graph *half = NULL; /* fp16: g with its float tensors stored half, names kept */
    exec_cl *e = NULL;
    void **bufs = NULL;
    float **outs = calloc((size_t)g->n_outputs + 1, sizeof *outs);
    clcnn_compare_row *r = calloc((size_t)g->n_nodes + 1, sizeof *r);
    float *scratch = NULL;
    size_t biggest = 1;
    for (int t = 0; t < g->n_tensors; t++)
        if ((size_t)ir_numel(&g->tensors[t]) > biggest)
            biggest = (size_t)ir_numel(&g->tensors[t]);
    scratch = malloc(biggest * sizeof(float));
    clcnn_status st = CLCNN_OK;
    if (!outs || !r || !scratch) {
        st = err_set(&err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for compare");
        goto fail;
    }
    for (int i = 0; i < g->n_outputs; i++)
        if (!(outs[i] = malloc((size_t)ir_numel(&g->tensors[g->outputs[i]]) * sizeof(float) + 1))) {
            st = err_set(&err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for compare");
            goto fail;
        }
    exec_cl_options opt = {0};
    opt.keep_intermediates = 1;
    if ((st = exec_ref_run(g, inputs, outs, &bufs, &err)))
        goto fail;
    if (precision == CLCNN_PRECISION_FP16) {
        if (!(half = ir_clone(g))) {
            st = err_set(&err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for compare");
            goto fail;
        }
        if ((st = pass_precision(half, NULL, opcl_half_ok, opcl_is_alias, NULL, &err)))
            goto fail;
    }
    const ir_graph *cg = half ? half : g;
    pthread_mutex_lock(&ctx->lock); /* plan_build reaches the program cache and tune store */
    st = exec_cl_create(ctx->rt, cg, &opt, &e, &err);
    pthread_mutex_unlock(&ctx->lock);
    if (st || (st = exec_cl_run(e, inputs, outs, &err)))
        goto fail;
    for (int i = 0; i < g->n_nodes; i++)
        if ((st = fill_row(e, g, cg, i, bufs, scratch, &r[i], &err)))
            goto fail;
    *rows = r;
    *n_rows = g->n_nodes;
    r = NULL;
fail:
    if (e) {
        pthread_mutex_lock(&ctx->lock);
        exec_cl_destroy(e);
        pthread_mutex_unlock(&ctx->lock);
    }
    if (bufs)
        exec_ref_free_bufs(g, bufs);
    ir_graph_free(half);
    for (int i = 0; outs && i < g->n_outputs; i++)
        free(outs[i]);
    free(outs);
    free(scratch);
    free(r);
    return st ? api_fail_clear(ctx, &err) : CLCNN_OK;
}

void clcnn_compare_free(clcnn_compare_row *rows)
{
    free(rows);
}
