/* bn_training.c — pass_bn_training: BatchNormalization with training_mode=1
 * spelled in ops that run on every device. The ONNX loader applies it to the
 * model's graph (so the reference, the OpenCL plan and `compare` all run this
 * form; ops/bn_ref.c computes the node itself only when folding a constant
 * input), and passes_run again for graphs made otherwise. Per channel, over N and the
 * spatial dims (axes = all but 1), as ONNX's reference:
 *   m  = ReduceMean(x, axes, keepdims)          batch mean, [1,C,1..]
 *   d  = x - m;  v = ReduceMean(d * d, axes)    population variance (two-pass)
 *   y  = d / Sqrt(v + epsilon) * scale + bias   scale, bias viewed as [C,1..]
 *   running_mean = mean * momentum + m * (1 - momentum)   (m viewed as [C])
 *   running_var  = var  * momentum + v * (1 - momentum)
 * New tensors are named "<node>:<what>"; the node's own outputs keep their
 * indices, so readers need no rewiring. Leaves g topologically sorted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passes.h"

typedef struct bt {
    ir_graph *g;
    char base[400]; /* the BN node's name */
    int oom;        /* set by any step that failed to allocate */
} bt;

/* A tensor "<base>:<what>"; shape left to ops_infer_graph unless a constant. */
static int tensor(bt *b, const char *what, int dtype, int ndim, const int64_t *dims)
{
    char name[512];
    snprintf(name, sizeof name, "%s:%s", b->base, what);
    int t = b->oom ? -1 : ir_add_tensor(b->g, name, dtype, ndim, dims);
    b->oom |= t < 0;
    return t;
}

/* A constant "<base>:<what>" owning a copy of the n bytes at data. */
static int constant(bt *b, const char *what, int dtype, int ndim, const int64_t *dims,
                    const void *data, size_t n)
{
    int t = tensor(b, what, dtype, ndim, dims);
    void *p = t < 0 ? NULL : malloc(n ? n : 1);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    memcpy(p, data, n);
    b->g->tensors[t].data = p;
    return t;
}

static int scalar(bt *b, const char *what, float v)
{
    const int64_t one = 1;
    return constant(b, what, IR_DT_FLOAT, 1, &one, &v, sizeof v);
}

/* Node op(in...) -> out named "<base>:<what>"; returns out. */
static int node(bt *b, ir_op op, const char *what, const int *in, int n_in, int out)
{
    char name[512];
    snprintf(name, sizeof name, "%s:%s", b->base, what);
    if (b->oom || out < 0)
        return b->oom = 1, -1;
    for (int k = 0; k < n_in; k++)
        if (in[k] < 0)
            return b->oom = 1, -1;
    b->oom |= ir_add_node(b->g, op, name, in, n_in, &out, 1) < 0;
    return b->oom ? -1 : out;
}

static int binary(bt *b, ir_op op, const char *what, int x, int y)
{
    return node(b, op, what, (const int[]){x, y}, 2, tensor(b, what, IR_DT_FLOAT, -1, NULL));
}

/* t seen with the given dims: a constant copy when t is a constant (the plan
 * uploads it as is), else a Reshape (a view on OpenCL). */
static int view(bt *b, const char *what, int t, int ndim, const int64_t *dims)
{
    const ir_tensor *src = &b->g->tensors[t];
    if (src->data) {
        const int is_param = src->is_param;
        int c = constant(b, what, src->dtype, ndim, dims, src->data, ir_nbytes(src));
        if (c >= 0)
            b->g->tensors[c].is_param = is_param; /* still the model's weight in summaries */
        return c;
    }
    char sw[64];
    snprintf(sw, sizeof sw, "%s_shape", what);
    int shape = constant(b, sw, IR_DT_INT64, 1, &(int64_t){ndim}, dims, sizeof(int64_t) * (size_t)ndim);
    return node(b, IR_OP_RESHAPE, what, (const int[]){t, shape}, 2, tensor(b, what, IR_DT_FLOAT, -1, NULL));
}

/* mean over every axis but 1, keepdims: [1,C,1..] */
static int channel_mean(bt *b, const char *what, int x, int rank)
{
    int64_t axes[IR_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < rank; d++)
        if (d != 1)
            axes[n++] = d;
    int y = node(b, IR_OP_REDUCEMEAN, what, &x, 1, tensor(b, what, IR_DT_FLOAT, -1, NULL));
    if (y >= 0 && (ir_set_attr_ints(b->g, b->g->n_nodes - 1, "axes", axes, n) ||
                   ir_set_attr_int(b->g, b->g->n_nodes - 1, "keepdims", 1)))
        b->oom = 1;
    return y;
}

/* running = given * momentum + batch (a [1,C,1..] statistic) * (1 - momentum) -> out */
static void running(bt *b, const char *what, int given, int batch, float mom, int out)
{
    char w[64];
    const int64_t C = b->g->tensors[given].dims[0];
    snprintf(w, sizeof w, "%s_batch", what);
    int flat = view(b, w, batch, 1, &C);
    snprintf(w, sizeof w, "%s_momentum", what);
    int kept = scalar(b, w, mom);
    snprintf(w, sizeof w, "%s_kept", what);
    kept = binary(b, IR_OP_MUL, w, given, kept);
    /* (1 - momentum) in double then float, as numpy's float32 * Python float */
    snprintf(w, sizeof w, "%s_1-momentum", what);
    int fresh = scalar(b, w, (float)(1.0 - (double)mom));
    snprintf(w, sizeof w, "%s_new", what);
    fresh = binary(b, IR_OP_MUL, w, flat, fresh);
    node(b, IR_OP_ADD, what, (const int[]){kept, fresh}, 2, out);
}

/* Appends the spelled-out form of BN node bi (its outputs become the new nodes'). */
static void spell(bt *b, int bi)
{
    const ir_node bn = b->g->nodes[bi]; /* a copy: adding nodes may move the array */
    const ir_tensor *xt = &b->g->tensors[bn.in[0]];
    const int rank = xt->ndim;
    const float eps = ir_attr_float(&bn, "epsilon", 1e-5f), mom = ir_attr_float(&bn, "momentum", 0.9f);
    int64_t cdims[IR_MAX_DIMS]; /* [C,1..]: broadcasts against [N,C,spatial..] */
    cdims[0] = xt->dims[1];
    for (int d = 1; d < rank - 1; d++)
        cdims[d] = 1;
    const int x = bn.in[0];
    int m = channel_mean(b, "batch_mean", x, rank);
    int d = binary(b, IR_OP_SUB, "centred", x, m);
    int v = channel_mean(b, "batch_var", binary(b, IR_OP_MUL, "squared", d, d), rank);
    int sd = tensor(b, "std", IR_DT_FLOAT, -1, NULL);
    node(b, IR_OP_SQRT, "std", (const int[]){binary(b, IR_OP_ADD, "var_eps", v, scalar(b, "epsilon", eps))},
         1, sd);
    int xn = binary(b, IR_OP_DIV, "normalised", d, sd);
    int sc = binary(b, IR_OP_MUL, "scaled", xn, view(b, "scale", bn.in[1], rank - 1, cdims));
    node(b, IR_OP_ADD, "y", (const int[]){sc, view(b, "bias", bn.in[2], rank - 1, cdims)}, 2, bn.out[0]);
    if (bn.n_out > 1 && bn.out[1] >= 0)
        running(b, "running_mean", bn.in[3], m, mom, bn.out[1]);
    if (bn.n_out > 2 && bn.out[2] >= 0)
        running(b, "running_var", bn.in[4], v, mom, bn.out[2]);
}

clcnn_status pass_bn_training(ir_graph *g, int *count, clcnn_err *err)
{
    int done = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->op != IR_OP_BATCHNORM || !ir_attr_int(n, "training_mode", 0))
            continue;
        if (n->n_in < 5 || n->in[0] < 0 || g->tensors[n->in[0]].ndim < 2)
            return err_set(err, CLCNN_ERR_GRAPH, "node '%s' (BatchNormalization): training mode "
                           "needs X of rank >= 2 and 5 inputs", n->name);
        bt b = {.g = g};
        snprintf(b.base, sizeof b.base, "%s", n->name);
        spell(&b, i);
        if (b.oom)
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "node '%s' (BatchNormalization): out of memory "
                           "spelling out training mode", b.base);
        ir_remove_node(g, i--);
        done++;
    }
    if (count)
        *count = done;
    clcnn_status st = done ? ir_toposort(g, err) : CLCNN_OK;
    return done && !st ? ir_prune(g, err) : st; /* the replaced constants go */
}
