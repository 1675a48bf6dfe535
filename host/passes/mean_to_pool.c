/* mean_to_pool.c — ReduceMean over the two spatial axes of a 4-D float tensor,
 * keeping them (keepdims 1), is GlobalAveragePool. PyTorch's dynamo exporter
 * writes an SE block's squeeze (x.mean((2, 3), keepdim=True), and
 * adaptive_avg_pool2d(x, 1)) so; as a ReduceMean it missed the SE squeeze
 * fusion into its depthwise Conv and ran reduce_contig (~14 GB/s) in a launch
 * of its own. Rewritten as GlobalAveragePool, the node takes the pool's paths
 * (fuse_se_squeeze, global_pool). Axes from the attribute (opset < 18) or a
 * constant input (opset 18), negative or in either order; anything else (a
 * run-time axes input, other axes, keepdims 0, another rank or type) stays. */
#include "passes.h"

/* 1 when n's axes are exactly {2, 3} of its 4-D input. */
static int spatial_axes(const ir_graph *g, const ir_node *n)
{
    int na = 0;
    const int64_t *v = ir_attr_ints(n, "axes", &na);
    if (!v && n->n_in > 1 && n->in[1] >= 0) {
        const ir_tensor *t = &g->tensors[n->in[1]];
        if (!t->data || t->dtype != IR_DT_INT64)
            return 0;
        v = t->data;
        na = (int)ir_numel(t);
    }
    if (!v || na != 2)
        return 0;
    int seen = 0;
    for (int i = 0; i < 2; i++) {
        const int64_t a = v[i] < 0 ? v[i] + 4 : v[i];
        if (a != 2 && a != 3)
            return 0;
        seen |= a == 2 ? 1 : 2;
    }
    return seen == 3;
}

clcnn_status pass_mean_to_pool(ir_graph *g, int *count, clcnn_err *err)
{
    int done = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->op != IR_OP_REDUCEMEAN || n->n_in < 1 || n->in[0] < 0 || n->n_out != 1 ||
            n->out[0] < 0)
            continue;
        const ir_tensor *x = &g->tensors[n->in[0]];
        if (x->ndim != 4 || x->dtype != IR_DT_FLOAT || ir_attr_int(n, "keepdims", 1) != 1 ||
            !spatial_axes(g, n))
            continue;
        /* a fresh node in n's place: the same name, input and output, no attributes */
        const int in = n->in[0], out = n->out[0];
        const int k = ir_add_node(g, IR_OP_GLOBALAVGPOOL, g->nodes[i].name, &in, 1, &out, 1);
        if (k < 0)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory rewriting ReduceMean '%s'",
                           g->nodes[i].name);
        ir_node old = g->nodes[i];
        g->nodes[i] = g->nodes[k];
        g->n_nodes--;
        ir_node_release(&old);
        done++;
    }
    if (count)
        *count = done;
    return done ? ir_prune(g, err) : CLCNN_OK; /* an axes input nothing reads now */
}
