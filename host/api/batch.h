/* batch.h — re-batching a graph: dim 0 of every input set to B, shapes
 * re-inferred, constant Reshape targets that spelled the old batch rewritten.
 * Sessions use it on a clone so the model keeps the graph the user gave. */
#ifndef CLCNN_API_BATCH_H
#define CLCNN_API_BATCH_H

#include "../core/ir.h"

/* Sets dim 0 of every graph input (all must share it: the model's batch) to
 * `batch` and re-infers every shape. A constant Reshape target whose first
 * entry is the old batch, reshaping a tensor whose dim 0 now is `batch`, gets
 * `batch` there (exporters bake x.size(0) into such constants). Fails with
 * CLCNN_ERR_UNSUPPORTED when an output does not end up with `batch` as dim 0
 * (a graph that mixes the batch into other dims). batch == the model's own is
 * a no-op. */
clcnn_status graph_rebatch(ir_graph *g, int64_t batch, clcnn_err *err);

#endif
