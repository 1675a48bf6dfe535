/* ir.c — building, querying and freeing the graph IR. */
#include "ir.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = {
#define IR_OP_NAME(e, s) s,
    IR_OP_LIST(IR_OP_NAME)
#undef IR_OP_NAME
};
_Static_assert(sizeof op_names / sizeof op_names[0] == IR_OP_COUNT, "op name table size");

const char *ir_op_name(ir_op op)
{
    return ((int)op >= 0 && op < IR_OP_COUNT) ? op_names[op] : NULL;
}

ir_op ir_op_from_name(const char *onnx_name)
{
    for (int i = 0; i < IR_OP_COUNT; i++)
        if (strcmp(op_names[i], onnx_name) == 0)
            return (ir_op)i;
    return IR_OP_COUNT;
}

const char *ir_dtype_name(int dtype)
{
    /* TensorProto.DataType numbering (onnx.proto) */
    static const char *const names[] = {
        "undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64",
        "string", "bool", "float16", "float64", "uint32", "uint64", "complex64", "complex128",
        "bfloat16", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4",
        "int4", "float4e2m1", "float8e8m0", "uint2", "int2", "float6e2m3", "float6e3m2",
    };
    if (dtype < 0 || dtype >= (int)(sizeof names / sizeof names[0]))
        return "unknown";
    return names[dtype];
}

size_t ir_dtype_size(int dtype)
{
    switch (dtype) {
    case IR_DT_FLOAT: return 4;
    case IR_DT_UINT8: return 1;
    case IR_DT_INT8: return 1;
    case IR_DT_UINT16: return 2;
    case IR_DT_INT16: return 2;
    case IR_DT_FLOAT16: return 2;
    case IR_DT_INT32: return 4;
    case IR_DT_UINT32: return 4;
    case IR_DT_UINT64: return 8;
    case IR_DT_INT64: return 8;
    case IR_DT_BOOL: return 1;
    case IR_DT_DOUBLE: return 8;
    default: return 0;
    }
}

static char *dup_str(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

ir_graph *ir_graph_new(void)
{
    return calloc(1, sizeof(ir_graph));
}

void ir_node_release(ir_node *n)
{
    free(n->name);
    free(n->in);
    free(n->out);
    for (int a = 0; a < n->n_attr; a++) {
        free(n->attrs[a].name);
        free(n->attrs[a].ints);
        free(n->attrs[a].floats);
        free(n->attrs[a].s);
    }
    free(n->attrs);
}

void ir_graph_free(ir_graph *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->n_tensors; i++) {
        free(g->tensors[i].name);
        ir_tensor_drop_data(&g->tensors[i]);
    }
    for (int i = 0; i < g->n_nodes; i++)
        ir_node_release(&g->nodes[i]);
    free(g->tensors);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(g);
}

/* Grows an array of `size`-byte items to hold at least `need`. */
static int grow(void **arr, int *cap, int need, size_t size)
{
    if (need <= *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *p = realloc(*arr, (size_t)nc * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

int ir_add_tensor(ir_graph *g, const char *name, int dtype, int ndim, const int64_t *dims)
{
    if (ndim > IR_MAX_DIMS)
        return -1;
    if (grow((void **)&g->tensors, &g->cap_tensors, g->n_tensors + 1, sizeof(ir_tensor)))
        return -1;
    ir_tensor *t = &g->tensors[g->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = dup_str(name);
    if (!t->name)
        return -1;
    t->dtype = dtype;
    t->ndim = ndim;
    for (int d = 0; d < ndim && dims; d++)
        t->dims[d] = dims[d];
    t->producer = -1;
    return g->n_tensors++;
}

int ir_find_tensor(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0)
            return i;
    return -1;
}

int ir_add_node(ir_graph *g, ir_op op, const char *name, const int *in, int n_in,
                const int *out, int n_out)
{
    if (grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes + 1, sizeof(ir_node)))
        return -1;
    ir_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->name = dup_str(name);
    n->in = malloc(sizeof(int) * (size_t)(n_in ? n_in : 1));
    n->out = malloc(sizeof(int) * (size_t)(n_out ? n_out : 1));
    if (!n->name || !n->in || !n->out) {
        ir_node_release(n);
        return -1;
    }
    if (n_in)
        memcpy(n->in, in, sizeof(int) * (size_t)n_in);
    if (n_out)
        memcpy(n->out, out, sizeof(int) * (size_t)n_out);
    n->n_in = n_in;
    n->n_out = n_out;
    return g->n_nodes++;
}

static ir_attr *new_attr(ir_graph *g, int node, const char *name, ir_attr_type type)
{
    ir_node *n = &g->nodes[node];
    ir_attr *a = NULL;
    for (int i = 0; i < n->n_attr; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            a = &n->attrs[i];
    if (a) { /* replace: free the old payload, keep the name */
        free(a->ints);
        free(a->floats);
        free(a->s);
        char *nm = a->name;
        memset(a, 0, sizeof *a);
        a->name = nm;
    } else {
        ir_attr *p = realloc(n->attrs, sizeof(ir_attr) * (size_t)(n->n_attr + 1));
        if (!p)
            return NULL;
        n->attrs = p;
        a = &n->attrs[n->n_attr];
        memset(a, 0, sizeof *a);
        a->name = dup_str(name);
        if (!a->name)
            return NULL;
        n->n_attr++;
    }
    a->type = type;
    a->t = -1;
    return a;
}

int ir_set_attr_int(ir_graph *g, int node, const char *name, int64_t v)
{
    ir_attr *a = new_attr(g, node, name, IR_ATTR_INT);
    if (!a)
        return -1;
    a->i = v;
    return 0;
}

int ir_set_attr_float(ir_graph *g, int node, const char *name, float v)
{
    ir_attr *a = new_attr(g, node, name, IR_ATTR_FLOAT);
    if (!a)
        return -1;
    a->f = v;
    return 0;
}

int ir_set_attr_ints(ir_graph *g, int node, const char *name, const int64_t *v, int n)
{
    ir_attr *a = new_attr(g, node, name, IR_ATTR_INTS);
    if (!a)
        return -1;
    a->ints = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!a->ints)
        return -1;
    if (n)
        memcpy(a->ints, v, sizeof(int64_t) * (size_t)n);
    a->n = n;
    return 0;
}

int ir_set_attr_floats(ir_graph *g, int node, const char *name, const float *v, int n)
{
    ir_attr *a = new_attr(g, node, name, IR_ATTR_FLOATS);
    if (!a)
        return -1;
    a->floats = malloc(sizeof(float) * (size_t)(n ? n : 1));
    if (!a->floats)
        return -1;
    if (n)
        memcpy(a->floats, v, sizeof(float) * (size_t)n);
    a->n = n;
    return 0;
}

int ir_set_attr_string(ir_graph *g, int node, const char *name, const char *s)
{
    ir_attr *a = new_attr(g, node, name, IR_ATTR_STRING);
    if (!a)
        return -1;
    a->s = dup_str(s);
    return a->s ? 0 : -1;
}

int ir_set_attr_tensor(ir_graph *g, int node, const char *name, int t)
{
    ir_attr *a = new_attr(g, node, name, IR_ATTR_TENSOR);
    if (!a)
        return -1;
    a->t = t;
    return 0;
}

const ir_attr *ir_attr_find(const ir_node *n, const char *name)
{
    for (int i = 0; i < n->n_attr; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

int64_t ir_attr_int(const ir_node *n, const char *name, int64_t def)
{
    const ir_attr *a = ir_attr_find(n, name);
    return (a && a->type == IR_ATTR_INT) ? a->i : def;
}

float ir_attr_float(const ir_node *n, const char *name, float def)
{
    const ir_attr *a = ir_attr_find(n, name);
    return (a && a->type == IR_ATTR_FLOAT) ? a->f : def;
}

const int64_t *ir_attr_ints(const ir_node *n, const char *name, int *len)
{
    const ir_attr *a = ir_attr_find(n, name);
    if (!a || a->type != IR_ATTR_INTS) {
        *len = 0;
        return NULL;
    }
    *len = a->n;
    return a->ints;
}

int64_t ir_numel(const ir_tensor *t)
{
    if (t->ndim < 0)
        return -1;
    /* Saturates at INT64_MAX instead of overflowing: shape inference calls
     * this on dims a hostile file chose (pads of 2^40) and compares the
     * result with IR_MAX_ELEMS. A negative dim gives -1. */
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++) {
        if (t->dims[d] < 0)
            return -1;
        if (t->dims[d] && n > INT64_MAX / t->dims[d])
            n = INT64_MAX;
        else
            n *= t->dims[d];
    }
    return n;
}

size_t ir_nbytes(const ir_tensor *t)
{
    int64_t n = ir_numel(t);
    return n < 0 ? 0 : (size_t)n * ir_dtype_size(t->dtype);
}

ir_tensor *ir_in(const ir_graph *g, const ir_node *n, int k)
{
    if (k >= n->n_in || n->in[k] < 0)
        return NULL;
    return &g->tensors[n->in[k]];
}

ir_tensor *ir_out(const ir_graph *g, const ir_node *n, int k)
{
    if (k >= n->n_out || n->out[k] < 0)
        return NULL;
    return &g->tensors[n->out[k]];
}

const char *ir_shape_str(const ir_tensor *t, char *buf, size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    if (t->ndim < 0) {
        snprintf(buf, len, "?");
        return buf;
    }
    if (t->ndim == 0) {
        snprintf(buf, len, "scalar");
        return buf;
    }
    for (int d = 0; d < t->ndim && pos < len; d++)
        pos += (size_t)snprintf(buf + pos, len - pos, d ? "x%lld" : "%lld", (long long)t->dims[d]);
    return buf;
}

void ir_remove_node(ir_graph *g, int idx)
{
    if (idx < 0 || idx >= g->n_nodes)
        return;
    ir_node_release(&g->nodes[idx]);
    memmove(&g->nodes[idx], &g->nodes[idx + 1], sizeof(ir_node) * (size_t)(g->n_nodes - idx - 1));
    g->n_nodes--;
    for (int t = 0; t < g->n_tensors; t++) /* producers are node indices: shift them too */
        if (g->tensors[t].producer > idx)
            g->tensors[t].producer--;
        else if (g->tensors[t].producer == idx)
            g->tensors[t].producer = -1;
}

int ir_consumers(const ir_graph *g, int t)
{
    int c = 0;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            c += g->nodes[i].in[k] == t;
    for (int i = 0; i < g->n_outputs; i++)
        c += g->outputs[i] == t;
    return c;
}

void *ir_data_alloc(size_t n)
{
    const size_t a = n >= IR_PAGE ? IR_PAGE : 128;
    n = n ? n : 1;
    if (n > SIZE_MAX - a)
        return NULL;
    return aligned_alloc(a, (n + a - 1) / a * a); /* C11: a size that is a multiple of a */
}

/* What a released tensor's data points at: never read, never freed. */
static const unsigned char released_payload;

void ir_tensor_release(ir_tensor *t)
{
    if (!t->data || t->borrowed || t->released)
        return;
    free(t->data);
    t->data = (void *)&released_payload;
    t->released = 1;
}

void ir_tensor_hand_over(ir_tensor *from, ir_tensor *to)
{
    if (!to->borrowed || to->data != from->data || from->borrowed || from->released || !from->data)
        return;
    to->borrowed = 0;
    from->data = (void *)&released_payload;
    from->released = 1;
}

void ir_tensor_drop_data(ir_tensor *t)
{
    if (!t->borrowed && !t->released)
        free(t->data);
    t->data = NULL;
    t->borrowed = 0;
    t->released = 0;
}
