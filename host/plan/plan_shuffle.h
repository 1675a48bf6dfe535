/* plan_shuffle.h — ShuffleNet's channel shuffle planned as one launch: Concat(a, b)
 * on channels -> Reshape (N,2,C/2,H,W) -> Transpose (0,2,1,3,4) -> Reshape (N,C,H,W),
 * optionally followed by the split into halves (a Split, or one or two Slices on
 * channels), becomes a single shuffle2_cat kernel hosted by the Concat node. The
 * other nodes of the chain are marked fused; anything else keeps its own kernels. */
#ifndef CLCNN_PLAN_PLAN_SHUFFLE_H
#define CLCNN_PLAN_PLAN_SHUFFLE_H

#include "../core/ir.h"
#include "../ops_cl/op_cl.h"

typedef struct plan_shuffle plan_shuffle;

/* Matches every chain in g (nodes with fused_into[i] >= 0 are left alone). uses[t]:
 * readers of tensor t, +1 when t is a graph output. For each match: fused_into[]
 * of the chain's other nodes = the Concat, out_of[Concat] = the first tensor it now
 * writes. Returns NULL when nothing matched, or when out of memory (then nothing is
 * marked and the general kernels run: the fusion only saves launches). */
plan_shuffle *plan_shuffle_fuse(const ir_graph *g, const int *uses, int *fused_into, int *out_of);
void plan_shuffle_free(plan_shuffle *s);

/* Liveness: the second tensor a host writes (the other half of a split) is
 * needed and defined at the host's step. s may be NULL. */
void plan_shuffle_liveness(const plan_shuffle *s, int *need, int *def);

/* 1 when node i hosts a matched chain (s may be NULL). */
int plan_shuffle_hosts(const plan_shuffle *s, int i);

/* Plans host node i's launch; c->out is the first output's tensor, c->mem set. */
clcnn_status plan_shuffle_node(const plan_shuffle *s, opcl_ctx *c, int i, clcnn_err *err);

#endif
