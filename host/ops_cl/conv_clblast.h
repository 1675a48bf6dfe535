/* conv_clblast.h — a pointwise (1x1) Conv as CLBlast SGEMM, one call per batch
 * image: Y[n] (Cout x HW) = W (Cout x Cin) * X[n] (Cin x HW), then a small
 * bias + activation epilogue kernel (kernels_cl/bias_act.cl). Used only where
 * a stored measurement (host/runtime/tune.h) says it beats conv_pw. */
#ifndef CLCNN_OPS_CONV_CLBLAST_H
#define CLCNN_OPS_CONV_CLBLAST_H

#include <stdint.h>

#include "op_cl.h"

/* 1 when clcnn was built with CLBlast (CLCNN_HAVE_CLBLAST); 0 otherwise, and
 * then convpw_clblast_push always fails with CLCNN_ERR_UNSUPPORTED. */
int convpw_clblast_available(void);

/* 1 when n is a Conv this path handles: float, 1x1 kernel, stride 1, dilation
 * 1, no pads, group 1, rank-4 NCHW with known dims. */
int convpw_clblast_applicable(const ir_graph *g, const ir_node *n);

/* The GEMM shape of an applicable node: M = Cout, N = H*W, K = Cin (per image). */
void convpw_clblast_shape(const ir_graph *g, const ir_node *n, int64_t *m, int64_t *nn,
                          int64_t *k);

/* Pushes a custom launch (opcl_push_custom) for node n: SGEMM per batch image
 * into c->mem[c->out], then bias, c->res (fused residual) and c->act in one
 * epilogue kernel (skipped when there is none of them). Variant name "conv_clblast". Its profiling
 * event is the last command's only (OpenCL has no composite event), so per-launch
 * profiles undercount it; `clcnn tune` times it by wall clock instead.
 * Not applicable: CLCNN_ERR_INTERNAL; built without CLBlast: CLCNN_ERR_UNSUPPORTED. */
clcnn_status convpw_clblast_push(opcl_ctx *c, const ir_node *n, clcnn_err *err);

#endif
