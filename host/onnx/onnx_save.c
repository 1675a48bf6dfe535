/* onnx_save.c — graph IR -> ONNX file through the protobuf-c generated code.
 * Weights (is_param) become initializers with raw_data; other constants (the
 * Reshape/Split/Clip operands) become Constant nodes, so reloading the file
 * gives the same parameter counts. The file appears atomically: a temp file in
 * the same folder, fsync, rename. raw_data is the host's bytes: little-endian
 * hosts only, as every platform clcnn targets is. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx.h"
#include "onnx.pb-c.h"

/* Every protobuf struct we allocate, freed in one go. */
typedef struct pool {
    void **p;
    size_t n, cap;
    int oom;
} pool;

static void *palloc(pool *pl, size_t size)
{
    if (pl->oom)
        return NULL;
    if (pl->n == pl->cap) {
        size_t nc = pl->cap ? pl->cap * 2 : 256;
        void **np = realloc(pl->p, nc * sizeof *np);
        if (!np) {
            pl->oom = 1;
            return NULL;
        }
        pl->p = np;
        pl->cap = nc;
    }
    void *m = calloc(1, size ? size : 1);
    if (!m) {
        pl->oom = 1;
        return NULL;
    }
    pl->p[pl->n++] = m;
    return m;
}

static void pool_free(pool *pl)
{
    for (size_t i = 0; i < pl->n; i++)
        free(pl->p[i]);
    free(pl->p);
}

static Onnx__TensorProto *tensor_proto(pool *pl, const ir_tensor *t)
{
    Onnx__TensorProto *tp = palloc(pl, sizeof *tp);
    if (!tp)
        return NULL;
    onnx__tensor_proto__init(tp);
    tp->name = t->name;
    tp->n_dims = (size_t)(t->ndim > 0 ? t->ndim : 0);
    tp->dims = (int64_t *)t->dims;
    tp->has_data_type = 1;
    tp->data_type = t->dtype;
    tp->has_raw_data = 1;
    tp->raw_data.len = ir_nbytes(t);
    tp->raw_data.data = t->data;
    return tp;
}

/* The dim_param written for a dynamic batch, so a reloaded model keeps it. */
#define SAVE_BATCH_PARAM "N"

/* sym_batch: write dim 0 as the symbolic SAVE_BATCH_PARAM (a dynamic-batch model). */
static Onnx__ValueInfoProto *value_info(pool *pl, const ir_tensor *t, int sym_batch)
{
    Onnx__ValueInfoProto *vi = palloc(pl, sizeof *vi);
    Onnx__TypeProto *ty = palloc(pl, sizeof *ty);
    Onnx__TypeProto__Tensor *tt = palloc(pl, sizeof *tt);
    Onnx__TensorShapeProto *sh = palloc(pl, sizeof *sh);
    int nd = t->ndim > 0 ? t->ndim : 0;
    Onnx__TensorShapeProto__Dimension **dims = palloc(pl, sizeof *dims * (size_t)(nd ? nd : 1));
    if (!vi || !ty || !tt || !sh || !dims)
        return NULL;
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(ty);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    for (int d = 0; d < nd; d++) {
        dims[d] = palloc(pl, sizeof **dims);
        if (!dims[d])
            return NULL;
        onnx__tensor_shape_proto__dimension__init(dims[d]);
        if (d == 0 && sym_batch) {
            dims[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            dims[d]->dim_param = SAVE_BATCH_PARAM;
            continue;
        }
        dims[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dims[d]->dim_value = t->dims[d];
    }
    sh->n_dim = (size_t)nd;
    sh->dim = dims;
    tt->has_elem_type = 1;
    tt->elem_type = t->dtype ? t->dtype : IR_DT_FLOAT;
    tt->shape = t->ndim >= 0 ? sh : NULL;
    ty->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    ty->tensor_type = tt;
    vi->name = t->name;
    vi->type = ty;
    return vi;
}

static Onnx__AttributeProto *attr_proto(pool *pl, const ir_graph *g, const ir_attr *a)
{
    Onnx__AttributeProto *ap = palloc(pl, sizeof *ap);
    if (!ap)
        return NULL;
    onnx__attribute_proto__init(ap);
    ap->name = a->name;
    ap->has_type = 1;
    switch (a->type) {
    case IR_ATTR_INT:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        ap->has_i = 1;
        ap->i = a->i;
        break;
    case IR_ATTR_FLOAT:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        ap->has_f = 1;
        ap->f = a->f;
        break;
    case IR_ATTR_INTS:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        ap->n_ints = (size_t)a->n;
        ap->ints = a->ints;
        break;
    case IR_ATTR_FLOATS:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
        ap->n_floats = (size_t)a->n;
        ap->floats = a->floats;
        break;
    case IR_ATTR_STRING:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
        ap->has_s = 1;
        ap->s.len = a->s ? strlen(a->s) : 0;
        ap->s.data = (uint8_t *)a->s;
        break;
    case IR_ATTR_TENSOR:
        ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
        if (a->t < 0 || a->t >= g->n_tensors || !g->tensors[a->t].data)
            return NULL;
        ap->t = tensor_proto(pl, &g->tensors[a->t]);
        if (!ap->t)
            return NULL;
        break;
    }
    return ap;
}

/* Constant node holding a non-weight constant tensor. */
static Onnx__NodeProto *constant_node(pool *pl, ir_tensor *t)
{
    Onnx__NodeProto *np = palloc(pl, sizeof *np);
    Onnx__AttributeProto *ap = palloc(pl, sizeof *ap);
    Onnx__AttributeProto **aps = palloc(pl, sizeof *aps);
    char **outs = palloc(pl, sizeof *outs);
    size_t nlen = strlen(t->name) + 8;
    char *name = palloc(pl, nlen);
    Onnx__TensorProto *tp = tensor_proto(pl, t);
    if (!np || !ap || !aps || !outs || !name || !tp)
        return NULL;
    onnx__node_proto__init(np);
    onnx__attribute_proto__init(ap);
    snprintf(name, nlen, "%s.const", t->name);
    ap->name = "value";
    ap->has_type = 1;
    ap->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    ap->t = tp;
    aps[0] = ap;
    outs[0] = t->name;
    np->name = name;
    np->op_type = "Constant";
    np->n_output = 1;
    np->output = outs;
    np->n_attribute = 1;
    np->attribute = aps;
    return np;
}

static Onnx__NodeProto *node_proto(pool *pl, const ir_graph *g, const ir_node *n)
{
    Onnx__NodeProto *np = palloc(pl, sizeof *np);
    char **ins = palloc(pl, sizeof *ins * (size_t)(n->n_in ? n->n_in : 1));
    char **outs = palloc(pl, sizeof *outs * (size_t)(n->n_out ? n->n_out : 1));
    Onnx__AttributeProto **aps = palloc(pl, sizeof *aps * (size_t)(n->n_attr ? n->n_attr : 1));
    if (!np || !ins || !outs || !aps)
        return NULL;
    onnx__node_proto__init(np);
    /* "" marks an omitted optional input; trailing ones are simply dropped */
    int n_in = n->n_in;
    while (n_in > 0 && n->in[n_in - 1] < 0)
        n_in--;
    for (int k = 0; k < n_in; k++)
        ins[k] = n->in[k] >= 0 ? g->tensors[n->in[k]].name : "";
    for (int k = 0; k < n->n_out; k++)
        outs[k] = n->out[k] >= 0 ? g->tensors[n->out[k]].name : "";
    for (int a = 0; a < n->n_attr; a++)
        if (!(aps[a] = attr_proto(pl, g, &n->attrs[a])))
            return NULL;
    np->name = n->name;
    np->op_type = (char *)ir_op_name(n->op);
    np->n_input = (size_t)n_in;
    np->input = ins;
    np->n_output = (size_t)n->n_out;
    np->output = outs;
    np->n_attribute = (size_t)n->n_attr;
    np->attribute = aps;
    return np;
}

/* 1 when g's inputs had a symbolic batch (dim 0) in the file it came from. */
static int graph_dynamic_batch(const ir_graph *g)
{
    for (int i = 0; i < g->n_inputs; i++)
        if (g->tensors[g->inputs[i]].dynamic_batch)
            return 1;
    return 0;
}

static int fill_graph(pool *pl, const ir_graph *g, Onnx__GraphProto *gp)
{
    size_t n_init = 0, n_const = 0;
    const int dynamic = graph_dynamic_batch(g);
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].data && g->tensors[t].producer < 0) {
            if (g->tensors[t].is_param)
                n_init++;
            else
                n_const++;
        }
    gp->initializer = palloc(pl, sizeof *gp->initializer * (n_init ? n_init : 1));
    gp->node = palloc(pl, sizeof *gp->node * (n_const + (size_t)g->n_nodes + 1));
    gp->input = palloc(pl, sizeof *gp->input * (size_t)(g->n_inputs ? g->n_inputs : 1));
    gp->output = palloc(pl, sizeof *gp->output * (size_t)(g->n_outputs ? g->n_outputs : 1));
    if (!gp->initializer || !gp->node || !gp->input || !gp->output)
        return -1;
    for (int t = 0; t < g->n_tensors; t++) {
        ir_tensor *tt = &g->tensors[t];
        if (!tt->data || tt->producer >= 0)
            continue;
        if (tt->is_param) {
            if (!(gp->initializer[gp->n_initializer++] = tensor_proto(pl, tt)))
                return -1;
        } else if (!(gp->node[gp->n_node++] = constant_node(pl, tt))) {
            return -1;
        }
    }
    for (int i = 0; i < g->n_nodes; i++)
        if (!(gp->node[gp->n_node++] = node_proto(pl, g, &g->nodes[i])))
            return -1;
    for (int i = 0; i < g->n_inputs; i++)
        if (!(gp->input[gp->n_input++] = value_info(pl, &g->tensors[g->inputs[i]], g->tensors[g->inputs[i]].dynamic_batch)))
            return -1;
    for (int i = 0; i < g->n_outputs; i++)
        if (!(gp->output[gp->n_output++] =
                  value_info(pl, &g->tensors[g->outputs[i]], dynamic && g->tensors[g->outputs[i]].ndim > 0)))
            return -1;
    gp->name = "clcnn";
    return 0;
}

/* Writes buf to path via a temp file in the same folder + rename. */
static clcnn_status write_atomic(const char *path, const uint8_t *buf, size_t len, clcnn_err *err)
{
    size_t n = strlen(path) + 48;
    char *tmp = malloc(n);
    if (!tmp)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory writing '%s'", path);
    /* O_EXCL with mode 0666 so the caller's umask decides the permissions,
     * as for any file a program writes (mkstemp's 0600 made models private;
     * a fixed 0644 ignored a stricter umask). The name holds the pid, a
     * per-call address and a counter; EEXIST only means try the next one. */
    int fd = -1;
    static unsigned counter; /* a race on it only costs an EEXIST retry */
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(tmp, n, "%s.tmp%ld-%lx-%u", path, (long)getpid(),
                 (unsigned long)(uintptr_t)&fd & 0xffffff, counter++);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return err_set(err, CLCNN_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    }
    size_t done = 0;
    int e = 0;
    while (done < len) {
        ssize_t w = write(fd, buf + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            break;
        }
        done += (size_t)w;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        free(tmp);
        return err_set(err, CLCNN_ERR_IO, "cannot write '%s': %s", path, strerror(e));
    }
    free(tmp);
    return CLCNN_OK;
}

clcnn_status onnx_save(const ir_graph *g, const char *path, clcnn_err *err)
{
    if (!g || !path || !path[0])
        return err_set(err, CLCNN_ERR_INVALID_ARG, "onnx_save: no graph or empty path");
    pool pl = {0};
    Onnx__ModelProto mp = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto gp = ONNX__GRAPH_PROTO__INIT;
    Onnx__OperatorSetIdProto ops = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    Onnx__OperatorSetIdProto *opsp = &ops;
    ops.domain = "";
    ops.has_version = 1;
    ops.version = g->opset > 0 ? g->opset : 13;
    mp.has_ir_version = 1;
    mp.ir_version = 8; /* ONNX 1.10+: covers opsets up to 16 */
    mp.n_opset_import = 1;
    mp.opset_import = &opsp;
    mp.producer_name = "clcnn";
    mp.producer_version = CLCNN_VERSION;
    mp.graph = &gp;
    if (fill_graph(&pl, g, &gp) != 0) {
        pool_free(&pl);
        return err_set(err, pl.oom ? CLCNN_ERR_OUT_OF_MEMORY : CLCNN_ERR_GRAPH,
                       pl.oom ? "out of memory encoding '%s'" : "cannot encode '%s': a node's tensor attribute has no data",
                       path);
    }
    size_t len = onnx__model_proto__get_packed_size(&mp);
    uint8_t *buf = malloc(len ? len : 1);
    clcnn_status st;
    if (!buf) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory encoding '%s' (%zu bytes)", path, len);
    } else {
        onnx__model_proto__pack(&mp, buf);
        st = write_atomic(path, buf, len, err);
    }
    free(buf);
    pool_free(&pl);
    return st;
}
