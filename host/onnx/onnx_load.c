/* onnx_load.c — onnx_load: an .onnx file into a sorted, shape-inferred,
 * constant-folded IR graph. Reads the file, unpacks it with protobuf-c,
 * then turns initializers, graph inputs, nodes and outputs into the IR
 * (tensors and nodes by index, via a name map). Every error after the file
 * is opened is prefixed with the file's path. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx.h"
#include "onnx_load_priv.h"
#include "ops/op.h"
#include "passes/passes.h"

/* protobuf's own ceiling for one message. */
#define ONNX_MAX_FILE ((uint64_t)INT32_MAX)
/* What clcnn accepts. IR 3 introduced opset_import; opset 1 ops differ
 * (Pad's paddings, ...) and nothing writes it; the newest is what the onnx
 * release the tests run with writes (1.23: IR 14, opset 28). Outside these a
 * file is from an ONNX clcnn does not know, or forged. */
#define ONNX_IR_MIN 3
#define ONNX_IR_MAX 14
#define ONNX_OPSET_MIN 2
#define ONNX_OPSET_MAX OP_OPSET_LATEST /* host/ops/op.h: the descriptors' upper bound */

/* Reads the whole file into a new buffer; *len may be 0. Opened with
 * O_NONBLOCK and checked with fstat before any read: a FIFO (or a symlink to
 * one) in place of the model must fail, not block open() forever. */
/* The file's bytes live in an anonymous mapping of their own, so that the
 * streamed unpack can give each weight's pages back once it is copied
 * (onnx_stream.c). */
static size_t map_len(off_t size)
{
    return size ? (size_t)size : 1;
}

static clcnn_status read_file(const char *path, uint8_t **buf, size_t *len, clcnn_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, CLCNN_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat sb;
    clcnn_status st = CLCNN_OK;
    uint8_t *b = NULL;
    size_t got = 0;
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        st = err_set(err, CLCNN_ERR_IO, "cannot read '%s': not a regular file", path);
    } else if ((uint64_t)sb.st_size > ONNX_MAX_FILE) {
        st = err_set(err, CLCNN_ERR_UNSUPPORTED, "'%s': %lld bytes is over the 2 GiB protobuf limit",
                     path, (long long)sb.st_size);
    } else if ((b = mmap(NULL, map_len(sb.st_size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                         -1, 0)) == MAP_FAILED) {
        b = NULL;
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "'%s': out of memory reading %lld bytes", path,
                     (long long)sb.st_size);
    } else {
        /* a hint (ignored where transparent huge pages are off): the read
         * then faults a 27 MB model in 2 MiB pages, not 4 KiB ones (MnasNet's
         * load 22 -> 20 ms); the streamed unpack's give-back still works */
#ifdef MADV_HUGEPAGE
        (void)madvise(b, map_len(sb.st_size), MADV_HUGEPAGE);
#endif
        while (got < (size_t)sb.st_size) {
            ssize_t r = read(fd, b + got, (size_t)sb.st_size - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                st = err_set(err, CLCNN_ERR_IO, "cannot read '%s': %s", path,
                             r < 0 ? strerror(errno) : "file shrank while reading");
                break;
            }
            got += (size_t)r;
        }
    }
    close(fd);
    if (st) {
        if (b)
            munmap(b, map_len(sb.st_size));
        return st;
    }
    *buf = b;
    *len = (size_t)sb.st_size;
    return CLCNN_OK;
}

/* The model's real folder, against which external data locations resolve. */
static char *model_dir_of(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return NULL;
    char *slash = strrchr(real, '/');
    if (slash == real)
        slash[1] = '\0'; /* the model sits in "/" */
    else if (slash)
        *slash = '\0';
    return real;
}

static clcnn_status read_opset(ir_graph *g, const Onnx__ModelProto *mp, clcnn_err *err)
{
    if (!mp->has_ir_version || mp->ir_version < ONNX_IR_MIN || mp->ir_version > ONNX_IR_MAX)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "ir_version %lld is not supported (clcnn reads %d..%d)",
                       mp->has_ir_version ? (long long)mp->ir_version : 0LL, ONNX_IR_MIN, ONNX_IR_MAX);
    int64_t v = 0;
    for (size_t i = 0; i < mp->n_opset_import; i++) {
        const char *d = mp->opset_import[i]->domain;
        if (!d || !d[0] || strcmp(d, "ai.onnx") == 0)
            v = mp->opset_import[i]->version;
    }
    if (v <= 0)
        return err_set(err, CLCNN_ERR_PARSE, "no opset_import for the default ONNX domain");
    if (v < ONNX_OPSET_MIN || v > ONNX_OPSET_MAX)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "opset %lld is not supported (clcnn reads %d..%d)",
                       (long long)v, ONNX_OPSET_MIN, ONNX_OPSET_MAX);
    g->opset = (int)v;
    return CLCNN_OK;
}

static clcnn_status add_initializers(ir_graph *g, onnx_names *m, const Onnx__GraphProto *gp,
                                     const char *dir, clcnn_err *err)
{
    for (size_t i = 0; i < gp->n_initializer; i++) {
        Onnx__TensorProto *tp = gp->initializer[i];
        const char *name = tp->name ? tp->name : "";
        if (!name[0])
            return err_set(err, CLCNN_ERR_PARSE, "initializer %zu has no name", i);
        if (onnx_names_find(m, g, name) >= 0)
            return err_set(err, CLCNN_ERR_GRAPH, "initializer '%s' is given twice", name);
        int t = ir_add_tensor(g, name, IR_DT_UNDEFINED, -1, NULL);
        if (t < 0 || onnx_names_put(m, g, t))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory adding initializer '%s'", name);
        g->tensors[t].is_param = 1;
        clcnn_status st = onnx_tensor_fill(tp, name, dir, &g->tensors[t], err);
        if (st)
            return st;
    }
    return CLCNN_OK;
}

/* Shape of a graph input: a symbolic or missing batch dim (axis 0) is planned
 * as 1 and recorded as dynamic_batch (a session re-plans for the batch it is
 * given); any other unknown dim cannot be planned for. */
static clcnn_status input_shape(const Onnx__ValueInfoProto *vi, ir_tensor *t, clcnn_err *err)
{
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "input '%s': not a tensor", t->name);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    /* float32 usually; any type the IR stores (int64 indices, a bool mask) */
    if (!tt->has_elem_type || !ir_dtype_size(tt->elem_type))
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "input '%s': element type %s is not supported",
                       t->name, ir_dtype_name(tt->has_elem_type ? (int)tt->elem_type : 0));
    if (!tt->shape)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "input '%s': no shape given", t->name);
    int64_t dims[IR_MAX_DIMS];
    size_t nd = tt->shape->n_dim;
    if (nd > IR_MAX_DIMS)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "input '%s': %zu dims (clcnn handles up to %d)",
                       t->name, nd, IR_MAX_DIMS);
    for (size_t d = 0; d < nd; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
        if (dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
            dims[d] = dim->dim_value;
        else if (d == 0)
            dims[d] = 1, t->dynamic_batch = 1;
        else
            return err_set(err, CLCNN_ERR_UNSUPPORTED, "input '%s': dim %zu ('%s') is not fixed",
                           t->name, d,
                           dim->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ? dim->dim_param : "?");
    }
    clcnn_status st = onnx_check_dims(dims, nd, t->name, err);
    if (st)
        return st;
    t->dtype = tt->elem_type;
    t->ndim = (int)nd;
    memcpy(t->dims, dims, sizeof(int64_t) * nd);
    return CLCNN_OK;
}

static clcnn_status add_inputs(ir_graph *g, onnx_names *m, const Onnx__GraphProto *gp, clcnn_err *err)
{
    g->inputs = malloc(sizeof(int) * (gp->n_input + 1));
    if (!g->inputs)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < gp->n_input; i++) {
        const char *name = gp->input[i]->name ? gp->input[i]->name : "";
        int t = onnx_names_find(m, g, name);
        if (t >= 0 && g->tensors[t].data)
            continue; /* IR < 4 lists initializers as inputs too */
        if (t >= 0 || !name[0])
            return err_set(err, CLCNN_ERR_GRAPH, "graph input '%s' is listed twice or has no name", name);
        t = ir_add_tensor(g, name, IR_DT_UNDEFINED, -1, NULL);
        if (t < 0 || onnx_names_put(m, g, t))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory adding input '%s'", name);
        clcnn_status st = input_shape(gp->input[i], &g->tensors[t], err);
        if (st)
            return st;
        g->inputs[g->n_inputs++] = t;
    }
    return CLCNN_OK;
}

static clcnn_status add_outputs(ir_graph *g, onnx_names *m, const Onnx__GraphProto *gp, clcnn_err *err)
{
    if (!gp->n_output)
        return err_set(err, CLCNN_ERR_GRAPH, "the graph has no outputs");
    g->outputs = malloc(sizeof(int) * gp->n_output);
    if (!g->outputs)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name ? gp->output[i]->name : "";
        int t = onnx_names_get_or_add(m, g, name);
        if (t < 0)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory adding output '%s'", name);
        g->outputs[g->n_outputs++] = t;
    }
    return CLCNN_OK;
}

/* Run after ir_toposort set producers: an output nothing computes is an error
 * here rather than an uninitialised buffer later. */
static clcnn_status check_outputs(const ir_graph *g, clcnn_err *err)
{
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        int is_input = 0;
        for (int k = 0; k < g->n_inputs; k++)
            is_input |= g->inputs[k] == g->outputs[i];
        if (t->producer < 0 && !t->data && !is_input)
            return err_set(err, CLCNN_ERR_GRAPH, "graph output '%s' is not produced by any node", t->name);
    }
    return CLCNN_OK;
}

/* After inference: a declared output element type must be what the graph
 * computes (a caller reading "float" bytes that are int64 reads garbage). */
static clcnn_status check_output_types(const ir_graph *g, const Onnx__GraphProto *gp, clcnn_err *err)
{
    for (int i = 0; i < g->n_outputs && (size_t)i < gp->n_output; i++) {
        const Onnx__TypeProto *tp = gp->output[i]->type;
        if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type ||
            !tp->tensor_type->has_elem_type || tp->tensor_type->elem_type == 0)
            continue; /* undeclared: nothing to contradict */
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (tp->tensor_type->elem_type != t->dtype)
            return err_set(err, CLCNN_ERR_GRAPH,
                           "graph output '%s' is declared with element type %s but the graph computes %s",
                           t->name, ir_dtype_name((int)tp->tensor_type->elem_type),
                           ir_dtype_name(t->dtype));
    }
    return CLCNN_OK;
}

/* Training-mode BatchNormalization becomes plain ops in the model's own graph
 * (passes/bn_training.c), so every executor runs one form: the reference, the
 * OpenCL plan, and `compare`, whose OpenCL arm plans this graph without the
 * session's passes (the bn kernel computes only the inference form). After
 * folding, which needs the shapes it infers and folds a constant-input BN
 * through bn_ref's own training form. */
static clcnn_status spell_training(ir_graph *g, clcnn_err *err)
{
    int n = 0;
    clcnn_status st = pass_bn_training(g, &n, err);
    return st || !n ? st : ops_infer_graph(g, err);
}

static clcnn_status build(ir_graph *g, Onnx__ModelProto *mp, const char *dir, clcnn_err *err)
{
    const Onnx__GraphProto *gp = mp->graph;
    onnx_names m;
    if (onnx_names_init(&m, (int)(gp->n_initializer + gp->n_node * 2 + gp->n_input + 16)))
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory");
    clcnn_status st = read_opset(g, mp, err);
    if (!st)
        st = add_initializers(g, &m, gp, dir, err);
    if (!st)
        st = add_inputs(g, &m, gp, err);
    if (!st)
        st = onnx_add_nodes(g, &m, gp, dir, err);
    if (!st)
        st = add_outputs(g, &m, gp, err);
    onnx_names_free(&m);
    if (!st)
        st = ir_toposort(g, err);
    if (!st)
        st = check_outputs(g, err);
    if (!st)
        st = ops_fold_constants(g, err);
    if (!st)
        st = spell_training(g, err);
    if (!st)
        st = check_output_types(g, gp, err);
    return st;
}

/* "path: msg" in place, so every message names the file at fault. */
static void prefix_err(clcnn_err *err, const char *path)
{
    if (!err)
        return;
    char tmp[CLCNN_ERR_MSG_LEN];
    memcpy(tmp, err->msg, sizeof tmp);
    err_set(err, err->status, "%s: %s", path, tmp);
}

/* protobuf-c copies every bytes field out of the file's buffer. Its blocks of
 * a page or more are made as ir_data_alloc makes a tensor's, so that
 * onnx_tensor_fill takes a weight's raw_data as the tensor's payload instead
 * of copying it once more (one copy of the weights in memory, not two). */
static void *pb_alloc(void *unused, size_t n)
{
    (void)unused;
    return n >= IR_PAGE ? ir_data_alloc(n) : malloc(n);
}

static void pb_free(void *unused, void *p)
{
    (void)unused;
    free(p);
}

/* Unpacks buf (after the nesting pre-scan) into *mp. Errors are not yet
 * prefixed. */
static clcnn_status unpack(const uint8_t *buf, size_t len, uint8_t *own, ProtobufCAllocator *a,
                           Onnx__ModelProto **mp, clcnn_err *err)
{
    if (!len)
        return err_set(err, CLCNN_ERR_PARSE, "not a valid ONNX model (empty file)");
    clcnn_status st = onnx_wire_check(buf, len, err);
    if (st)
        return st;
    *mp = onnx_unpack_streamed(buf, len, own, a);
    if (!*mp || !(*mp)->graph) {
        if (*mp)
            onnx__model_proto__free_unpacked(*mp, a);
        st = err_set(err, CLCNN_ERR_PARSE, "not a valid ONNX model (%s)",
                     *mp ? "no graph" : "protobuf parse failed");
        *mp = NULL;
    }
    return st;
}

/* Builds the graph from mp and frees mp; dir is the folder external data
 * resolves against (NULL: none allowed). Errors are not yet prefixed. */
static clcnn_status build_graph(Onnx__ModelProto *mp, ProtobufCAllocator *a, const char *dir,
                                ir_graph **out, clcnn_err *err)
{
    ir_graph *g = ir_graph_new();
    clcnn_status st = g ? build(g, mp, dir, err) : err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory");
    onnx__model_proto__free_unpacked(mp, a);
    if (st) {
        ir_graph_free(g);
        return st;
    }
    *out = g;
    return CLCNN_OK;
}

clcnn_status onnx_load(const char *path, ir_graph **out, clcnn_err *err)
{
    if (!path || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "onnx_load: path and out must not be NULL");
    uint8_t *buf = NULL;
    size_t len = 0;
    clcnn_status st = read_file(path, &buf, &len, err);
    if (st)
        return st;
    char *dir = model_dir_of(path);
    ProtobufCAllocator a = {pb_alloc, pb_free, NULL};
    Onnx__ModelProto *mp = NULL;
    if (!dir)
        st = err_set(err, CLCNN_ERR_IO, "cannot resolve the folder of '%s': %s", path, strerror(errno));
    else
        st = unpack(buf, len, buf, &a, &mp, err);
    munmap(buf, map_len((off_t)len)); /* before the graph is built: the file's bytes,
                  the unpacked message and the graph are never all in memory at once */
    if (!st)
        st = build_graph(mp, &a, dir, out, err);
    free(dir);
    if (st)
        prefix_err(err, path);
    return st;
}

clcnn_status onnx_load_mem(const void *buf, size_t len, const char *name, ir_graph **out,
                           clcnn_err *err)
{
    if (!buf || !out)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "onnx_load_mem: buf and out must not be NULL");
    if ((uint64_t)len > ONNX_MAX_FILE)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "%s: %zu bytes is over the 2 GiB protobuf limit",
                       name ? name : "<memory>", len);
    ProtobufCAllocator a = {pb_alloc, pb_free, NULL};
    Onnx__ModelProto *mp = NULL;
    clcnn_status st = unpack(buf, len, NULL, &a, &mp, err); /* the caller's bytes: kept */
    if (!st)
        st = build_graph(mp, &a, NULL, out, err);
    if (st)
        prefix_err(err, name ? name : "<memory>");
    return st;
}
