/* plan.c — builds the OpenCL plan of a graph: runs the fusion passes
 * (passes/fuse.h: residual Adds, activations, Swish pairs, SE gates, BN
 * prologues, channel shuffles, separable pairs) with this backend's answers to
 * what its kernels can run, resolves zero-copy aliases (Reshape & co.), assigns
 * and allocates buffers, uploads constants (pointwise weights packed for their
 * kernel), then asks each op's *_cl.c for its launches. Every node gets a
 * recorded variant, and every refused fusion or fast kernel a note. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_inplace.h"
#include "plan_shuffle.h"
#include "../passes/fuse.h"
#include "../runtime/tune.h"

typedef struct plan_work {
    fuse_groups fg;  /* the fused groups (into/out/act/res/gate/pro/sep/shuffle), reader
                        counts and alias roots */
    int *need, *def, *last, *pinned;
    int64_t *off; /* per tensor: its offset in the activation arena, -1: none */
    int *packed_by; /* per tensor: the Conv whose packed copy of it is uploaded, -1: as is */
    char *dev_const; /* per tensor: a non-float32 constant a kernel reads (uploaded) */
    plan_place pl;   /* Concat in place: which tensors live in which buffer's slice */
    int n_tenants;   /* tensors with host >= 0 (each one sub-buffer) */
    unsigned char *in_place; /* scratch: a Concat's per-input flags for concat_cl */
} plan_work;

static void work_free(plan_work *w)
{
    fuse_free(&w->fg);
    free(w->need), free(w->def), free(w->last), free(w->pinned), free(w->off);
    free(w->packed_by), free(w->dev_const);
    plan_place_free(&w->pl);
    free(w->in_place);
}

static int is_const(const ir_tensor *t)
{
    return t->data != NULL;
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
    p->fallback[i] = err_note_append(p->fallback[i], msg);
}

/* 1 when node n runs with half storage (ir_node_half): passes/precision.c
 * gives every node one storage; its boundary Casts, which convert, build with
 * the flag too and pick kernels by each tensor's own. */
static int node_fp16(const ir_graph *g, const ir_node *n) { return ir_node_half(g, n); }

/* What the fusion passes ask of this backend (fuse_target), answered by the
 * kernels' own checks in ops_cl/. */
typedef struct target_ctx {
    rt_ctx *rt;        /* conv_cl_sep_ok sizes conv_dwpw's tile from the local memory */
    const char *force; /* tests: a forced variant changes what runs */
} target_ctx;

/* The kernel context the refusal hooks ask ops_cl/ with: graph g, node n's
 * storage precision, the runtime (local memory sizes) and any forced variant. */
static opcl_ctx target_probe(const target_ctx *t, const ir_graph *g, const ir_node *n)
{
    opcl_ctx probe = {0};
    probe.rt = t->rt;
    probe.g = g;
    probe.force = t->force;
    probe.fp16 = node_fp16(g, n);
    return probe;
}

static int target_epilogue_act(const ir_graph *g, const ir_node *a)
{
    opcl_act act;
    return opcl_act_of(g, a, &act) && act.code <= OPCL_ACT_EPI_LAST;
}

static const char *target_input_scale_refusal(const void *user, const ir_graph *g,
                                              const ir_node *conv)
{
    const target_ctx *t = user;
    opcl_ctx probe = {0};
    probe.g = g;
    probe.force = t->force;
    probe.fp16 = node_fp16(g, conv);
    return conv_cl_gate_ok(&probe, conv)
               ? NULL
               : "it does not run conv_pw (1x1, no pads, group 1, equal strides)";
}

static const char *target_separable_refusal(const void *user, const ir_graph *g,
                                            const ir_node *dw, const ir_node *pw)
{
    opcl_ctx probe = target_probe(user, g, pw);
    if (conv_cl_sep_ok(&probe, dw, pw))
        return NULL;
    const char *why = conv_cl_sep_refusal(&probe, dw, pw);
    return why ? why : "conv_dwpw refuses the pair";
}

static int target_separable_declined(const void *user, const ir_graph *g, const ir_node *dw,
                                     const ir_node *pw)
{
    opcl_ctx probe = target_probe(user, g, dw);
    return conv_cl_sep_declined(&probe, dw, pw);
}

static const char *target_squeeze_refusal(const void *user, const ir_graph *g, const ir_node *dw)
{
    opcl_ctx probe = target_probe(user, g, dw);
    return conv_cl_squeeze_refusal(&probe, dw);
}

static const char *target_se_fc_refusal(const void *user, const ir_graph *g, const ir_node *fc1,
                                        const ir_node *fc2)
{
    opcl_ctx probe = target_probe(user, g, fc1);
    return conv_cl_se_fc_refusal(&probe, fc1, fc2);
}

static int target_se_fc_declined(const void *user, const ir_graph *g, const ir_node *fc1,
                                 const ir_node *fc2)
{
    opcl_ctx probe = target_probe(user, g, fc1);
    return conv_cl_se_fc_declined(&probe, fc1, fc2);
}

/* The epilogue activation of host node i as its kernel applies it. */
static opcl_act act_of(const ir_graph *g, const fuse_groups *fg, int i)
{
    opcl_act act = {0};
    if (fg->act[i] < 0)
        return act;
    const ir_node *a = &g->nodes[fg->act[i]];
    if (!fg->act_x[i]) {
        opcl_act_of(g, a, &act);
    } else if (a->op == IR_OP_SIGMOID) {
        act.code = OPCL_ACT_SILU;
    } else {
        act.code = OPCL_ACT_XHSIG;
        act.a = ir_attr_float(a, "alpha", 0.2f);
        act.b = ir_attr_float(a, "beta", 0.5f);
    }
    return act;
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

/* The fused groups: the fusion passes with this backend's answers (none with
 * keep_all, where every tensor stays readable); their notes start p->fallback. */
static clcnn_status fuse_groups_of(rt_ctx *rt, const ir_graph *g, const plan_options *o, plan *p,
                                   plan_work *w, clcnn_err *err)
{
    const target_ctx tc = {rt, o->force};
    const fuse_target tg = {
        .user = &tc,
        .is_alias = opcl_is_alias,
        .epilogue_act = target_epilogue_act,
        .input_scale_refusal = target_input_scale_refusal,
        .separable_refusal = target_separable_refusal,
        .squeeze_refusal = target_squeeze_refusal,
        .se_fc_refusal = target_se_fc_refusal,
        .notes = o->force == NULL, /* a forced variant's refusals are the test's doing */
        .separable_declined = target_separable_declined,
        .se_fc_declined = target_se_fc_declined,
    };
    clcnn_status st = o->keep_all ? fuse_init(g, &tg, &w->fg, err) : fuse_run(g, &tg, &w->fg, err);
    if (st)
        return st;
    for (int i = 0; i < g->n_nodes; i++) {
        p->fused_into[i] = w->fg.into[i];
        p->fallback[i] = w->fg.note[i]; /* the plan's from here */
        w->fg.note[i] = NULL;
    }
    return CLCNN_OK;
}

/* Pointwise Convs that will run conv_pw / conv_dwpw get their weights uploaded
 * in those kernels' packed layout (see conv_cl_pack_weights). */
static void choose_packing(rt_ctx *rt, const ir_graph *g, const plan_options *o,
                           const tune_db *tune, const plan *p, plan_work *w)
{
    opcl_ctx probe = {0};
    probe.rt = rt; /* conv_dwc's choice depends on the device */
    probe.g = g;
    probe.force = o->force;
    probe.tune = tune;
    for (int t = 0; t < g->n_tensors; t++)
        w->packed_by[t] = -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (p->fused_into[i] < 0 && fuse_packable_weights(g, i) &&
            (probe.fp16 = node_fp16(g, &g->nodes[i]), probe.out = w->fg.out[i],
             conv_cl_packs_weights(&probe, &g->nodes[i], w->fg.sep[i] >= 0,
                                   w->fg.gate_x[i] >= 0 || w->fg.pro[i] >= 0)))
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
            int t = k == 0 ? w->fg.out[i] : n->out[k];
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
                    : k == n->n_in     ? w->fg.res[i]
                    : k == n->n_in + 1 ? w->fg.gate_x[i]
                    : k == n->n_in + 2 ? w->fg.gate_s[i]
                    : w->fg.pro[i] >= 0   ? g->nodes[w->fg.pro[i]].in[0] : -1;
            int t = u >= 0 ? w->fg.root[u] : -1;
            if (t >= 0 && i > w->last[t])
                w->last[t] = i;
            /* a non-float32 constant such a kernel reads goes to the device
             * too (opcl_any_dtype_input; Gather uploads its own indices) */
            if (u >= 0 && k < n->n_in && opcl_any_dtype_input(n->op, k) &&
                is_const(&g->tensors[u]) && g->tensors[u].dtype != IR_DT_FLOAT)
                w->dev_const[u] = 1;
        }
        const int d = w->fg.sep[i]; /* a fused depthwise: its inputs are read here */
        for (int k = 0; d >= 0 && k < g->nodes[d].n_in; k++) {
            int t = g->nodes[d].in[k] >= 0 ? w->fg.root[g->nodes[d].in[k]] : -1;
            if (t >= 0 && i > w->last[t])
                w->last[t] = i;
        }
    }
    plan_shuffle_liveness(&w->fg, w->need, w->def); /* a host's second output */
    for (int i = 0; i < g->n_nodes; i++) /* a depthwise group's SE squeeze, its second */
        if (w->fg.sq[i] >= 0)
            w->need[w->fg.sq[i]] = 1, w->def[w->fg.sq[i]] = i;
    for (int i = 0; i < g->n_outputs; i++)
        w->pinned[w->fg.root[g->outputs[i]]] = 1;
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
        const int i = fuse_writer_of(g, &w->fg, t);
        writer[t] = i >= 0 && p->fused_into[i] < 0 && w->fg.shuf_of[i] < 0 ? i : -1;
    }
    for (int i = 0; i < g->n_nodes; i++)
        skip[i] = p->fused_into[i] >= 0 || w->fg.shuf_of[i] >= 0;
    w->n_tenants = plan_inplace_place(g, w->fg.root, w->need, w->pinned, writer, skip,
                                      base_align(rt), &w->pl);
    w->n_tenants += plan_inplace_views(g, w->fg.root, w->need, w->pinned, skip, base_align(rt),
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

/* Oclgrind checks each access against the buffer it belongs to, and a
 * sub-buffer belongs to its parent: a read past a tensor's end into the arena's
 * next bytes goes unseen. There every activation gets its own buffer of its
 * exact size, shared with none (memory is not what a simulator is run for). */
static int own_buffers(rt_ctx *rt)
{
    return strncmp(rt_info(rt)->platform, "Oclgrind", 8) == 0;
}

static clcnn_status alloc_buffers(rt_ctx *rt, const ir_graph *g, plan *p, plan_work *w,
                                  const plan_options *o, clcnn_err *err)
{
    const size_t ba = base_align(rt);
    const uintptr_t align = ba ? ba : 4096; /* host bytes used in place must be this aligned */
    size_t *bytes = malloc(((size_t)g->n_tensors + 1) * sizeof *bytes), arena = 0;
    if (!bytes)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning buffers");
    int na = 0, nc = 0; /* tensors in the arena (one sub-buffer each), constants */
    for (int t = 0; t < g->n_tensors; t++) {
        bytes[t] = plan_dev_bytes(&g->tensors[t]);
        if (w->need[t])
            p->naive_act_bytes += bytes[t], na++;
    }
    /* the arena is cut into buffers no larger than the device allocates at
     * once (CL_DEVICE_MAX_MEM_ALLOC_SIZE: a quarter of its memory, or less,
     * on many GPUs), no tensor straddling a cut */
    cl_ulong max_alloc = 0;
    if (clGetDeviceInfo(rt_device(rt), CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc,
                        &max_alloc, NULL) != CL_SUCCESS || max_alloc > SIZE_MAX)
        max_alloc = 0;
    size_t cap = (size_t)max_alloc;
    if (o->arena_cap && (!cap || o->arena_cap < cap))
        cap = o->arena_cap;
    for (int t = 0; t < g->n_tensors && cap; t++)
        if (w->need[t] && bytes[t] > cap / align * align) {
            const size_t b = bytes[t];
            free(bytes);
            return err_set(err, CLCNN_ERR_UNSUPPORTED, "tensor '%s' needs %zu bytes, more than "
                           "the device allocates in one buffer (%zu)", g->tensors[t].name, b,
                           cap / align * align);
        }
    clcnn_status st = plan_arena_place(g->n_tensors, bytes, w->need, w->def, w->last, w->pinned,
                                       o->keep_all, align, cap, w->off, &arena, err);
    if (st) {
        free(bytes);
        return st;
    }
    cap = cap ? cap / align * align : arena;
    const size_t n_chunks = arena ? (arena + cap - 1) / cap : 0;
    for (int t = 0; t < g->n_tensors; t++)
        nc += is_const(&g->tensors[t]) && (g->tensors[t].dtype == IR_DT_FLOAT || w->dev_const[t]);
    p->buffers = calloc((size_t)na + nc + w->n_tenants + n_chunks + 1, sizeof *p->buffers);
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
    /* without room to keep packed copies they are copied like elsewhere */
    p->host_consts = unified ? calloc((size_t)nc + 1, sizeof *p->host_consts) : NULL;
    /* One arena, each activation a sub-buffer of it at its planned offset
     * (a multiple of the device's base alignment, as sub-buffers require). */
    const int own = own_buffers(rt);
    cl_mem *chunk = p->buffers; /* the arena's buffers come first */
    for (size_t k = 0; k < n_chunks && !own; k++) {
        const size_t b = arena - k * cap < cap ? arena - k * cap : cap;
        p->buffers[p->n_buffers] = clCreateBuffer(ctx, CL_MEM_READ_WRITE, b, NULL, &rc);
        if (rc != CL_SUCCESS)
            goto cl_fail;
        p->n_buffers++;
        p->act_bytes += b;
    }
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *x = &g->tensors[t];
        if (w->off[t] >= 0) {
            const cl_buffer_region r = {(size_t)w->off[t] % cap, bytes[t]};
            cl_mem m = own ? clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes[t], NULL, &rc)
                           : clCreateSubBuffer(chunk[(size_t)w->off[t] / cap], CL_MEM_READ_WRITE,
                                               CL_BUFFER_CREATE_TYPE_REGION, &r, &rc);
            if (rc != CL_SUCCESS) {
                free(bytes);
                return err_set(err, CLCNN_ERR_CL, "%s failed for '%s' (%zu bytes at %zu of the "
                               "%zu-byte activation arena): %s (%d)",
                               own ? "clCreateBuffer" : "clCreateSubBuffer", x->name, r.size,
                               (size_t)w->off[t], arena, rt_cl_error_name(rc), (int)rc);
            }
            p->act_bytes += own ? bytes[t] : 0;
            p->buffers[p->n_buffers++] = m;
            p->mem[t] = m;
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
            p->dev_copy[t] = !in_place || keep;
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
            if (w->packed_by[t] >= 0 && o->packed)
                o->packed(o->packed_user, t);
        }
    }
    for (int t = 0; t < g->n_tensors; t++) { /* Concat in place: a slice of its host's buffer */
        if (w->pl.host[t] < 0)
            continue;
        /* OpenCL has no sub-buffer of a sub-buffer: the slice is cut from
         * the arena at its host's offset plus its own */
        const int h = w->pl.host[t];
        const size_t ho = w->off[h] >= 0 ? (size_t)w->off[h] : 0; /* never straddles a cut */
        const cl_buffer_region r = {(own ? 0 : ho % cap) + (size_t)w->pl.off[t], bytes[t]};
        cl_mem m = w->off[h] >= 0 ? clCreateSubBuffer(own ? p->mem[h] : chunk[ho / cap],
                                                      CL_MEM_READ_WRITE,
                                                      CL_BUFFER_CREATE_TYPE_REGION, &r, &rc)
                                  : NULL;
        if (!m) {
            free(bytes);
            return err_set(err, CLCNN_ERR_CL, "clCreateSubBuffer failed for '%s' (%zu bytes at "
                           "%zu in '%s'): %s (%d)", g->tensors[t].name, r.size,
                           (size_t)w->pl.off[t], g->tensors[h].name, rt_cl_error_name(rc), (int)rc);
        }
        p->buffers[p->n_buffers++] = m;
        p->mem[t] = m;
    }
    for (int t = 0; t < g->n_tensors; t++) /* aliases share their root's buffer */
        if (!p->mem[t] && w->fg.root[t] != t)
            p->mem[t] = p->mem[w->fg.root[t]];
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

/* The scratch buffer launches share (opcl_ctx.scratch: conv_im2col's unfolded
 * input), sized by the largest need of any node that runs on its own; it
 * counts as activation memory. */
static clcnn_status alloc_scratch(rt_ctx *rt, const ir_graph *g, plan *p, plan_work *w,
                                  opcl_ctx *c, clcnn_err *err)
{
    size_t need = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (p->fused_into[i] >= 0 || n->op != IR_OP_CONV || n->n_in < 2 || n->in[1] < 0 ||
            w->fg.sep[i] >= 0 || w->fg.gate_x[i] >= 0 || w->fg.pro[i] >= 0)
            continue;
        c->w_packed = w->packed_by[n->in[1]] == i;
        c->fp16 = node_fp16(g, n);
        const size_t b = conv_cl_scratch_bytes(c, n);
        need = b > need ? b : need;
    }
    c->w_packed = c->fp16 = 0;
    if (!need)
        return CLCNN_OK;
    cl_int rc;
    cl_mem m = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE, need, NULL, &rc);
    if (rc != CL_SUCCESS)
        return err_set(err, CLCNN_ERR_CL, "clCreateBuffer (scratch, %zu bytes) failed: %s (%d)",
                       need, rt_cl_error_name(rc), (int)rc);
    cl_mem *grown = realloc(p->buffers, ((size_t)p->n_buffers + 1) * sizeof *p->buffers);
    if (!grown) {
        clReleaseMemObject(m);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning buffers");
    }
    p->buffers = grown;
    p->buffers[p->n_buffers++] = m;
    p->act_bytes += need;
    c->scratch = m;
    c->scratch_bytes = need;
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
        int t = k == 0 && w->fg.gate_x[i] >= 0 ? w->fg.gate_x[i] : n->in[k]; /* SE: reads X */
        if (k == 0 && w->fg.pro[i] >= 0) /* BN prologue: reads the BN's input */
            t = g->nodes[w->fg.pro[i]].in[0];
        if (k == 0 && w->fg.sep[i] >= 0) /* separable: reads the depthwise's input */
            t = g->nodes[w->fg.sep[i]].in[0];
        if (t >= 0 && !c->mem[t] && g->tensors[t].dtype == IR_DT_FLOAT)
            return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': input '%s' has no device buffer",
                           n->name, g->tensors[t].name);
    }
    c->build_opts = (o->fault_node && strcmp(o->fault_node, n->name) == 0)
                        ? "-DCLCNN_FAULT_FLIP_SIGN" : "";
    c->act = act_of(g, &w->fg, i);
    c->out = w->fg.out[i];
    c->res = w->fg.res[i] >= 0 ? p->mem[w->fg.res[i]] : NULL;
    c->in0 = w->fg.gate_x[i] >= 0 ? p->mem[w->fg.gate_x[i]]
             : w->fg.pro[i] >= 0  ? p->mem[g->nodes[w->fg.pro[i]].in[0]] : NULL;
    c->pro = NULL;
    c->pro_act = w->fg.pro[i] >= 0 ? act_of(g, &w->fg, w->fg.pro[i]) : (opcl_act){0};
    if (w->fg.pro[i] >= 0 && (st = bn_prologue_buffer(c->rt, g, p, w->fg.pro[i], &c->pro, err)))
        return st;
    c->gate = w->fg.gate_s[i] >= 0 ? p->mem[w->fg.gate_s[i]] : NULL;
    c->dw = w->fg.sep[i] >= 0 ? &g->nodes[w->fg.sep[i]] : NULL;
    c->dw_act = w->fg.sep[i] >= 0 ? act_of(g, &w->fg, w->fg.sep[i]) : (opcl_act){0};
    c->sq = w->fg.sq[i] >= 0 ? p->mem[w->fg.sq[i]] : NULL;
    c->fc2 = w->fg.fc2[i] >= 0 ? &g->nodes[w->fg.fc2[i]] : NULL;
    c->fc2_act = w->fg.fc2[i] >= 0 ? act_of(g, &w->fg, w->fg.fc2[i]) : (opcl_act){0};
    c->w_packed = n->n_in > 1 && n->in[1] >= 0 && w->packed_by[n->in[1]] == i;
    c->fp16 = node_fp16(g, n);
    c->variant = NULL;
    c->fallback[0] = '\0';
    c->in_place = NULL;
    if (n->op == IR_OP_CONCAT && w->fg.shuf_of[i] < 0) {
        const int copied = plan_inplace_concat(g, n, &w->pl, w->in_place);
        c->in_place = w->in_place;
        if (copied && !o->keep_all)
            note_fallback(p, i, "Concat copies %d of %d inputs (an input moves into its slice "
                          "only when that starts aligned, the dims before the axis are 1, and "
                          "it is no constant, graph input or output)", copied, n->n_in);
    }
    st = w->fg.shuf_of[i] >= 0 ? plan_shuffle_node(&w->fg, c, i, err) : fn(c, n, err);
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
    p->dev_copy = calloc(nt, 1);
    w.need = calloc(nt, sizeof(int)), w.def = calloc(nt, sizeof(int));
    w.last = calloc(nt, sizeof(int)), w.pinned = calloc(nt, sizeof(int));
    w.off = calloc(nt, sizeof(int64_t));
    w.packed_by = calloc(nt, sizeof(int));
    w.dev_const = calloc(nt, 1);
    const int pl_bad = plan_place_init(&w.pl, g->n_tensors, g->n_nodes);
    int max_in = 1;
    for (int i = 0; i < g->n_nodes; i++)
        max_in = g->nodes[i].n_in > max_in ? g->nodes[i].n_in : max_in;
    w.in_place = calloc((size_t)max_in, 1);
    if (pl_bad || !w.in_place || !w.packed_by || !w.dev_const || !p->mem || !p->variant ||
        !p->fallback || !p->fused_into || !p->readable || !p->dev_copy || !w.need || !w.def || !w.last ||
        !w.pinned || !w.off) {
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
    if ((st = fuse_groups_of(rt, g, &o, p, &w, err))) {
        tune_close(tune);
        goto fail;
    }
    choose_packing(rt, g, &o, tune, p, &w);
    if ((st = liveness(g, p, &w, err)) || (st = place_concats(rt, g, p, &w, err)) ||
        (st = alloc_buffers(rt, g, p, &w, &o, err))) {
        tune_close(tune);
        goto fail;
    }
    for (int t = 0; t < g->n_tensors; t++) { /* a tenant lasts as long as its host */
        const int r = w.fg.root[t], h = w.pl.host[r] >= 0 ? w.pl.host[r] : r;
        p->readable[t] = p->mem[t] && (o.keep_all || is_const(&g->tensors[t]) || w.pinned[h]);
    }
    opcl_ctx c = {0};
    c.rt = rt;
    c.tune = tune;
    c.g = g;
    c.mem = p->mem;
    c.force = o.force;
    if ((st = alloc_scratch(rt, g, p, &w, &c, err))) {
        tune_close(tune);
        goto fail;
    }
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
    free(p->dev_copy);
    free(p);
}
