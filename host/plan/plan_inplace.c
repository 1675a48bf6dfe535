/* plan_inplace.c — Concat in place (see plan_inplace.h): which tensors live in
 * a slice of a Concat's output buffer, at which byte offset, and the
 * lifetimes that follow. Allocation (the sub-buffers) stays in plan.c. */
#include <stdlib.h>

#include "plan_inplace.h"
#include "../ops/ops_impl.h"
#include "../ops_cl/op_cl.h"

/* 1 when Concat n's inputs lie whole and back to back in its output (every
 * dim before the axis is 1; batch 2 on channels interleaves them), so input k
 * is the byte range after inputs 0..k-1; 0 too for an invalid axis. */
static int contiguous_axis(const ir_graph *g, const ir_node *n)
{
    if (n->n_out < 1 || n->out[0] < 0)
        return 0;
    const ir_tensor *y = &g->tensors[n->out[0]];
    int64_t ax = ir_attr_int(n, "axis", 0);
    if (ax < 0)
        ax += y->ndim;
    if (ax < 0 || ax >= y->ndim)
        return 0;
    for (int d = 0; d < ax; d++)
        if (y->dims[d] != 1)
            return 0;
    return 1;
}

/* 1 when x may move into a slice of a buffer of element type/size like y. */
static int movable(const ir_graph *g, const int *root, const int *need, const int *pinned,
                   const int *writer, const int *host, int x, const ir_tensor *y)
{
    const ir_tensor *t = &g->tensors[x];
    return root[x] == x && need[x] && !pinned[x] && writer[x] >= 0 && host[x] < 0 &&
           t->data == NULL && ir_numel(t) > 0 && t->dtype == y->dtype &&
           opcl_esize(t) == opcl_esize(y);
}

int plan_place_init(plan_place *pl, int n_tensors, int n_nodes)
{
    pl->view_node = calloc((size_t)n_nodes + 1, 1);
    const size_t n = (size_t)n_tensors + 1;
    pl->host = malloc(n * sizeof(int)), pl->fill_host = malloc(n * sizeof(int));
    pl->done_host = malloc(n * sizeof(int));
    pl->off = calloc(n, sizeof(int64_t)), pl->fill_off = calloc(n, sizeof(int64_t));
    pl->done_off = calloc(n, sizeof(int64_t));
    if (!pl->view_node || !pl->host || !pl->fill_host || !pl->done_host || !pl->off || !pl->fill_off || !pl->done_off)
        return -1;
    for (size_t t = 0; t < n; t++)
        pl->host[t] = pl->fill_host[t] = pl->done_host[t] = -1;
    return 0;
}

void plan_place_free(plan_place *pl)
{
    free(pl->host), free(pl->off), free(pl->fill_host), free(pl->fill_off);
    free(pl->done_host), free(pl->done_off), free(pl->view_node);
}

/* 1 when x's data is (or will be, by an outer Concat's copy) at byte `at` of h. */
static int lies_at(const plan_place *pl, int x, int h, int64_t at)
{
    return (pl->host[x] == h && pl->off[x] == at) || (pl->fill_host[x] == h && pl->fill_off[x] == at);
}

/* The torchvision form: y = Concat(a, b, c) where a, b, c already sit back to
 * back in one host (placed, or where an outer Concat copies them): y becomes
 * a view of that range when it starts aligned. */
static int place_as_view(const ir_graph *g, const ir_node *n, const int *root, const int *need,
                         const int *pinned, size_t align, plan_place *pl)
{
    const int y = n->out[0];
    const ir_tensor *ty = &g->tensors[y];
    if (root[y] != y || !need[y] || pinned[y] || pl->host[y] >= 0 || ir_numel(ty) == 0)
        return 0;
    const size_t es = opcl_esize(ty);
    int h = -1;
    int64_t start = 0, at = 0;
    for (int k = 0; k < n->n_in; k++) {
        const int x = n->in[k];
        if (x < 0)
            return 0;
        const ir_tensor *t = &g->tensors[x];
        if (ir_numel(t) == 0)
            continue;
        if (t->dtype != ty->dtype || opcl_esize(t) != es)
            return 0;
        if (h < 0) {
            h = pl->host[x] >= 0 ? pl->host[x] : pl->fill_host[x];
            start = at = pl->host[x] >= 0 ? pl->off[x] : pl->fill_off[x];
        }
        if (h < 0 || !lies_at(pl, x, h, at))
            return 0;
        at += ir_numel(t) * (int64_t)es;
    }
    if (h < 0 || h == y || start % (int64_t)align != 0 || at - start != ir_numel(ty) * (int64_t)es)
        return 0;
    pl->host[y] = h;
    pl->off[y] = start;
    return 1;
}

int plan_inplace_place(const ir_graph *g, const int *root, const int *need, const int *pinned,
                       const int *writer, const unsigned char *skip_node, size_t align,
                       plan_place *pl)
{
    int placed = 0;
    if (!align)
        return 0;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const ir_node *n = &g->nodes[i];
        if (n->op != IR_OP_CONCAT || skip_node[i] || !contiguous_axis(g, n))
            continue;
        if (place_as_view(g, n, root, need, pinned, align, pl)) {
            placed++;
            continue;
        }
        const int y = n->out[0];
        const ir_tensor *ty = &g->tensors[y];
        if (root[y] != y || !need[y])
            continue;
        const int h = pl->host[y] >= 0 ? pl->host[y] : y;
        const int64_t es = (int64_t)opcl_esize(ty);
        int64_t at = pl->host[y] >= 0 ? pl->off[y] : 0;
        for (int k = 0; k < n->n_in; k++) {
            const int x = n->in[k];
            if (x < 0)
                break;
            int twice = 0; /* Concat(a, a): a can live in one slice only */
            for (int j = 0; j < n->n_in; j++)
                twice |= j != k && n->in[j] == x;
            if (!twice && x != h && movable(g, root, need, pinned, writer, pl->host, x, ty) &&
                at % (int64_t)align == 0) {
                pl->host[x] = h;
                pl->off[x] = at;
                placed++;
            } else if (pl->host[x] < 0 && pl->fill_host[x] < 0) { /* this Concat copies it here */
                pl->fill_host[x] = h;
                pl->fill_off[x] = at;
            }
            at += ir_numel(&g->tensors[x]) * es;
        }
    }
    return placed;
}

/* Byte offsets in x of Split/Slice n's outputs when each is a contiguous range
 * of x; 0 when one is not (or has no elements). */
static int view_offsets(const ir_graph *g, const ir_node *n, int64_t *offs)
{
    const ir_tensor *x = &g->tensors[n->in[0]];
    const int64_t es = (int64_t)opcl_esize(x);
    clcnn_err err = {0};
    int ok = 0;
    if (n->op == IR_OP_SPLIT) {
        int ax;
        int64_t sizes[64], inner = 1, at = 0;
        if (n->n_out > 64 || split_sizes(g, n, &ax, sizes, &err) != CLCNN_OK)
            goto out;
        for (int d = 0; d < ax; d++)
            if (x->dims[d] != 1)
                goto out;
        for (int d = ax + 1; d < x->ndim; d++)
            inner *= x->dims[d];
        for (int k = 0; k < n->n_out; k++) {
            if (sizes[k] <= 0)
                goto out;
            offs[k] = at;
            at += sizes[k] * inner * es;
        }
        ok = 1;
    } else { /* Slice: axes before the first partial one count 1, those after it whole */
        int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], count[IR_MAX_DIMS], xs[IR_MAX_DIMS];
        const ir_tensor *y = &g->tensors[n->out[0]];
        if (slice_params(g, n, start, step, count, &err) != CLCNN_OK || ir_numel(y) == 0)
            goto out;
        op_strides(x->ndim, x->dims, xs);
        int a = 0;
        while (a < x->ndim && count[a] == 1)
            a++;
        if (a < x->ndim && step[a] != 1)
            goto out;
        for (int d = a + 1; d < x->ndim; d++)
            if (start[d] != 0 || count[d] != x->dims[d] || step[d] != 1)
                goto out;
        offs[0] = 0;
        for (int d = 0; d < x->ndim; d++)
            offs[0] += start[d] * xs[d] * es;
        ok = 1;
    }
out:
    err_clear(&err);
    return ok;
}

int plan_inplace_views(const ir_graph *g, const int *root, const int *need, const int *pinned,
                       const unsigned char *skip_node, size_t align, plan_place *pl)
{
    int placed = 0;
    if (!align)
        return 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        int64_t offs[64];
        if ((n->op != IR_OP_SPLIT && n->op != IR_OP_SLICE) || skip_node[i] || n->n_in < 1 ||
            n->in[0] < 0 || n->n_out > 64)
            continue;
        const int rx = root[n->in[0]];
        const ir_tensor *x = &g->tensors[n->in[0]];
        if (x->data || !need[rx] || !view_offsets(g, n, offs))
            continue;
        const int h = pl->host[rx] >= 0 ? pl->host[rx] : rx;
        const int64_t base = pl->host[rx] >= 0 ? pl->off[rx] : 0;
        int ok = 1;
        for (int k = 0; k < n->n_out && ok; k++) {
            const int y = n->out[k];
            ok = y >= 0 && root[y] == y && need[y] && !pinned[y] && pl->host[y] < 0 &&
                 g->tensors[y].dtype == x->dtype && opcl_esize(&g->tensors[y]) == opcl_esize(x) &&
                 (base + offs[k]) % (int64_t)align == 0;
        }
        if (!ok)
            continue;
        for (int k = 0; k < n->n_out; k++) {
            pl->host[n->out[k]] = h;
            pl->off[n->out[k]] = base + offs[k];
            placed++;
        }
        pl->view_node[i] = 1;
    }
    return placed;
}

void plan_inplace_fold(const ir_graph *g, const plan_place *pl, int *need, int *def, int *last)
{
    for (int t = 0; t < g->n_tensors; t++) {
        const int h = pl->host[t];
        if (h < 0)
            continue;
        if (def[t] < def[h])
            def[h] = def[t];
        if (last[t] > last[h])
            last[h] = last[t];
        need[t] = 0;
    }
}

int plan_inplace_concat(const ir_graph *g, const ir_node *n, plan_place *pl,
                        unsigned char *in_place)
{
    const int ok = contiguous_axis(g, n);
    const int y = n->out[0];
    const int h = pl->host[y] >= 0 ? pl->host[y] : y;
    const int64_t es = (int64_t)opcl_esize(&g->tensors[y]);
    int64_t at = pl->host[y] >= 0 ? pl->off[y] : 0, copies = 0;
    for (int k = 0; k < n->n_in; k++) {
        const int x = n->in[k];
        const ir_tensor *t = x >= 0 ? &g->tensors[x] : NULL;
        in_place[k] = t && ok &&
                      (ir_numel(t) == 0 || (pl->host[x] == h && pl->off[x] == at) ||
                       (pl->done_host[x] == h && pl->done_off[x] == at));
        if (!in_place[k]) {
            copies++;
            if (t && ok && pl->done_host[x] < 0) /* later Concats over this slice skip it */
                pl->done_host[x] = h, pl->done_off[x] = at;
        }
        if (t)
            at += ir_numel(t) * es;
    }
    return (int)copies;
}
