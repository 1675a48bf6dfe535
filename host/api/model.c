/* model.c — the clcnn_model: loading (ONNX file or built-in name), its
 * inputs/outputs, and the per-layer facts the summary shows (params counted
 * once per weight, BN running statistics as Keras's non-trainable ones). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "../onnx/onnx.h"
#include "../ops/op.h"

/* A bare word without a path separator or .onnx suffix may name a built-in. */
static int looks_like_arch(const char *name)
{
    size_t n = strlen(name);
    return !strchr(name, '/') && !(n > 5 && strcmp(name + n - 5, ".onnx") == 0);
}

clcnn_status clcnn_model_load(clcnn_context *ctx, const char *path, clcnn_model **out)
{
    clcnn_err err = {0};
    if (!ctx || !path || !out)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG,
                                          "clcnn_model_load: ctx, path and out must not be NULL", NULL});
    *out = NULL;
    char found[4096];
    if (clcnn_model_find(path, found, sizeof found, NULL, 0) != CLCNN_OK) {
        if (looks_like_arch(path)) /* unknown names get the list of built-ins */
            return clcnn_model_builtin(ctx, path, NULL, out);
        snprintf(found, sizeof found, "%s", path); /* onnx_load names the file it cannot open */
    }
    ir_graph *g = NULL;
    clcnn_status st = onnx_load(found, &g, &err);
    if (st != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    if ((st = api_model_from_graph(ctx, g, out)) == CLCNN_OK && !((*out)->path = strdup(found))) {
        clcnn_model_destroy(*out);
        *out = NULL;
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_OUT_OF_MEMORY, "clcnn_model_load: out of memory",
                                          NULL});
    }
    return st;
}

clcnn_status clcnn_model_load_mem(clcnn_context *ctx, const void *buf, size_t len,
                                  const char *name, clcnn_model **out)
{
    clcnn_err err = {0};
    if (out)
        *out = NULL;
    if (!ctx || !buf || !out)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG,
                                          "clcnn_model_load_mem: ctx, buf and out must not be NULL", NULL});
    ir_graph *g = NULL;
    clcnn_status st = onnx_load_mem(buf, len, name, &g, &err);
    if (st != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    if ((st = api_model_from_graph(ctx, g, out)) == CLCNN_OK && name &&
        !((*out)->path = strdup(name))) {
        clcnn_model_destroy(*out);
        *out = NULL;
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_OUT_OF_MEMORY,
                                          "clcnn_model_load_mem: out of memory", NULL});
    }
    return st;
}

const char *clcnn_model_path(const clcnn_model *m)
{
    return m ? m->path : NULL;
}

/* Fills layer i's params (each is_param initializer counted at its first
 * reader) and producer links. */
static clcnn_status build_layers(clcnn_model *m, clcnn_err *err)
{
    const ir_graph *g = m->g;
    m->n_layers = g->n_nodes;
    m->layers = calloc((size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(api_layer));
    char *counted = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), 1);
    if (!m->layers || !counted) {
        free(counted);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory building the layer table");
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        api_layer *L = &m->layers[i];
        L->node = i;
        L->inputs = malloc(sizeof(int) * (size_t)(n->n_in ? n->n_in : 1));
        if (!L->inputs) {
            free(counted);
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory building the layer table");
        }
        for (int k = 0; k < n->n_in; k++) {
            int t = n->in[k];
            if (t < 0)
                continue;
            const ir_tensor *tt = &g->tensors[t];
            if (tt->data) {
                if (tt->is_param && !counted[t]) {
                    counted[t] = 1;
                    L->params += ir_numel(tt);
                    /* BatchNormalization inputs 3 and 4: running mean and variance */
                    if (n->op == IR_OP_BATCHNORM && (k == 3 || k == 4))
                        L->non_trainable += ir_numel(tt);
                }
                continue;
            }
            L->inputs[L->n_inputs++] = tt->producer;
        }
        const op_def *od = op_get(n->op);
        L->macs = (od && od->macs) ? od->macs(g, n) : 0;
    }
    free(counted);
    return CLCNN_OK;
}

clcnn_status api_model_from_graph(clcnn_context *ctx, ir_graph *g, clcnn_model **out)
{
    clcnn_err err = {0};
    clcnn_model *m = calloc(1, sizeof *m);
    if (!m) {
        ir_graph_free(g);
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_OUT_OF_MEMORY, "out of memory", NULL});
    }
    m->ctx = ctx;
    m->g = g;
    clcnn_status st = build_layers(m, &err);
    if (st != CLCNN_OK) {
        clcnn_model_destroy(m);
        api_fail(ctx, &err);
        err_clear(&err);
        return st;
    }
    *out = m;
    return CLCNN_OK;
}

void clcnn_model_destroy(clcnn_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_layers && m->layers; i++)
        free(m->layers[i].inputs);
    free(m->layers);
    ir_graph_free(m->g);
    free(m->path);
    free(m);
}

int clcnn_model_num_inputs(const clcnn_model *m) { return m ? m->g->n_inputs : 0; }
int clcnn_model_num_outputs(const clcnn_model *m) { return m ? m->g->n_outputs : 0; }

/* dynamic: dim 0 of t is a batch a session may change at run time (an input
 * that was symbolic there; every output of a model with such an input). */
static clcnn_status tensor_info(const ir_tensor *t, int dynamic, clcnn_tensor_info *out)
{
    memset(out, 0, sizeof *out);
    out->name = t->name;
    out->ndim = t->ndim;
    for (int d = 0; d < t->ndim && d < CLCNN_MAX_DIMS; d++)
        out->dims[d] = t->dims[d];
    out->dtype = (clcnn_dtype)t->dtype;
    out->dynamic_batch = dynamic;
    return CLCNN_OK;
}

clcnn_status api_model_whole(const clcnn_model *m, const char *who, clcnn_err *err)
{
    if (!m->weights_released)
        return CLCNN_OK;
    return err_set(err, CLCNN_ERR_INVALID_ARG,
                   "%s: model '%s' belongs to a session that freed its weights "
                   "(clcnn_session_create_owning); load it again", who, m->path ? m->path : "(built-in)");
}

int api_model_dynamic(const clcnn_model *m)
{
    for (int i = 0; i < m->g->n_inputs; i++)
        if (m->g->tensors[m->g->inputs[i]].dynamic_batch)
            return 1;
    return 0;
}

clcnn_status clcnn_model_input(const clcnn_model *m, int i, clcnn_tensor_info *out)
{
    if (!m || !out || i < 0 || i >= m->g->n_inputs)
        return CLCNN_ERR_INVALID_ARG;
    const ir_tensor *t = &m->g->tensors[m->g->inputs[i]];
    return tensor_info(t, t->dynamic_batch, out);
}

clcnn_status clcnn_model_output(const clcnn_model *m, int i, clcnn_tensor_info *out)
{
    if (!m || !out || i < 0 || i >= m->g->n_outputs)
        return CLCNN_ERR_INVALID_ARG;
    return tensor_info(&m->g->tensors[m->g->outputs[i]], api_model_dynamic(m), out);
}

const char *clcnn_model_output_op(const clcnn_model *m, int i)
{
    if (!m || i < 0 || i >= m->g->n_outputs)
        return "";
    int p = m->g->tensors[m->g->outputs[i]].producer;
    while (p >= 0) {
        const ir_node *n = &m->g->nodes[p];
        if (n->op != IR_OP_FLATTEN && n->op != IR_OP_RESHAPE && n->op != IR_OP_SQUEEZE)
            return ir_op_name(n->op);
        p = m->g->tensors[n->in[0]].producer;
    }
    return "";
}

int clcnn_model_num_layers(const clcnn_model *m) { return m ? m->n_layers : 0; }

clcnn_status clcnn_model_layer(const clcnn_model *m, int i, clcnn_layer_info *out)
{
    if (!m || !out || i < 0 || i >= m->n_layers)
        return CLCNN_ERR_INVALID_ARG;
    const api_layer *L = &m->layers[i];
    const ir_node *n = &m->g->nodes[L->node];
    memset(out, 0, sizeof *out);
    out->name = n->name;
    out->op = ir_op_name(n->op);
    if (n->n_out > 0 && n->out[0] >= 0) {
        const ir_tensor *t = &m->g->tensors[n->out[0]];
        out->ndim = t->ndim;
        for (int d = 0; d < t->ndim; d++)
            out->dims[d] = t->dims[d];
    }
    out->params = L->params;
    out->non_trainable = L->non_trainable;
    out->macs = L->macs;
    out->n_inputs = L->n_inputs;
    out->inputs = L->inputs;
    return CLCNN_OK;
}
