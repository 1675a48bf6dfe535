/* fuse_swish.c — Swish and HardSwish as exporters write them: T = Conv/BN/Gemm(..);
 * S = Sigmoid(T) or HardSigmoid(T); Y = Mul(T, S), T read by exactly those
 * two, S only by the Mul: the producer's epilogue computes Y (act = the
 * Sigmoid/HardSigmoid node, act_x = 1) and T, S are never written. A Gemm
 * is MobileNetV3's classifier as PyTorch's opset-13 exporter writes it
 * (Linear, then x * HardSigmoid(x)): two launches of their own before. */
#include "fuse_internal.h"

void fuse_swish(const ir_graph *g, fuse_groups *fg)
{
    for (int j = 0; j < g->n_nodes; j++) {
        const ir_node *sg = &g->nodes[j];
        if ((sg->op != IR_OP_SIGMOID && sg->op != IR_OP_HARDSIGMOID) || sg->n_in < 1 ||
            sg->in[0] < 0 || sg->n_out < 1 || sg->out[0] < 0)
            continue;
        const int t = sg->in[0], s = sg->out[0], i = fuse_writer_of(g, fg, t);
        const int m = fuse_sole_reader(g, s);
        if (i < 0 || m < 0 || fg->uses[t] != 2 || fg->uses[s] != 1 || fuse_is_output(g, t))
            continue;
        const ir_node *n = &g->nodes[i], *mul = &g->nodes[m];
        if ((n->op != IR_OP_CONV && n->op != IR_OP_BATCHNORM && n->op != IR_OP_GEMM) ||
            fg->out[i] != t ||
            fg->into[i] >= 0 || fg->act[i] >= 0 || mul->op != IR_OP_MUL || mul->n_in != 2 ||
            !((mul->in[0] == t && mul->in[1] == s) || (mul->in[0] == s && mul->in[1] == t)))
            continue;
        fg->into[j] = fg->into[m] = i;
        fg->act[i] = j;
        fg->act_x[i] = 1;
        fg->out[i] = mul->out[0];
    }
}
