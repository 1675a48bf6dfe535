/* plan.c — builds the OpenCL plan of a graph: folds residual Adds into the Conv
 * producing one operand, single-consumer activations (and x*Sigmoid(x),
 * x*HardSigmoid(x) pairs) into the Conv/BatchNormalization before them, SE
 * gate Muls into the pointwise Conv after them, BatchNormalizations (+ activation)
 * into the input read of the pointwise Conv reading them, depthwise Convs into the
 * pointwise Conv reading them (separable, one launch),
 * resolves zero-copy aliases (Reshape & co.), assigns and allocates buffers,
 * uploads constants (pointwise weights packed for their kernel), then asks each op's *_cl.c for its launches. Every node
 * gets a recorded variant. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_inplace.h"
#include "plan_shuffle.h"
#include "../runtime/tune.h"

typedef struct plan_work {
    int *root;      /* alias root per tensor */
    int *uses;      /* readers per tensor (+1 when a graph output) */
    int *out_of;    /* per node: tensor its first output goes to (fusion redirects) */
    opcl_act *act;  /* per node: fused activation */
    int *res;       /* per node: tensor added before the activation (fused Add), -1: none */
    int *gate_x, *gate_s; /* per node: SE Mul fused into its input read (X * S), -1: none */
    int *need, *def, *last, *pinned, *slot;
    plan_shuffle *shuf; /* Concat + channel shuffle (+ split) chains, one launch each */
    int *sep;       /* per node: depthwise Conv fused before this pointwise one, -1: none */
    int *packed_by; /* per tensor: the Conv whose packed copy of it is uploaded, -1: as is */
    char *dev_const; /* per tensor: a non-float32 constant a kernel reads (uploaded) */
    plan_place pl;   /* Concat in place: which tensors live in which buffer's slice */
    int n_tenants;   /* tensors with host >= 0 (each one sub-buffer) */
    int *pro;        /* per node: BatchNormalization fused into its input read (conv_pw), -1: none */
    unsigned char *in_place; /* scratch: a Concat's per-input flags for concat_cl */
} plan_work;

static void work_free(plan_work *w)
{
    free(w->root), free(w->uses), free(w->out_of), free(w->act), free(w->res);
    free(w->gate_x), free(w->gate_s);
    free(w->need), free(w->def), free(w->last), free(w->pinned), free(w->slot);
    plan_shuffle_free(w->shuf);
    free(w->sep), free(w->packed_by), free(w->dev_const);
    plan_place_free(&w->pl);
    free(w->in_place), free(w->pro);
}

static int is_const(const ir_tensor *t)
{
    return t->data != NULL;
}

/* The one node reading tensor t, or -1. */
static int sole_reader(const ir_graph *g, int t)
{
    int r = -1;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] == t) {
                if (r >= 0 && r != i)
                    return -1;
                r = i;
            }
    return r;
}

/* 1 when Conv i's weights can go to the device packed for its kernel
 * (conv_cl_pack_weights): float32 constants that i alone reads. */
static int packable_weights(const ir_graph *g, int i)
{
    const ir_node *n = &g->nodes[i];
    if (n->op != IR_OP_CONV || n->n_in < 2 || n->in[1] < 0)
        return 0;
    const ir_tensor *t = &g->tensors[n->in[1]];
    return is_const(t) && t->dtype == IR_DT_FLOAT && t->ndim == 4 && sole_reader(g, n->in[1]) == i;
}

static int is_output(const ir_graph *g, int t)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

/* The node that writes tensor t once fusion is decided (t's producer, or the
 * node its producer was folded into), -1 when t is a graph input or constant
 * or not materialised under that name. */
static int writer_of(const ir_graph *g, const plan *p, const plan_work *w, int t)
{
    int i = g->tensors[t].producer;
    if (i < 0)
        return -1;
    if (p->fused_into[i] >= 0)
        return w->out_of[p->fused_into[i]] == t ? p->fused_into[i] : -1;
    for (int k = 0; k < g->nodes[i].n_out; k++)
        if ((k == 0 ? w->out_of[i] : g->nodes[i].out[k]) == t)
            return i;
    return -1;
}

static int same_dims(const ir_tensor *a, const ir_tensor *b)
{
    if (a->ndim != b->ndim || a->dtype != b->dtype)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->dims[d] != b->dims[d])
            return 0;
    return 1;
}

/* Residual Add: Y = Add(T, O) with T a Conv's own output that only the Add
 * reads, O the same shape and already written before the Conv runs: the Conv's
 * epilogue adds O (then any activation that later folds onto Y). Runs before
 * activation folding so a Conv whose activation comes before the Add never
 * takes it (act(conv) + O is not act(conv + O)). */
static void fuse_residual_add(const ir_graph *g, plan *p, plan_work *w)
{
    for (int m = 0; m < g->n_nodes; m++) {
        const ir_node *add = &g->nodes[m];
        if (add->op != IR_OP_ADD || add->n_in != 2 || add->in[0] < 0 || add->in[1] < 0 ||
            add->in[0] == add->in[1] || p->fused_into[m] >= 0)
            continue;
        /* the later of the two producers hosts the Add; the other must be ready */
        int pick = g->tensors[add->in[1]].producer > g->tensors[add->in[0]].producer;
        const int t = add->in[pick], o = add->in[!pick], i = g->tensors[t].producer;
        if (i < 0 || g->nodes[i].op != IR_OP_CONV || g->nodes[i].out[0] != t ||
            p->fused_into[i] >= 0 || w->out_of[i] != t || w->act[i].code || w->res[i] >= 0 ||
            w->uses[t] != 1 || is_output(g, t))
            continue;
        const ir_tensor *y = &g->tensors[add->out[0]];
        if (y->dtype != IR_DT_FLOAT || !same_dims(&g->tensors[t], y) ||
            !same_dims(&g->tensors[o], y))
            continue;
        const int r = w->root[o], wo = writer_of(g, p, w, r);
        const int ready = is_const(&g->tensors[r]) ? 1
                          : wo >= 0                 ? wo < i
                                                    : g->tensors[r].producer < 0;
        if (!ready)
            continue;
        p->fused_into[m] = i;
        w->res[i] = o;
        w->out_of[i] = add->out[0];
    }
}

/* 1 when t is written before step `before` runs (graph input, constant, or a
 * materialised tensor whose writer comes earlier). */
static int ready_before(const ir_graph *g, const plan *p, const plan_work *w, int t, int before)
{
    const int r = w->root[t], wr = writer_of(g, p, w, r);
    if (is_const(&g->tensors[r]))
        return 1;
    return wr >= 0 ? wr < before : g->tensors[r].producer < 0;
}

/* Records why node i did not get a fusion or a faster kernel (appended with
 * "; " to what it has). Out of memory loses the note, never the plan. */
static void note_fallback(plan *p, int i, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *old = p->fallback[i];
    const size_t len = (old ? strlen(old) + 2 : 0) + strlen(msg) + 1;
    char *s = malloc(len);
    if (!s)
        return;
    snprintf(s, len, "%s%s%s", old ? old : "", old ? "; " : "", msg);
    free(p->fallback[i]);
    p->fallback[i] = s;
}

/* 1 when node n runs with half storage (ir_node_half): passes/precision.c
 * gives every node one storage; its boundary Casts, which convert, build with
 * the flag too and pick kernels by each tensor's own. */
static int node_fp16(const ir_graph *g, const ir_node *n) { return ir_node_half(g, n); }

/* SE block: Y = Mul(X, S) with S (N,C,1,1) and X (N,C,H,W), Y read only by a
 * Conv that can scale its input channels (conv_cl_gate_ok): that Conv reads X
 * and S itself. Runs after activation folding, so X and S are final. */
static void fuse_se_gate(const ir_graph *g, const plan_options *o, plan *p, plan_work *w)
{
    opcl_ctx probe = {0};
    probe.g = g;
    probe.force = o->force;
    for (int m = 0; m < g->n_nodes; m++) {
        const ir_node *mul = &g->nodes[m];
        if (mul->op != IR_OP_MUL || mul->n_in != 2 || mul->in[0] < 0 || mul->in[1] < 0 ||
            p->fused_into[m] >= 0)
            continue;
        const int y = mul->out[0], r = sole_reader(g, y);
        if (r < 0 || w->uses[y] != 1 || is_output(g, y) || p->fused_into[r] >= 0 ||
            g->nodes[r].op != IR_OP_CONV || g->nodes[r].in[0] != y || w->gate_x[r] >= 0)
            continue;
        const ir_tensor *ty = &g->tensors[y];
        const char *why = NULL; /* an SE block's shape whose gate stayed a launch of its own */
        for (int k = 0; k < 2; k++) {
            const int x = mul->in[k], sg = mul->in[!k];
            const ir_tensor *tx = &g->tensors[x], *ts = &g->tensors[sg];
            if (!same_dims(tx, ty) || ty->ndim != 4 || ts->ndim != 4 || ts->dtype != IR_DT_FLOAT ||
                ts->dims[0] != ty->dims[0] || ts->dims[1] != ty->dims[1] || ts->dims[2] != 1 ||
                ts->dims[3] != 1)
                continue;
            if (!ready_before(g, p, w, x, r) || !ready_before(g, p, w, sg, r)) {
                why = "an input is written after the Conv";
                continue;
            }
            if (!(probe.fp16 = node_fp16(g, &g->nodes[r]), conv_cl_gate_ok(&probe, &g->nodes[r]))) {
                why = "it does not run conv_pw (1x1, no pads, group 1, equal strides)";
                continue;
            }
            if (!packable_weights(g, r)) {
                why = "its weights are not packable (not a constant, or shared)";
                continue;
            }
            p->fused_into[m] = r;
            w->gate_x[r] = x;
            w->gate_s[r] = sg;
            why = NULL;
            break;
        }
        if (why && !o->force)
            note_fallback(p, m, "SE gate not fused into Conv '%s': %s", g->nodes[r].name, why);
    }
}

/* Pre-activation BatchNormalization (DenseNet's BN -> Relu -> Conv1x1; the BN
 * cannot fold into the Concat before it): T = act(BN(X)) read only by a Conv
 * that runs conv_pw (conv_cl_gate_ok): that Conv reads X and applies the BN's
 * per-channel affine and activation as it reads (opcl_ctx.pro). Runs after
 * activation folding (the BN's act is final) and the SE gate. */
static void fuse_bn_prologue(const ir_graph *g, const plan_options *o, plan *p, plan_work *w)
{
    opcl_ctx probe = {0};
    probe.g = g;
    probe.force = o->force;
    for (int b = 0; b < g->n_nodes; b++) {
        const ir_node *bn = &g->nodes[b];
        if (bn->op != IR_OP_BATCHNORM || bn->n_in != 5 || bn->n_out != 1 ||
            p->fused_into[b] >= 0 || w->res[b] >= 0 || bn->in[0] < 0)
            continue;
        const int x = bn->in[0], t = w->out_of[b], r = t >= 0 ? sole_reader(g, t) : -1;
        if (r < 0 || w->uses[t] != 1 || is_output(g, t) || p->fused_into[r] >= 0 ||
            g->nodes[r].op != IR_OP_CONV || g->nodes[r].in[0] != t || w->gate_x[r] >= 0 ||
            w->pro[r] >= 0)
            continue;
        const ir_tensor *tx = &g->tensors[x], *tt = &g->tensors[t];
        int consts = 1;
        for (int k = 1; k < 5; k++)
            consts &= bn->in[k] >= 0 && is_const(&g->tensors[bn->in[k]]) &&
                      g->tensors[bn->in[k]].dtype == IR_DT_FLOAT &&
                      ir_numel(&g->tensors[bn->in[k]]) == tx->dims[1];
        if (!consts || !same_dims(tx, tt) || tx->ndim != 4 || tx->half != tt->half ||
            !ready_before(g, p, w, x, r) ||
            !(probe.fp16 = node_fp16(g, &g->nodes[r]), conv_cl_gate_ok(&probe, &g->nodes[r])) ||
            !packable_weights(g, r))
            continue;
        p->fused_into[b] = r;
        w->pro[r] = b;
    }
}

/* The device buffer of BN node b's affine as conv_pw's prologue reads it: C
 * scales s = gamma / sqrt(var + eps), then C shifts beta - mean * s (float32,
 * computed in double from the constants). Appended to p->buffers. */
static clcnn_status bn_prologue_buffer(rt_ctx *rt, const ir_graph *g, plan *p, int b, cl_mem *out,
                                       clcnn_err *err)
{
    const ir_node *bn = &g->nodes[b];
    const int64_t C = g->tensors[bn->in[0]].dims[1];
    const float *gm = g->tensors[bn->in[1]].data, *bt = g->tensors[bn->in[2]].data;
    const float *mu = g->tensors[bn->in[3]].data, *var = g->tensors[bn->in[4]].data;
    const double eps = ir_attr_float(bn, "epsilon", 1e-5f);
    float *v = malloc((size_t)(2 * C + 1) * sizeof *v);
    cl_mem *grown = realloc(p->buffers, ((size_t)p->n_buffers + 1) * sizeof *p->buffers);
    if (!v || !grown) {
        free(v);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning '%s'", bn->name);
    }
    p->buffers = grown;
    for (int64_t c = 0; c < C; c++) {
        const double s = gm[c] / sqrt((double)var[c] + eps);
        v[c] = (float)s;
        v[C + c] = (float)(bt[c] - mu[c] * s);
    }
    cl_int rc;
    cl_mem m = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                              (size_t)(2 * C) * sizeof *v, v, &rc);
    free(v);
    if (rc != CL_SUCCESS)
        return err_set(err, CLCNN_ERR_CL, "clCreateBuffer (prologue of '%s') failed: %s (%d)",
                       bn->name, rt_cl_error_name(rc), (int)rc);
    p->buffers[p->n_buffers++] = m;
    p->const_bytes += (size_t)(2 * C) * sizeof *v;
    *out = m;
    return CLCNN_OK;
}

/* Swish / HardSwish as exporters write them: T = Conv/BN(..); S = Sigmoid(T)
 * or HardSigmoid(T); Y = Mul(T, S), T read by exactly those two, S only by the
 * Mul: one kernel writing Y. */
static void fuse_x_times_act(const ir_graph *g, plan *p, plan_work *w)
{
    for (int j = 0; j < g->n_nodes; j++) {
        const ir_node *sg = &g->nodes[j];
        if ((sg->op != IR_OP_SIGMOID && sg->op != IR_OP_HARDSIGMOID) || sg->n_in < 1 ||
            sg->in[0] < 0)
            continue;
        const int t = sg->in[0], s = sg->out[0], i = writer_of(g, p, w, t);
        const int m = sole_reader(g, s);
        if (i < 0 || m < 0 || w->uses[t] != 2 || w->uses[s] != 1 || is_output(g, t))
            continue;
        const ir_node *n = &g->nodes[i], *mul = &g->nodes[m];
        if ((n->op != IR_OP_CONV && n->op != IR_OP_BATCHNORM) || w->out_of[i] != t ||
            p->fused_into[i] >= 0 || w->act[i].code || mul->op != IR_OP_MUL || mul->n_in != 2 ||
            !((mul->in[0] == t && mul->in[1] == s) || (mul->in[0] == s && mul->in[1] == t)))
            continue;
        p->fused_into[j] = p->fused_into[m] = i;
        if (sg->op == IR_OP_SIGMOID) {
            w->act[i].code = OPCL_ACT_SILU;
        } else {
            w->act[i].code = OPCL_ACT_XHSIG;
            w->act[i].a = ir_attr_float(sg, "alpha", 0.2f);
            w->act[i].b = ir_attr_float(sg, "beta", 0.5f);
        }
        w->out_of[i] = mul->out[0];
    }
}

/* Separable conv: T = [act](depthwise Conv(X)), read only by a stride-1
 * pointwise Conv P (which may carry a fused residual and activation): P runs
 * both as one conv_dwpw launch reading X; T is never materialised. Runs last,
 * so both convs' activations and residuals are final; shuffle hosts excluded. */
static void fuse_separable(rt_ctx *rt, const ir_graph *g, const plan_options *o, plan *p,
                           plan_work *w)
{
    opcl_ctx probe = {0};
    probe.rt = rt; /* conv_cl_sep_ok sizes conv_dwpw's tile from the device's local memory */
    probe.g = g;
    probe.force = o->force;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *pw = &g->nodes[i];
        if (pw->op != IR_OP_CONV || pw->n_in < 2 || pw->in[0] < 0 || p->fused_into[i] >= 0 ||
            w->gate_x[i] >= 0 || w->pro[i] >= 0 || plan_shuffle_hosts(w->shuf, i))
            continue;
        const int t = pw->in[0], d = writer_of(g, p, w, t);
        if (d < 0 || d == i || g->nodes[d].op != IR_OP_CONV || p->fused_into[d] >= 0 ||
            w->out_of[d] != t || w->res[d] >= 0 || w->gate_x[d] >= 0 || w->sep[d] >= 0 ||
            w->uses[t] != 1 || is_output(g, t) || plan_shuffle_hosts(w->shuf, d))
            continue;
        if (!(probe.fp16 = node_fp16(g, pw), conv_cl_sep_ok(&probe, &g->nodes[d], pw)) ||
            !packable_weights(g, i)) {
            /* said only for the shape it is for: a depthwise Conv into a 1x1 one */
            const ir_tensor *x = &g->tensors[g->nodes[d].in[0]], *tw = &g->tensors[pw->in[1]];
            const int64_t grp = ir_attr_int(&g->nodes[d], "group", 1);
            if (!o->force && x->ndim == 4 && grp > 1 && grp == x->dims[1] && tw->ndim == 4 &&
                tw->dims[2] == 1 && tw->dims[3] == 1)
                note_fallback(p, d, "depthwise not fused with the pointwise Conv '%s' (conv_dwpw): %s",
                              pw->name, conv_cl_sep_ok(&probe, &g->nodes[d], pw)
                                  ? "its weights are not packable (not a constant, or shared)"
                                  : conv_cl_sep_refusal(&probe, &g->nodes[d], pw));
            continue;
        }
        p->fused_into[d] = i;
        w->sep[i] = d;
    }
}

/* Counts readers, resolves alias roots and decides fusion. */
static void analyse(rt_ctx *rt, const ir_graph *g, const plan_options *o, plan *p, plan_work *w)
{
    for (int t = 0; t < g->n_tensors; t++)
        w->root[t] = t;
    for (int i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_in; k++)
            if (g->nodes[i].in[k] >= 0)
                w->uses[g->nodes[i].in[k]]++;
    for (int i = 0; i < g->n_outputs; i++)
        w->uses[g->outputs[i]]++;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        p->fused_into[i] = -1;
        w->out_of[i] = n->n_out > 0 ? n->out[0] : -1;
        if (opcl_is_alias(n->op) && n->n_in > 0 && n->in[0] >= 0 && n->n_out > 0)
            w->root[n->out[0]] = w->root[n->in[0]];
    }
    for (int i = 0; i < g->n_nodes; i++)
        w->res[i] = w->gate_x[i] = w->gate_s[i] = w->sep[i] = w->pro[i] = -1;
    if (o->keep_all)
        return;
    fuse_residual_add(g, p, w);
    fuse_x_times_act(g, p, w);
    /* Conv/BN/ConvTranspose -> activation, the activation the only reader: one kernel. Nodes
     * are topologically sorted, so the activation comes later in the walk. */
    for (int j = 0; j < g->n_nodes; j++) {
        const ir_node *a = &g->nodes[j];
        opcl_act act;
        if (a->n_in < 1 || a->in[0] < 0 || !opcl_act_of(g, a, &act))
            continue;
        int t = a->in[0], i = writer_of(g, p, w, t);
        if (i < 0 || w->uses[t] != 1 || p->fused_into[i] >= 0 || w->act[i].code)
            continue;
        const ir_node *n = &g->nodes[i];
        if ((n->op != IR_OP_CONV && n->op != IR_OP_BATCHNORM && n->op != IR_OP_CONVTRANSPOSE) ||
            w->out_of[i] != t)
            continue;
        p->fused_into[j] = i;
        w->act[i] = act;
        w->out_of[i] = a->out[0];
    }
    fuse_se_gate(g, o, p, w);
    fuse_bn_prologue(g, o, p, w);
    w->shuf = plan_shuffle_fuse(g, w->uses, p->fused_into, w->out_of);
    fuse_separable(rt, g, o, p, w);
}

/* Pointwise Convs that will run conv_pw / conv_dwpw get their weights uploaded
 * in those kernels' packed layout (see conv_cl_pack_weights). */
static void choose_packing(const ir_graph *g, const plan_options *o, const tune_db *tune,
                           const plan *p, plan_work *w)
{
    opcl_ctx probe = {0};
    probe.g = g;
    probe.force = o->force;
    probe.tune = tune;
    for (int t = 0; t < g->n_tensors; t++)
        w->packed_by[t] = -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (p->fused_into[i] < 0 && packable_weights(g, i) &&
            (probe.fp16 = node_fp16(g, &g->nodes[i]),
             conv_cl_packs_weights(&probe, &g->nodes[i], w->sep[i] >= 0,
                                   w->gate_x[i] >= 0 || w->pro[i] >= 0)))
            w->packed_by[g->nodes[i].in[1]] = i;
}

/* Which tensors get activation slots, when they are written and last read. */
static clcnn_status liveness(const ir_graph *g, plan *p, plan_work *w, clcnn_err *err)
{
    for (int t = 0; t < g->n_tensors; t++)
        w->def[t] = -1, w->last[t] = -1;
    for (int i = 0; i < g->n_inputs; i++)
        w->need[g->inputs[i]] = 1, w->pinned[g->inputs[i]] = 1;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (p->fused_into[i] >= 0 || opcl_is_alias(n->op))
            continue;
        for (int k = 0; k < n->n_out; k++) {
            int t = k == 0 ? w->out_of[i] : n->out[k];
            if (t < 0)
                continue;
            /* some kernels take any element type (opcl_any_dtype: Gather, Cast,
             * ArgMax/ArgMin, the shape group's, integer Add/Sub/Mul/Div) */
            if (g->tensors[t].dtype != IR_DT_FLOAT && !opcl_any_dtype(n->op))
                return err_set(err, CLCNN_ERR_UNSUPPORTED,
                               "node '%s' (%s): output '%s' is not float32; the OpenCL path "
                               "runs float32 only", n->name, ir_op_name(n->op), g->tensors[t].name);
            w->need[t] = 1, w->def[t] = i;
        }
        for (int k = 0; k < n->n_in + 4; k++) { /* then the fused residual, SE X and S, BN X */
            int u = k < n->n_in        ? n->in[k]
                    : k == n->n_in     ? w->res[i]
                    : k == n->n_in + 1 ? w->gate_x[i]
                    : k == n->n_in + 2 ? w->gate_s[i]
                    : w->pro[i] >= 0   ? g->nodes[w->pro[i]].in[0] : -1;
            int t = u >= 0 ? w->root[u] : -1;
            if (t >= 0 && i > w->last[t])
                w->last[t] = i;
            /* a non-float32 constant such a kernel reads goes to the device
             * too (opcl_any_dtype_input; Gather uploads its own indices) */
            if (u >= 0 && k < n->n_in && opcl_any_dtype_input(n->op, k) &&
                is_const(&g->tensors[u]) && g->tensors[u].dtype != IR_DT_FLOAT)
                w->dev_const[u] = 1;
        }
        const int d = w->sep[i]; /* a fused depthwise: its inputs are read here */
        for (int k = 0; d >= 0 && k < g->nodes[d].n_in; k++) {
            int t = g->nodes[d].in[k] >= 0 ? w->root[g->nodes[d].in[k]] : -1;
            if (t >= 0 && i > w->last[t])
                w->last[t] = i;
        }
    }
    plan_shuffle_liveness(w->shuf, w->need, w->def); /* a host's second output */
    for (int i = 0; i < g->n_outputs; i++)
        w->pinned[w->root[g->outputs[i]]] = 1;
    for (int t = 0; t < g->n_tensors; t++) /* kernels index with 32-bit ints */
        if (ir_numel(&g->tensors[t]) > INT32_MAX)
            return err_set(err, CLCNN_ERR_UNSUPPORTED, "tensor '%s' has %lld elements; the OpenCL "
                           "kernels index with 32-bit ints", g->tensors[t].name,
                           (long long)ir_numel(&g->tensors[t]));
    for (int t = 0; t < g->n_tensors; t++)
        if (is_const(&g->tensors[t]))
            w->need[t] = 0;
    return CLCNN_OK;
}

/* The device's CL_DEVICE_MEM_BASE_ADDR_ALIGN in bytes: a sub-buffer's origin
 * must be a multiple of it. 0 (nothing placed in place) when unreadable. */
static size_t base_align(rt_ctx *rt)
{
    cl_uint bits = 0;
    if (clGetDeviceInfo(rt_device(rt), CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL) !=
        CL_SUCCESS)
        return 0;
    return bits >= 8 ? bits / 8 : 0;
}

/* Concat in place (plan_inplace.h): which tensors live in a slice of a Concat
 * output's buffer; their lifetimes then fold into that buffer's. Runs after
 * liveness (need/def/last/pinned final) and before allocation. */
static clcnn_status place_concats(rt_ctx *rt, const ir_graph *g, plan *p, plan_work *w,
                                  clcnn_err *err)
{
    int *writer = malloc(((size_t)g->n_tensors + 1) * sizeof *writer);
    unsigned char *skip = calloc((size_t)g->n_nodes + 1, 1);
    if (!writer || !skip) {
        free(writer), free(skip);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning buffers");
    }
    for (int t = 0; t < g->n_tensors; t++) { /* a writer that runs its own kernels */
        const int i = writer_of(g, p, w, t);
        writer[t] = i >= 0 && p->fused_into[i] < 0 && !plan_shuffle_hosts(w->shuf, i) ? i : -1;
    }
    for (int i = 0; i < g->n_nodes; i++)
        skip[i] = p->fused_into[i] >= 0 || plan_shuffle_hosts(w->shuf, i);
    w->n_tenants = plan_inplace_place(g, w->root, w->need, w->pinned, writer, skip,
                                      base_align(rt), &w->pl);
    w->n_tenants += plan_inplace_views(g, w->root, w->need, w->pinned, skip, base_align(rt),
                                       &w->pl);
    plan_inplace_fold(g, &w->pl, w->need, w->def, w->last);
    free(writer), free(skip);
    return CLCNN_OK;
}

/* n floats as IEEE halves (round to nearest even); malloc'd, NULL on OOM. */
static uint16_t *to_halves(const void *src, size_t n)
{
    uint16_t *h = ir_data_alloc(n * sizeof *h); /* a CPU device uses it in place */
    for (size_t i = 0; h && i < n; i++) {
        float f;
        memcpy(&f, (const char *)src + i * sizeof f, sizeof f);
        h[i] = ir_float_to_half(f);
    }
    return h;
}

static clcnn_status alloc_buffers(rt_ctx *rt, const ir_graph *g, plan *p, plan_work *w, int keep_all,
                                  clcnn_err *err)
{
    size_t *bytes = NULL;
    int ns = 0;
    clcnn_status st = plan_assign_slots(g, g->n_nodes, w->need, w->def, w->last, w->pinned,
                                        keep_all, w->slot, &bytes, &ns, err);
    if (st)
        return st;
    int nc = 0;
    for (int t = 0; t < g->n_tensors; t++)
        if (w->need[t])
            p->naive_act_bytes += plan_dev_bytes(&g->tensors[t]);
    for (int t = 0; t < g->n_tensors; t++)
        nc += is_const(&g->tensors[t]) && (g->tensors[t].dtype == IR_DT_FLOAT || w->dev_const[t]);
    p->buffers = calloc((size_t)ns + nc + w->n_tenants + 1, sizeof *p->buffers);
    if (!p->buffers) {
        free(bytes);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning buffers");
    }
    cl_context ctx = rt_cl_context(rt);
    cl_int rc = CL_SUCCESS;
    cl_bool unified = CL_FALSE;
    if (clGetDeviceInfo(rt_device(rt), CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified,
                        NULL) != CL_SUCCESS)
        unified = CL_FALSE;
    const size_t ba = base_align(rt);
    const uintptr_t align = ba ? ba : 4096; /* host bytes used in place must be this aligned */
    /* without room to keep packed copies they are copied like elsewhere */
    p->host_consts = unified ? calloc((size_t)nc + 1, sizeof *p->host_consts) : NULL;
    for (int s = 0; s < ns; s++) {
        p->buffers[p->n_buffers] = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes[s], NULL, &rc);
        if (rc != CL_SUCCESS)
            goto cl_fail;
        p->n_buffers++;
        p->act_bytes += bytes[s];
    }
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        if (w->slot[t] >= 0) {
            p->mem[t] = p->buffers[w->slot[t]];
        } else if (is_const(x) && (x->dtype == IR_DT_FLOAT || w->dev_const[t])) {
            size_t b = ir_nbytes(x) ? ir_nbytes(x) : sizeof(float);
            const void *src = ir_nbytes(x) ? x->data : (void *)&p->act_bytes;
            float *packed = NULL;
            uint16_t *halves = NULL;
            if (w->packed_by[t] >= 0 && !(packed = conv_cl_pack_weights(x, &b))) {
                free(bytes);
                return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory packing '%s'", x->name);
            }
            if (packed)
                src = packed;
            if (x->half && x->dtype == IR_DT_FLOAT) { /* converted once, here */
                if (!(halves = to_halves(src, b / sizeof(float)))) {
                    free(packed);
                    free(bytes);
                    return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory converting '%s'",
                                   x->name);
                }
                src = halves;
                b = b / sizeof(float) * sizeof(uint16_t);
                b = b ? b : sizeof(float);
            }
            /* On a device that computes in host memory (a CPU), the buffer uses the
             * host bytes in place rather than a copy of them: the graph's data (it
             * outlives the plan) or the packed/converted copy, which the plan keeps.
             * Elsewhere it is copied at creation: the upload happens once, not per run. */
            void *keep = halves ? (void *)halves : (void *)packed; /* src, when made here */
            const int in_place = unified && ir_nbytes(x) && (uintptr_t)src % align == 0 &&
                                 (!keep || p->host_consts);
            cl_mem m = clCreateBuffer(ctx, CL_MEM_READ_ONLY |
                                               (in_place ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR),
                                      b, (void *)src, &rc);
            if (rc == CL_SUCCESS && in_place && keep) {
                p->host_consts[p->n_host_consts++] = keep;
                if (keep == halves)
                    halves = NULL;
                else
                    packed = NULL;
            }
            free(packed);
            free(halves);
            if (rc != CL_SUCCESS)
                goto cl_fail;
            p->buffers[p->n_buffers++] = m;
            p->mem[t] = m;
            p->const_bytes += b;
        }
    }
    for (int t = 0; t < g->n_tensors; t++) { /* Concat in place: a slice of its host's buffer */
        if (w->pl.host[t] < 0)
            continue;
        const cl_buffer_region r = {(size_t)w->pl.off[t], plan_dev_bytes(&g->tensors[t])};
        cl_mem m = p->mem[w->pl.host[t]] ? clCreateSubBuffer(p->mem[w->pl.host[t]], CL_MEM_READ_WRITE,
                                                          CL_BUFFER_CREATE_TYPE_REGION, &r, &rc)
                                      : NULL;
        if (!m) {
            free(bytes);
            return err_set(err, CLCNN_ERR_CL, "clCreateSubBuffer failed for '%s' (%zu bytes at "
                           "%zu in '%s'): %s (%d)", g->tensors[t].name, r.size, r.origin,
                           g->tensors[w->pl.host[t]].name, rt_cl_error_name(rc), (int)rc);
        }
        p->buffers[p->n_buffers++] = m;
        p->mem[t] = m;
    }
    for (int t = 0; t < g->n_tensors; t++) /* aliases share their root's buffer */
        if (!p->mem[t] && w->root[t] != t)
            p->mem[t] = p->mem[w->root[t]];
    free(bytes);
    return CLCNN_OK;
cl_fail:
    free(bytes);
    return err_set(err, CLCNN_ERR_CL, "clCreateBuffer failed: %s (%d) (activations %zu bytes, "
                   "weights %zu bytes so far)", rt_cl_error_name(rc), (int)rc, p->act_bytes,
                   p->const_bytes);
}

/* The descriptor's word on running n with OpenCL: ops folded at load or
 * reference-only are refused by name (before liveness, so the message is this
 * one and not a dtype complaint about their int64 outputs). */
static clcnn_status refuse_off_cl(const ir_node *n, clcnn_err *err)
{
    switch (op_get(n->op)->cl) {
    case OP_CL_FOLDED:
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "node '%s': op %s must be constant at load",
                       n->name, ir_op_name(n->op));
    case OP_CL_REF_ONLY:
        return err_set(err, CLCNN_ERR_UNSUPPORTED,
                       "node '%s': op %s runs on the reference backend only (--device ref)", n->name,
                       ir_op_name(n->op));
    case OP_CL_KERNEL:
    case OP_CL_ALIAS:
        break;
    }
    return CLCNN_OK;
}

/* Asks node i's op for its launches. */
static clcnn_status plan_node(const ir_graph *g, const plan_options *o, plan *p, plan_work *w,
                              opcl_ctx *c, int i, clcnn_err *err)
{
    const ir_node *n = &g->nodes[i];
    if (p->fused_into[i] >= 0) {
        p->variant[i] = "fused";
        return CLCNN_OK;
    }
    if (op_get(n->op)->cl == OP_CL_ALIAS) {
        p->variant[i] = "alias";
        return CLCNN_OK;
    }
    if (w->pl.view_node[i]) { /* Split/Slice: its outputs are ranges of its input's memory */
        p->variant[i] = "in_place";
        return CLCNN_OK;
    }
    clcnn_status st = refuse_off_cl(n, err);
    if (st)
        return st;
    opcl_plan_fn fn = opcl_get(n->op);
    if (!fn) /* the descriptor promises a kernel: tests/test_op_registry.c checks both sides */
        return err_set(err, CLCNN_ERR_INTERNAL, "node '%s' (%s): no OpenCL plan function", n->name,
                       ir_op_name(n->op));
    for (int k = 0; k < n->n_in; k++) {
        int t = k == 0 && w->gate_x[i] >= 0 ? w->gate_x[i] : n->in[k]; /* SE: reads X */
        if (k == 0 && w->pro[i] >= 0) /* BN prologue: reads the BN's input */
            t = g->nodes[w->pro[i]].in[0];
        if (k == 0 && w->sep[i] >= 0) /* separable: reads the depthwise's input */
            t = g->nodes[w->sep[i]].in[0];
        if (t >= 0 && !c->mem[t] && g->tensors[t].dtype == IR_DT_FLOAT)
            return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': input '%s' has no device buffer",
                           n->name, g->tensors[t].name);
    }
    c->build_opts = (o->fault_node && strcmp(o->fault_node, n->name) == 0)
                        ? "-DCLCNN_FAULT_FLIP_SIGN" : "";
    c->act = w->act[i];
    c->out = w->out_of[i];
    c->res = w->res[i] >= 0 ? p->mem[w->res[i]] : NULL;
    c->in0 = w->gate_x[i] >= 0 ? p->mem[w->gate_x[i]]
             : w->pro[i] >= 0  ? p->mem[g->nodes[w->pro[i]].in[0]] : NULL;
    c->pro = NULL;
    c->pro_act = w->pro[i] >= 0 ? w->act[w->pro[i]] : (opcl_act){0};
    if (w->pro[i] >= 0 && (st = bn_prologue_buffer(c->rt, g, p, w->pro[i], &c->pro, err)))
        return st;
    c->gate = w->gate_s[i] >= 0 ? p->mem[w->gate_s[i]] : NULL;
    c->dw = w->sep[i] >= 0 ? &g->nodes[w->sep[i]] : NULL;
    c->dw_act = w->sep[i] >= 0 ? w->act[w->sep[i]] : (opcl_act){0};
    c->w_packed = n->n_in > 1 && n->in[1] >= 0 && w->packed_by[n->in[1]] == i;
    c->fp16 = node_fp16(g, n);
    c->variant = NULL;
    c->fallback[0] = '\0';
    c->in_place = NULL;
    if (n->op == IR_OP_CONCAT && !plan_shuffle_hosts(w->shuf, i)) {
        const int copied = plan_inplace_concat(g, n, &w->pl, w->in_place);
        c->in_place = w->in_place;
        if (copied && !o->keep_all)
            note_fallback(p, i, "Concat copies %d of %d inputs (an input moves into its slice "
                          "only when that starts aligned, the dims before the axis are 1, and "
                          "it is no constant, graph input or output)", copied, n->n_in);
    }
    st = plan_shuffle_hosts(w->shuf, i) ? plan_shuffle_node(w->shuf, c, i, err)
                                    : fn(c, n, err);
    c->in_place = NULL;
    if (st) {
        if (strncmp(err->msg, "node '", 6) != 0) { /* say which node, once */
            char tmp[CLCNN_ERR_MSG_LEN];
            memcpy(tmp, err->msg, sizeof tmp);
            snprintf(err->msg, sizeof err->msg, "node '%.200s' (%s): %.700s", n->name,
                     ir_op_name(n->op), tmp);
        }
        return st;
    }
    p->variant[i] = c->variant ? c->variant : "empty";
    if (c->fallback[0])
        note_fallback(p, i, "%s", c->fallback);
    return CLCNN_OK;
}

clcnn_status plan_build(rt_ctx *rt, const ir_graph *g, const plan_options *opt, plan **out,
                        clcnn_err *err)
{
    plan_options o = {0};
    if (opt)
        o = *opt;
    const size_t nt = (size_t)g->n_tensors + 1, nn = (size_t)g->n_nodes + 1;
    plan *p = calloc(1, sizeof *p);
    plan_work w = {0};
    clcnn_status st;
    if (!p)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory creating the plan");
    p->g = g;
    p->mem = calloc(nt, sizeof *p->mem);
    p->variant = calloc(nn, sizeof *p->variant);
    p->fallback = calloc(nn, sizeof *p->fallback);
    p->fused_into = calloc(nn, sizeof *p->fused_into);
    p->readable = calloc(nt, 1);
    w.root = calloc(nt, sizeof(int)), w.uses = calloc(nt, sizeof(int));
    w.out_of = calloc(nn, sizeof(int)), w.act = calloc(nn, sizeof(opcl_act));
    w.res = calloc(nn, sizeof(int));
    w.gate_x = calloc(nn, sizeof(int)), w.gate_s = calloc(nn, sizeof(int));
    w.need = calloc(nt, sizeof(int)), w.def = calloc(nt, sizeof(int));
    w.last = calloc(nt, sizeof(int)), w.pinned = calloc(nt, sizeof(int));
    w.slot = calloc(nt, sizeof(int));
    w.sep = calloc(nn, sizeof(int));
    w.packed_by = calloc(nt, sizeof(int));
    w.dev_const = calloc(nt, 1);
    const int pl_bad = plan_place_init(&w.pl, g->n_tensors, g->n_nodes);
    w.pro = calloc(nn, sizeof(int));
    int max_in = 1;
    for (int i = 0; i < g->n_nodes; i++)
        max_in = g->nodes[i].n_in > max_in ? g->nodes[i].n_in : max_in;
    w.in_place = calloc((size_t)max_in, 1);
    if (pl_bad || !w.pro || !w.in_place || !w.packed_by || !w.dev_const || !p->mem || !p->variant || !p->fallback || !p->fused_into || !p->readable || !w.root || !w.uses ||
        !w.out_of || !w.act || !w.res || !w.gate_x || !w.gate_s || !w.need || !w.def || !w.last || !w.pinned || !w.slot || !w.sep) {
        st = err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory creating the plan");
        goto fail;
    }
    for (int i = 0; i < g->n_nodes; i++)
        if ((st = refuse_off_cl(&g->nodes[i], err)))
            goto fail;
    /* Stored tuning decisions; none stored (or an unreadable store) means the
     * heuristics, never an error. */
    tune_db *tune = NULL;
    clcnn_err tune_err = {0};
    if (tune_open(rt, &tune, &tune_err) != CLCNN_OK)
        tune = NULL;
    err_clear(&tune_err);
    analyse(rt, g, &o, p, &w);
    choose_packing(g, &o, tune, p, &w);
    if ((st = liveness(g, p, &w, err)) || (st = place_concats(rt, g, p, &w, err)) ||
        (st = alloc_buffers(rt, g, p, &w, o.keep_all, err))) {
        tune_close(tune);
        goto fail;
    }
    for (int t = 0; t < g->n_tensors; t++) { /* a tenant lasts as long as its host */
        const int r = w.root[t], h = w.pl.host[r] >= 0 ? w.pl.host[r] : r;
        p->readable[t] = p->mem[t] && (o.keep_all || is_const(&g->tensors[t]) || w.pinned[h]);
    }
    opcl_ctx c = {0};
    c.rt = rt;
    c.tune = tune;
    c.g = g;
    c.mem = p->mem;
    c.force = o.force;
    for (int i = 0; i < g->n_nodes; i++)
        if ((st = plan_node(g, &o, p, &w, &c, i, err))) {
            p->launches = c.launches, p->n_launches = c.n_launches;
            tune_close(tune);
            goto fail;
        }
    p->launches = c.launches;
    p->n_launches = c.n_launches;
    tune_close(tune);
    work_free(&w);
    *out = p;
    return CLCNN_OK;
fail:
    work_free(&w);
    plan_free(p);
    return st;
}

void plan_free(plan *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_launches; i++) {
        if (p->launches[i].k)
            clReleaseKernel(p->launches[i].k);
        if (p->launches[i].custom_free)
            p->launches[i].custom_free(p->launches[i].custom_data);
    }
    for (int i = p->n_buffers - 1; i >= 0; i--) /* sub-buffers (last) before their parents */
        clReleaseMemObject(p->buffers[i]);
    for (int i = 0; i < p->n_host_consts; i++) /* after the buffers that used them */
        free(p->host_consts[i]);
    free(p->host_consts);
    free(p->launches);
    free(p->buffers);
    free(p->mem);
    free(p->variant);
    for (int i = 0; p->fallback && p->g && i < p->g->n_nodes; i++)
        free(p->fallback[i]);
    free(p->fallback);
    free(p->fused_into);
    free(p->readable);
    free(p);
}
