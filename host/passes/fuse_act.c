/* fuse_act.c — an activation into the Conv, BatchNormalization,
 * ConvTranspose or Gemm before it, the activation its output's only reader and one a
 * kernel epilogue applies (fuse_target.epilogue_act): one kernel writes the
 * activation's output. Nodes are topologically sorted, so the producer has
 * its residual Add (fuse_residual.c) by the time its activation is looked at. */
#include "fuse_internal.h"

void fuse_act(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    for (int j = 0; j < g->n_nodes; j++) {
        const ir_node *a = &g->nodes[j];
        if (a->n_in < 1 || a->in[0] < 0 || a->n_out < 1 || fg->into[j] >= 0 ||
            !tg->epilogue_act(g, a))
            continue;
        const int t = a->in[0], i = fuse_writer_of(g, fg, t);
        if (i < 0 || fg->uses[t] != 1 || fg->into[i] >= 0 || fg->act[i] >= 0)
            continue;
        const ir_node *n = &g->nodes[i];
        if ((n->op != IR_OP_CONV && n->op != IR_OP_BATCHNORM && n->op != IR_OP_CONVTRANSPOSE &&
             n->op != IR_OP_GEMM) ||
            fg->out[i] != t)
            continue;
        fg->into[j] = i;
        fg->act[i] = j;
        fg->out[i] = a->out[0];
    }
}
