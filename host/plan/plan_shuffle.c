/* plan_shuffle.c — launches the channel shuffle chains that
 * passes/fuse_shuffle.c matched: one shuffle2_cat (host/ops_cl/shuffle_cl.c)
 * per chain, hosted by its Concat. */
#include "plan_shuffle.h"
#include "../ops_cl/shuffle_cl.h"

void plan_shuffle_liveness(const fuse_groups *fg, int *need, int *def)
{
    for (int k = 0; k < fg->n_shuf; k++)
        if (fg->shuf[k].n_out == 2)
            need[fg->shuf[k].out[1]] = 1, def[fg->shuf[k].out[1]] = fg->shuf[k].host;
}

clcnn_status plan_shuffle_node(const fuse_groups *fg, opcl_ctx *c, int i, clcnn_err *err)
{
    const fuse_shuffle *m = &fg->shuf[fg->shuf_of[i]];
    const ir_node *n = &c->g->nodes[i];
    const ir_tensor *a = &c->g->tensors[n->in[0]];
    return shuffle_cl(c, n, c->mem[n->in[0]], c->mem[n->in[1]], c->mem[m->out[0]],
                      m->n_out == 2 ? c->mem[m->out[1]] : NULL, a->dims[0], a->dims[1],
                      a->dims[2] * a->dims[3], m->off, m->cnt, err);
}
