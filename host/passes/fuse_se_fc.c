/* fuse_se_fc.c — an SE block's two FCs as one launch: Conv F1 (1x1 on an
 * N x C x 1 x 1 input, its activation fused) whose output H is read only by
 * Conv F2 (1x1 on H, its activation fused): F1's launch computes H in local
 * memory and writes F2's output S, H is never materialised and F2 costs no
 * launch (fuse_target.se_fc_refusal says whether the kernel takes the pair).
 * Runs last: both epilogues are final, and S stays a tensor (the SE gate reads
 * it). A pair refused is noted on F2 with the reason; a pair the backend
 * declines as faster apart (fuse_target.se_fc_declined) is not. */
#include "fuse_internal.h"

/* 1 when node i is a Conv with constant weights on an N x C x 1 x 1 float
 * input that runs as its own group with no input-side fusion. */
static int plain_fc(const ir_graph *g, const fuse_groups *fg, int i)
{
    const ir_node *n = &g->nodes[i];
    if (n->op != IR_OP_CONV || n->n_in < 2 || n->in[0] < 0 || n->in[1] < 0 || n->n_out < 1 ||
        fg->into[i] >= 0 || fg->res[i] >= 0 || fg->gate_x[i] >= 0 || fg->pro[i] >= 0 ||
        fg->sep[i] >= 0 || fg->sq[i] >= 0 || fg->shuf_of[i] >= 0 || fg->fc2[i] >= 0 ||
        !fuse_is_const(g, n->in[1]) || (n->n_in > 2 && n->in[2] >= 0 && !fuse_is_const(g, n->in[2])))
        return 0;
    const ir_tensor *x = &g->tensors[n->in[0]];
    return x->ndim == 4 && x->dtype == IR_DT_FLOAT && x->dims[2] == 1 && x->dims[3] == 1;
}

void fuse_se_fc(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    if (!tg->se_fc_refusal)
        return;
    for (int f2 = 0; f2 < g->n_nodes; f2++) {
        if (!plain_fc(g, fg, f2))
            continue;
        const int h = g->nodes[f2].in[0], f1 = fuse_writer_of(g, fg, h);
        if (f1 < 0 || f1 >= f2 || !plain_fc(g, fg, f1) || fg->out[f1] != h || fg->uses[h] != 1 ||
            fg->root[h] != h || fuse_is_output(g, h))
            continue;
        const char *why = tg->se_fc_refusal(tg->user, g, &g->nodes[f1], &g->nodes[f2]);
        if (why) {
            if (tg->notes)
                fuse_note(fg, f2, "SE FCs '%s' and '%s' not fused: %s", g->nodes[f1].name,
                          g->nodes[f2].name, why);
            continue;
        }
        if (tg->se_fc_declined && tg->se_fc_declined(tg->user, g, &g->nodes[f1], &g->nodes[f2]))
            continue; /* faster apart here: not a fallback */
        for (int j = 0; j < g->n_nodes; j++) /* F2's activation nodes run in F1's launch too */
            if (fg->into[j] == f2)
                fg->into[j] = f1;
        fg->into[f2] = f1;
        fg->fc2[f1] = f2;
        fg->out[f1] = fg->out[f2];
    }
}
