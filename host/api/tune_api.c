/* tune_api.c — clcnn_tune: for each distinct pointwise-conv GEMM shape of a
 * model, times our conv_pw against CLBlast SGEMM (+ bias epilogue) on a
 * one-node graph, alternating the two, stores the decision; then tries a few
 * work-group sizes for conv_pw and stores one only when it wins by a margin. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../ops_cl/conv_clblast.h"
#include "../ops/op.h"
#include "../runtime/tune.h"
#include "api_internal.h"
#include "clcnn_tools.h"

#define TUNE_MARGIN 0.9 /* a challenger must take < 90% of the incumbent's time */
#define TUNE_ROUNDS 3   /* ours/CLBlast alternate this many times; the best round counts */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* One pointwise conv, its buffers and the two candidate launch lists. */
typedef struct pw_bench {
    ir_graph *g;
    cl_mem *mem;
    opcl_ctx ours, blast;
} pw_bench;

static void bench_free(pw_bench *b)
{
    opcl_ctx *cs[2] = {&b->ours, &b->blast};
    for (int j = 0; j < 2; j++) {
        for (int i = 0; i < cs[j]->n_launches; i++) {
            if (cs[j]->launches[i].k)
                clReleaseKernel(cs[j]->launches[i].k);
            if (cs[j]->launches[i].custom_free)
                cs[j]->launches[i].custom_free(cs[j]->launches[i].custom_data);
        }
        free(cs[j]->launches);
    }
    for (int i = 0; b->g && b->mem && i < b->g->n_tensors; i++)
        if (b->mem[i])
            clReleaseMemObject(b->mem[i]);
    free(b->mem);
    ir_graph_free(b->g);
}

/* Enqueues a launch list `reps` times back to back, one clFinish: wall ms per rep.
 * Wall clock because CLBlast's event covers only its last kernel. */
static clcnn_status time_launches(rt_ctx *rt, const opcl_ctx *c, const size_t *lws_override,
                                  int reps, double *ms, clcnn_err *err)
{
    cl_command_queue q = rt_queue(rt);
    clcnn_status st = CLCNN_OK;
    CL_TRY(err, st, clFinish(q));
    double t0 = now_ms();
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < c->n_launches; i++) {
            const opcl_launch *L = &c->launches[i];
            if (L->custom) {
                if ((st = L->custom(L->custom_data, q, NULL, err)))
                    goto fail;
                continue;
            }
            size_t gws[3], lws[3];
            for (int d = 0; d < 3; d++) {
                lws[d] = lws_override ? lws_override[d] : L->lws[d];
                gws[d] = (L->gws[d] + lws[d] - 1) / lws[d] * lws[d];
            }
            CL_TRY(err, st, clEnqueueNDRangeKernel(q, L->k, L->dim, NULL, gws, lws, 0, NULL, NULL));
        }
    }
    CL_TRY(err, st, clFinish(q));
    *ms = (now_ms() - t0) / reps;
    return CLCNN_OK;
fail:
    clFinish(q);
    return st;
}

static cl_mem rand_buffer(rt_ctx *rt, size_t n, clcnn_err *err)
{
    float *h = malloc(n * sizeof *h);
    if (!h) {
        err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for tuning data");
        return NULL;
    }
    uint32_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        h[i] = (float)(s >> 8) / (float)(1u << 24) - 0.5f;
    }
    cl_int rc;
    cl_mem m = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                              n * sizeof(float), h, &rc);
    free(h);
    if (rc != CL_SUCCESS)
        err_set(err, CLCNN_ERR_CL, "clCreateBuffer(%zu floats) failed: %s", n, rt_cl_error_name(rc));
    return rc == CL_SUCCESS ? m : NULL;
}

/* Random weights for w in conv_pw's packed layout (as the plan uploads them;
 * CLBlast reads the first M*K floats, which is as good for timing). */
static clcnn_status packed_weights(rt_ctx *rt, ir_tensor *w, cl_mem *out, clcnn_err *err)
{
    const size_t n = (size_t)ir_numel(w);
    float *h = malloc((n ? n : 1) * sizeof *h);
    if (!h)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for tuning weights");
    for (size_t i = 0; i < n; i++)
        h[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    w->data = h; /* the graph owns it from here */
    size_t bytes = 0;
    float *q = conv_cl_pack_weights(w, &bytes);
    if (!q)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for tuning weights");
    cl_int rc;
    *out = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes, q, &rc);
    free(q);
    if (rc != CL_SUCCESS)
        return err_set(err, CLCNN_ERR_CL, "clCreateBuffer(%zu bytes) failed: %s", bytes,
                       rt_cl_error_name(rc));
    return CLCNN_OK;
}

/* Conv(x[B,K,H,W], w[M,K,1,1], b[M]) alone, planned both ways. */
static clcnn_status bench_build(rt_ctx *rt, int64_t B, int64_t M, int64_t K, int64_t H, int64_t W,
                                pw_bench *b, clcnn_err *err)
{
    clcnn_status st;
    ir_graph *g = b->g = ir_graph_new();
    if (!g)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for the tuning graph");
    g->opset = 13;
    const int64_t xd[4] = {B, K, H, W}, wd[4] = {M, K, 1, 1}, bd[1] = {M}, ks[2] = {1, 1};
    int in[3] = {ir_add_tensor(g, "x", IR_DT_FLOAT, 4, xd), ir_add_tensor(g, "w", IR_DT_FLOAT, 4, wd),
                 ir_add_tensor(g, "b", IR_DT_FLOAT, 1, bd)};
    int y = ir_add_tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    int node = ir_add_node(g, IR_OP_CONV, "pw", in, 3, &y, 1);
    if (in[0] < 0 || in[1] < 0 || in[2] < 0 || y < 0 || node < 0 ||
        ir_set_attr_ints(g, node, "kernel_shape", ks, 2))
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for the tuning graph");
    if ((st = ops_infer_graph(g, err)))
        return st;
    if (!(b->mem = calloc((size_t)g->n_tensors, sizeof *b->mem)))
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for the tuning graph");
    for (int t = 0; t < g->n_tensors; t++)
        if (t != in[1] && !(b->mem[t] = rand_buffer(rt, (size_t)ir_numel(&g->tensors[t]), err)))
            return err->status;
    if ((st = packed_weights(rt, &g->tensors[in[1]], &b->mem[in[1]], err)))
        return st;
    opcl_ctx *cs[2] = {&b->ours, &b->blast};
    for (int j = 0; j < 2; j++) {
        cs[j]->rt = rt;
        cs[j]->g = g;
        cs[j]->mem = b->mem;
        cs[j]->build_opts = "";
        cs[j]->out = y;
    }
    b->ours.force = "conv_pw"; /* our kernel even where a stored decision says CLBlast */
    b->ours.w_packed = 1;
    if ((st = conv_cl(&b->ours, &g->nodes[0], err)))
        return st;
    if (!b->ours.variant || strcmp(b->ours.variant, "conv_pw") != 0 || b->ours.n_launches != 1)
        return err_set(err, CLCNN_ERR_INTERNAL, "tuning: the 1x1 conv was not planned as conv_pw");
    if (convpw_clblast_available() && (st = convpw_clblast_push(&b->blast, &g->nodes[0], err)))
        return st;
    return CLCNN_OK;
}

static clcnn_status add_row(clcnn_tune_row **rows, int *n, int *cap, const clcnn_tune_row *r,
                            clcnn_err *err)
{
    if (*n == *cap) {
        int c = *cap ? 2 * *cap : 16;
        clcnn_tune_row *p = realloc(*rows, (size_t)c * sizeof *p);
        if (!p)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for tuning rows");
        *rows = p;
        *cap = c;
    }
    (*rows)[(*n)++] = *r;
    return CLCNN_OK;
}

/* Work-group shapes tried for conv_pw (3-D: pixel tiles, channel tiles, batch). */
static const size_t lws_try[][2] = {{1, 1}, {4, 1}, {8, 1}, {16, 1}, {32, 1}, {64, 1},
                                    {2, 8}, {4, 4}, {8, 2}, {8, 4}, {16, 4}, {4, 16}};

static clcnn_status tune_lws(rt_ctx *rt, tune_db *db, pw_bench *b, int reps, clcnn_tune_row *row,
                             clcnn_err *err)
{
    clcnn_status st;
    const opcl_launch *L = &b->ours.launches[0];
    size_t max_wg = rt_info(rt)->max_work_group_size;
    double base, best_ms;
    if ((st = time_launches(rt, &b->ours, NULL, reps, &base, err)))
        return st;
    best_ms = base;
    size_t best[3] = {L->lws[0], L->lws[1], L->lws[2]};
    for (size_t i = 0; i < sizeof lws_try / sizeof lws_try[0]; i++) {
        const size_t l[3] = {lws_try[i][0], lws_try[i][1], 1};
        if (l[0] * l[1] > max_wg || (l[0] == L->lws[0] && l[1] == L->lws[1]) ||
            l[0] > 2 * L->gws[0] || l[1] > 2 * L->gws[1])
            continue; /* too big for the device, the heuristic itself, or mostly padding */
        double ms;
        if ((st = time_launches(rt, &b->ours, l, reps, &ms, err)))
            return st;
        if (ms < best_ms)
            best_ms = ms, memcpy(best, l, sizeof best);
    }
    /* the screen above picks a challenger; the decision alternates it with the
     * heuristic, best of TUNE_ROUNDS each, so one lucky timing cannot win */
    row->ours_ms = base;
    row->tuned_ms = best_ms;
    for (int r = 0; r < TUNE_ROUNDS && (best[0] != L->lws[0] || best[1] != L->lws[1]); r++) {
        double h, t;
        if ((st = time_launches(rt, &b->ours, NULL, reps, &h, err)) ||
            (st = time_launches(rt, &b->ours, best, reps, &t, err)))
            return st;
        row->ours_ms = fmin(row->ours_ms, h);
        row->tuned_ms = r ? fmin(row->tuned_ms, t) : t;
    }
    memcpy(row->lws, L->lws, sizeof row->lws);
    memcpy(row->tuned_lws, best, sizeof row->tuned_lws);
    row->use = row->tuned_ms < TUNE_MARGIN * row->ours_ms;
    if (row->use)
        return tune_set_local_size(db, "conv_pw", 3, L->gws, best, err);
    return CLCNN_OK;
}

/* Repetitions and work-group tuning from opt, reading only the fields its
 * struct_size covers. */
static void tune_settings(const clcnn_tune_options *opt, int *reps, int *no_lws)
{
    *reps = opt && OPT_HAS(opt, runs) && opt->runs > 0 ? opt->runs : 20;
    *no_lws = opt && OPT_HAS(opt, no_lws) ? opt->no_lws : 0;
}

/* The measurements and the store update; the caller holds ctx->lock, since
 * this builds programs and rewrites the tune store sessions read. */
static clcnn_status tune_locked(clcnn_context *ctx, const clcnn_model *m, int reps, int no_lws,
                                clcnn_tune_row **rows_out, int *n_out, clcnn_err *err)
{
    rt_ctx *rt = ctx->rt;
    const ir_graph *g = m->g;
    clcnn_tune_row *rows = NULL;
    int n = 0, cap = 0;
    tune_db *db = NULL;
    clcnn_status st = tune_open(rt, &db, err);
    int warmed = 0;
    for (int i = 0; !st && i < g->n_nodes; i++) {
        const ir_node *node = &g->nodes[i];
        if (!convpw_clblast_applicable(g, node))
            continue;
        int64_t M, N, K;
        convpw_clblast_shape(g, node, &M, &N, &K);
        int seen = 0;
        for (int r = 0; r < n; r++)
            seen |= rows[r].kind == CLCNN_TUNE_CLBLAST && rows[r].m == M && rows[r].n == N &&
                    rows[r].k == K;
        if (seen)
            continue;
        const ir_tensor *x = ir_in(g, node, 0);
        pw_bench b = {0};
        clcnn_tune_row row = {0};
        row.m = M, row.n = N, row.k = K, row.batch = x->dims[0];
        if ((st = bench_build(rt, x->dims[0], M, K, x->dims[2], x->dims[3], &b, err)))
            goto next;
        double ms;
        if ((st = time_launches(rt, &b.ours, NULL, 2, &ms, err)))
            goto next;
        if (b.blast.n_launches) {
            if (!warmed) { /* CLBlast compiles its kernels on the first call */
                clcnn_tune_row w = {0};
                w.kind = CLCNN_TUNE_CLBLAST_WARMUP;
                double t0 = now_ms();
                if ((st = time_launches(rt, &b.blast, NULL, 1, &ms, err)))
                    goto next;
                w.clblast_ms = now_ms() - t0;
                warmed = 1;
                if ((st = add_row(&rows, &n, &cap, &w, err)))
                    goto next;
            }
            if ((st = time_launches(rt, &b.blast, NULL, 2, &ms, err)))
                goto next;
        }
        row.kind = CLCNN_TUNE_CLBLAST;
        row.ours_ms = row.clblast_ms = INFINITY;
        for (int round = 0; round < TUNE_ROUNDS; round++) { /* alternate: same noise for both */
            if ((st = time_launches(rt, &b.ours, NULL, reps, &ms, err)))
                goto next;
            row.ours_ms = fmin(row.ours_ms, ms);
            if (b.blast.n_launches) {
                if ((st = time_launches(rt, &b.blast, NULL, reps, &ms, err)))
                    goto next;
                row.clblast_ms = fmin(row.clblast_ms, ms);
            }
        }
        if (b.blast.n_launches) {
            row.use = row.clblast_ms < TUNE_MARGIN * row.ours_ms;
            if ((st = tune_set_clblast(db, M, N, K, row.ours_ms, row.clblast_ms, row.use, err)))
                goto next;
        } else {
            row.clblast_ms = -1; /* built without CLBlast: nothing to compare, nothing stored */
        }
        if ((st = add_row(&rows, &n, &cap, &row, err)))
            goto next;
        if (!no_lws) {
            clcnn_tune_row lr = row;
            lr.kind = CLCNN_TUNE_LWS;
            lr.clblast_ms = 0;
            if (!(st = tune_lws(rt, db, &b, reps, &lr, err)))
                st = add_row(&rows, &n, &cap, &lr, err);
        }
    next:
        bench_free(&b);
    }
    if (!st && db && tune_path(db))
        st = tune_save(db, err);
    tune_close(db);
    if (st) {
        free(rows);
        return st;
    }
    *rows_out = rows;
    *n_out = n;
    return CLCNN_OK;
}

clcnn_status clcnn_tune(clcnn_context *ctx, const clcnn_model *m, const clcnn_tune_options *opt,
                        clcnn_tune_row **rows_out, int *n_out)
{
    clcnn_err err = {0};
    if (!ctx)
        return CLCNN_ERR_INVALID_ARG;
    if (!m || !rows_out || !n_out) {
        err_set(&err, CLCNN_ERR_INVALID_ARG, "clcnn_tune: model, rows and n must not be NULL");
        return api_fail_clear(ctx, &err);
    }
    *rows_out = NULL;
    *n_out = 0;
    clcnn_status st = API_CHECK_OPT(opt, clcnn_tune_options, &err);
    if (st == CLCNN_OK && !ctx->rt)
        st = err_set(&err, CLCNN_ERR_INVALID_ARG,
                     "tune needs an OpenCL device, not the reference backend");
    if (st == CLCNN_OK)
        st = api_model_whole(m, "clcnn_tune", &err);
    if (st != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    int reps, no_lws;
    tune_settings(opt, &reps, &no_lws);
    pthread_mutex_lock(&ctx->lock);
    st = tune_locked(ctx, m, reps, no_lws, rows_out, n_out, &err);
    pthread_mutex_unlock(&ctx->lock);
    return st != CLCNN_OK ? api_fail_clear(ctx, &err) : CLCNN_OK;
}

void clcnn_tune_free(clcnn_tune_row *rows) { free(rows); }

clcnn_status clcnn_tune_store_path(clcnn_context *ctx, char *buf, size_t len)
{
    if (!ctx || !buf || !len)
        return CLCNN_ERR_INVALID_ARG;
    buf[0] = 0;
    if (!ctx->rt)
        return CLCNN_OK;
    clcnn_err err = {0};
    tune_db *db = NULL;
    pthread_mutex_lock(&ctx->lock); /* the store file may be rewritten by a concurrent tune */
    clcnn_status st = tune_open(ctx->rt, &db, &err);
    if (st == CLCNN_OK && tune_path(db))
        snprintf(buf, len, "%s", tune_path(db));
    tune_close(db);
    pthread_mutex_unlock(&ctx->lock);
    return st != CLCNN_OK ? api_fail_clear(ctx, &err) : CLCNN_OK;
}
