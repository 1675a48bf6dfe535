/* session_tensors.c — clcnn_session_run_tensors: typed inputs checked against
 * the session's shapes, outputs in their own dtype into the caller's buffers
 * (capacity checked before anything runs) or into buffers the library
 * allocates; and, for a model whose batch is dynamic, one plan per batch size
 * seen (session_internal.h says how many are kept and why). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"
#include "../exec/exec_ref.h"

#define RT_WHO "clcnn_session_run_tensors"

/* "[1,3,224,224]" into buf. */
static const char *fmt_dims(char *buf, size_t len, int ndim, const int64_t *dims)
{
    size_t pos = (size_t)snprintf(buf, len, "[");
    for (int d = 0; d < ndim && pos < len; d++)
        pos += (size_t)snprintf(buf + pos, len - pos, d ? ",%lld" : "%lld", (long long)dims[d]);
    if (pos < len)
        snprintf(buf + pos, len - pos, "]");
    return buf;
}

static int64_t dims_numel(int ndim, const int64_t *dims)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= dims[d];
    return n;
}

/* Input i against the session's own input t: dtype, rank, every dim (dim 0
 * only where the batch is dynamic), data and its byte count. */
static clcnn_status check_input(int i, const clcnn_tensor *x, const ir_tensor *t, clcnn_err *err)
{
    char got[160], want[160];
    if (x->dtype != (clcnn_dtype)t->dtype)
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": input %d ('%s'): dtype %s, expected %s",
                       i, t->name, clcnn_dtype_str(x->dtype), clcnn_dtype_str((clcnn_dtype)t->dtype));
    if (x->ndim < 0 || x->ndim > CLCNN_MAX_DIMS)
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": input %d ('%s'): ndim %d is out of range",
                       i, t->name, x->ndim);
    fmt_dims(got, sizeof got, x->ndim, x->dims);
    fmt_dims(want, sizeof want, t->ndim, t->dims);
    int same = x->ndim == t->ndim;
    for (int d = 1; same && d < t->ndim; d++)
        same = x->dims[d] == t->dims[d];
    if (!same || (t->ndim > 0 && x->dims[0] < 0))
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": input %d ('%s'): shape %s, expected %s", i,
                       t->name, got, want);
    /* An empty batch runs only where the model itself declares dim 0 as 0
     * (ONNX's empty-tensor tests); a dynamic batch is at least 1. */
    if (t->ndim > 0 && x->dims[0] == 0 && t->dims[0] != 0)
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       RT_WHO ": input %d ('%s'): shape %s has batch 0; the batch must be >= 1", i,
                       t->name, got);
    if (t->ndim > 0 && x->dims[0] != t->dims[0] && !t->dynamic_batch)
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       RT_WHO ": input %d ('%s'): shape %s, expected %s (the model's batch is static)",
                       i, t->name, got, want);
    size_t need = (size_t)dims_numel(x->ndim, x->dims) * clcnn_dtype_size(x->dtype);
    if (!x->data && need)
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": input %d ('%s'): data is NULL", i, t->name);
    if (x->bytes != need)
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       RT_WHO ": input %d ('%s'): bytes is %zu, shape %s %s needs %zu", i, t->name,
                       x->bytes, got, clcnn_dtype_str(x->dtype), need);
    return CLCNN_OK;
}

/* Checks every input; *batch = the common dim 0 of the inputs whose batch is
 * dynamic, else the session's own batch (static inputs must match exactly). */
static clcnn_status check_inputs(const clcnn_session *s, const clcnn_tensor *in, int64_t *batch,
                                 clcnn_err *err)
{
    const ir_graph *g = session_graph(s);
    int first = -1;
    *batch = s->plans[0].batch;
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_tensor *t = &g->tensors[g->inputs[i]];
        clcnn_status st = check_input(i, &in[i], t, err);
        if (st != CLCNN_OK)
            return st;
        if (!t->dynamic_batch || t->ndim < 1)
            continue;
        if (first >= 0 && in[i].dims[0] != *batch)
            return err_set(err, CLCNN_ERR_INVALID_ARG,
                           RT_WHO ": input %d ('%s'): batch %lld, but input %d has batch %lld", i,
                           t->name, (long long)in[i].dims[0], first, (long long)*batch);
        if (first < 0)
            first = i;
        *batch = in[i].dims[0];
    }
    return CLCNN_OK;
}

/* The plan for `batch`: a kept one, else a new one in a free slot or in place
 * of the least recently used extra plan (plans[0] is the session's own and is
 * never evicted). */
static clcnn_status plan_for(clcnn_session *s, int64_t batch, session_plan **out, clcnn_err *err)
{
    int victim = -1;
    for (int i = 0; i < SESSION_MAX_PLANS; i++) {
        session_plan *p = &s->plans[i];
        if (p->batch == batch) {
            *out = p;
            return CLCNN_OK;
        }
        if (i > 0 && (victim < 0 || p->batch == 0 ||
                      (s->plans[victim].batch != 0 && p->used < s->plans[victim].used)))
            victim = i;
    }
    session_plan_free(s, &s->plans[victim]);
    clcnn_status st = session_plan_make(s, batch, &s->plans[victim], err);
    if (st == CLCNN_OK)
        *out = &s->plans[victim];
    return st;
}

/* Caller buffers must hold each output of plan graph g; checked before the run
 * so a too-small buffer is refused with nothing written. */
static clcnn_status check_capacity(const ir_graph *g, const clcnn_tensor *out, clcnn_err *err)
{
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        size_t need = ir_nbytes(t);
        char shape[160];
        if (out[i].data && out[i].bytes < need)
            return err_set(err, CLCNN_ERR_INVALID_ARG,
                           RT_WHO ": output %d ('%s'): bytes is %zu, %s %s needs %zu", i, t->name,
                           out[i].bytes, fmt_dims(shape, sizeof shape, t->ndim, t->dims),
                           clcnn_dtype_str((clcnn_dtype)t->dtype), need);
    }
    return CLCNN_OK;
}

/* dst[i]: the caller's buffer, or a new one (owned[i]) where data is NULL. */
static clcnn_status output_buffers(const ir_graph *g, const clcnn_tensor *out, void **dst,
                                   void **owned, clcnn_err *err)
{
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (out[i].data) {
            dst[i] = out[i].data;
            continue;
        }
        size_t nb = ir_nbytes(t);
        if (!(owned[i] = dst[i] = malloc(nb ? nb : 1)))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, RT_WHO ": output %d ('%s'): out of memory "
                           "(%zu bytes)", i, t->name, nb);
    }
    return CLCNN_OK;
}

/* After a successful run: each output's type and shape, and the buffers the
 * library allocated (the caller frees them with clcnn_free). */
static void publish_outputs(const ir_graph *g, clcnn_tensor *out, void **owned)
{
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        out[i].dtype = (clcnn_dtype)t->dtype;
        out[i].ndim = t->ndim;
        memset(out[i].dims, 0, sizeof out[i].dims);
        for (int d = 0; d < t->ndim; d++)
            out[i].dims[d] = t->dims[d];
        if (owned[i]) {
            out[i].data = owned[i];
            out[i].bytes = ir_nbytes(t);
            owned[i] = NULL;
        }
    }
}

/* Runs plan p on checked inputs into checked outputs. */
static clcnn_status run_plan(clcnn_session *s, session_plan *p, const clcnn_tensor *in,
                             clcnn_tensor *out, clcnn_err *err)
{
    const ir_graph *g = plan_graph_of(s, p);
    const size_t n_in = (size_t)g->n_inputs + 1, n_out = (size_t)g->n_outputs + 1;
    const float **src = calloc(n_in, sizeof *src);
    void **dst = calloc(n_out, sizeof *dst), **owned = calloc(n_out, sizeof *owned);
    clcnn_status st = !src || !dst || !owned
                          ? err_set(err, CLCNN_ERR_OUT_OF_MEMORY, RT_WHO ": out of memory")
                          : check_capacity(g, out, err);
    for (int i = 0; st == CLCNN_OK && i < g->n_inputs; i++)
        src[i] = in[i].data;
    if (st == CLCNN_OK)
        st = output_buffers(g, out, dst, owned, err);
    if (st == CLCNN_OK) {
        p->used = ++s->clock;
        st = p->cl ? exec_cl_run_raw(p->cl, src, dst, err) : exec_ref_run_raw(g, src, dst, err);
    }
    if (st == CLCNN_OK)
        publish_outputs(g, out, owned);
    for (int i = 0; owned && i < g->n_outputs; i++)
        free(owned[i]);
    free(owned);
    free(dst);
    free((void *)src);
    return st;
}

static clcnn_status check_counts(const clcnn_session *s, const clcnn_tensor *in, int n_in,
                                 const clcnn_tensor *out, int n_out, clcnn_err *err)
{
    const ir_graph *g = session_graph(s);
    if (n_in != g->n_inputs)
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": n_in is %d; the model has %d input%s", n_in,
                       g->n_inputs, g->n_inputs == 1 ? "" : "s");
    if (n_out != g->n_outputs)
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": n_out is %d; the model has %d output%s",
                       n_out, g->n_outputs, g->n_outputs == 1 ? "" : "s");
    if ((n_in && !in) || (n_out && !out))
        return err_set(err, CLCNN_ERR_INVALID_ARG, RT_WHO ": %s is NULL", n_in && !in ? "inputs" : "outputs");
    return CLCNN_OK;
}

clcnn_status clcnn_session_run_tensors(clcnn_session *s, const clcnn_tensor *inputs, int n_in,
                                       clcnn_tensor *outputs, int n_out)
{
    clcnn_err err = {0};
    if (!s)
        return CLCNN_ERR_INVALID_ARG;
    int64_t batch = 0;
    session_plan *p = NULL;
    clcnn_status st = check_counts(s, inputs, n_in, outputs, n_out, &err);
    if (st == CLCNN_OK)
        st = check_inputs(s, inputs, &batch, &err);
    if (st == CLCNN_OK)
        st = plan_for(s, batch, &p, &err);
    if (st == CLCNN_OK)
        st = run_plan(s, p, inputs, outputs, &err);
    return st != CLCNN_OK ? session_fail(s, &err) : CLCNN_OK;
}
