/* fuse.c — the fusion passes' order, the fuse_groups table and the graph
 * queries they share. Order: the residual Add first (act(conv) + O is not
 * act(conv + O), so it must claim the Conv before an activation does), then
 * X * S(X) pairs and plain activations (so every host's epilogue is final),
 * then the SE gate and the BN prologue (they read final activations), the
 * channel shuffle, separable pairs (both Convs' epilogues final; shuffle hosts
 * and gated/prologue Convs excluded), and last the SE squeeze (into a final
 * depthwise group) and the SE FCs (both epilogues final). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_internal.h"

clcnn_status fuse_init(const ir_graph *g, const fuse_target *tg, fuse_groups *fg, clcnn_err *err)
{
    const size_t nn = (size_t)g->n_nodes + 1, nt = (size_t)g->n_tensors + 1;
    *fg = (fuse_groups){0};
    fg->n_nodes = g->n_nodes;
    fg->n_tensors = g->n_tensors;
    int **per_node[] = {&fg->into, &fg->out, &fg->act, &fg->res, &fg->gate_x, &fg->gate_s,
                        &fg->pro, &fg->sep, &fg->sq, &fg->shuf_of, &fg->fc2};
    int ok = 1;
    for (size_t k = 0; k < sizeof per_node / sizeof per_node[0]; k++)
        ok &= (*per_node[k] = malloc(nn * sizeof(int))) != NULL;
    ok &= (fg->act_x = calloc(nn, 1)) != NULL;
    ok &= (fg->note = calloc(nn, sizeof *fg->note)) != NULL;
    ok &= (fg->uses = calloc(nt, sizeof(int))) != NULL;
    ok &= (fg->root = malloc(nt * sizeof(int))) != NULL;
    if (!ok) {
        fuse_free(fg);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning fusion");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        fg->into[i] = fg->act[i] = fg->res[i] = fg->gate_x[i] = fg->gate_s[i] = -1;
        fg->pro[i] = fg->sep[i] = fg->sq[i] = fg->shuf_of[i] = fg->fc2[i] = -1;
        fg->out[i] = n->n_out > 0 ? n->out[0] : -1;
        for (int k = 0; k < n->n_in; k++)
            if (n->in[k] >= 0)
                fg->uses[n->in[k]]++;
    }
    for (int i = 0; i < g->n_outputs; i++)
        fg->uses[g->outputs[i]]++;
    for (int t = 0; t < g->n_tensors; t++)
        fg->root[t] = t;
    for (int i = 0; i < g->n_nodes; i++) { /* topological order: a view's input is rooted */
        const ir_node *n = &g->nodes[i];
        if (tg->is_alias(n->op) && n->n_in > 0 && n->in[0] >= 0 && n->n_out > 0 && n->out[0] >= 0)
            fg->root[n->out[0]] = fg->root[n->in[0]];
    }
    return CLCNN_OK;
}

void fuse_free(fuse_groups *fg)
{
    if (!fg)
        return;
    free(fg->into), free(fg->out), free(fg->act), free(fg->act_x), free(fg->res);
    free(fg->gate_x), free(fg->gate_s), free(fg->pro), free(fg->sep), free(fg->sq);
    free(fg->shuf_of), free(fg->fc2);
    for (int i = 0; fg->note && i < fg->n_nodes; i++)
        free(fg->note[i]);
    free(fg->note), free(fg->shuf), free(fg->uses), free(fg->root);
    *fg = (fuse_groups){0};
}

clcnn_status fuse_run(const ir_graph *g, const fuse_target *tg, fuse_groups *fg, clcnn_err *err)
{
    clcnn_status st = fuse_init(g, tg, fg, err);
    if (st)
        return st;
    fuse_residual_add(g, fg);
    fuse_swish(g, fg);
    fuse_act(g, tg, fg);
    fuse_se_gate(g, tg, fg);
    fuse_bn_prologue(g, tg, fg);
    fuse_channel_shuffle(g, tg, fg);
    fuse_separable(g, tg, fg);
    fuse_se_squeeze(g, tg, fg);
    fuse_se_fc(g, tg, fg);
    return CLCNN_OK;
}

int fuse_sole_reader(const ir_graph *g, int t)
{
    int r = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == t) {
                if (r >= 0 && r != i)
                    return -1;
                r = i;
            }
    return r;
}

int fuse_is_output(const ir_graph *g, int t)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

int fuse_same_dims(const ir_tensor *a, const ir_tensor *b)
{
    if (a->ndim != b->ndim || a->dtype != b->dtype)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->dims[d] != b->dims[d])
            return 0;
    return 1;
}

int fuse_writer_of(const ir_graph *g, const fuse_groups *fg, int t)
{
    const int i = g->tensors[t].producer;
    if (i < 0)
        return -1;
    if (fg->into[i] >= 0) {
        const int h = fg->into[i];
        return fg->out[h] == t || fg->sq[h] == t ? h : -1;
    }
    for (int k = 0; k < g->nodes[i].n_out; k++)
        if ((k == 0 ? fg->out[i] : g->nodes[i].out[k]) == t)
            return i;
    return -1;
}

int fuse_ready_before(const ir_graph *g, const fuse_groups *fg, int t, int before)
{
    const int r = fg->root[t], wr = fuse_writer_of(g, fg, r);
    if (fuse_is_const(g, r))
        return 1;
    return wr >= 0 ? wr < before : g->tensors[r].producer < 0;
}

int fuse_packable_weights(const ir_graph *g, int i)
{
    const ir_node *n = &g->nodes[i];
    if (n->op != IR_OP_CONV || n->n_in < 2 || n->in[1] < 0)
        return 0;
    const ir_tensor *t = &g->tensors[n->in[1]];
    return fuse_is_const(g, n->in[1]) && t->dtype == IR_DT_FLOAT && t->ndim == 4 &&
           fuse_sole_reader(g, n->in[1]) == i;
}

void fuse_note(fuse_groups *fg, int i, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fg->note[i] = err_note_append(fg->note[i], msg);
}
