/* batch.c — graph_rebatch: runs a graph exported for batch 1 on B images.
 * Shape inference does most of it; the one thing it cannot know is that a
 * folded Reshape target like [1, 2, 58, 28, 28] meant [x.size(0), ...]. That
 * is a heuristic (leading entry == old batch and the input's dim 0 == new
 * batch), checked afterwards by requiring dim 0 == B on every output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "../ops/op.h"

/* The int64 target tensor of Reshape n as a private copy that n alone reads,
 * so rewriting it cannot change another node. Returns its data or NULL. */
static int64_t *private_target(ir_graph *g, ir_node *n)
{
    int t = n->in[1];
    if (g->tensors[t].dtype != IR_DT_INT64 || !g->tensors[t].data)
        return NULL;
    if (ir_consumers(g, t) == 1)
        return ir_tensor_own(&g->tensors[t]); /* a session's clone borrows the model's */
    char name[256];
    snprintf(name, sizeof name, "%s:batch_target", n->name ? n->name : "reshape");
    int c = ir_add_tensor(g, name, IR_DT_INT64, g->tensors[t].ndim, g->tensors[t].dims);
    if (c < 0)
        return NULL;
    size_t bytes = ir_nbytes(&g->tensors[t]);
    void *d = malloc(bytes ? bytes : 1);
    if (!d)
        return NULL; /* the tensor stays, unused: ir_prune would drop it */
    memcpy(d, g->tensors[t].data, bytes);
    g->tensors[c].data = d;
    n->in[1] = c;
    return d;
}

/* Before Reshape n is inferred: its leading target entry old -> batch when the
 * input's (already re-inferred) dim 0 is the new batch. */
static clcnn_status fix_reshape(ir_graph *g, ir_node *n, int64_t old, int64_t batch, clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    if (!x || x->ndim < 1 || x->dims[0] != batch)
        return CLCNN_OK;
    if (n->n_in >= 2 && n->in[1] >= 0) {
        const ir_tensor *s = &g->tensors[n->in[1]];
        if (!s->data || s->dtype != IR_DT_INT64 || ir_numel(s) < 1 || ((int64_t *)s->data)[0] != old)
            return CLCNN_OK;
        int64_t *target = private_target(g, n);
        if (!target)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory re-batching '%s'", n->name);
        target[0] = batch;
        return CLCNN_OK;
    }
    for (int a = 0; a < n->n_attr; a++) /* opset < 5: the target is an attribute */
        if (strcmp(n->attrs[a].name, "shape") == 0 && n->attrs[a].type == IR_ATTR_INTS &&
            n->attrs[a].n > 0 && n->attrs[a].ints[0] == old)
            n->attrs[a].ints[0] = batch;
    return CLCNN_OK;
}

static clcnn_status model_batch(const ir_graph *g, int64_t *old, clcnn_err *err)
{
    if (g->n_inputs < 1)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "cannot set a batch: the model has no input");
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_tensor *t = &g->tensors[g->inputs[i]];
        if (t->ndim < 1)
            return err_set(err, CLCNN_ERR_UNSUPPORTED, "cannot set a batch: input '%s' is a scalar", t->name);
        if (i == 0)
            *old = t->dims[0];
        else if (t->dims[0] != *old)
            return err_set(err, CLCNN_ERR_UNSUPPORTED,
                           "cannot set a batch: inputs disagree on dim 0 (%lld vs %lld for '%s')",
                           (long long)*old, (long long)t->dims[0], t->name);
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (t->ndim < 1 || t->dims[0] != *old)
            return err_set(err, CLCNN_ERR_UNSUPPORTED,
                           "cannot set a batch: output '%s' does not lead with the batch dim", t->name);
    }
    return CLCNN_OK;
}

clcnn_status graph_rebatch(ir_graph *g, int64_t batch, clcnn_err *err)
{
    int64_t old = 0;
    clcnn_status st;
    if (batch < 1)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "batch must be >= 1, got %lld", (long long)batch);
    if ((st = model_batch(g, &old, err)))
        return st;
    if (batch == old)
        return CLCNN_OK;
    for (int i = 0; i < g->n_inputs; i++)
        g->tensors[g->inputs[i]].dims[0] = batch;
    /* one walk in topological order: each Reshape sees its input's new shape */
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        if (n->op == IR_OP_RESHAPE && (st = fix_reshape(g, n, old, batch, err)))
            return st;
        const op_def *d = op_get(n->op);
        if (d && d->infer && (st = d->infer(g, n, err))) {
            char why[CLCNN_ERR_MSG_LEN];
            snprintf(why, sizeof why, "%s", err ? err->msg : "");
            return err_set(err, st, "batch %lld: %s", (long long)batch, why);
        }
    }
    if ((st = ops_infer_graph(g, err)))
        return st;
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (t->dims[0] != batch)
            return err_set(err, CLCNN_ERR_UNSUPPORTED,
                           "batch %lld: output '%s' has dim 0 = %lld; this graph mixes the batch into "
                           "other dims", (long long)batch, t->name, (long long)t->dims[0]);
    }
    return CLCNN_OK;
}
