/* plan_shuffle.h — the launch of a ShuffleNet channel shuffle chain that
 * passes/fuse_shuffle.c matched: one shuffle2_cat kernel hosted by the Concat
 * node, writing the shuffled tensor or the split's two halves. */
#ifndef CLCNN_PLAN_PLAN_SHUFFLE_H
#define CLCNN_PLAN_PLAN_SHUFFLE_H

#include "../core/ir.h"
#include "../ops_cl/op_cl.h"
#include "../passes/fuse.h"

/* Liveness: the second tensor a host writes (the other half of a split) is
 * needed and defined at the host's step. */
void plan_shuffle_liveness(const fuse_groups *fg, int *need, int *def);

/* Plans host node i's launch; c->out is the first output's tensor, c->mem set. */
clcnn_status plan_shuffle_node(const fuse_groups *fg, opcl_ctx *c, int i, clcnn_err *err);

#endif
