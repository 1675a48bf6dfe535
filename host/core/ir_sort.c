/* ir_sort.c — topological order and dead-node pruning for the graph IR.
 * Kahn's algorithm over tensor producers; the file order is kept wherever it
 * is already valid, which keeps summaries readable and diffs stable. */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

/* Sets every tensor's producer; fails on a tensor written by two nodes. */
static clcnn_status set_producers(ir_graph *g, clcnn_err *err)
{
    for (int t = 0; t < g->n_tensors; t++)
        g->tensors[t].producer = -1;
    for (int i = 0; i < g->n_nodes; i++) {
        ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_out; k++) {
            int t = n->out[k];
            if (t < 0)
                continue;
            if (g->tensors[t].producer >= 0 || g->tensors[t].data)
                return err_set(err, CLCNN_ERR_GRAPH, "node '%s': output '%s' is produced twice",
                               n->name, g->tensors[t].name);
            g->tensors[t].producer = i;
        }
    }
    return CLCNN_OK;
}

static int is_graph_input(const ir_graph *g, int t)
{
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == t)
            return 1;
    return 0;
}

clcnn_status ir_toposort(ir_graph *g, clcnn_err *err)
{
    clcnn_status st = set_producers(g, err);
    if (st)
        return st;
    int n = g->n_nodes;
    int *pending = calloc((size_t)(n ? n : 1), sizeof(int)); /* unmet inputs per node */
    int *order = malloc(sizeof(int) * (size_t)(n ? n : 1));
    char *done = calloc((size_t)(n ? n : 1), 1);
    ir_node *sorted = malloc(sizeof(ir_node) * (size_t)(n ? n : 1));
    if (!pending || !order || !done || !sorted) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory sorting the graph");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        ir_node *nd = &g->nodes[i];
        for (int k = 0; k < nd->n_in; k++) {
            int t = nd->in[k];
            if (t < 0)
                continue;
            const ir_tensor *tt = &g->tensors[t];
            if (tt->producer < 0 && !tt->data && !is_graph_input(g, t)) {
                st = err_set(err, CLCNN_ERR_GRAPH,
                             "node '%s': input '%s' is not produced by any node, initializer or graph input",
                             nd->name, tt->name);
                goto out;
            }
            if (tt->producer >= 0)
                pending[i]++;
        }
    }
    /* Repeated sweeps in file order: O(n^2) worst case, but graphs are a few
     * thousand nodes and the common case (already sorted) is one sweep. */
    int count = 0, progress = 1;
    while (count < n && progress) {
        progress = 0;
        for (int i = 0; i < n; i++) {
            if (done[i] || pending[i])
                continue;
            done[i] = 1;
            order[count++] = i;
            progress = 1;
            ir_node *nd = &g->nodes[i];
            for (int j = 0; j < n; j++) {
                if (done[j])
                    continue;
                ir_node *c = &g->nodes[j];
                for (int k = 0; k < c->n_in; k++)
                    for (int o = 0; o < nd->n_out; o++)
                        if (c->in[k] >= 0 && c->in[k] == nd->out[o])
                            pending[j]--;
            }
        }
    }
    if (count < n) {
        for (int i = 0; i < n; i++)
            if (!done[i]) {
                st = err_set(err, CLCNN_ERR_GRAPH, "node '%s' is on a cycle", g->nodes[i].name);
                goto out;
            }
    }
    for (int i = 0; i < n; i++)
        sorted[i] = g->nodes[order[i]];
    if (n) /* a graph of constants only has no node array: memcpy(NULL) is UB */
        memcpy(g->nodes, sorted, sizeof(ir_node) * (size_t)n);
    st = set_producers(g, err);
out:
    free(pending);
    free(order);
    free(done);
    free(sorted);
    return st;
}

clcnn_status ir_prune(ir_graph *g, clcnn_err *err)
{
    int nt = g->n_tensors, nn = g->n_nodes;
    char *live_t = calloc((size_t)(nt ? nt : 1), 1);
    char *live_n = calloc((size_t)(nn ? nn : 1), 1);
    int *remap = malloc(sizeof(int) * (size_t)(nt ? nt : 1));
    clcnn_status st = CLCNN_OK;
    if (!live_t || !live_n || !remap) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory pruning the graph");
        goto out;
    }
    st = set_producers(g, err);
    if (st)
        goto out;
    for (int i = 0; i < g->n_outputs; i++)
        live_t[g->outputs[i]] = 1;
    for (int i = 0; i < g->n_inputs; i++)
        live_t[g->inputs[i]] = 1;
    /* Nodes are topologically sorted: one backward sweep marks everything. */
    for (int i = nn - 1; i >= 0; i--) {
        ir_node *nd = &g->nodes[i];
        int used = 0;
        for (int k = 0; k < nd->n_out; k++)
            if (nd->out[k] >= 0 && live_t[nd->out[k]])
                used = 1;
        if (!used)
            continue;
        live_n[i] = 1;
        for (int k = 0; k < nd->n_out; k++)
            if (nd->out[k] >= 0)
                live_t[nd->out[k]] = 1;
        for (int k = 0; k < nd->n_in; k++)
            if (nd->in[k] >= 0)
                live_t[nd->in[k]] = 1;
        for (int a = 0; a < nd->n_attr; a++) /* a tensor attribute's payload */
            if (nd->attrs[a].type == IR_ATTR_TENSOR && nd->attrs[a].t >= 0)
                live_t[nd->attrs[a].t] = 1;
    }
    int w = 0;
    for (int t = 0; t < nt; t++) {
        if (live_t[t]) {
            remap[t] = w;
            g->tensors[w++] = g->tensors[t];
        } else {
            remap[t] = -1;
            free(g->tensors[t].name);
            ir_tensor_drop_data(&g->tensors[t]);
        }
    }
    g->n_tensors = w;
    w = 0;
    for (int i = 0; i < nn; i++) {
        ir_node *nd = &g->nodes[i];
        if (!live_n[i]) {
            ir_node_release(nd);
            continue;
        }
        for (int k = 0; k < nd->n_in; k++)
            nd->in[k] = nd->in[k] >= 0 ? remap[nd->in[k]] : -1;
        for (int k = 0; k < nd->n_out; k++)
            nd->out[k] = nd->out[k] >= 0 ? remap[nd->out[k]] : -1;
        for (int a = 0; a < nd->n_attr; a++)
            if (nd->attrs[a].type == IR_ATTR_TENSOR && nd->attrs[a].t >= 0)
                nd->attrs[a].t = remap[nd->attrs[a].t];
        g->nodes[w++] = *nd;
    }
    g->n_nodes = w;
    for (int i = 0; i < g->n_inputs; i++)
        g->inputs[i] = remap[g->inputs[i]];
    for (int i = 0; i < g->n_outputs; i++)
        g->outputs[i] = remap[g->outputs[i]];
    st = set_producers(g, err);
out:
    free(live_t);
    free(live_n);
    free(remap);
    return st;
}
