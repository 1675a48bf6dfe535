/* fold_bn.c — BatchNormalization folded into the Conv that feeds it:
 *   y = gamma * (conv(x, W) + b - mean) / sqrt(var + eps) + beta
 *     = conv(x, W * s) + (b - mean) * s + beta,   s = gamma / sqrt(var + eps)
 * per output channel. Only when the Conv's output feeds the BN alone, and all
 * weights and BN statistics are constants. New weight tensors are made (the
 * originals may be shared); ir_prune drops the unused ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

static const float *const_f32(const ir_graph *g, int t)
{
    if (t < 0 || !g->tensors[t].data || g->tensors[t].dtype != IR_DT_FLOAT)
        return NULL;
    return g->tensors[t].data;
}

/* Adds a float constant tensor named "<base><suffix>" owning `data`. */
static int add_const(ir_graph *g, const char *base, const char *suffix, int ndim,
                     const int64_t *dims, float *data)
{
    char name[512];
    snprintf(name, sizeof name, "%s%s", base, suffix);
    int t = ir_add_tensor(g, name, IR_DT_FLOAT, ndim, dims);
    if (t < 0) {
        free(data);
        return -1;
    }
    g->tensors[t].data = data;
    g->tensors[t].is_param = 1;
    return t;
}

/* Folds BN node `bi` into the Conv node `ci`; returns 1 if folded, 0 if not
 * applicable, -1 on OOM. */
static int fold_one(ir_graph *g, int ci, int bi)
{
    ir_node *conv = &g->nodes[ci], *bn = &g->nodes[bi];
    if (bn->n_in < 5 || conv->n_in < 2)
        return 0;
    const float *w = const_f32(g, conv->in[1]);
    const float *b = conv->n_in > 2 ? const_f32(g, conv->in[2]) : NULL;
    const float *gamma = const_f32(g, bn->in[1]), *beta = const_f32(g, bn->in[2]);
    const float *mean = const_f32(g, bn->in[3]), *var = const_f32(g, bn->in[4]);
    if (!w || !gamma || !beta || !mean || !var || (conv->n_in > 2 && conv->in[2] >= 0 && !b))
        return 0;
    const ir_tensor *wt = &g->tensors[conv->in[1]];
    int64_t cout = wt->dims[0], per = ir_numel(wt) / cout;
    if (ir_numel(&g->tensors[bn->in[1]]) != cout)
        return 0;
    double eps = ir_attr_float(bn, "epsilon", 1e-5f);
    float *nw = ir_data_alloc(sizeof(float) * (size_t)(cout * per));
    float *nb = ir_data_alloc(sizeof(float) * (size_t)cout);
    if (!nw || !nb) {
        free(nw);
        free(nb);
        return -1;
    }
    for (int64_t o = 0; o < cout; o++) {
        double s = gamma[o] / sqrt((double)var[o] + eps);
        for (int64_t i = 0; i < per; i++)
            nw[o * per + i] = (float)(w[o * per + i] * s);
        nb[o] = (float)(((b ? b[o] : 0.0) - mean[o]) * s + beta[o]);
    }
    int64_t wdims[IR_MAX_DIMS];
    memcpy(wdims, wt->dims, sizeof wdims);
    int wndim = wt->ndim;
    char base[480];
    snprintf(base, sizeof base, "%s", g->nodes[ci].name);
    int tw = add_const(g, base, ".W_bnfold", wndim, wdims, nw);
    int tb = tw < 0 ? (free(nb), -1) : add_const(g, base, ".B_bnfold", 1, &cout, nb);
    if (tw < 0 || tb < 0)
        return -1;
    conv = &g->nodes[ci]; /* ir_add_tensor may not move nodes, but re-read for clarity */
    bn = &g->nodes[bi];
    const int old_w = conv->in[1], old_b = conv->n_in > 2 ? conv->in[2] : -1;
    if (conv->n_in < 3) {
        int *in = realloc(conv->in, sizeof(int) * 3);
        if (!in)
            return -1;
        conv->in = in;
        conv->n_in = 3;
    }
    conv->in[1] = tw;
    conv->in[2] = tb;
    conv->out[0] = bn->out[0];
    ir_remove_node(g, bi);
    /* a weight the graph owns and nothing reads now goes at once, not at
     * ir_prune: a graph that took its model's weights (ir_clone_take) then
     * holds one copy of them while folding, not two (borrowed: no-op) */
    if (ir_consumers(g, old_w) == 0)
        ir_tensor_release(&g->tensors[old_w]);
    if (old_b >= 0 && ir_consumers(g, old_b) == 0)
        ir_tensor_release(&g->tensors[old_b]);
    return 1;
}

clcnn_status pass_fold_bn(ir_graph *g, int *count, clcnn_err *err)
{
    int folded = 0;
    for (int bi = 0; bi < g->n_nodes; bi++) {
        const ir_node *bn = &g->nodes[bi];
        /* training mode normalises with the batch's statistics: nothing to fold */
        if (bn->op != IR_OP_BATCHNORM || bn->n_in < 5 || bn->in[0] < 0 || bn->n_out > 1 ||
            ir_attr_int(bn, "training_mode", 0))
            continue;
        int x = bn->in[0];
        int ci = g->tensors[x].producer;
        if (ci < 0 || g->nodes[ci].op != IR_OP_CONV || ir_consumers(g, x) != 1)
            continue;
        int r = fold_one(g, ci, bi);
        if (r < 0)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory folding BatchNormalization");
        if (r > 0) {
            folded++;
            bi--; /* the node at bi was removed */
        }
    }
    if (count)
        *count = folded;
    return folded ? ir_prune(g, err) : CLCNN_OK;
}
