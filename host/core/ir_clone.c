/* ir_clone.c — deep copy of a graph. Sessions run passes on a clone so the
 * model (what summary shows and export writes) stays as loaded. */
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static void *dup_mem(const void *p, size_t n)
{
    if (!p)
        return NULL;
    void *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

static int clone_attr(const ir_attr *a, ir_attr *d)
{
    *d = *a;
    d->name = dup_mem(a->name, strlen(a->name) + 1);
    d->ints = dup_mem(a->ints, sizeof(int64_t) * (size_t)a->n);
    d->floats = dup_mem(a->floats, sizeof(float) * (size_t)a->n);
    d->s = a->s ? dup_mem(a->s, strlen(a->s) + 1) : NULL;
    return (!d->name || (a->ints && !d->ints) || (a->floats && !d->floats) || (a->s && !d->s)) ? -1 : 0;
}

static ir_graph *clone(const ir_graph *g, int share)
{
    ir_graph *c = ir_graph_new();
    if (!c)
        return NULL;
    c->opset = g->opset;
    for (int i = 0; i < g->n_tensors; i++) {
        const ir_tensor *t = &g->tensors[i];
        int k = ir_add_tensor(c, t->name, t->dtype, t->ndim < 0 ? 0 : t->ndim, t->dims);
        if (k < 0)
            goto fail;
        ir_tensor *ct = &c->tensors[k];
        ct->ndim = t->ndim;
        ct->producer = t->producer;
        ct->is_param = t->is_param;
        ct->dynamic_batch = t->dynamic_batch;
        if (t->released) { /* its bytes are gone: the copy is released too */
            ct->data = t->data;
            ct->released = 1;
        } else if (t->data && share) {
            ct->data = t->data;
            ct->borrowed = 1;
        } else if (t->data) {
            if (!(ct->data = ir_data_alloc(ir_nbytes(t))))
                goto fail;
            memcpy(ct->data, t->data, ir_nbytes(t));
        }
    }
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        int k = ir_add_node(c, n->op, n->name, n->in, n->n_in, n->out, n->n_out);
        if (k < 0)
            goto fail;
        ir_node *cn = &c->nodes[k];
        if (n->n_attr) {
            cn->attrs = calloc((size_t)n->n_attr, sizeof(ir_attr));
            if (!cn->attrs)
                goto fail;
            for (int a = 0; a < n->n_attr; a++) {
                cn->n_attr = a + 1; /* freed by ir_graph_free even if this one is partial */
                if (clone_attr(&n->attrs[a], &cn->attrs[a]))
                    goto fail;
            }
        }
    }
    c->inputs = dup_mem(g->inputs, sizeof(int) * (size_t)g->n_inputs);
    c->outputs = dup_mem(g->outputs, sizeof(int) * (size_t)g->n_outputs);
    c->n_inputs = g->n_inputs;
    c->n_outputs = g->n_outputs;
    if ((g->n_inputs && !c->inputs) || (g->n_outputs && !c->outputs))
        goto fail;
    return c;
fail:
    ir_graph_free(c);
    return NULL;
}

ir_graph *ir_clone(const ir_graph *g) { return clone(g, 0); }

ir_graph *ir_clone_shared(const ir_graph *g) { return clone(g, 1); }

ir_graph *ir_clone_take(ir_graph *g)
{
    ir_graph *c = clone(g, 1);
    for (int i = 0; c && i < g->n_tensors; i++) /* clone keeps tensor indices */
        if (ir_nbytes(&g->tensors[i]) >= IR_PAGE)
            ir_tensor_hand_over(&g->tensors[i], &c->tensors[i]);
    return c;
}

void *ir_tensor_own(ir_tensor *t)
{
    if (t->data && t->borrowed) {
        void *d = ir_data_alloc(ir_nbytes(t));
        if (!d)
            return NULL;
        memcpy(d, t->data, ir_nbytes(t));
        t->data = d;
        t->borrowed = 0;
    }
    return t->data;
}
