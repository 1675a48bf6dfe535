/* builder.c — the layer helpers behind models/<arch>.c: each adds one IR node
 * (plus its weights) and sets its output's N,C,H,W itself, so a built graph
 * has shapes and parameter counts even before shape inference runs.
 * Weights: He-scaled near-normal (rng_normal) for convs, 1/sqrt(fan_in) for
 * the classifier, BN stats in a sane range, so activations of the random
 * network stay O(1). */
#include "builder.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic random numbers (splitmix64) ------------------------- */

/* The i-th draw after state s: splitmix64 is a counter hashed, so a fill
 * loop computes its draws from the index and the state it started from (no
 * chain through b->rng: the draws of a tensor are independent work). */
static uint64_t rng_mix(uint64_t s, uint64_t i)
{
    uint64_t z = s + i * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_uniform(uint64_t z) /* (0, 1) */
{
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* Near-normal with mean 0 and variance 1: the sum of four uniforms (the four
 * 16-bit quarters of one draw), centred and scaled (Irwin-Hall, n = 4; within
 * +-3.46). Random weights need the variance, not the tails, and Box-Muller's
 * log and cos per value were ~60% of a warm start of a built-in network
 * (MobileNetV2: 3.5 M weights, ~100 ms). */
static float rng_normal(uint64_t z)
{
    const uint32_t sum = (uint32_t)(z & 0xFFFF) + (uint32_t)((z >> 16) & 0xFFFF) +
                         (uint32_t)((z >> 32) & 0xFFFF) + (uint32_t)(z >> 48);
    /* each quarter (q + 0.5) / 65536 in (0, 1): the sum's mean is 2, its variance 4/12 */
    return ((float)sum + 2.0f) * (1.7320508f / 65536.0f) - 2.0f * 1.7320508f;
}

/* ---- activation scale estimates ------------------------------------------ */

static double m2_get(const bld *b, int t)
{
    return (t >= 0 && t < b->m2_cap && b->m2[t] > 0) ? b->m2[t] : 1.0;
}

static void m2_set(bld *b, int t, double v)
{
    if (t < 0)
        return;
    if (t >= b->m2_cap) {
        int nc = b->m2_cap ? b->m2_cap : 256;
        while (nc <= t)
            nc *= 2;
        double *p = realloc(b->m2, sizeof *p * (size_t)nc);
        if (!p)
            return; /* only an estimate: a missing entry reads as 1 */
        for (int i = b->m2_cap; i < nc; i++)
            p[i] = 0;
        b->m2 = p;
        b->m2_cap = nc;
    }
    b->m2[t] = v > 1e-6 ? v : 1e-6;
}

/* ---- errors, scopes, names --------------------------------------------- */

static int fail(bld *b, clcnn_status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(bld *b, clcnn_status st, const char *fmt, ...)
{
    if (b->st != CLCNN_OK)
        return -1;
    char msg[CLCNN_ERR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->st = err_set(b->err, st, "%s", msg);
    return -1;
}

static int oom(bld *b)
{
    return fail(b, CLCNN_ERR_OUT_OF_MEMORY, "%s: out of memory building the graph", b->arch);
}

int bld_invalid(bld *b, const char *fmt, ...)
{
    if (b->st != CLCNN_OK)
        return -1;
    char msg[CLCNN_ERR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    b->st = err_set(b->err, CLCNN_ERR_INVALID_ARG, "%s", msg);
    return -1;
}

void bld_push(bld *b, const char *fmt, ...)
{
    if (b->depth >= (int)(sizeof b->scope_len / sizeof b->scope_len[0])) {
        fail(b, CLCNN_ERR_INTERNAL, "%s: builder scopes nested too deep", b->arch);
        return;
    }
    size_t len = strlen(b->scope);
    b->scope_len[b->depth++] = (int)len;
    if (len && len + 1 < sizeof b->scope)
        b->scope[len++] = '.';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->scope + len, sizeof b->scope - len, fmt, ap);
    va_end(ap);
}

void bld_pop(bld *b)
{
    if (b->depth > 0)
        b->scope[b->scope_len[--b->depth]] = '\0';
}

static void full_name(const bld *b, const char *name, const char *suffix, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s", b->scope, (b->scope[0] && name[0]) ? "." : "", name,
             suffix ? suffix : "");
}

int bld_channels(const bld *b, int x) { return x < 0 ? 0 : (int)b->g->tensors[x].dims[1]; }
int bld_height(const bld *b, int x) { return x < 0 ? 0 : (int)b->g->tensors[x].dims[2]; }

/* ---- tensors ------------------------------------------------------------- */

/* Adds an activation tensor named after its node. */
static int act_tensor(bld *b, const char *node, int ndim, const int64_t *dims)
{
    int t = ir_add_tensor(b->g, node, IR_DT_FLOAT, ndim, dims);
    return t < 0 ? oom(b) : t;
}

/* Adds an initializer; data zeroed, caller fills it. */
static int init_tensor(bld *b, const char *node, const char *suffix, int dtype, int ndim,
                       const int64_t *dims, int is_param)
{
    char name[BLD_SCOPE_MAX + 96];
    snprintf(name, sizeof name, "%s%s", node, suffix);
    int t = ir_add_tensor(b->g, name, dtype, ndim, dims);
    if (t < 0)
        return oom(b);
    ir_tensor *tt = &b->g->tensors[t];
    size_t bytes = ir_nbytes(tt);
    tt->data = ir_data_alloc(bytes);
    if (!tt->data)
        return oom(b);
    memset(tt->data, 0, bytes ? bytes : 1);
    tt->is_param = is_param;
    return t;
}

static int fill_normal(bld *b, int t, double std)
{
    if (t < 0)
        return -1;
    ir_tensor *tt = &b->g->tensors[t];
    float *d = tt->data;
    const int64_t n = ir_numel(tt);
    const float sf = (float)std;
    for (int64_t i = 0; i < n; i++)
        d[i] = rng_normal(rng_mix(b->rng, (uint64_t)i + 1)) * sf;
    b->rng += (uint64_t)n * 0x9E3779B97F4A7C15ull;
    return t;
}

static int fill_uniform(bld *b, int t, double lo, double hi)
{
    if (t < 0)
        return -1;
    ir_tensor *tt = &b->g->tensors[t];
    float *d = tt->data;
    const int64_t n = ir_numel(tt);
    for (int64_t i = 0; i < n; i++)
        d[i] = (float)(lo + (hi - lo) * rng_uniform(rng_mix(b->rng, (uint64_t)i + 1)));
    b->rng += (uint64_t)n * 0x9E3779B97F4A7C15ull;
    return t;
}

static int scalar_const(bld *b, const char *name, float v)
{
    int t = init_tensor(b, name, "", IR_DT_FLOAT, 0, NULL, 0);
    if (t >= 0)
        *(float *)b->g->tensors[t].data = v;
    return t;
}

static int ints_const(bld *b, const char *node, const char *suffix, const int64_t *v, int n)
{
    int64_t dims[1] = {n};
    int t = init_tensor(b, node, suffix, IR_DT_INT64, 1, dims, 0);
    if (t >= 0)
        memcpy(b->g->tensors[t].data, v, sizeof(int64_t) * (size_t)n);
    return t;
}

/* Adds node + checks; returns node index or -1. */
static int add_node(bld *b, ir_op op, const char *name, const int *in, int n_in, int out)
{
    for (int k = 0; k < n_in; k++)
        if (in[k] < 0)
            return -1;
    if (out < 0)
        return -1;
    int n = ir_add_node(b->g, op, name, in, n_in, &out, 1);
    return n < 0 ? oom(b) : n;
}

/* ---- begin / finish ------------------------------------------------------ */

int bld_begin(bld *b, const char *arch, const builtin_params *p, int default_size, float bn_eps,
              clcnn_err *err)
{
    memset(b, 0, sizeof *b);
    b->arch = arch;
    b->err = err;
    b->bn_eps = bn_eps;
    b->t_zero = b->t_six = -1;
    /* Mix the arch name into the seed so two families never share weights. */
    uint64_t h = 1469598103934665603ull;
    for (const char *c = arch; *c; c++)
        h = (h ^ (uint8_t)*c) * 1099511628211ull;
    b->rng = h ^ (p ? p->seed : 0);
    b->input_size = (p && p->input_size) ? p->input_size : default_size;
    b->g = ir_graph_new();
    if (!b->g)
        return oom(b);
    b->g->opset = 14; /* HardSwish needs 14 */
    if (p && p->classes < 0)
        return bld_invalid(b, "%s: classes must be positive (got %d)", arch, p->classes);
    /* every family here downsamples 32x: smaller inputs would reach the head
     * as windows made only of padding */
    if (b->input_size < BLD_MIN_INPUT || b->input_size > BLD_MAX_INPUT)
        return bld_invalid(b, "%s: input size %d is out of range: must be %d..%d (the network downsamples 32x)", arch,
                           b->input_size, BLD_MIN_INPUT, BLD_MAX_INPUT);
    int64_t dims[4] = {1, 3, b->input_size, b->input_size};
    int x = act_tensor(b, "input", 4, dims);
    if (x < 0)
        return -1;
    b->g->inputs = malloc(sizeof(int));
    if (!b->g->inputs)
        return oom(b);
    b->g->inputs[0] = x;
    b->g->n_inputs = 1;
    return x;
}

clcnn_status bld_finish(bld *b, int out, ir_graph **g)
{
    if (b->st == CLCNN_OK && out >= 0) {
        free(b->g->tensors[out].name);
        b->g->tensors[out].name = strdup("output");
        b->g->outputs = malloc(sizeof(int));
        if (!b->g->tensors[out].name || !b->g->outputs)
            oom(b);
        else {
            b->g->outputs[0] = out;
            b->g->n_outputs = 1;
        }
    }
    if (b->st == CLCNN_OK && out < 0)
        fail(b, CLCNN_ERR_INTERNAL, "%s: builder produced no output", b->arch);
    if (b->st == CLCNN_OK)
        b->st = ir_toposort(b->g, b->err);
    free(b->m2);
    b->m2 = NULL;
    b->m2_cap = 0;
    if (b->st != CLCNN_OK) {
        ir_graph_free(b->g);
        b->g = NULL;
        return b->st;
    }
    *g = b->g;
    b->g = NULL;
    return CLCNN_OK;
}

/* ---- spatial arithmetic -------------------------------------------------- */

/* Output size and begin/end padding of one spatial axis; -1 when empty. */
static int spatial(bld *b, const char *node, int in, int k, int stride, int pad, int ceil_mode,
                   int64_t *pb, int64_t *pe)
{
    int out;
    if (pad == BLD_SAME) {
        out = (in + stride - 1) / stride;
        int total = (out - 1) * stride + k - in;
        if (total < 0)
            total = 0;
        *pb = total / 2;
        *pe = total - total / 2;
    } else {
        int span = in + 2 * pad - k;
        out = span < 0 ? 0 : (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
        /* PyTorch: the last window must start inside the input or left pad */
        if (ceil_mode && out > 0 && (out - 1) * stride >= in + pad)
            out--;
        *pb = pad;
        *pe = out > 0 ? (out - 1) * stride + k - in - pad : pad;
        if (*pe < pad)
            *pe = pad;
    }
    if (out < 1)
        return bld_invalid(b, "%s: input size %d is too small: layer '%s' would have no output "
                           "(its input is %dx%d)", b->arch, b->input_size, node, in, in);
    return out;
}

/* ---- layers --------------------------------------------------------------- */

int bld_conv(bld *b, int x, const char *name, int cout, int k, int stride, int pad, int groups,
             int bias)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    const ir_tensor *xt = &b->g->tensors[x];
    int cin = (int)xt->dims[1], h = (int)xt->dims[2];
    if (cout < 1 || groups < 1 || cin % groups || cout % groups)
        return fail(b, CLCNN_ERR_INTERNAL, "%s: conv '%s': %d -> %d channels, groups %d do not fit",
                    b->arch, node, cin, cout, groups);
    int64_t pb, pe;
    int oh = spatial(b, node, h, k, stride, pad, 0, &pb, &pe);
    if (oh < 0)
        return -1;
    int64_t wd[4] = {cout, cin / groups, k, k};
    /* unit output mean square whatever the input's: He scaling by the estimate */
    int w = fill_normal(b, init_tensor(b, node, ".weight", IR_DT_FLOAT, 4, wd, 1),
                        sqrt(1.0 / ((double)(cin / groups) * k * k * m2_get(b, x))));
    int in[3] = {x, w, -1};
    if (bias) {
        int64_t bd[1] = {cout};
        in[2] = fill_normal(b, init_tensor(b, node, ".bias", IR_DT_FLOAT, 1, bd, 1), 0.05);
    }
    int64_t od[4] = {1, cout, oh, oh};
    int y = act_tensor(b, node, 4, od);
    m2_set(b, y, 1.0);
    int n = add_node(b, IR_OP_CONV, node, in, bias ? 3 : 2, y);
    if (n < 0)
        return -1;
    int64_t ks[2] = {k, k}, st[2] = {stride, stride}, pads[4] = {pb, pb, pe, pe}, dil[2] = {1, 1};
    if (ir_set_attr_ints(b->g, n, "kernel_shape", ks, 2) || ir_set_attr_ints(b->g, n, "strides", st, 2) ||
        ir_set_attr_ints(b->g, n, "pads", pads, 4) || ir_set_attr_ints(b->g, n, "dilations", dil, 2) ||
        ir_set_attr_int(b->g, n, "group", groups))
        return oom(b);
    return y;
}

int bld_bn(bld *b, int x, const char *name)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    /* copy the shape now: adding initializers may move the tensor array */
    int ndim = b->g->tensors[x].ndim;
    int64_t dims[IR_MAX_DIMS];
    memcpy(dims, b->g->tensors[x].dims, sizeof dims);
    int64_t cd[1] = {dims[1]};
    int in[5] = {x, -1, -1, -1, -1};
    in[1] = fill_uniform(b, init_tensor(b, node, ".scale", IR_DT_FLOAT, 1, cd, 1), 0.8, 1.2);
    in[2] = fill_normal(b, init_tensor(b, node, ".bias", IR_DT_FLOAT, 1, cd, 1), 0.1);
    in[3] = fill_normal(b, init_tensor(b, node, ".mean", IR_DT_FLOAT, 1, cd, 1), 0.1);
    in[4] = fill_uniform(b, init_tensor(b, node, ".var", IR_DT_FLOAT, 1, cd, 1), 0.5, 1.5);
    int y = act_tensor(b, node, ndim, dims);
    m2_set(b, y, m2_get(b, x));
    int n = add_node(b, IR_OP_BATCHNORM, node, in, 5, y);
    if (n < 0)
        return -1;
    if (ir_set_attr_float(b->g, n, "epsilon", b->bn_eps))
        return oom(b);
    return y;
}

/* Elementwise node with the shape of its first input. */
static int unary(bld *b, ir_op op, int x, const char *node, const int *in, int n_in)
{
    if (b->st || x < 0)
        return -1;
    const ir_tensor *xt = &b->g->tensors[x];
    int64_t dims[IR_MAX_DIMS];
    memcpy(dims, xt->dims, sizeof dims);
    int y = act_tensor(b, node, xt->ndim, dims);
    m2_set(b, y, m2_get(b, x)); /* callers that change the scale overwrite it */
    return add_node(b, op, node, in, n_in, y) < 0 ? -1 : y;
}

/* ReLU keeps half the mean square of a zero-mean input, but these random
 * nets' activations are dominated by per-channel offsets and measured
 * keep-rates are ~0.65; 1/2 made ResNet-50's logits grow to ~1e2. */
#define BLD_RELU_KEEP 0.65

/* Rough mean square after an activation: ReLU-like halve it, gates are ~0.5. */
static int scaled(bld *b, int y, double m2)
{
    m2_set(b, y, m2);
    return y;
}

int bld_act_apply(bld *b, int x, const char *name, bld_act act)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    switch (act) {
    case BLD_ACT_NONE:
        return x;
    case BLD_ACT_RELU:
        return scaled(b, unary(b, IR_OP_RELU, x, node, &x, 1), m2_get(b, x) * BLD_RELU_KEEP);
    case BLD_ACT_RELU6: {
        if (b->t_zero < 0) {
            b->t_zero = scalar_const(b, "const.zero", 0.0f);
            b->t_six = scalar_const(b, "const.six", 6.0f);
        }
        int in[3] = {x, b->t_zero, b->t_six};
        return scaled(b, unary(b, IR_OP_CLIP, x, node, in, 3), m2_get(b, x) * BLD_RELU_KEEP);
    }
    case BLD_ACT_HSWISH:
        return scaled(b, unary(b, IR_OP_HARDSWISH, x, node, &x, 1), m2_get(b, x) / 2);
    case BLD_ACT_HSIGMOID: {
        int y = unary(b, IR_OP_HARDSIGMOID, x, node, &x, 1);
        if (y >= 0 && (ir_set_attr_float(b->g, b->g->n_nodes - 1, "alpha", 1.0f / 6.0f) ||
                       ir_set_attr_float(b->g, b->g->n_nodes - 1, "beta", 0.5f)))
            return oom(b);
        return scaled(b, y, 0.3);
    }
    case BLD_ACT_SIGMOID:
        return scaled(b, unary(b, IR_OP_SIGMOID, x, node, &x, 1), 0.3);
    case BLD_ACT_SWISH: {
        char sig[BLD_SCOPE_MAX + 80];
        snprintf(sig, sizeof sig, "%s.sigmoid", node);
        int s = unary(b, IR_OP_SIGMOID, x, sig, &x, 1);
        int in[2] = {x, s};
        return scaled(b, unary(b, IR_OP_MUL, x, node, in, 2), m2_get(b, x) / 2);
    }
    }
    return fail(b, CLCNN_ERR_INTERNAL, "%s: unknown activation %d", b->arch, (int)act);
}

int bld_cba(bld *b, int x, const char *name, int cout, int k, int stride, int pad, int groups,
            bld_act act)
{
    bld_push(b, "%s", name);
    x = bld_conv(b, x, "conv", cout, k, stride, pad, groups, 0);
    x = bld_bn(b, x, "bn");
    x = bld_act_apply(b, x, "act", act);
    bld_pop(b);
    return x;
}

int bld_dw(bld *b, int x, const char *name, int k, int stride, int pad, bld_act act)
{
    int c = bld_channels(b, x);
    return bld_cba(b, x, name, c, k, stride, pad, c, act);
}

int bld_pw(bld *b, int x, const char *name, int cout, bld_act act)
{
    return bld_cba(b, x, name, cout, 1, 1, 0, 1, act);
}

int bld_se(bld *b, int x, const char *name, int squeeze, bld_act inner, bld_act gate)
{
    int c = bld_channels(b, x);
    bld_push(b, "%s", name);
    int s = bld_gap(b, x, "pool");
    s = bld_conv(b, s, "fc1", squeeze, 1, 1, 0, 1, 1);
    s = bld_act_apply(b, s, "act", inner);
    s = bld_conv(b, s, "fc2", c, 1, 1, 0, 1, 1);
    s = bld_act_apply(b, s, "gate", gate);
    int y = bld_mul(b, "scale", x, s);
    bld_pop(b);
    return y;
}

static int reshape(bld *b, int x, const char *node, const int64_t *shape, int n)
{
    if (b->st || x < 0)
        return -1;
    int in[2] = {x, ints_const(b, node, ".shape", shape, n)};
    int y = act_tensor(b, node, n, shape);
    m2_set(b, y, m2_get(b, x));
    return add_node(b, IR_OP_RESHAPE, node, in, 2, y) < 0 ? -1 : y;
}

int bld_shuffle(bld *b, int x, const char *name, int groups)
{
    if (b->st || x < 0)
        return -1;
    const ir_tensor *xt = &b->g->tensors[x];
    int64_t c = xt->dims[1], h = xt->dims[2], w = xt->dims[3];
    char node[BLD_SCOPE_MAX + 64], sub[BLD_SCOPE_MAX + 96];
    full_name(b, name, NULL, node, sizeof node);
    int64_t s5[5] = {1, groups, c / groups, h, w}, s4[4] = {1, c, h, w};
    snprintf(sub, sizeof sub, "%s.reshape1", node);
    int r = reshape(b, x, sub, s5, 5);
    snprintf(sub, sizeof sub, "%s.transpose", node);
    int64_t td[5] = {1, c / groups, groups, h, w};
    int t = r < 0 ? -1 : act_tensor(b, sub, 5, td);
    m2_set(b, t, m2_get(b, x));
    int n = add_node(b, IR_OP_TRANSPOSE, sub, &r, 1, t);
    if (n < 0)
        return -1;
    int64_t perm[5] = {0, 2, 1, 3, 4};
    if (ir_set_attr_ints(b->g, n, "perm", perm, 5))
        return oom(b);
    snprintf(sub, sizeof sub, "%s.reshape2", node);
    return reshape(b, t, sub, s4, 4);
}

int bld_split2(bld *b, int x, const char *name, int *second)
{
    *second = -1;
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64], o2[BLD_SCOPE_MAX + 80];
    full_name(b, name, NULL, node, sizeof node);
    const ir_tensor *xt = &b->g->tensors[x];
    int64_t half = xt->dims[1] / 2;
    int64_t dims[4] = {1, half, xt->dims[2], xt->dims[3]};
    int64_t split[2] = {half, half};
    int in[2] = {x, ints_const(b, node, ".split", split, 2)};
    snprintf(o2, sizeof o2, "%s.1", node);
    int outs[2] = {act_tensor(b, node, 4, dims), act_tensor(b, o2, 4, dims)};
    if (in[1] < 0 || outs[0] < 0 || outs[1] < 0)
        return -1;
    int n = ir_add_node(b->g, IR_OP_SPLIT, node, in, 2, outs, 2);
    if (n < 0 || ir_set_attr_int(b->g, n, "axis", 1))
        return oom(b);
    m2_set(b, outs[0], m2_get(b, x));
    m2_set(b, outs[1], m2_get(b, x));
    *second = outs[1];
    return outs[0];
}

int bld_concat(bld *b, const char *name, const int *xs, int n)
{
    if (b->st)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int64_t dims[4];
    memcpy(dims, b->g->tensors[xs[0]].dims, sizeof dims);
    dims[1] = 0;
    for (int i = 0; i < n; i++)
        dims[1] += b->g->tensors[xs[i]].dims[1];
    int y = act_tensor(b, node, 4, dims);
    double acc = 0;
    for (int i = 0; i < n; i++)
        acc += m2_get(b, xs[i]) * (double)b->g->tensors[xs[i]].dims[1];
    m2_set(b, y, acc / (double)(dims[1] ? dims[1] : 1));
    int nd = add_node(b, IR_OP_CONCAT, node, xs, n, y);
    if (nd < 0)
        return -1;
    if (ir_set_attr_int(b->g, nd, "axis", 1))
        return oom(b);
    return y;
}

int bld_add(bld *b, const char *name, int x, int y)
{
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int in[2] = {x, y};
    return scaled(b, unary(b, IR_OP_ADD, x, node, in, 2), m2_get(b, x) + m2_get(b, y));
}

int bld_mul(bld *b, const char *name, int x, int y)
{
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int in[2] = {x, y};
    return scaled(b, unary(b, IR_OP_MUL, x, node, in, 2), m2_get(b, x) * m2_get(b, y));
}

static int pool(bld *b, ir_op op, int x, const char *name, int k, int stride, int pad, int ceil)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    const ir_tensor *xt = &b->g->tensors[x];
    int64_t pb, pe;
    int oh = spatial(b, node, (int)xt->dims[2], k, stride, pad, ceil, &pb, &pe);
    if (oh < 0)
        return -1;
    int64_t dims[4] = {1, xt->dims[1], oh, oh};
    int y = act_tensor(b, node, 4, dims);
    m2_set(b, y, m2_get(b, x));
    int n = add_node(b, op, node, &x, 1, y);
    if (n < 0)
        return -1;
    int64_t ks[2] = {k, k}, st[2] = {stride, stride}, pads[4] = {pb, pb, pe, pe};
    if (ir_set_attr_ints(b->g, n, "kernel_shape", ks, 2) || ir_set_attr_ints(b->g, n, "strides", st, 2) ||
        ir_set_attr_ints(b->g, n, "pads", pads, 4))
        return oom(b);
    return y;
}

int bld_maxpool(bld *b, int x, const char *name, int k, int stride, int pad, int ceil)
{
    return pool(b, IR_OP_MAXPOOL, x, name, k, stride, pad, ceil);
}

int bld_avgpool(bld *b, int x, const char *name, int k, int stride)
{
    return pool(b, IR_OP_AVGPOOL, x, name, k, stride, 0, 0);
}

int bld_gap(bld *b, int x, const char *name)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int64_t dims[4] = {1, b->g->tensors[x].dims[1], 1, 1};
    int y = act_tensor(b, node, 4, dims);
    m2_set(b, y, m2_get(b, x));
    return add_node(b, IR_OP_GLOBALAVGPOOL, node, &x, 1, y) < 0 ? -1 : y;
}

int bld_flatten(bld *b, int x, const char *name)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    const ir_tensor *xt = &b->g->tensors[x];
    int64_t dims[2] = {1, ir_numel(xt)};
    int y = act_tensor(b, node, 2, dims);
    m2_set(b, y, m2_get(b, x));
    int n = add_node(b, IR_OP_FLATTEN, node, &x, 1, y);
    if (n < 0)
        return -1;
    if (ir_set_attr_int(b->g, n, "axis", 1))
        return oom(b);
    return y;
}

int bld_to_2d(bld *b, int x, const char *name)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int64_t shape[2] = {1, ir_numel(&b->g->tensors[x])};
    return reshape(b, x, node, shape, 2);
}

int bld_gemm(bld *b, int x, const char *name, int nout)
{
    if (b->st || x < 0)
        return -1;
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int64_t nin = b->g->tensors[x].dims[1];
    int64_t wd[2] = {nout, nin}, bd[1] = {nout};
    int in[3] = {x, -1, -1};
    in[1] = fill_normal(b, init_tensor(b, node, ".weight", IR_DT_FLOAT, 2, wd, 1),
                        1.0 / sqrt((double)nin * m2_get(b, x)));
    in[2] = fill_normal(b, init_tensor(b, node, ".bias", IR_DT_FLOAT, 1, bd, 1), 0.05);
    int64_t od[2] = {1, nout};
    int y = act_tensor(b, node, 2, od);
    m2_set(b, y, 1.0);
    int n = add_node(b, IR_OP_GEMM, node, in, 3, y);
    if (n < 0)
        return -1;
    if (ir_set_attr_int(b->g, n, "transB", 1))
        return oom(b);
    return y;
}

int bld_softmax(bld *b, int x, const char *name)
{
    char node[BLD_SCOPE_MAX + 64];
    full_name(b, name, NULL, node, sizeof node);
    int y = unary(b, IR_OP_SOFTMAX, x, node, &x, 1);
    if (y >= 0 && ir_set_attr_int(b->g, b->g->n_nodes - 1, "axis", 1))
        return oom(b);
    return y;
}

/* ---- option checks -------------------------------------------------------- */

int bld_make_divisible(double v, int div)
{
    int nv = (int)(v + div / 2.0) / div * div;
    if (nv < div)
        nv = div;
    if (nv < 0.9 * v)
        nv += div;
    return nv;
}

int bld_check_width(bld *b, float width, int has_width)
{
    if (width == 0.0f)
        return 0;
    if (!has_width && width != 1.0f)
        return bld_invalid(b, "%s has no width multiplier (got width %g)", b->arch, (double)width);
    if (!(width > 0.0f && width <= 4.0f))
        return bld_invalid(b, "%s: width multiplier must be in (0, 4] (got %g)", b->arch, (double)width);
    return 0;
}

int bld_check_depth(bld *b, float depth, int has_depth)
{
    if (depth == 0.0f)
        return 0;
    if (!has_depth && depth != 1.0f)
        return bld_invalid(b, "%s has no depth multiplier (got depth %g)", b->arch, (double)depth);
    if (!(depth > 0.0f && depth <= 4.0f))
        return bld_invalid(b, "%s: depth multiplier must be in (0, 4] (got %g)", b->arch, (double)depth);
    return 0;
}
