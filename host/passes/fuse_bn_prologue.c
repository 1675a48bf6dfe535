/* fuse_bn_prologue.c — a pre-activation BatchNormalization into the Conv
 * after it (DenseNet's BN -> Relu -> Conv1x1, where the BN cannot fold into
 * the Concat before it): T = act(BN(X)) read only by a Conv that can
 * normalise its input channels as it reads them (fuse_target.
 * input_scale_refusal) and whose weights it alone reads: that Conv reads X and
 * applies the BN's per-channel affine and activation itself. Runs after
 * activation folding (the BN's act is final) and the SE gate (one input
 * transform per Conv). */
#include "fuse_internal.h"

void fuse_bn_prologue(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    for (int b = 0; b < g->n_nodes; b++) {
        const ir_node *bn = &g->nodes[b];
        if (bn->op != IR_OP_BATCHNORM || bn->n_in != 5 || bn->n_out != 1 || fg->into[b] >= 0 ||
            fg->res[b] >= 0 || bn->in[0] < 0)
            continue;
        const int x = bn->in[0], t = fg->out[b], r = t >= 0 ? fuse_sole_reader(g, t) : -1;
        if (r < 0 || fg->uses[t] != 1 || fuse_is_output(g, t) || fg->into[r] >= 0 ||
            g->nodes[r].op != IR_OP_CONV || g->nodes[r].in[0] != t || fg->gate_x[r] >= 0 ||
            fg->pro[r] >= 0)
            continue;
        const ir_tensor *tx = &g->tensors[x], *tt = &g->tensors[t];
        int consts = 1;
        for (int k = 1; k < 5; k++)
            consts &= bn->in[k] >= 0 && fuse_is_const(g, bn->in[k]) &&
                      g->tensors[bn->in[k]].dtype == IR_DT_FLOAT &&
                      ir_numel(&g->tensors[bn->in[k]]) == tx->dims[1];
        if (!consts || !fuse_same_dims(tx, tt) || tx->ndim != 4 || tx->half != tt->half ||
            !fuse_ready_before(g, fg, x, r) || tg->input_scale_refusal(tg->user, g, &g->nodes[r]) ||
            !fuse_packable_weights(g, r))
            continue;
        fg->into[b] = r;
        fg->pro[r] = b;
    }
}
