/* plan_shuffle.c — finds ShuffleNetV2's Concat -> Reshape -> Transpose(0,2,1,3,4)
 * -> Reshape (-> Split | Slice pair) chains and plans each as one shuffle2_cat
 * launch (host/ops_cl/shuffle_cl.c) writing the shuffled tensor, or its two halves
 * straight into the split's outputs. Only the groups-2 shuffle of two equal 4-D
 * NCHW inputs is matched; any other shape of graph keeps the general kernels. */
#include <stdlib.h>
#include <string.h>

#include "plan_shuffle.h"
#include "../ops/ops_impl.h"
#include "../ops_cl/shuffle_cl.h"

typedef struct shuffle_match {
    int host;        /* the Concat node */
    int n_out;       /* 1 or 2 tensors written */
    int out[2];      /* out[k] gets channels [off[k], off[k] + cnt[k]) of the shuffled Y */
    int64_t off[2], cnt[2];
} shuffle_match;

struct plan_shuffle {
    shuffle_match *m;
    int n;
    int *of_node;    /* per node: index into m when the node hosts a match, else -1 */
};

/* The one node reading t, or -1 (none, several, or t is also a graph output). */
static int sole_reader(const ir_graph *g, const int *uses, int t)
{
    if (uses[t] != 1)
        return -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == t)
                return i;
    return -1;
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
static int take_split(const ir_graph *g, const ir_node *s, int y, shuffle_match *m)
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
static int take_slice(const ir_graph *g, const ir_node *s, int y, shuffle_match *m)
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
static int match_split(const ir_graph *g, const int *uses, int y, shuffle_match *m, int *fused_into)
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
    shuffle_match t = *m;
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
static int match_chain(const ir_graph *g, const int *uses, int *fused_into, int i, shuffle_match *m)
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
    if (r1 < 0 || !opcl_is_alias(g->nodes[r1].op) || fused_into[r1] >= 0 ||
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
    if (r2 >= 0 && opcl_is_alias(g->nodes[r2].op) && fused_into[r2] < 0 &&
        g->nodes[r2].in[0] == t && dims_are(&g->tensors[g->nodes[r2].out[0]], 4, dx) &&
        match_split(g, uses, g->nodes[r2].out[0], m, fused_into))
        fused_into[r2] = i;
    fused_into[r1] = fused_into[tr] = i;
    return 1;
}

plan_shuffle *plan_shuffle_fuse(const ir_graph *g, const int *uses, int *fused_into, int *out_of)
{
    plan_shuffle *s = calloc(1, sizeof *s);
    if (!s || !(s->m = calloc((size_t)g->n_nodes + 1, sizeof *s->m)) ||
        !(s->of_node = malloc(((size_t)g->n_nodes + 1) * sizeof *s->of_node))) {
        plan_shuffle_free(s);
        return NULL;
    }
    for (int i = 0; i < g->n_nodes; i++) {
        s->of_node[i] = -1;
        if (!match_chain(g, uses, fused_into, i, &s->m[s->n]))
            continue;
        out_of[i] = s->m[s->n].out[0];
        s->of_node[i] = s->n++;
    }
    if (s->n == 0) {
        plan_shuffle_free(s);
        return NULL;
    }
    return s;
}

void plan_shuffle_free(plan_shuffle *s)
{
    if (!s)
        return;
    free(s->m);
    free(s->of_node);
    free(s);
}

void plan_shuffle_liveness(const plan_shuffle *s, int *need, int *def)
{
    for (int k = 0; s && k < s->n; k++)
        if (s->m[k].n_out == 2)
            need[s->m[k].out[1]] = 1, def[s->m[k].out[1]] = s->m[k].host;
}

int plan_shuffle_hosts(const plan_shuffle *s, int i)
{
    return s && s->of_node[i] >= 0;
}

clcnn_status plan_shuffle_node(const plan_shuffle *s, opcl_ctx *c, int i, clcnn_err *err)
{
    const shuffle_match *m = &s->m[s->of_node[i]];
    const ir_node *n = &c->g->nodes[i];
    const ir_tensor *a = &c->g->tensors[n->in[0]];
    return shuffle_cl(c, n, c->mem[n->in[0]], c->mem[n->in[1]], c->mem[m->out[0]],
                      m->n_out == 2 ? c->mem[m->out[1]] : NULL, a->dims[0], a->dims[1],
                      a->dims[2] * a->dims[3], m->off, m->cnt, err);
}
