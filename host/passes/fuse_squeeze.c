/* fuse_squeeze.c — an SE block's squeeze into the depthwise Conv before it:
 * P = GlobalAveragePool(X) with X a depthwise Conv's final output (after the
 * residual and activation fused into it), the Conv one whose kernel can also
 * write the means of the planes it computes (fuse_target.squeeze_refusal): that
 * Conv writes X and P in one launch, and X is not read again to pool it. X
 * stays materialised for its other readers (the SE gate). A squeeze left a
 * launch of its own after a depthwise Conv is noted with the reason. */
#include "fuse_internal.h"

void fuse_squeeze(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    for (int m = 0; m < g->n_nodes; m++) {
        const ir_node *gp = &g->nodes[m];
        if (gp->op != IR_OP_GLOBALAVGPOOL || gp->n_in < 1 || gp->in[0] < 0 || gp->n_out < 1 ||
            gp->out[0] < 0 || fg->into[m] >= 0)
            continue;
        const int x = gp->in[0], d = fuse_writer_of(g, fg, x);
        const ir_tensor *tx = &g->tensors[x], *tp = &g->tensors[gp->out[0]];
        if (d < 0 || g->nodes[d].op != IR_OP_CONV || fg->into[d] >= 0 || fg->pool[d] >= 0 ||
            fg->shuf_of[d] >= 0 || fg->sep[d] >= 0 || tx->ndim != 4 || tx->dtype != IR_DT_FLOAT ||
            tp->ndim != 4 || tp->dims[2] != 1 || tp->dims[3] != 1 || tx->half != tp->half)
            continue;
        const char *why = tg->squeeze_refusal(tg->user, g, &g->nodes[d]);
        if (why) {
            const int64_t grp = ir_attr_int(&g->nodes[d], "group", 1);
            if (tg->notes && grp > 1 && grp == tx->dims[1]) /* said for depthwise producers only */
                fuse_note(fg, m, "GlobalAveragePool not fused into the depthwise Conv '%s': %s",
                          g->nodes[d].name, why);
            continue;
        }
        fg->into[m] = d;
        fg->pool[d] = gp->out[0];
    }
}
