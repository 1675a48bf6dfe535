/* fuse_separable.c — a depthwise Conv into the pointwise Conv after it:
 * T = [act](depthwise Conv(X)), read only by a pointwise Conv P (which may
 * carry a fused residual and activation) whose weights P alone reads, the pair
 * one the backend runs as one launch (fuse_target.separable_refusal): P reads
 * X; T is never written. Runs last, so both Convs' epilogues are final;
 * shuffle hosts, gated and prologue Convs are left alone. A depthwise Conv
 * into a 1x1 one that stays two launches is noted with the reason, unless the
 * backend declines the pair as faster apart (fuse_target.separable_declined). */
#include "fuse_internal.h"

void fuse_separable(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *pw = &g->nodes[i];
        if (pw->op != IR_OP_CONV || pw->n_in < 2 || pw->in[0] < 0 || fg->into[i] >= 0 ||
            fg->gate_x[i] >= 0 || fg->pro[i] >= 0 || fg->shuf_of[i] >= 0)
            continue;
        const int t = pw->in[0], d = fuse_writer_of(g, fg, t);
        if (d < 0 || d == i || g->nodes[d].op != IR_OP_CONV || fg->into[d] >= 0 ||
            fg->out[d] != t || fg->res[d] >= 0 || fg->gate_x[d] >= 0 || fg->sep[d] >= 0 ||
            fg->uses[t] != 1 || fuse_is_output(g, t) || fg->shuf_of[d] >= 0)
            continue;
        if (tg->separable_declined && tg->separable_declined(tg->user, g, &g->nodes[d], pw))
            continue;
        const char *why = tg->separable_refusal(tg->user, g, &g->nodes[d], pw);
        if (!why && !fuse_packable_weights(g, i))
            why = "its weights are not packable (not a constant, or shared)";
        if (why) {
            /* said only for the shape it is for: a depthwise Conv into a 1x1 one */
            const ir_tensor *x = &g->tensors[g->nodes[d].in[0]], *tw = &g->tensors[pw->in[1]];
            const int64_t grp = ir_attr_int(&g->nodes[d], "group", 1);
            if (tg->notes && x->ndim == 4 && grp > 1 && grp == x->dims[1] && tw->ndim == 4 &&
                tw->dims[2] == 1 && tw->dims[3] == 1)
                fuse_note(fg, d, "depthwise not fused with the pointwise Conv '%s' (conv_dwpw): %s",
                          pw->name, why);
            continue;
        }
        fg->into[d] = i;
        fg->sep[i] = d;
    }
}
