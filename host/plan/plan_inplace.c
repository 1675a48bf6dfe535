/* plan_inplace.c — Concat in place (see plan_inplace.h): which tensors live in
 * a slice of a Concat's output buffer, at which byte offset, and the
 * lifetimes that follow. Allocation (the sub-buffers) stays in plan.c. */
#include "plan_inplace.h"
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

/* The torchvision form: y = Concat(a, b, c) where a, b, c already sit back to
 * back in one host: y becomes a view of that range. */
static int place_as_view(const ir_graph *g, const ir_node *n, const int *root, const int *need,
                         const int *pinned, int *host, int64_t *off)
{
    const int y = n->out[0];
    const ir_tensor *ty = &g->tensors[y];
    if (root[y] != y || !need[y] || pinned[y] || host[y] >= 0 || ir_numel(ty) == 0)
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
        if (host[x] < 0 || t->dtype != ty->dtype || opcl_esize(t) != es)
            return 0;
        if (h < 0)
            h = host[x], start = at = off[x];
        if (host[x] != h || off[x] != at)
            return 0;
        at += ir_numel(t) * (int64_t)es;
    }
    if (h < 0 || at - start != ir_numel(ty) * (int64_t)es)
        return 0;
    host[y] = h;
    off[y] = start;
    return 1;
}

int plan_inplace_place(const ir_graph *g, const int *root, const int *need, const int *pinned,
                       const int *writer, const unsigned char *skip_node, size_t align,
                       int *host, int64_t *off)
{
    int placed = 0;
    for (int t = 0; t < g->n_tensors; t++)
        host[t] = -1, off[t] = 0;
    if (!align)
        return 0;
    for (int i = g->n_nodes - 1; i >= 0; i--) {
        const ir_node *n = &g->nodes[i];
        if (n->op != IR_OP_CONCAT || skip_node[i] || !contiguous_axis(g, n))
            continue;
        if (place_as_view(g, n, root, need, pinned, host, off)) {
            placed++;
            continue;
        }
        const int y = n->out[0];
        const ir_tensor *ty = &g->tensors[y];
        if (root[y] != y || !need[y])
            continue;
        const int h = host[y] >= 0 ? host[y] : y;
        const int64_t es = (int64_t)opcl_esize(ty);
        int64_t at = host[y] >= 0 ? off[y] : 0;
        for (int k = 0; k < n->n_in; k++) {
            const int x = n->in[k];
            if (x < 0)
                break;
            int twice = 0; /* Concat(a, a): a can live in one slice only */
            for (int j = 0; j < n->n_in; j++)
                twice |= j != k && n->in[j] == x;
            if (!twice && x != h && movable(g, root, need, pinned, writer, host, x, ty) &&
                at % (int64_t)align == 0) {
                host[x] = h;
                off[x] = at;
                placed++;
            }
            at += ir_numel(&g->tensors[x]) * es;
        }
    }
    return placed;
}

void plan_inplace_fold(const ir_graph *g, const int *host, int *need, int *def, int *last)
{
    for (int t = 0; t < g->n_tensors; t++) {
        const int h = host[t];
        if (h < 0)
            continue;
        if (def[t] < def[h])
            def[h] = def[t];
        if (last[t] > last[h])
            last[h] = last[t];
        need[t] = 0;
    }
}

int plan_inplace_concat(const ir_graph *g, const ir_node *n, const int *host, const int64_t *off,
                        unsigned char *in_place)
{
    const int ok = contiguous_axis(g, n);
    const int y = n->out[0];
    const int h = host[y] >= 0 ? host[y] : y;
    const int64_t es = (int64_t)opcl_esize(&g->tensors[y]);
    int64_t at = host[y] >= 0 ? off[y] : 0, copies = 0;
    for (int k = 0; k < n->n_in; k++) {
        const int x = n->in[k];
        const ir_tensor *t = x >= 0 ? &g->tensors[x] : NULL;
        in_place[k] = t && ok && (ir_numel(t) == 0 || (host[x] == h && off[x] == at));
        copies += !in_place[k];
        if (t)
            at += ir_numel(t) * es;
    }
    return (int)copies;
}
