/* exec_ref.h — the reference executor: walks the IR in order on the plain-C
 * ops (the host/ops _ref.c files). It is the oracle every OpenCL path is checked against. */
#ifndef CLCNN_EXEC_REF_H
#define CLCNN_EXEC_REF_H

#include "../core/ir.h"

/* inputs[i] feeds g->inputs[i]; outputs[i] (caller-allocated, float32) receives
 * g->outputs[i]. When all_bufs is non-NULL it receives an array of
 * g->n_tensors pointers to every tensor's data after the run (constants point
 * at the graph's own data), to be freed with exec_ref_free_bufs. */
clcnn_status exec_ref_run(const ir_graph *g, const float *const *inputs, float *const *outputs,
                          void ***all_bufs, clcnn_err *err);
/* Like exec_ref_run, but outputs[i] receives g->outputs[i] in its own dtype
 * (ir_nbytes bytes). */
clcnn_status exec_ref_run_raw(const ir_graph *g, const float *const *inputs, void *const *outputs,
                              clcnn_err *err);
void exec_ref_free_bufs(const ir_graph *g, void **bufs);

#endif
