/* shuffle_cl.h — launch of kernels_cl/shuffle.cl (Concat + channel shuffle with
 * groups 2 + channel split, one kernel). Not an op of its own: the fusion pass
 * host/passes/fuse_shuffle.c matches the node chain, and host/plan/plan_shuffle.c
 * calls this for its host. */
#ifndef CLCNN_OPS_SHUFFLE_CL_H
#define CLCNN_OPS_SHUFFLE_CL_H

#include "op_cl.h"

/* One shuffled tensor Y (N, 2*ch, H, W) from a and b (N, ch, H, W each), channel k
 * of Y = (k odd ? b : a)[k / 2]. Writes Y's channels [off[0], off[0]+cnt[0]) to y0
 * and [off[1], off[1]+cnt[1]) to y1 (cnt[1] 0: y1 unused, may be NULL). Pushes one
 * launch for node n, variant "shuffle2_cat". */
clcnn_status shuffle_cl(opcl_ctx *c, const ir_node *n, cl_mem a, cl_mem b, cl_mem y0, cl_mem y1,
                        int64_t batch, int64_t ch, int64_t hw, const int64_t off[2],
                        const int64_t cnt[2], clcnn_err *err);

#endif
