/* onnx_load_priv.h — pieces of the ONNX loader shared by its files (not a
 * public or room-wide header): a name -> tensor map, and turning a
 * TensorProto (inline or external data) into an IR tensor's payload.
 * Messages set here carry no file prefix; onnx_load adds it once. */
#ifndef CLCNN_ONNX_LOAD_PRIV_H
#define CLCNN_ONNX_LOAD_PRIV_H

#include <stdint.h>

#include "../core/ir.h"
#include "onnx.pb-c.h"

/* Open-addressing map from tensor name to index into g->tensors. Keys are
 * not copied: a slot holds the index and names are read from the graph, so
 * the tensors array may be realloc'd freely while the map is alive. */
typedef struct onnx_names {
    int *slots;      /* tensor index, or -1 for an empty slot */
    uint32_t *hash;  /* cached hash per slot, to skip most strcmp calls */
    int cap, count;  /* cap is a power of two */
} onnx_names;

int onnx_names_init(onnx_names *m, int expected);
void onnx_names_free(onnx_names *m);
/* Index of the tensor called `name`, or -1. */
int onnx_names_find(const onnx_names *m, const ir_graph *g, const char *name);
/* Records g->tensors[idx] under its own name; 0 or -1 on OOM. */
int onnx_names_put(onnx_names *m, const ir_graph *g, int idx);
/* Finds `name` or adds it as a shape-unknown tensor; -1 on OOM. */
int onnx_names_get_or_add(onnx_names *m, ir_graph *g, const char *name);

/* Checks dims (none negative, element count <= IR_MAX_ELEMS, at most
 * IR_MAX_DIMS of them) before anything is allocated. `what` names the tensor. */
clcnn_status onnx_check_dims(const int64_t *dims, size_t n_dims, const char *what,
                             clcnn_err *err);

/* Fills t->dtype/ndim/dims/data from tp; inline typed fields, raw_data, or
 * external data resolved against model_dir (the model file's real folder).
 * A raw_data block that is page-aligned (IR_PAGE) and at least a page long
 * is moved into t, not copied: tp then has no raw_data. */
clcnn_status onnx_tensor_fill(Onnx__TensorProto *tp, const char *name,
                              const char *model_dir, ir_tensor *t, clcnn_err *err);

/* Reads exactly `len` bytes at `off` of the external data file `location`
 * (relative to model_dir, never leaving it) into a new buffer. model_dir NULL
 * (a model loaded from memory) refuses external data. */
clcnn_status onnx_extdata_read(const char *model_dir, const char *location, int64_t off,
                               int64_t len, int has_len, size_t want, const char *name,
                               void **out, clcnn_err *err);

/* Bounds message nesting and checks every length of a serialized ModelProto
 * before protobuf-c (which recurses without a limit) unpacks it. */
clcnn_status onnx_wire_check(const uint8_t *buf, size_t len, clcnn_err *err);
/* onnx_stream.c: the model in buf (after onnx_wire_check), its graph's
 * initializers unpacked one at a time; when own is buf's own anonymous private
 * mapping, the pages of each initializer's bytes are given back once unpacked
 * (buf is not read there again). NULL when protobuf-c refuses it or on OOM. */
Onnx__ModelProto *onnx_unpack_streamed(const uint8_t *buf, size_t len, uint8_t *own,
                                       ProtobufCAllocator *a);

/* Checks one attribute of a node of op `op` against ONNX's schema: a wrong
 * type is CLCNN_ERR_PARSE, a name ONNX does not define for the op is
 * CLCNN_ERR_UNSUPPORTED; both name node and attribute. */
clcnn_status onnx_check_attr(ir_op op, const char *nname, const char *aname, int type,
                             clcnn_err *err);

/* Adds graph nodes (Constant nodes become constant tensors) from gp. */
clcnn_status onnx_add_nodes(ir_graph *g, onnx_names *m, const Onnx__GraphProto *gp,
                            const char *model_dir, clcnn_err *err);

#endif
