/* precision.c — pass_precision: which float tensors the OpenCL plan stores as
 * half, and the conversions at the boundaries (see precision.h). Storage is
 * decided per node, not per tensor: a kernel is built for one storage of all
 * its float buffers, so a node whose input is stored otherwise reads a
 * converted copy. Conversions are explicit Cast nodes: the plan needs no
 * mixed-storage kernels, and `summary`/`bench` show them like any node. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "precision.h"

static int is_float(const ir_graph *g, int t)
{
    return t >= 0 && g->tensors[t].dtype == IR_DT_FLOAT;
}

/* A float tensor shaped like t, named t's name + suffix, with the given storage; -1 on OOM. */
static int add_like(ir_graph *g, int t, const char *suffix, int half)
{
    char name[512];
    snprintf(name, sizeof name, "%s%s", g->tensors[t].name, suffix);
    int64_t dims[IR_MAX_DIMS];
    const int ndim = g->tensors[t].ndim;
    memcpy(dims, g->tensors[t].dims, sizeof dims);
    int u = ir_add_tensor(g, name, IR_DT_FLOAT, ndim, dims);
    if (u >= 0)
        g->tensors[u].half = half;
    return u;
}

/* Cast(src) -> dst with to = FLOAT: a storage conversion (both are float32). */
static int add_cast(ir_graph *g, int src, int dst)
{
    const int in[1] = {src}, out[1] = {dst};
    int k = ir_add_node(g, IR_OP_CAST, g->tensors[dst].name, in, 1, out, 1);
    if (k < 0 || ir_set_attr_int(g, k, "to", IR_DT_FLOAT) != 0)
        return -1;
    g->tensors[dst].producer = k;
    return k;
}

static int has_float(const ir_graph *g, const ir_node *n)
{
    for (int k = 0; k < n->n_in; k++)
        if (is_float(g, n->in[k]))
            return 1;
    for (int k = 0; k < n->n_out; k++)
        if (is_float(g, n->out[k]))
            return 1;
    return 0;
}

/* The converted copy of tensor t in storage s (made on first use); -1 on OOM. */
static int converted(ir_graph *g, int *to, int t, int s, int *casts)
{
    if (to[t] >= 0)
        return to[t];
    int u = add_like(g, t, s ? "#fp16" : "#fp32", s);
    if (u < 0 || add_cast(g, t, u) < 0)
        return -1;
    (*casts)++;
    return to[t] = u;
}

/* Duplicates float constant t for the half readers among the first nn nodes. */
static int dup_const(ir_graph *g, int t, int nn, const unsigned char *node_h)
{
    const size_t b = ir_nbytes(&g->tensors[t]);
    void *copy = malloc(b ? b : 1);
    int u = copy ? add_like(g, t, "#fp16", 1) : -1;
    if (u < 0) {
        free(copy);
        return -1;
    }
    memcpy(copy, g->tensors[t].data, b);
    g->tensors[u].data = copy;
    g->tensors[u].producer = -1;
    for (int i = 0; i < nn; i++)
        for (int k = 0; node_h[i] && k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == t)
                g->nodes[i].in[k] = u;
    return u;
}

clcnn_status pass_precision(ir_graph *g, const unsigned char *want_half, precision_op_fn capable,
                            precision_op_fn is_view, precision_report *rep, clcnn_err *err)
{
    const int nn = g->n_nodes, nt = g->n_tensors;
    precision_report r = {0};
    clcnn_status st = CLCNN_OK;
    int *to[2] = {malloc(((size_t)nt + 1) * sizeof(int)), malloc(((size_t)nt + 1) * sizeof(int))};
    unsigned char *readers = calloc((size_t)nt + 1, 1); /* constants: bit s = read in storage s */
    unsigned char *is_out = calloc((size_t)nt + 1, 1);
    unsigned char *node_h = calloc((size_t)nn + 1, 1);
    if (!to[0] || !to[1] || !readers || !is_out || !node_h) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory choosing tensor storage");
        goto done;
    }
    for (int t = 0; t < nt; t++)
        to[0][t] = to[1][t] = -1;
    for (int i = 0; i < g->n_outputs; i++)
        is_out[g->outputs[i]] = 1;
    for (int i = 0; i < nn; i++) {
        if (!has_float(g, &g->nodes[i]))
            continue;
        const ir_op op = g->nodes[i].op;
        const int view = is_view(op), in0 = g->nodes[i].in[0];
        int s;
        if (view) /* a view is its input's bytes: it cannot change their storage */
            s = g->nodes[i].n_in > 0 && is_float(g, in0) && !g->tensors[in0].data &&
                g->tensors[in0].half;
        else
            s = (!want_half || want_half[i]) && capable(op);
        node_h[i] = (unsigned char)s;
        if (s)
            r.half_nodes++;
        else
            r.float_nodes++;
        for (int k = 0; k < g->nodes[i].n_in; k++) {
            const int t = g->nodes[i].in[k];
            if (!is_float(g, t) || t >= nt)
                continue;
            if (g->tensors[t].data) {
                readers[t] |= (unsigned char)(1u << s);
                continue;
            }
            if ((view && k == 0) || g->tensors[t].half == s)
                continue;
            const int u = converted(g, to[s], t, s, &r.casts);
            if (u < 0) {
                st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory converting '%s'",
                             g->tensors[t].name);
                goto done;
            }
            g->nodes[i].in[k] = u;
        }
        for (int k = 0; k < g->nodes[i].n_out; k++) {
            const int t = g->nodes[i].out[k];
            if (!is_float(g, t))
                continue;
            if (!(s && is_out[t])) {
                g->tensors[t].half = s;
                continue;
            }
            /* a graph output stays float: the node writes a half copy, a Cast the output */
            const int u = add_like(g, t, "#fp16", 1);
            if (u < 0 || add_cast(g, u, t) < 0) {
                st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory converting '%s'",
                             g->tensors[t].name);
                goto done;
            }
            g->nodes[i].out[k] = u;
            g->tensors[u].producer = i;
            g->tensors[t].half = 0;
            to[1][t] = u; /* half readers read the node's own half output */
            r.casts++;
        }
    }
    for (int t = 0; t < nt; t++) {
        if (!g->tensors[t].data || !is_float(g, t))
            continue;
        if (readers[t] == 2) {
            g->tensors[t].half = 1;
        } else if (readers[t] == 3) {
            if (dup_const(g, t, nn, node_h) < 0) {
                st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory copying '%s'",
                             g->tensors[t].name);
                goto done;
            }
            r.const_dups++;
        }
    }
    st = ir_toposort(g, err);
done:
    free(to[0]);
    free(to[1]);
    free(readers);
    free(is_out);
    free(node_h);
    if (rep && st == CLCNN_OK)
        *rep = r;
    return st;
}
