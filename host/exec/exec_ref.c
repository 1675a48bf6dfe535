/* exec_ref.c — the reference executor: one host buffer per non-constant
 * tensor, nodes run in graph order on op_get(op)->ref, graph outputs copied
 * out as float32. Intermediates are freed after their last reader unless the
 * caller asked for every buffer (compare's node-by-node diff). */
#include "exec_ref.h"

#include <stdlib.h>
#include <string.h>

#include "exec_out.h"
#include "../ops/op.h"

void exec_ref_free_bufs(const ir_graph *g, void **bufs)
{
    if (!bufs)
        return;
    for (int t = 0; t < g->n_tensors; t++)
        if (!g->tensors[t].data)
            free(bufs[t]);
    free(bufs);
}

/* last[t] = index of the last node reading t, or n_nodes for graph outputs
 * and tensors that must survive. */
static int *last_uses(const ir_graph *g)
{
    int *last = malloc(sizeof(int) * (size_t)(g->n_tensors ? g->n_tensors : 1));
    if (!last)
        return NULL;
    for (int t = 0; t < g->n_tensors; t++)
        last[t] = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] >= 0)
                last[g->nodes[i].in[k]] = i;
    for (int i = 0; i < g->n_outputs; i++)
        last[g->outputs[i]] = g->n_nodes;
    return last;
}

/* Hands output i over: in its own dtype when raw, else converted to float32. */
static void copy_out(const ir_tensor *t, const void *src, void *dst, int raw)
{
    if (raw)
        memcpy(dst, src, ir_nbytes(t));
    else
        exec_to_float(t->dtype, src, ir_numel(t), dst);
}

static clcnn_status run(const ir_graph *g, const float *const *inputs, void *const *outputs,
                        int raw, void ***all_bufs, clcnn_err *err)
{
    void **bufs = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof(void *));
    int *last = last_uses(g);
    clcnn_status st = CLCNN_OK;
    if (!bufs || !last) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "reference executor: out of memory");
        goto done;
    }
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].data)
            bufs[t] = g->tensors[t].data;
    for (int i = 0; i < g->n_inputs; i++) {
        const ir_tensor *t = &g->tensors[g->inputs[i]];
        size_t nb = ir_nbytes(t);
        if (!(bufs[g->inputs[i]] = malloc(nb ? nb : 1))) {
            st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "input '%s': out of memory", t->name);
            goto done;
        }
        if (nb)
            memcpy(bufs[g->inputs[i]], inputs[i], nb);
    }
    for (int i = 0; i < g->n_nodes && !st; i++) {
        const ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_out; k++) {
            int t = n->out[k];
            if (t < 0 || bufs[t])
                continue;
            size_t nb = ir_nbytes(&g->tensors[t]);
            if (g->tensors[t].ndim < 0)
                st = err_set(err, CLCNN_ERR_INTERNAL, "tensor '%s' has no inferred shape",
                             g->tensors[t].name);
            else if (!(bufs[t] = calloc(1, nb ? nb : 1)))
                st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s': out of memory for '%s' (%zu bytes)",
                             n->name, g->tensors[t].name, nb);
            if (st)
                goto done;
        }
        const op_def *d = op_get(n->op);
        if (!d || !d->ref) {
            st = err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': no reference for op %s", n->name,
                         ir_op_name(n->op) ? ir_op_name(n->op) : "?");
            goto done;
        }
        if ((st = d->ref(g, n, bufs, err)))
            goto done;
        for (int k = 0; k < n->n_in && !all_bufs; k++) { /* free after the last reader */
            int t = n->in[k];
            if (t >= 0 && last[t] == i && !g->tensors[t].data) {
                free(bufs[t]);
                bufs[t] = NULL;
            }
        }
    }
    for (int i = 0; i < g->n_outputs; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        if (!bufs[g->outputs[i]]) {
            st = err_set(err, CLCNN_ERR_INTERNAL, "output '%s' was never computed", t->name);
            goto done;
        }
        copy_out(t, bufs[g->outputs[i]], outputs[i], raw);
    }
    if (all_bufs) {
        *all_bufs = bufs;
        bufs = NULL;
    }
done:
    if (bufs)
        exec_ref_free_bufs(g, bufs);
    free(last);
    return st;
}

clcnn_status exec_ref_run(const ir_graph *g, const float *const *inputs, float *const *outputs,
                          void ***all_bufs, clcnn_err *err)
{
    return run(g, inputs, (void *const *)outputs, 0, all_bufs, err);
}

clcnn_status exec_ref_run_raw(const ir_graph *g, const float *const *inputs, void *const *outputs,
                              clcnn_err *err)
{
    return run(g, inputs, outputs, 1, NULL, err);
}
