/* fuse_shuffle.c — ShuffleNetV2's channel shuffle as one launch: Concat(a, b)
 * on channels -> Reshape (N,2,C/2,H,W) -> Transpose (0,2,1,3,4) -> Reshape
 * (N,C,H,W), optionally followed by the split into halves (a Split, or one or
 * two Slices on channels), is hosted by the Concat node (plan/plan_shuffle.c
 * launches shuffle2_cat for it), writing the shuffled tensor, or its two halves
 * straight into the split's outputs. Only the groups-2 shuffle of two equal
 * 4-D NCHW inputs is matched; any other graph keeps the general kernels. */
#include <stdlib.h>

#include "fuse_internal.h"
#include "../ops/ops_impl.h"

/* The one node reading t, or -1 (none, several, or t is also a graph output). */
static int sole_reader(const ir_graph *g, const int *uses, int t)
{
    return uses[t] == 1 ? fuse_sole_reader(g, t) : -1;
}

static int dims_are(const ir_tensor *t, int ndim, const int64_t *d)
{
    if (t->dtype != IR_DT_FLOAT || t->ndim != ndim)
        return 0;
    for (int k = 0; k < ndim; k++)
        if (t->dims[k] != d[k])
            return 0;
    return 1;
}

/* A Split of y on channels into one or two parts: their tensors and ranges. */
static int take_split(const ir_graph *g, const ir_node *s, int y, fuse_shuffle *m)
{
    int ax;
    int64_t sizes[2];
    clcnn_err e = {0};
    if (s->n_out < 1 || s->n_out > 2 || s->in[0] != y)
        return 0;
    int bad = split_sizes(g, s, &ax, sizes, &e) != CLCNN_OK || ax != 1;
    err_clear(&e);
    if (bad)
        return 0;
    int64_t off = 0;
    for (int k = 0; k < s->n_out; k++) {
        if (s->out[k] < 0)
            return 0;
        m->out[k] = s->out[k], m->off[k] = off, m->cnt[k] = sizes[k];
        off += sizes[k];
    }
    m->n_out = s->n_out;
    return 1;
}

/* A Slice of y taking a channel range with step 1 and everything else whole. */
static int take_slice(const ir_graph *g, const ir_node *s, int y, fuse_shuffle *m)
{
    const ir_tensor *ty = &g->tensors[y];
    int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], count[IR_MAX_DIMS];
    clcnn_err e = {0};
    if (s->n_in < 1 || s->in[0] != y || s->n_out != 1 || s->out[0] < 0)
        return 0;
    int bad = slice_params(g, s, start, step, count, &e) != CLCNN_OK;
    err_clear(&e);
    if (bad)
        return 0;
    for (int d = 0; d < ty->ndim; d++)
        if (step[d] != 1 || (d != 1 && (start[d] != 0 || count[d] != ty->dims[d])))
            return 0;
    const int k = m->n_out++;
    m->out[k] = s->out[0], m->off[k] = start[1], m->cnt[k] = count[1];
    return 1;
}

/* The split after the shuffle, when every reader of y is part of it: fills m's
 * outputs and marks the split's nodes. 0 (nothing marked) otherwise. */
static int match_split(const ir_graph *g, const int *uses, int y, fuse_shuffle *m, int *fused_into)
{
    int readers[2], nr = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == y) {
                if (nr == 2 || fused_into[i] >= 0)
                    return 0;
                if (nr == 0 || readers[nr - 1] != i)
                    readers[nr++] = i;
            }
    if (nr == 0 || nr != uses[y]) /* a graph output counts in uses: Y must stay */
        return 0;
    fuse_shuffle t = *m;
    t.n_out = 0;
    const ir_node *r0 = &g->nodes[readers[0]];
    int ok = 1;
    if (nr == 1 && r0->op == IR_OP_SPLIT)
        ok = take_split(g, r0, y, &t);
    else
        for (int k = 0; k < nr && ok; k++)
            ok = g->nodes[readers[k]].op == IR_OP_SLICE &&
                 take_slice(g, &g->nodes[readers[k]], y, &t);
    const ir_tensor *ty = &g->tensors[y];
    for (int k = 0; k < t.n_out && ok; k++) {
        const int64_t d[4] = {ty->dims[0], t.cnt[k], ty->dims[2], ty->dims[3]};
        ok = t.cnt[k] > 0 && dims_are(&g->tensors[t.out[k]], 4, d);
    }
    if (!ok || t.n_out == 0 || (t.n_out == 2 && t.out[0] == t.out[1]))
        return 0;
    *m = t;
    for (int k = 0; k < nr; k++)
        fused_into[readers[k]] = m->host;
    return 1;
}

/* Concat node i and the shuffle after it; marks the chain's nodes on success. */
static int match_chain(const ir_graph *g, const fuse_target *tg, const int *uses, int *fused_into, int i,
                       fuse_shuffle *m)
{
    const ir_node *cat = &g->nodes[i];
    if (cat->op != IR_OP_CONCAT || cat->n_in != 2 || cat->n_out != 1 || cat->in[0] < 0 ||
        cat->in[1] < 0 || cat->out[0] < 0 || fused_into[i] >= 0)
        return 0;
    const ir_tensor *a = &g->tensors[cat->in[0]], *x = &g->tensors[cat->out[0]];
    const int64_t axis = ir_attr_int(cat, "axis", 0);
    if (a->ndim != 4 || (axis != 1 && axis != -3))
        return 0;
    const int64_t N = a->dims[0], C = a->dims[1], H = a->dims[2], W = a->dims[3];
    const int64_t dx[4] = {N, 2 * C, H, W}, d5[5] = {N, 2, C, H, W}, dt[5] = {N, C, 2, H, W};
    if (!dims_are(a, 4, a->dims) || !dims_are(&g->tensors[cat->in[1]], 4, a->dims) ||
        !dims_are(x, 4, dx))
        return 0;
    const int r1 = sole_reader(g, uses, cat->out[0]);
    if (r1 < 0 || !tg->is_alias(g->nodes[r1].op) || fused_into[r1] >= 0 ||
        g->nodes[r1].in[0] != cat->out[0] || !dims_are(&g->tensors[g->nodes[r1].out[0]], 5, d5))
        return 0;
    const int tr = sole_reader(g, uses, g->nodes[r1].out[0]);
    int perm[IR_MAX_DIMS];
    clcnn_err e = {0};
    if (tr < 0 || g->nodes[tr].op != IR_OP_TRANSPOSE || fused_into[tr] >= 0 ||
        g->nodes[tr].in[0] != g->nodes[r1].out[0] || transpose_perm(g, &g->nodes[tr], perm, &e)) {
        err_clear(&e);
        return 0;
    }
    const int t = g->nodes[tr].out[0];
    if (perm[0] != 0 || perm[1] != 2 || perm[2] != 1 || perm[3] != 3 || perm[4] != 4 ||
        !dims_are(&g->tensors[t], 5, dt))
        return 0;
    m->host = i;
    m->n_out = 1; /* no split matched: Y whole into T's buffer, which Y aliases */
    m->out[0] = t, m->off[0] = 0, m->cnt[0] = 2 * C;
    m->out[1] = -1, m->off[1] = m->cnt[1] = 0;
    const int r2 = sole_reader(g, uses, t);
    if (r2 >= 0 && tg->is_alias(g->nodes[r2].op) && fused_into[r2] < 0 &&
        g->nodes[r2].in[0] == t && dims_are(&g->tensors[g->nodes[r2].out[0]], 4, dx) &&
        match_split(g, uses, g->nodes[r2].out[0], m, fused_into))
        fused_into[r2] = i;
    fused_into[r1] = fused_into[tr] = i;
    return 1;
}

void fuse_channel_shuffle(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    fuse_shuffle *m = calloc((size_t)g->n_nodes + 1, sizeof *m);
    if (!m)
        return; /* the chains keep their general kernels: the fusion only saves launches */
    int n = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (!match_chain(g, tg, fg->uses, fg->into, i, &m[n]))
            continue;
        fg->out[i] = m[n].out[0];
        fg->shuf_of[i] = n++;
    }
    fg->shuf = m;
    fg->n_shuf = n;
}
