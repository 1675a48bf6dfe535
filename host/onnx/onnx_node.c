/* onnx_node.c — NodeProtos into IR nodes with their attributes. Constant
 * nodes do not become nodes: their value becomes a constant tensor, which is
 * what constant folding and the executors expect. Tensors are looked up or
 * created through the name map, so node order in the file does not matter
 * (ir_toposort sorts afterwards). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_load_priv.h"
#include "../ops/op.h"

typedef Onnx__AttributeProto attr_proto;

/* Older exporters may leave `type` unset; the filled field tells it then. */
static int attr_type(const attr_proto *a)
{
    if (a->has_type)
        return a->type;
    if (a->has_f) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    if (a->has_i) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    if (a->has_s) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    if (a->t) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    if (a->g) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
    if (a->n_floats) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    if (a->n_ints) return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    return ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__UNDEFINED;
}

static const char *attr_type_name(int type)
{
    switch (type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return "TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH: return "GRAPH";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__SPARSE_TENSOR: return "SPARSE_TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: return "STRINGS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSORS: return "TENSORS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPHS: return "GRAPHS";
    default: return "UNDEFINED/other";
    }
}

/* Scalar or 1-D constant from value_float(s)/value_int(s). */
static clcnn_status const_from_list(ir_tensor *t, int dtype, const void *vals, size_t n,
                                    int scalar, clcnn_err *err)
{
    size_t es = ir_dtype_size(dtype);
    void *data = malloc(n ? n * es : 1);
    if (!data)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "tensor '%s': out of memory", t->name);
    if (n)
        memcpy(data, vals, n * es);
    t->dtype = dtype;
    t->ndim = scalar ? 0 : 1;
    t->dims[0] = (int64_t)n;
    t->data = data;
    return CLCNN_OK;
}

/* A node or Constant may not write a graph input or an initializer: the
 * caller's data (or the weight) would be silently replaced. */
static clcnn_status check_writable(const ir_graph *g, int t, const char *nname, clcnn_err *err)
{
    for (int k = 0; k < g->n_inputs; k++)
        if (g->inputs[k] == t)
            return err_set(err, CLCNN_ERR_GRAPH, "node '%s': output '%s' is a graph input (refused)",
                           nname, g->tensors[t].name);
    if (g->tensors[t].data)
        return err_set(err, CLCNN_ERR_GRAPH, "node '%s': output '%s' is produced twice", nname,
                       g->tensors[t].name);
    return CLCNN_OK;
}

static clcnn_status add_constant(ir_graph *g, onnx_names *m, const Onnx__NodeProto *np,
                                 const char *nname, const char *model_dir, clcnn_err *err)
{
    if (np->n_output != 1 || !np->output[0][0] || np->n_attribute != 1)
        return err_set(err, CLCNN_ERR_GRAPH, "node '%s': Constant needs one output and one value attribute",
                       nname);
    int ti = onnx_names_get_or_add(m, g, np->output[0]);
    if (ti < 0)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname);
    clcnn_status st = check_writable(g, ti, nname, err);
    if (st)
        return st;
    ir_tensor *t = &g->tensors[ti];
    const attr_proto *a = np->attribute[0];
    const char *an = a->name ? a->name : "";
    t->is_param = 0;
    if (strcmp(an, "value") == 0 && a->t)
        return onnx_tensor_fill(a->t, t->name, model_dir, t, err);
    if (strcmp(an, "value_float") == 0)
        return const_from_list(t, IR_DT_FLOAT, &a->f, 1, 1, err);
    if (strcmp(an, "value_floats") == 0)
        return const_from_list(t, IR_DT_FLOAT, a->floats, a->n_floats, 0, err);
    if (strcmp(an, "value_int") == 0)
        return const_from_list(t, IR_DT_INT64, &a->i, 1, 1, err);
    if (strcmp(an, "value_ints") == 0)
        return const_from_list(t, IR_DT_INT64, a->ints, a->n_ints, 0, err);
    return err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': Constant attribute '%s' is not supported",
                   nname, an);
}

/* A tensor-valued attribute (ConstantOfShape's value) becomes an unnamed-in-
 * the-file graph tensor "<node>.<attr>" holding the payload, which the node
 * refers to by index (IR_ATTR_TENSOR). Inline data only: the attribute's
 * tensor has no model directory to resolve external data against. */
static clcnn_status add_tensor_attr(ir_graph *g, int ni, const char *an, Onnx__TensorProto *tp,
                                    clcnn_err *err)
{
    const char *nname = g->nodes[ni].name;
    if (!tp)
        return err_set(err, CLCNN_ERR_PARSE, "node '%s': attribute '%s' has no tensor", nname, an);
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': attribute '%s' keeps its tensor in "
                       "external data (not supported)", nname, an);
    char name[300];
    snprintf(name, sizeof name, "%.200s.%.80s", nname, an);
    int t = ir_add_tensor(g, name, IR_DT_UNDEFINED, -1, NULL);
    if (t < 0)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname);
    clcnn_status st = onnx_tensor_fill(tp, name, NULL, &g->tensors[t], err);
    if (st)
        return st;
    g->tensors[t].producer = -1;
    g->tensors[t].is_param = 0;
    return ir_set_attr_tensor(g, ni, an, t)
               ? err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname)
               : CLCNN_OK;
}

static clcnn_status add_attr(ir_graph *g, int ni, const attr_proto *a, clcnn_err *err)
{
    const char *nname = g->nodes[ni].name, *an = a->name ? a->name : "";
    int type = attr_type(a), rc = 0;
    clcnn_status st = onnx_check_attr(g->nodes[ni].op, nname, an, type, err);
    if (st)
        return st;
    for (int k = 0; k < g->nodes[ni].n_attr; k++)
        if (strcmp(g->nodes[ni].attrs[k].name, an) == 0)
            return err_set(err, CLCNN_ERR_PARSE, "node '%s': attribute '%s' is given twice", nname, an);
    switch (type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT: rc = ir_set_attr_int(g, ni, an, a->i); break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT: rc = ir_set_attr_float(g, ni, an, a->f); break;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: {
        int ints = type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
        size_t n = ints ? a->n_ints : a->n_floats;
        if (n > INT_MAX)
            return err_set(err, CLCNN_ERR_PARSE, "node '%s': attribute '%s' is too long", nname, an);
        rc = ints ? ir_set_attr_ints(g, ni, an, a->ints, (int)n)
                  : ir_set_attr_floats(g, ni, an, a->floats, (int)n);
        break;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING: {
        /* protobuf bytes are not NUL-terminated */
        char *s = malloc(a->s.len + 1);
        if (!s)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname);
        if (a->s.len)
            memcpy(s, a->s.data, a->s.len);
        s[a->s.len] = '\0';
        rc = ir_set_attr_string(g, ni, an, s);
        free(s);
        break;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        return add_tensor_attr(g, ni, an, a->t, err);
    default:
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': attribute '%s' of type %s is not supported",
                       nname, an, attr_type_name(type));
    }
    return rc ? err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname) : CLCNN_OK;
}

/* Maps names to tensor indices; "" (an omitted optional) maps to -1. */
static int map_names(ir_graph *g, onnx_names *m, char **names, size_t n, int *idx)
{
    for (size_t k = 0; k < n; k++) {
        idx[k] = -1;
        if (names[k][0] && (idx[k] = onnx_names_get_or_add(m, g, names[k])) < 0)
            return -1;
    }
    return 0;
}

static clcnn_status add_node(ir_graph *g, onnx_names *m, const Onnx__NodeProto *np,
                             const char *nname, clcnn_err *err)
{
    const char *type = np->op_type ? np->op_type : "";
    if (np->domain && np->domain[0] && strcmp(np->domain, "ai.onnx") != 0)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': op '%s' of domain '%s' is not supported",
                       nname, type, np->domain);
    ir_op op = ir_op_from_name(type);
    if (op == IR_OP_COUNT)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': op '%s' (opset %d) is not supported",
                       nname, type, g->opset);
    const op_def *d = op_get(op);
    if (g->opset < d->opset_min || g->opset > d->opset_max)
        return err_set(err, CLCNN_ERR_UNSUPPORTED,
                       "node '%s': op %s at opset %d is not supported (clcnn implements it for opsets %d..%d)",
                       nname, type, g->opset, d->opset_min, d->opset_max);
    if (np->n_input > INT_MAX / 2 || np->n_output > INT_MAX / 2)
        return err_set(err, CLCNN_ERR_PARSE, "node '%s': too many inputs/outputs", nname);
    int *idx = malloc(sizeof(int) * (np->n_input + np->n_output + 1));
    if (!idx)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname);
    int *in = idx, *out = idx + np->n_input, ni = -1;
    if (!map_names(g, m, np->input, np->n_input, in) &&
        !map_names(g, m, np->output, np->n_output, out))
        ni = ir_add_node(g, op, nname, in, (int)np->n_input, out, (int)np->n_output);
    free(idx);
    if (ni < 0)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory", nname);
    for (int k = 0; k < g->nodes[ni].n_out; k++) {
        clcnn_status st = g->nodes[ni].out[k] < 0 ? CLCNN_OK
                                                  : check_writable(g, g->nodes[ni].out[k], nname, err);
        if (st)
            return st;
    }
    for (size_t a = 0; a < np->n_attribute; a++) {
        clcnn_status st = add_attr(g, ni, np->attribute[a], err);
        if (st)
            return st;
    }
    return CLCNN_OK;
}

clcnn_status onnx_add_nodes(ir_graph *g, onnx_names *m, const Onnx__GraphProto *gp,
                            const char *model_dir, clcnn_err *err)
{
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *np = gp->node[i];
        const char *type = np->op_type ? np->op_type : "";
        char synth[160];
        const char *nname = np->name;
        if (!nname || !nname[0]) { /* exporters may leave names out; messages need one */
            snprintf(synth, sizeof synth, "%s_%zu", type, i);
            nname = synth;
        }
        int is_const = strcmp(type, "Constant") == 0 &&
                       (!np->domain || !np->domain[0] || strcmp(np->domain, "ai.onnx") == 0);
        clcnn_status st = is_const ? add_constant(g, m, np, nname, model_dir, err)
                                   : add_node(g, m, np, nname, err);
        if (st)
            return st;
    }
    return CLCNN_OK;
}
