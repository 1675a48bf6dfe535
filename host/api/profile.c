/* profile.c — what `clcnn bench` asks of a session: a per-layer profile from
 * one run with OpenCL profiling events (one row per launching node, fused
 * activations folded into their producer's row) and where that run's wall
 * time went, the kernel count, the plan's device memory, and the context's
 * program-build counters. The reference backend has none of these. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clcnn_tools.h"
#include "session_internal.h"
#include "../ops/op.h"

/* root[n]: the node whose launches run n (n itself unless the plan fused n
 * into another node: an activation into its producer, a depthwise conv into
 * the pointwise conv that reads it, a shuffle chain into its Concat). */
static void fused_roots(const clcnn_session *s, const ir_graph *g, int *root)
{
    for (int n = 0; n < g->n_nodes; n++) {
        int h = exec_cl_node_host(session_cl(s), n);
        root[n] = h >= 0 ? h : n;
    }
}

void api_append(char *dst, size_t cap, const char *sep, const char *s)
{
    size_t n = strlen(dst);
    if (n && n < cap)
        n += (size_t)snprintf(dst + n, cap - n, "%s", sep);
    if (n < cap)
        snprintf(dst + n, cap - n, "%s", s);
}

/* MACs, op string and bytes moved of the group rooted at node r. seen[] is a
 * per-tensor stamp so each tensor counts once per row. */
static void group_facts(const ir_graph *g, const int *root, int r, int *seen, clcnn_profile_row *row)
{
    for (int n = r; n < g->n_nodes; n++) {
        if (root[n] != r)
            continue;
        const ir_node *nd = &g->nodes[n];
        const op_def *d = op_get(nd->op);
        if (d && d->macs)
            row->macs += d->macs(g, nd);
        api_append(row->op, sizeof row->op, "+", ir_op_name(nd->op));
        for (int k = 0; k < nd->n_in; k++) { /* read: anything not made inside the group */
            int t = nd->in[k];
            if (t < 0 || seen[t] == r + 1)
                continue;
            int p = g->tensors[t].producer;
            if (g->tensors[t].data || p < 0 || root[p] != r) {
                seen[t] = r + 1;
                row->bytes += (int64_t)ir_nbytes(&g->tensors[t]);
            }
        }
        for (int k = 0; k < nd->n_out; k++) { /* written: what no later member consumes */
            int t = nd->out[k], inner = 0;
            for (int m = n + 1; m < g->n_nodes && t >= 0 && !inner; m++)
                for (int j = 0; root[m] == r && j < g->nodes[m].n_in; j++)
                    inner |= g->nodes[m].in[j] == t;
            if (t >= 0 && !inner)
                row->bytes += (int64_t)ir_nbytes(&g->tensors[t]);
        }
    }
}

/* Rows from per-launch times: one per launching node, in execution order. */
static clcnn_status build_rows(const clcnn_session *s, const double *ms, clcnn_profile_row **rows,
                               int *n_rows)
{
    const ir_graph *g = session_graph(s);
    const int nl = exec_cl_kernel_count(session_cl(s));
    int *root = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    int *row_of = malloc(sizeof(int) * (size_t)(g->n_nodes + 1));
    int *seen = calloc((size_t)g->n_tensors + 1, sizeof(int));
    clcnn_profile_row *r = calloc((size_t)nl + 1, sizeof *r);
    if (!root || !row_of || !seen || !r) {
        free(root), free(row_of), free(seen), free(r);
        return CLCNN_ERR_OUT_OF_MEMORY;
    }
    fused_roots(s, g, root);
    for (int n = 0; n < g->n_nodes; n++)
        row_of[n] = -1;
    int n = 0;
    for (int i = 0; i < nl; i++) {
        int node = -1;
        const char *variant = NULL;
        exec_cl_launch_info(session_cl(s), i, &node, &variant);
        if (node < 0 || node >= g->n_nodes)
            continue;
        node = root[node];
        clcnn_profile_row *row = row_of[node] >= 0 ? &r[row_of[node]] : NULL;
        if (!row) {
            row_of[node] = n;
            row = &r[n++];
            row->name = g->nodes[node].name ? g->nodes[node].name : "";
            group_facts(g, root, node, seen, row);
        }
        row->launches++;
        row->ms += ms[i];
        if (variant && !strstr(row->variant, variant))
            api_append(row->variant, sizeof row->variant, "+", variant);
    }
    for (int i = 0; i < n; i++) {
        double sec = r[i].ms * 1e-3;
        r[i].gflops = sec > 0 ? 2.0 * (double)r[i].macs / sec * 1e-9 : 0.0;
        r[i].gbps = sec > 0 ? (double)r[i].bytes / sec * 1e-9 : 0.0;
    }
    free(root), free(row_of), free(seen);
    *rows = r;
    *n_rows = n;
    return CLCNN_OK;
}

/* The public timing from the executor's: the host view's pre and post parts
 * are one figure (the caller cannot act on the difference). */
static void timing_out(const exec_cl_timing *t, clcnn_run_timing *out)
{
    clcnn_run_timing r;
    clcnn_run_timing_init(&r);
    r.wall_ms = t->wall_ms;
    r.host_ms = t->pre_ms + t->post_ms;
    r.enqueue_ms = t->enqueue_ms;
    r.wait_ms = t->wait_ms;
    r.span_ms = t->span_ms;
    r.kernel_ms = t->kernel_ms;
    r.upload_ms = t->upload_ms;
    r.download_ms = t->download_ms;
    r.idle_enqueue_ms = t->idle_enqueue_ms;
    r.idle_dispatch_ms = t->idle_dispatch_ms;
    const size_t n = out->struct_size < sizeof r ? out->struct_size : sizeof r;
    r.struct_size = out->struct_size;
    memcpy(out, &r, n);
}

clcnn_status clcnn_session_profile_timed(clcnn_session *s, const float *const *inputs,
                                         float *const *outputs, clcnn_profile_row **rows, int *n_rows,
                                         clcnn_run_timing *timing)
{
    clcnn_err err = {0};
    if (!s)
        return CLCNN_ERR_INVALID_ARG;
    if (!inputs || !outputs || !rows != !n_rows || (!rows && !timing)) {
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_session_profile_timed: inputs and outputs must not be "
                "NULL, rows and n_rows both given or both NULL, and timing given when they are NULL");
        return session_fail(s, &err);
    }
    if (timing && timing->struct_size < sizeof(size_t) + sizeof(double)) {
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_session_profile_timed: timing->struct_size is %zu; "
                "call clcnn_run_timing_init first", timing->struct_size);
        return session_fail(s, &err);
    }
    exec_cl *cl = session_cl(s);
    if (!cl) {
        err_set(&err, CLCNN_ERR_UNSUPPORTED, "the reference backend has no per-kernel profile "
                "(it runs no kernels); use an OpenCL device");
        return session_fail(s, &err);
    }
    const int nl = exec_cl_kernel_count(cl);
    double *ms = calloc((size_t)nl + 1, sizeof *ms);
    exec_cl_timing t;
    clcnn_status st = ms ? exec_cl_run_timed(cl, inputs, outputs, ms, &t, &err)
                         : err_set(&err, CLCNN_ERR_OUT_OF_MEMORY, "clcnn_session_profile: out of memory");
    if (st == CLCNN_OK && rows && build_rows(s, ms, rows, n_rows) != CLCNN_OK)
        st = err_set(&err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory building the profile");
    if (st == CLCNN_OK && timing)
        timing_out(&t, timing);
    free(ms);
    return st != CLCNN_OK ? session_fail(s, &err) : CLCNN_OK;
}

clcnn_status clcnn_session_profile(clcnn_session *s, const float *const *inputs, float *const *outputs,
                                   clcnn_profile_row **rows, int *n_rows)
{
    if (s && (!inputs || !outputs || !rows || !n_rows)) {
        clcnn_err err = {0};
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_session_profile: inputs, outputs, rows and n_rows "
                "must not be NULL");
        return session_fail(s, &err);
    }
    return clcnn_session_profile_timed(s, inputs, outputs, rows, n_rows, NULL);
}

void clcnn_profile_free(clcnn_profile_row *rows)
{
    free(rows);
}

int clcnn_session_kernel_count(const clcnn_session *s)
{
    return s ? exec_cl_kernel_count(session_cl(s)) : 0;
}

clcnn_status clcnn_session_memory(const clcnn_session *s, clcnn_memory_info *out)
{
    if (!s || !out)
        return CLCNN_ERR_INVALID_ARG;
    if (!session_cl(s))
        return CLCNN_ERR_UNSUPPORTED;
    size_t w = 0, a = 0, naive = 0;
    exec_cl_memory(session_cl(s), &w, &a, &naive);
    out->weight_bytes = w;
    out->act_bytes = a;
    out->naive_act_bytes = naive;
    return CLCNN_OK;
}

clcnn_status clcnn_context_program_stats(clcnn_context *ctx, clcnn_program_stats *out)
{
    if (!ctx || !out)
        return CLCNN_ERR_INVALID_ARG;
    if (!ctx->rt)
        return CLCNN_ERR_UNSUPPORTED;
    pthread_mutex_lock(&ctx->lock); /* the counters move under program builds, which hold it */
    const rt_cache_stats c = rt_get_cache_stats(ctx->rt);
    const int disk = rt_cache_dir(ctx->rt) != NULL;
    pthread_mutex_unlock(&ctx->lock);
    out->built = c.misses + c.corrupt;
    out->loaded = c.hits;
    out->disk_cache = disk;
    out->deferred = disk ? c.deferred : 0;
    return CLCNN_OK;
}

const char *clcnn_context_cache_dir(const clcnn_context *ctx)
{
    return ctx && ctx->rt ? rt_cache_dir(ctx->rt) : NULL;
}
