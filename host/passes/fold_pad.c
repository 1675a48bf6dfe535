/* fold_pad.c — a Pad of zeros on the spatial axes folded into the Conv that
 * reads it: the Conv's own zero padding does the same work without a copy.
 * Only mode "constant" with value 0, NCHW 4-D, no padding on N or C, Conv
 * with explicit pads (auto_pad NOTSET), and the Pad output read by that Conv
 * alone. */
#include <stdlib.h>
#include <string.h>

#include "passes.h"

/* Reads Pad's 8 pad amounts (attribute before opset 11, input after). */
static int pad_amounts(const ir_graph *g, const ir_node *p, int64_t out[8])
{
    int n = 0;
    const int64_t *v = ir_attr_ints(p, "pads", &n);
    if (!v && p->n_in > 1 && p->in[1] >= 0) {
        const ir_tensor *t = &g->tensors[p->in[1]];
        if (!t->data || t->dtype != IR_DT_INT64)
            return -1;
        v = t->data;
        n = (int)ir_numel(t);
    }
    if (!v || n != 8)
        return -1;
    memcpy(out, v, sizeof(int64_t) * 8);
    return 0;
}

static int pad_value_is_zero(const ir_graph *g, const ir_node *p)
{
    if (ir_attr_float(p, "value", 0.0f) != 0.0f)
        return 0;
    if (p->n_in > 2 && p->in[2] >= 0) {
        const ir_tensor *t = &g->tensors[p->in[2]];
        if (!t->data || t->dtype != IR_DT_FLOAT || ((const float *)t->data)[0] != 0.0f)
            return 0;
    }
    return 1;
}

clcnn_status pass_fold_pad(ir_graph *g, int *count, clcnn_err *err)
{
    int folded = 0;
    for (int ci = 0; ci < g->n_nodes; ci++) {
        ir_node *conv = &g->nodes[ci];
        if (conv->op != IR_OP_CONV || conv->in[0] < 0)
            continue;
        int x = conv->in[0];
        int pi = g->tensors[x].producer;
        if (pi < 0 || g->nodes[pi].op != IR_OP_PAD || ir_consumers(g, x) != 1)
            continue;
        const ir_node *pad = &g->nodes[pi];
        const ir_attr *mode = ir_attr_find(pad, "mode");
        const ir_attr *ap = ir_attr_find(conv, "auto_pad");
        int64_t pa[8];
        if ((mode && mode->s && strcmp(mode->s, "constant") != 0) ||
            (ap && ap->s && strcmp(ap->s, "NOTSET") != 0) || !pad_value_is_zero(g, pad) ||
            pad_amounts(g, pad, pa) || g->tensors[pad->in[0]].ndim != 4)
            continue;
        if (pa[0] || pa[1] || pa[4] || pa[5] || pa[2] < 0 || pa[3] < 0 || pa[6] < 0 || pa[7] < 0)
            continue;
        int n = 0;
        const int64_t *cp = ir_attr_ints(conv, "pads", &n);
        int64_t np[4] = {0, 0, 0, 0};
        if (cp && n == 4)
            memcpy(np, cp, sizeof np);
        else if (cp)
            continue;
        /* conv pads: [h_begin, w_begin, h_end, w_end]; Pad: [n,c,h,w begins, n,c,h,w ends] */
        np[0] += pa[2];
        np[1] += pa[3];
        np[2] += pa[6];
        np[3] += pa[7];
        if (ir_set_attr_ints(g, ci, "pads", np, 4))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory folding Pad");
        conv = &g->nodes[ci];
        conv->in[0] = g->nodes[pi].in[0];
        ir_remove_node(g, pi);
        ci--; /* nodes after pi shifted down by one */
        folded++;
    }
    if (count)
        *count = folded;
    return folded ? ir_prune(g, err) : CLCNN_OK;
}
