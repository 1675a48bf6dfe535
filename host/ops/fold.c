/* fold.c — whole-graph shape inference and constant folding (op.h).
 * Folding runs each foldable node's reference op once at load time, so the
 * Shape->Gather->Unsqueeze->Concat->Reshape chains exporters emit become
 * plain constants and only real compute nodes remain. */
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"

/* Folding a node whose outputs exceed this many elements would trade a cheap
 * op for a huge weight: leave it to run. */
#define FOLD_MAX_ELEMS ((int64_t)16 << 20)
/* OP_CL_FOLDED ops fold up to this size (a real weight: vgg19's fc6 is 411
 * MB); a hostile ConstantOfShape of 2^31 elements is not filled at load. */
#define FOLD_FOLDED_MAX_BYTES ((size_t)1 << 30)

/* Every present input of node n has a known shape; else CLCNN_ERR_GRAPH. */
static clcnn_status inputs_known(const ir_graph *g, const ir_node *n, clcnn_err *err)
{
    for (int k = 0; k < n->n_in; k++) {
        const ir_tensor *t = ir_in(g, n, k);
        if (t && t->ndim < 0)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "input '%s' has no known shape", t->name);
    }
    return CLCNN_OK;
}

static clcnn_status infer_node(ir_graph *g, ir_node *n, clcnn_err *err)
{
    const op_def *d = op_get(n->op);
    if (!d)
        return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': op %d has no definition", n->name, (int)n->op);
    clcnn_status st = inputs_known(g, n, err);
    if (st || (st = d->infer(g, n, err)))
        return st;
    for (int k = 0; k < n->n_out; k++) {
        const ir_tensor *t = ir_out(g, n, k);
        if (t && (ir_numel(t) < 0 || ir_numel(t) > IR_MAX_ELEMS))
            return op_fail(err, CLCNN_ERR_SHAPE, n, "output '%s' has an impossible size", t->name);
    }
    return CLCNN_OK;
}

clcnn_status ops_infer_graph(ir_graph *g, clcnn_err *err)
{
    for (int i = 0; i < g->n_nodes; i++) {
        clcnn_status st = infer_node(g, &g->nodes[i], err);
        if (st)
            return st;
    }
    return CLCNN_OK;
}

static int is_const(const ir_graph *g, int t) { return t >= 0 && g->tensors[t].data != NULL; }

/* All present inputs constant and outputs small enough. Shape of a known
 * shape folds too: it reads dims, not data. */
static int foldable(const ir_graph *g, const ir_node *n)
{
    const op_def *d = op_get(n->op);
    if (d->fold == OP_FOLD_NEVER)
        return 0;
    /* an op that only ever runs folded (ConstantOfShape writing a weight:
     * vgg19's 102 M-element fc6 in the onnx package's light models) folds up
     * to FOLD_FOLDED_MAX_BYTES: nothing else can run it on OpenCL */
    const int must = d->cl == OP_CL_FOLDED;
    for (int k = 0; k < n->n_out; k++) {
        const ir_tensor *t = ir_out(g, n, k);
        if (t && (must ? ir_nbytes(t) > FOLD_FOLDED_MAX_BYTES : ir_numel(t) > FOLD_MAX_ELEMS))
            return 0;
    }
    if (n->op == IR_OP_SHAPE)
        return 1;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0 && !is_const(g, n->in[k]))
            return 0;
    return 1;
}

/* Runs n's reference op into fresh buffers that become its outputs' data. */
static clcnn_status fold_node(ir_graph *g, ir_node *n, clcnn_err *err)
{
    void **bufs = calloc((size_t)g->n_tensors, sizeof(void *));
    if (!bufs)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory folding");
    clcnn_status st = CLCNN_OK;
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0)
            bufs[n->in[k]] = g->tensors[n->in[k]].data;
    for (int k = 0; k < n->n_out && !st; k++) {
        int t = n->out[k];
        if (t >= 0 && !(bufs[t] = calloc(1, ir_nbytes(&g->tensors[t]) + 1)))
            st = op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory folding");
    }
    if (!st)
        st = op_get(n->op)->ref(g, n, bufs, err);
    for (int k = 0; k < n->n_out; k++) {
        int t = n->out[k];
        if (t < 0)
            continue;
        if (st) {
            free(bufs[t]);
        } else {
            g->tensors[t].data = bufs[t];
            g->tensors[t].is_param = 0;
            g->tensors[t].producer = -1;
        }
    }
    free(bufs);
    return st;
}

static int is_graph_output(const ir_graph *g, int t)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

static int is_graph_input(const ir_graph *g, int t)
{
    for (int i = 0; i < g->n_inputs; i++)
        if (g->inputs[i] == t)
            return 1;
    return 0;
}

static void replace_uses(ir_graph *g, int from, int to)
{
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == from)
                g->nodes[i].in[k] = to;
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == from)
            g->outputs[i] = to;
}

/* Drops an Identity (or a Dropout whose mask nobody reads) node i: x -> y.
 * A training Dropout with a run-time ratio stays: its reference checks the ratio.
 * When y is a graph output and x an ordinary intermediate, x's producer
 * writes y directly so the output keeps its name; otherwise readers of y
 * read x. Returns 1 when the node can go. */
static int bypass(ir_graph *g, int i)
{
    ir_node *n = &g->nodes[i];
    int x = n->in[0], y = n->out[0];
    if (n->n_out > 1 && n->out[1] >= 0) {
        int m = n->out[1];
        if (is_graph_output(g, m))
            return 0;
        for (int j = 0; j < g->n_nodes; j++)
            for (int k = 0; k < g->nodes[j].n_in; k++)
                if (j != i && g->nodes[j].in[k] == m)
                    return 0;
    }
    int p = g->tensors[x].producer;
    if (is_graph_output(g, y) && p >= 0 && !is_graph_output(g, x) && !is_graph_input(g, x)) {
        for (int k = 0; k < g->nodes[p].n_out; k++)
            if (g->nodes[p].out[k] == x)
                g->nodes[p].out[k] = y;
        g->tensors[y].producer = p;
        n->out[0] = -1;
        replace_uses(g, x, y);
        n->in[0] = -1;
    } else {
        n->out[0] = -1;
        replace_uses(g, y, x);
    }
    return 1;
}

static void drop_nodes(ir_graph *g, const char *dead)
{
    int w = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (dead[i])
            ir_node_release(&g->nodes[i]);
        else
            g->nodes[w++] = g->nodes[i];
    }
    g->n_nodes = w;
}

/* Inference-mode Dropout keeps every element, so its mask output (a graph
 * output, or read by a later node) is a constant all-true tensor of x's
 * shape. Made one here so every executor serves it from the graph: the
 * OpenCL plan has no kernel writing it ("output 'mask' has no device
 * buffer" where the reference answered). */
static clcnn_status dropout_mask_const(ir_graph *g, ir_node *n, clcnn_err *err)
{
    if (n->n_out < 2 || n->out[1] < 0)
        return CLCNN_OK;
    ir_tensor *m = &g->tensors[n->out[1]];
    int64_t cnt = ir_numel(m);
    if (cnt < 0 || cnt > IR_MAX_ELEMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "mask '%s' has an impossible size", m->name);
    uint8_t *d = malloc(cnt ? (size_t)cnt : 1);
    if (!d)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for mask '%s'", m->name);
    memset(d, 1, (size_t)cnt);
    ir_tensor_drop_data(m);
    m->data = d;
    m->dtype = IR_DT_BOOL;
    m->producer = -1;
    n->out[1] = -1;
    return CLCNN_OK;
}

clcnn_status ops_fold_constants(ir_graph *g, clcnn_err *err)
{
    char *dead = calloc((size_t)(g->n_nodes ? g->n_nodes : 1), 1);
    if (!dead)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory folding constants");
    clcnn_status st = CLCNN_OK;
    for (int i = 0; i < g->n_nodes && !st; i++) {
        ir_node *n = &g->nodes[i];
        if ((st = infer_node(g, n, err)))
            break;
        if (n->op == IR_OP_DROPOUT && (st = dropout_mask_const(g, n, err)))
            break;
        if ((n->op == IR_OP_IDENTITY || n->op == IR_OP_DROPOUT) && n->n_in >= 1 && n->in[0] >= 0 &&
            n->out[0] >= 0 && !is_const(g, n->in[0]) && !dropout_runtime_ratio(g, n)) {
            dead[i] = (char)bypass(g, i);
            if (dead[i])
                continue;
        }
        if (foldable(g, n)) {
            if (!(st = fold_node(g, n, err)))
                dead[i] = 1;
        }
    }
    if (!st) {
        drop_nodes(g, dead);
        if (!(st = ir_prune(g, err)))
            st = ops_infer_graph(g, err);
    }
    free(dead);
    return st;
}
