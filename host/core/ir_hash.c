/* ir_hash.c — ir_graph_workload_hash: what a graph asks of a device, as one
 * number (see ir.h). */
#include <string.h>

#include "ir.h"

/* Small constants whose values decide shapes and launches (Reshape's shape,
 * Slice's starts, a Clip bound): hashed with their bytes; larger ones (the
 * weights) by their shape alone. */
#define HASHED_CONST_BYTES 256

static uint64_t mix(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL; /* FNV-1a/64 */
    }
    return h;
}

#define MIX(h, v) ((h) = mix((h), &(v), sizeof(v)))

uint64_t ir_graph_workload_hash(const ir_graph *g)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    MIX(h, g->n_tensors);
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        const int is_const = x->data != NULL;
        MIX(h, x->dtype), MIX(h, x->ndim), MIX(h, x->half), MIX(h, is_const);
        for (int d = 0; d < x->ndim && d < IR_MAX_DIMS; d++)
            MIX(h, x->dims[d]);
        const size_t nb = is_const && !x->released ? ir_nbytes(x) : 0;
        if (nb <= HASHED_CONST_BYTES)
            h = mix(h, x->data, nb);
    }
    MIX(h, g->n_nodes);
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        MIX(h, n->op), MIX(h, n->n_in), MIX(h, n->n_out), MIX(h, n->n_attr);
        h = mix(h, n->in, (size_t)n->n_in * sizeof *n->in);
        h = mix(h, n->out, (size_t)n->n_out * sizeof *n->out);
        for (int a = 0; a < n->n_attr; a++) {
            const ir_attr *at = &n->attrs[a];
            h = mix(h, at->name, strlen(at->name) + 1);
            MIX(h, at->type), MIX(h, at->i), MIX(h, at->f), MIX(h, at->n), MIX(h, at->t);
            if (at->ints)
                h = mix(h, at->ints, (size_t)at->n * sizeof *at->ints);
            if (at->floats)
                h = mix(h, at->floats, (size_t)at->n * sizeof *at->floats);
            if (at->s)
                h = mix(h, at->s, strlen(at->s) + 1);
        }
    }
    for (int i = 0; i < g->n_inputs; i++)
        MIX(h, g->inputs[i]);
    for (int i = 0; i < g->n_outputs; i++)
        MIX(h, g->outputs[i]);
    return h;
}
