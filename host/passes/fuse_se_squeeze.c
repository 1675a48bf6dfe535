/* fuse_se_squeeze.c — an SE block's squeeze into the depthwise Conv before it:
 * S0 = GlobalAveragePool(X) where X is the final output of a depthwise Conv
 * group (its activation folded in, no residual) whose launch can also write the
 * per-channel means (fuse_target.squeeze_refusal): the Conv writes X and S0,
 * the pool costs no launch. X stays a tensor (the SE gate reads it). Runs
 * last, once every group's output is final. A squeeze left a launch of its
 * own behind a depthwise Conv is noted with the reason. */
#include "fuse_internal.h"

void fuse_se_squeeze(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    if (!tg->squeeze_refusal)
        return;
    for (int p = 0; p < g->n_nodes; p++) {
        const ir_node *pool = &g->nodes[p];
        if (pool->op != IR_OP_GLOBALAVGPOOL || pool->n_in < 1 || pool->in[0] < 0 ||
            pool->n_out < 1 || pool->out[0] < 0 || fg->into[p] >= 0 || fg->shuf_of[p] >= 0)
            continue;
        const int x = pool->in[0], d = fuse_writer_of(g, fg, x);
        if (d < 0 || d > p || fg->into[d] >= 0 || fg->sq[d] >= 0 || fg->out[d] != x)
            continue;
        const ir_node *dw = &g->nodes[d];
        const ir_tensor *tx = &g->tensors[x], *ts = &g->tensors[pool->out[0]];
        if (dw->op != IR_OP_CONV || fg->sep[d] >= 0 || fg->gate_x[d] >= 0 || fg->pro[d] >= 0 ||
            fg->res[d] >= 0 || /* the kernel takes the squeeze or a residual */
            tx->ndim != 4 || ts->ndim != 4 || ts->dtype != IR_DT_FLOAT)
            continue;
        const int64_t group = ir_attr_int(dw, "group", 1);
        if (group < 2 || group != tx->dims[1] || dw->n_in < 2 || dw->in[1] < 0 ||
            g->tensors[dw->in[1]].ndim != 4 || g->tensors[dw->in[1]].dims[1] != 1)
            continue; /* not depthwise */
        const char *why = tg->squeeze_refusal(tg->user, g, dw);
        if (!why && !fuse_packable_weights(g, d))
            why = "its weights are not packable (not a constant, or shared)";
        if (why) {
            if (tg->notes)
                fuse_note(fg, p, "SE squeeze not fused into depthwise Conv '%s': %s", dw->name,
                          why);
            continue;
        }
        fg->into[p] = d;
        fg->sq[d] = pool->out[0];
    }
}
