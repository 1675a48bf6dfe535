/* ir.h — clcnn's graph IR: tensors, nodes with typed attributes, initializers.
 * The IR knows nothing of ONNX files or OpenCL: the loader fills it, passes
 * rewrite it, executors read it. Tensors and nodes refer to each other by
 * index into the graph's arrays, so arrays may grow (realloc) safely. */
#ifndef CLCNN_CORE_IR_H
#define CLCNN_CORE_IR_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "op_list.h"

#define IR_MAX_DIMS CLCNN_MAX_DIMS
/* Largest element count one tensor may have: refuses absurd dims before any
 * allocation (2^31 floats = 8 GiB). */
#define IR_MAX_ELEMS ((int64_t)1 << 31)

/* Element types use ONNX TensorProto.DataType numbers so no mapping is needed. */
typedef enum ir_dtype {
    IR_DT_UNDEFINED = 0,
    IR_DT_FLOAT = 1,
    IR_DT_UINT8 = 2,
    IR_DT_INT8 = 3,
    IR_DT_UINT16 = 4,
    IR_DT_INT16 = 5,
    IR_DT_INT32 = 6,
    IR_DT_INT64 = 7,
    IR_DT_BOOL = 9,
    IR_DT_FLOAT16 = 10,        /* IEEE half, stored as its 16 bits */
    IR_DT_DOUBLE = 11,
    IR_DT_UINT32 = 12,
    IR_DT_UINT64 = 13,
} ir_dtype;

/* Bytes per element; 0 for types clcnn does not handle. */
size_t ir_dtype_size(int dtype);
/* ONNX's name of an element type ("float32", "int64", "bfloat16", ...), also
 * for types clcnn does not store, so messages name types rather than numbers;
 * "unknown" past the ONNX types known here. */
const char *ir_dtype_name(int dtype);
/* IEEE half <-> float (ir_half.c): exact widening; narrowing rounds to
 * nearest even, overflows to inf, keeps NaN a NaN and makes subnormals. */
float ir_half_to_float(uint16_t h);
uint16_t ir_float_to_half(float f);

typedef struct ir_tensor {
    char *name;
    int dtype;                 /* ir_dtype */
    int ndim;                  /* -1 until shape inference has run */
    int64_t dims[IR_MAX_DIMS];
    void *data;                /* payload of initializers/constants, else NULL; owned
                                  unless `borrowed` */
    int borrowed;              /* 1: data belongs to another graph (a session's clone
                                  shares its model's weights): read it, never write or
                                  free it (ir_tensor_own makes a private copy) */
    int released;              /* 1: a constant whose payload a device now holds and this
                                  graph no longer reads (ir_tensor_release): data is a
                                  placeholder of no bytes, dims and dtype still hold */
    int producer;              /* node index, or -1 (graph input / initializer) */
    int is_param;              /* 1: a weight the model was given (counts in summary) */
    int dynamic_batch;         /* graph inputs: 1 when dim 0 was symbolic (dim_param or
                                  absent) in the file; dims[0] then holds 1 */
    int half;                  /* float32 tensors of an OpenCL plan in fp16 (issue 18):
                                  1 when the device buffer holds it as half (2 bytes an
                                  element). dtype stays float32: the values, shape rules
                                  and host readers of constants are those of float32;
                                  only device storage differs (passes/precision.c). */
} ir_tensor;

typedef enum ir_attr_type {
    IR_ATTR_INT,
    IR_ATTR_FLOAT,
    IR_ATTR_INTS,
    IR_ATTR_FLOATS,
    IR_ATTR_STRING,
    IR_ATTR_TENSOR,            /* t = tensor index in the graph (Constant's value) */
} ir_attr_type;

typedef struct ir_attr {
    char *name;
    ir_attr_type type;
    int64_t i;
    float f;
    int64_t *ints;
    float *floats;
    int n;                     /* element count of ints/floats */
    char *s;
    int t;
} ir_attr;

typedef struct ir_node {
    char *name;
    ir_op op;
    int n_in, n_out;
    int *in;                   /* tensor indices; -1 for an omitted optional input */
    int *out;
    int n_attr;
    ir_attr *attrs;
} ir_node;

typedef struct ir_graph {
    ir_tensor *tensors;
    int n_tensors, cap_tensors;
    ir_node *nodes;            /* kept in topological order once ir_toposort ran */
    int n_nodes, cap_nodes;
    int *inputs, n_inputs;     /* graph inputs fed at run time (not initializers) */
    int *outputs, n_outputs;
    int opset;                 /* default-domain opset the model was exported with */
} ir_graph;

ir_graph *ir_graph_new(void);
void ir_graph_free(ir_graph *g);
/* Frees what a node owns (name, index arrays, attributes), not the node itself. */
void ir_node_release(ir_node *n);

/* Adds a tensor (name copied); returns its index or -1 on OOM. */
int ir_add_tensor(ir_graph *g, const char *name, int dtype, int ndim, const int64_t *dims);
/* Finds a tensor by name; -1 when absent. Linear: callers that look up many
 * names build their own map. */
int ir_find_tensor(const ir_graph *g, const char *name);
/* Adds a node; in/out arrays copied, name copied. Returns node index or -1. */
int ir_add_node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in,
                const int *out, int n_out);
/* Attribute setters (name copied). Return 0 on success, -1 on OOM. */
int ir_set_attr_int(ir_graph *g, int node, const char *name, int64_t v);
int ir_set_attr_float(ir_graph *g, int node, const char *name, float v);
int ir_set_attr_ints(ir_graph *g, int node, const char *name, const int64_t *v, int n);
int ir_set_attr_floats(ir_graph *g, int node, const char *name, const float *v, int n);
int ir_set_attr_string(ir_graph *g, int node, const char *name, const char *s);
/* A tensor-valued attribute (ConstantOfShape's value): t indexes the graph's
 * tensors, which own the payload. */
int ir_set_attr_tensor(ir_graph *g, int node, const char *name, int t);

const ir_attr *ir_attr_find(const ir_node *n, const char *name);
int64_t ir_attr_int(const ir_node *n, const char *name, int64_t def);
float ir_attr_float(const ir_node *n, const char *name, float def);
/* Returns the int list and its length via *len, or NULL (len 0) when absent. */
const int64_t *ir_attr_ints(const ir_node *n, const char *name, int *len);

int64_t ir_numel(const ir_tensor *t);
size_t ir_nbytes(const ir_tensor *t);
/* One number for what g asks of a device (ir_hash.c): its nodes, their
 * attributes and wiring, every tensor's type, shape and storage, and the bytes
 * of small constants (shapes, indices), not the weights' values. Equal graphs
 * hash equal; two workloads launching differently (another model or batch)
 * almost surely do not. */
uint64_t ir_graph_workload_hash(const ir_graph *g);
/* Input tensor k of node n, or NULL when k >= n_in or the input was omitted. */
ir_tensor *ir_in(const ir_graph *g, const ir_node *n, int k);
ir_tensor *ir_out(const ir_graph *g, const ir_node *n, int k);

/* Recomputes every tensor's producer and sorts nodes topologically (stable:
 * file order kept where valid). CLCNN_ERR_GRAPH naming a node on a cycle, a
 * tensor produced twice, or an input that nothing produces. */
clcnn_status ir_toposort(ir_graph *g, clcnn_err *err);

/* Drops nodes and tensors nothing reachable from the outputs uses, and
 * compacts indices. Keeps graph inputs. */
clcnn_status ir_prune(ir_graph *g, clcnn_err *err);

/* Removes node `idx` (releasing what it owns) and shifts later nodes down.
 * Tensors stay; ir_prune drops the ones nothing uses any more. */
void ir_remove_node(ir_graph *g, int idx);
/* Number of node inputs (and graph outputs, which count as consumers) reading t. */
int ir_consumers(const ir_graph *g, int t);

/* Deep copy (tensors with their data, nodes, attributes); NULL on OOM.
 * Passes rewrite a clone so the model keeps the graph the user gave. */
ir_graph *ir_clone(const ir_graph *g);
/* The same, except that constants' data is borrowed from g (borrowed = 1), not
 * copied: g must outlive the clone. A session's graph is one: the weights then
 * live once in host memory, not once per session (passes add new constants
 * rather than write old ones; a writer calls ir_tensor_own first). */
ir_graph *ir_clone_shared(const ir_graph *g);
/* The same, except that the payloads of a page or more move to the clone,
 * which owns them, and are released in g (dims, dtype and the small constants
 * stay): for a graph whose weights nobody reads again (a model an owning
 * session took). Passes then rewrite them in place, with no copy. */
ir_graph *ir_clone_take(ir_graph *g);
/* Allocates n bytes (at least 1) for a tensor's data, aligned so that a CPU
 * OpenCL device can compute on them in place (CL_MEM_USE_HOST_PTR): a page for
 * 4 KiB and more (Intel's runtime wants one), else 128 bytes (POCL's base-address
 * alignment). Contents undefined; free() releases it. NULL on OOM. */
void *ir_data_alloc(size_t n);
#define IR_PAGE 4096 /* ir_data_alloc's alignment from this size up */
/* Makes t's data its own (copies a borrowed payload); the data, or NULL on OOM. */
void *ir_tensor_own(ir_tensor *t);
/* Drops the payload of constant t (owned, not borrowed) once a device holds
 * its own copy: data becomes a shared placeholder, so t stays a constant
 * (data != NULL) of the same dims, but none of its bytes may be read again.
 * For a session's plan graph after upload, where nothing reads them. */
void ir_tensor_release(ir_tensor *t);
/* Moves from's payload to to, a borrower of it (ir_clone_shared): to owns it
 * and from is left released. No-op unless to borrows from's own payload. */
void ir_tensor_hand_over(ir_tensor *from, ir_tensor *to);
/* Frees t's data unless borrowed; t then has none. */
void ir_tensor_drop_data(ir_tensor *t);

/* Formats "1x3x224x224" into buf. */
const char *ir_shape_str(const ir_tensor *t, char *buf, size_t len);

/* 1 when node n of g stores its float32 tensors half (any of them: the
 * precision pass gives every node one storage). */
int ir_node_half(const ir_graph *g, const ir_node *n);

#endif
