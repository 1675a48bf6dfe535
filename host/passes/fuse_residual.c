/* fuse_residual.c — residual Add into the Conv before it. Y = Add(T, O) with T
 * a Conv's own output that only the Add reads and O of Y's shape, already
 * written before the Conv runs: the Conv's epilogue adds O (then any
 * activation that later folds onto Y). Runs first, so a Conv whose activation
 * comes before the Add never takes it (act(conv) + O is not act(conv + O)). */
#include "fuse_internal.h"

void fuse_residual_add(const ir_graph *g, fuse_groups *fg)
{
    for (int m = 0; m < g->n_nodes; m++) {
        const ir_node *add = &g->nodes[m];
        if (add->op != IR_OP_ADD || add->n_in != 2 || add->in[0] < 0 || add->in[1] < 0 ||
            add->in[0] == add->in[1] || fg->into[m] >= 0)
            continue;
        /* the later of the two producers hosts the Add; the other must be ready */
        const int pick = g->tensors[add->in[1]].producer > g->tensors[add->in[0]].producer;
        const int t = add->in[pick], o = add->in[!pick], i = g->tensors[t].producer;
        if (i < 0 || g->nodes[i].op != IR_OP_CONV || g->nodes[i].out[0] != t ||
            fg->into[i] >= 0 || fg->out[i] != t || fg->act[i] >= 0 || fg->res[i] >= 0 ||
            fg->uses[t] != 1 || fuse_is_output(g, t))
            continue;
        const ir_tensor *y = &g->tensors[add->out[0]];
        if (y->dtype != IR_DT_FLOAT || !fuse_same_dims(&g->tensors[t], y) ||
            !fuse_same_dims(&g->tensors[o], y) || !fuse_ready_before(g, fg, o, i))
            continue;
        fg->into[m] = i;
        fg->res[i] = o;
        fg->out[i] = add->out[0];
    }
}
