/* onnx.h — ONNX files <-> graph IR, through protobuf-c code generated from
 * Debian's onnx.proto. The loader resolves external data, folds constant
 * shape subgraphs, sorts and shape-infers, so callers get a runnable graph. */
#ifndef CLCNN_ONNX_ONNX_H
#define CLCNN_ONNX_ONNX_H

#include "../core/ir.h"

/* Errors name the file, and the node/op/opset where one is at fault. */
clcnn_status onnx_load(const char *path, ir_graph **out, clcnn_err *err);
/* The same from a serialized ModelProto in memory; external data is refused
 * (there is no folder to resolve it in). `name` prefixes errors (NULL:
 * "<memory>"). */
clcnn_status onnx_load_mem(const void *buf, size_t len, const char *name, ir_graph **out,
                           clcnn_err *err);

/* Writes g as a standard ONNX model (opset g->opset, weights inline),
 * atomically: temp file + rename, never a half-written `path`. */
clcnn_status onnx_save(const ir_graph *g, const char *path, clcnn_err *err);

#endif
