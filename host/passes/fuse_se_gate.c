/* fuse_se_gate.c — the SE block's gate into the Conv after it: Y = Mul(X, S)
 * with S (N,C,1,1) and X (N,C,H,W), Y read only by a Conv that can scale its
 * input channels as it reads them (fuse_target.input_scale_refusal) and whose
 * weights it alone reads: that Conv reads X and S itself; Y is never written.
 * Runs after activation folding, so X and S are final. A gate left a launch
 * of its own on an SE-shaped Mul is noted with the reason. */
#include "fuse_internal.h"

void fuse_se_gate(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    for (int m = 0; m < g->n_nodes; m++) {
        const ir_node *mul = &g->nodes[m];
        if (mul->op != IR_OP_MUL || mul->n_in != 2 || mul->in[0] < 0 || mul->in[1] < 0 ||
            mul->n_out < 1 || mul->out[0] < 0 || fg->into[m] >= 0)
            continue;
        const int y = mul->out[0], r = fuse_sole_reader(g, y);
        if (r < 0 || fg->uses[y] != 1 || fuse_is_output(g, y) || fg->into[r] >= 0 ||
            g->nodes[r].op != IR_OP_CONV || g->nodes[r].in[0] != y || fg->gate_x[r] >= 0)
            continue;
        const ir_tensor *ty = &g->tensors[y];
        const char *why = NULL;
        for (int k = 0; k < 2; k++) {
            const int x = mul->in[k], sg = mul->in[!k];
            const ir_tensor *tx = &g->tensors[x], *ts = &g->tensors[sg];
            if (!fuse_same_dims(tx, ty) || ty->ndim != 4 || ts->ndim != 4 ||
                ts->dtype != IR_DT_FLOAT || ts->dims[0] != ty->dims[0] ||
                ts->dims[1] != ty->dims[1] || ts->dims[2] != 1 || ts->dims[3] != 1)
                continue;
            if (!fuse_ready_before(g, fg, x, r) || !fuse_ready_before(g, fg, sg, r)) {
                why = "an input is written after the Conv";
                continue;
            }
            if ((why = tg->input_scale_refusal(tg->user, g, &g->nodes[r])) != NULL)
                continue;
            if (!fuse_packable_weights(g, r)) {
                why = "its weights are not packable (not a constant, or shared)";
                continue;
            }
            fg->into[m] = r;
            fg->gate_x[r] = x;
            fg->gate_s[r] = sg;
            why = NULL;
            break;
        }
        if (why && tg->notes)
            fuse_note(fg, m, "SE gate not fused into Conv '%s': %s", g->nodes[r].name, why);
    }
}
