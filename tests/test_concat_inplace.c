/* test_concat_inplace.c — issue 17's copy-free DenseNet: Concat in place
 * (host/plan/plan_inplace.c: inputs as sub-buffers of the output, nested
 * Concats at absolute offsets, the torchvision running concatenation as a
 * view) and a pre-activation BatchNormalization fused into the pointwise
 * Conv reading it (conv_pw -DPROLOGUE). Each graph runs against the reference
 * executor with its launch count asserted; plan-level checks read the tenants'
 * cl_mem (parent, offset); cases that must fall back (misaligned offset, batch
 * 2, graph input/output, alias view, Concat(a, a), BN before a 3x3 Conv) stay
 * correct with their copies/launches counted; keep_all reads every tensor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "passes/precision.h"
#include "plan/plan.h"
#include "test_kernels_harness.h"

/* Conv(x; k x k, stride s, pads k/2) with bias, C -> oc; returns its output. */
static int add_conv(ir_graph *g, const char *name, int x, int c, int oc, int k, int s)
{
    char nm[64];
    int64_t wd[4] = {oc, c, k, k}, bd[1] = {oc};
    snprintf(nm, sizeof nm, "%s.w", name);
    int w = kh_const(g, nm, 4, wd, -0.4f, 0.4f);
    snprintf(nm, sizeof nm, "%s.b", name);
    int b = kh_const(g, nm, 1, bd, -0.3f, 0.3f);
    int in[3] = {x, w, b};
    int y = kh_tensor(g, name);
    int n = ir_add_node(g, IR_OP_CONV, name, in, 3, &y, 1);
    int64_t ks[2] = {k, k}, st[2] = {s, s}, pd[4] = {k / 2, k / 2, k / 2, k / 2};
    ir_set_attr_ints(g, n, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, n, "strides", st, 2);
    ir_set_attr_ints(g, n, "pads", pd, 4);
    return y;
}

static int add_op(ir_graph *g, ir_op op, const char *name, int a)
{
    int y = kh_tensor(g, name);
    ir_add_node(g, op, name, &a, 1, &y, 1);
    return y;
}

/* BatchNormalization of x (C channels) with non-trivial statistics. */
static int add_bn(ir_graph *g, const char *name, int x, int c)
{
    char nm[64];
    int64_t d[1] = {c};
    int in[5] = {x};
    static const float lo[4] = {0.5f, -0.5f, -0.5f, 0.2f}, hi[4] = {1.5f, 0.5f, 0.5f, 1.5f};
    for (int k = 0; k < 4; k++) {
        snprintf(nm, sizeof nm, "%s.p%d", name, k);
        in[k + 1] = kh_const(g, nm, 1, d, lo[k], hi[k]);
    }
    int y = kh_tensor(g, name);
    ir_add_node(g, IR_OP_BATCHNORM, name, in, 5, &y, 1);
    return y;
}

static int add_concat(ir_graph *g, const char *name, const int *parts, int n)
{
    int y = kh_tensor(g, name);
    int i = ir_add_node(g, IR_OP_CONCAT, name, parts, n, &y, 1);
    ir_set_attr_int(g, i, "axis", 1);
    return y;
}

/* The device's sub-buffer alignment in bytes (CL_DEVICE_MEM_BASE_ADDR_ALIGN). */
static size_t dev_align(rt_ctx *rt)
{
    cl_uint bits = 0;
    assert_int_equal(clGetDeviceInfo(rt_device(rt), CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits,
                                     &bits, NULL), CL_SUCCESS);
    return bits / 8;
}

/* m's parent buffer (NULL: not a sub-buffer) and its offset in it. */
/* Where a buffer's bytes are: the buffer it is a sub-buffer of (itself when
 * none) and its offset there. Activations are sub-buffers of one arena
 * (plan_mem.c), or buffers of their own under Oclgrind, and a tenant is a
 * sub-buffer of either. */
static cl_mem base_of(cl_mem m, size_t *off, size_t *size)
{
    cl_mem par = NULL;
    assert_int_equal(clGetMemObjectInfo(m, CL_MEM_ASSOCIATED_MEMOBJECT, sizeof par, &par, NULL),
                     CL_SUCCESS);
    assert_int_equal(clGetMemObjectInfo(m, CL_MEM_OFFSET, sizeof *off, off, NULL), CL_SUCCESS);
    assert_int_equal(clGetMemObjectInfo(m, CL_MEM_SIZE, sizeof *size, size, NULL), CL_SUCCESS);
    return par ? par : m;
}

/* 1 when buffer m lies inside buffer host's bytes, *off then its offset there. */
static int slice_of(cl_mem m, cl_mem host, size_t *off)
{
    size_t mo, ms, ho, hs;
    const cl_mem mb = base_of(m, &mo, &ms), hb = base_of(host, &ho, &hs);
    if (m == host || mb != hb || mo < ho || mo + ms > ho + hs)
        return 0;
    *off = mo - ho;
    return 1;
}

static int node_named(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return i;
    fail_msg("no node '%s'", name);
    return -1;
}

static ir_graph *prepared(ir_graph *g)
{
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    return g;
}

/* DenseNet in small: stem 3x3 (C0 channels, Relu), `layers` dense layers of
 * BN-Relu-Conv1x1 (16) - BN-Relu-Conv3x3 (growth G) concatenated onto the
 * running features (x = Concat(x, y): nested Concats), then a transition
 * BN-Relu-Conv1x1. Channel planes of H x W floats. */
static ir_graph *dense_graph(int batch, int c0, int growth, int layers, int h, int w)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {batch, 3, h, w};
    int x = kh_input(g, "x", 4, xd);
    x = add_op(g, IR_OP_RELU, "stem.relu", add_conv(g, "stem", x, 3, c0, 3, 1));
    int c = c0;
    for (int l = 0; l < layers; l++) {
        char nm[64];
        snprintf(nm, sizeof nm, "l%d.norm1", l);
        int y = add_op(g, IR_OP_RELU, "", add_bn(g, nm, x, c));
        snprintf(nm, sizeof nm, "l%d.conv1", l);
        y = add_conv(g, nm, y, c, 16, 1, 1);
        snprintf(nm, sizeof nm, "l%d.norm2", l);
        y = add_op(g, IR_OP_RELU, "", add_bn(g, nm, y, 16));
        snprintf(nm, sizeof nm, "l%d.conv2", l);
        y = add_conv(g, nm, y, 16, growth, 3, 1);
        int parts[2] = {x, y};
        snprintf(nm, sizeof nm, "l%d.concat", l);
        x = add_concat(g, nm, parts, 2);
        c += growth;
    }
    x = add_op(g, IR_OP_RELU, "", add_bn(g, "trans.norm", x, c));
    kh_output(g, add_conv(g, "trans.conv", x, c, 8, 1, 1));
    return g;
}

/* Launches of the dense graph when every Concat is in place and every BN
 * before a 1x1 Conv is fused: stem, then per layer conv1 (+norm1), norm2,
 * conv2; the transition's conv (+ its norm). */
#define DENSE_LAUNCHES(layers) (1 + 3 * (layers) + 1)

static void test_dense_block(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const size_t align = dev_align(rt);
    if (align > 1024) { /* planes of 256 floats: every offset a multiple of 1 KiB */
        print_message("alignment %zu bytes: skipping\n", align);
        rt_destroy(rt);
        return;
    }
    /* batch 1: no copy, 3 launches a layer; unfused: stem, relu, 6 a layer, 3 */
    assert_int_equal(kh_unfused_launches(rt, dense_graph(1, 16, 8, 3, 16, 16)), 2 + 6 * 3 + 3);
    assert_int_equal(kh_check_k(rt, dense_graph(1, 16, 8, 3, 16, 16), NULL, "in_place",
                                DENSE_LAUNCHES(3), "dense block"), 0);
    /* batch 2: slices are not contiguous, each Concat copies its two inputs */
    assert_int_equal(kh_check_k(rt, dense_graph(2, 16, 8, 3, 16, 16), NULL, "copy_block",
                                DENSE_LAUNCHES(3) + 2 * 3, "dense block, batch 2"), 0);
    /* the plan: every tenant a slice of the last Concat's bytes, at its
     * absolute offset (nested Concats never make sub-buffers of sub-buffers) */
    ir_graph *g = prepared(dense_graph(1, 16, 8, 3, 16, 16));
    plan *p = NULL;
    clcnn_err err = {0};
    plan_options o = {0};
    clfx_check(plan_build(rt, g, &o, &p, &err), &err, "plan_build dense");
    const int root = g->nodes[node_named(g, "l2.concat")].out[0];
    size_t off = 1;
    for (int l = 0; l < 3; l++) {
        char nm[32];
        snprintf(nm, sizeof nm, "l%d.concat", l);
        const ir_node *cat = &g->nodes[node_named(g, nm)];
        assert_string_equal(p->variant[cat - g->nodes], "in_place");
        const int64_t plane = 16 * 16 * sizeof(float);
        assert_true(slice_of(p->mem[cat->in[0]], p->mem[root], &off));
        assert_int_equal(off, 0);
        assert_true(slice_of(p->mem[cat->in[1]], p->mem[root], &off));
        assert_int_equal(off, (size_t)((16 + 8 * l) * plane));
        snprintf(nm, sizeof nm, "l%d.norm1", l);
        assert_string_equal(p->variant[node_named(g, nm)], "fused");
        snprintf(nm, sizeof nm, "l%d.norm2", l); /* before a 3x3 Conv: its own launch */
        assert_string_equal(p->variant[node_named(g, nm)], "bn");
    }
    plan_free(p);
    ir_graph_free(g);
    rt_destroy(rt);
}

/* An arena larger than the device allocates at once is cut into buffers of at
 * most that many bytes, no tensor straddling a cut (plan_mem.c). Here the cap
 * (arena_cap, a test hook) is the largest tensor's size, the last Concat's
 * 40 planes: the dense block's tensors spread over several buffers, its
 * Concats still in place, and the results still the reference's. */
static void test_arena_cut(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    const size_t align = dev_align(rt), cap = 40 * 16 * 16 * sizeof(float);
    if (align > 1024 || strncmp(rt_info(rt)->platform, "Oclgrind", 8) == 0) {
        print_message("alignment %zu bytes or Oclgrind (no arena): skipping\n", align);
        rt_destroy(rt);
        return;
    }
    exec_cl_options eo = {0};
    eo.arena_cap = cap;
    assert_int_equal(kh_check_opt(rt, dense_graph(1, 16, 8, 3, 16, 16), &eo, "in_place",
                                  DENSE_LAUNCHES(3), "dense block, arena cut"), 0);
    ir_graph *g = prepared(dense_graph(1, 16, 8, 3, 16, 16));
    plan *p = NULL;
    clcnn_err err = {0};
    plan_options o = {0};
    o.arena_cap = cap;
    clfx_check(plan_build(rt, g, &o, &p, &err), &err, "plan_build dense, arena cut");
    cl_mem bases[64];
    int nb = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        if (!p->mem[t] || g->tensors[t].data)
            continue;
        size_t off, size;
        const cl_mem b = base_of(p->mem[t], &off, &size);
        assert_true(off + size <= cap); /* within one buffer of at most cap bytes */
        int seen = 0;
        for (int i = 0; i < nb; i++)
            seen |= bases[i] == b;
        if (!seen && nb < 64)
            bases[nb++] = b;
    }
    assert_true(nb >= 2);
    const int root = g->nodes[node_named(g, "l2.concat")].out[0];
    size_t off = 1;
    const ir_node *cat = &g->nodes[node_named(g, "l2.concat")];
    assert_true(slice_of(p->mem[cat->in[1]], p->mem[root], &off));
    assert_int_equal(off, (size_t)(32 * 16 * 16 * sizeof(float)));
    plan_free(p);
    /* a tensor larger than the cap: refused by name of the limit, not a CL error */
    o.arena_cap = cap / 2;
    assert_int_equal(plan_build(rt, g, &o, &p, &err), CLCNN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "more than the device allocates in one buffer"));
    err_clear(&err);
    ir_graph_free(g);
    rt_destroy(rt);
}

/* torchvision's DenseNet concatenates the list of all features each layer:
 * c1 = Concat(x0, y1), c2 = Concat(x0, y1, y2). The last one places x0, y1,
 * y2; c1 then finds its inputs back to back and becomes a view. With H x W
 * planes of 35 floats, y1 and y2 start off the alignment: c2 copies them into
 * its buffer, c1 is still a view of it (x0 at offset 0) and copies y1 there,
 * and c2 then skips y1 (already in place): 2 copies, not 2 + 3. */
static ir_graph *list_graph(int h, int w)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {1, 3, h, w};
    int x = kh_input(g, "x", 4, xd);
    int x0 = add_conv(g, "c0", x, 3, 8, 3, 1);
    int y1 = add_conv(g, "c1", x0, 8, 8, 3, 1);
    int p1[2] = {x0, y1};
    int c1 = add_concat(g, "cat1", p1, 2);
    int y2 = add_conv(g, "c2", add_op(g, IR_OP_RELU, "", add_bn(g, "bn", c1, 16)), 16, 8, 1, 1);
    int p2[3] = {x0, y1, y2};
    int c2 = add_concat(g, "cat2", p2, 3);
    kh_output(g, add_conv(g, "head", c2, 24, 5, 1, 1));
    return g;
}

static void test_list_concat_view(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    if (dev_align(rt) > 512) { /* planes of 128 floats */
        rt_destroy(rt);
        return;
    }
    /* c0, c1, c2 (+ bn), head: both Concats launch nothing */
    assert_int_equal(kh_check_k(rt, list_graph(8, 16), NULL, "in_place", 4, "torchvision list"), 0);
    assert_int_equal(kh_check_k(rt, list_graph(5, 7), NULL, "copy_block", 4 + 2,
                                "torchvision list, misaligned features"), 0);
    ir_graph *g = prepared(list_graph(8, 16));
    plan *p = NULL;
    clcnn_err err = {0};
    plan_options o = {0};
    clfx_check(plan_build(rt, g, &o, &p, &err), &err, "plan_build list");
    const ir_node *c1 = &g->nodes[node_named(g, "cat1")], *c2 = &g->nodes[node_named(g, "cat2")];
    size_t off = 1;
    assert_true(slice_of(p->mem[c1->out[0]], p->mem[c2->out[0]], &off));
    assert_int_equal(off, 0);
    assert_string_equal(p->variant[c1 - g->nodes], "in_place");
    assert_string_equal(p->variant[c2 - g->nodes], "in_place");
    plan_free(p);
    ir_graph_free(g);
    rt_destroy(rt);
}

typedef struct fb_case {
    const char *label;
    int kind;   /* which graph, see fallback_graph */
    int copies; /* copy_block launches the Concat keeps */
} fb_case;

/* Concats whose inputs (some of them) cannot move. kind 0: a's slice ends off
 * the alignment (3 x 5x7 floats = 420 bytes), b copied; 1: a graph input as
 * input 0; 2: Concat(a, a) (neither copy moves); 3: an alias view (Reshape of a) as input; 4: an
 * input that is also a graph output; 5: the Concat itself a graph output
 * (inputs still move: the pinned buffer hosts them). Then a 1x1 Conv reads it. */
static ir_graph *fallback_graph(int kind, int *n_convs)
{
    ir_graph *g = kh_new(13);
    const int64_t h = kind == 0 ? 5 : 4, w = kind == 0 ? 7 : 8; /* kind 0: odd planes */
    int64_t xd[4] = {1, 3, h, w};
    int x = kh_input(g, "x", 4, xd);
    int a = add_conv(g, "a", x, 3, 3, 1, 1);
    int b = add_conv(g, "b", x, 3, 3, 3, 1);
    int parts[2] = {a, b}, c = 6;
    *n_convs = 3; /* a, b (run even where the Concat does not read them) and the head */
    if (kind == 1)
        parts[0] = x;
    if (kind == 2)
        parts[1] = a;
    if (kind == 3) {
        int64_t sh[4] = {1, 3, h, w};
        int s = kh_const_i64(g, "shape", 4, sh);
        int in[2] = {a, s}, r = kh_tensor(g, "reshaped");
        ir_add_node(g, IR_OP_RESHAPE, "reshape", in, 2, &r, 1);
        parts[0] = r;
    }
    if (kind == 4)
        kh_output(g, a);
    int y = add_concat(g, "cat", parts, 2);
    if (kind == 5)
        kh_output(g, y);
    kh_output(g, add_conv(g, "head", y, c, 5, 1, 1));
    return g;
}

static void test_fallbacks(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    if (dev_align(rt) > 128 || dev_align(rt) < 8) { /* 4x8 planes x 3 = 384 bytes */
        rt_destroy(rt);
        return;
    }
    static const fb_case cases[] = {
        {"misaligned offset", 0, 1}, {"graph input", 1, 1}, {"Concat(a, a)", 2, 2},
        {"alias view", 3, 1},        {"input also an output", 4, 1}, {"Concat an output", 5, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int convs = 0;
        ir_graph *g = fallback_graph(cases[i].kind, &convs);
        assert_int_equal(kh_check_k(rt, g, NULL, cases[i].copies ? "copy_block" : "in_place",
                                    convs + cases[i].copies, cases[i].label), 0);
    }
    /* misaligned: a (offset 0) still lives in the Concat's buffer, b does not */
    int convs = 0;
    ir_graph *g = prepared(fallback_graph(0, &convs));
    plan *p = NULL;
    clcnn_err err = {0};
    plan_options o = {0};
    clfx_check(plan_build(rt, g, &o, &p, &err), &err, "plan_build misaligned");
    const ir_node *cat = &g->nodes[node_named(g, "cat")];
    size_t off = 1;
    assert_true(slice_of(p->mem[cat->in[0]], p->mem[cat->out[0]], &off));
    assert_int_equal(off, 0);
    assert_false(slice_of(p->mem[cat->in[1]], p->mem[cat->out[0]], &off));
    plan_free(p);
    ir_graph_free(g);
    rt_destroy(rt);
}

/* keep_all (clcnn compare): Concats stay in place and every tensor, tenants
 * included, is readable after the run and equal to the reference's. */
static void keep_all_case(rt_ctx *rt, ir_graph *g)
{
    prepared(g);
    const size_t nx = (size_t)ir_numel(&g->tensors[g->inputs[0]]);
    const size_t ny = (size_t)ir_numel(&g->tensors[g->outputs[0]]);
    float *x = malloc(nx * sizeof *x), *y = malloc(ny * sizeof *y);
    for (size_t i = 0; i < nx; i++)
        x[i] = kh_rand();
    void **all = NULL;
    clcnn_err err = {0};
    const float *in[1] = {x};
    float *ref_out[1] = {y};
    clfx_check(exec_ref_run(g, in, ref_out, &all, &err), &err, "exec_ref_run");
    exec_cl_options ko = {.keep_intermediates = 1};
    exec_cl *e = NULL;
    float *out[1] = {y};
    clfx_check(exec_cl_create(rt, g, &ko, &e, &err), &err, "exec_cl_create keep");
    clfx_check(exec_cl_run(e, in, out, &err), &err, "exec_cl_run keep");
    int checked = 0;
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *tt = &g->tensors[t];
        if (tt->data || tt->producer < 0)
            continue;
        const size_t n = (size_t)ir_numel(tt);
        float *v = malloc(n * sizeof *v);
        clfx_check(exec_cl_read_tensor(e, t, v, &err), &err, tt->name);
        const float *r = all[t];
        double mx = 0;
        for (size_t j = 0; j < n; j++)
            mx = fmax(mx, fabs(r[j]));
        for (size_t j = 0; j < n; j++)
            if (!(fabs(v[j] - r[j]) <= KH_ABS + KH_REL * mx))
                fail_msg("keep_all: tensor '%s' index %zu: cl %g ref %g", tt->name, j, v[j], r[j]);
        free(v);
        checked++;
    }
    assert_true(checked >= 6);
    exec_cl_destroy(e);
    exec_ref_free_bufs(g, all);
    free(x), free(y);
    ir_graph_free(g);
}

static void test_keep_all_reads_tenants(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    keep_all_case(rt, dense_graph(1, 16, 8, 2, 16, 16));
    keep_all_case(rt, list_graph(5, 7));
    rt_destroy(rt);
}

/* a = Conv1x1(x) (1 x 6 x h x w); kind 0: Split(a, [2, 4]) on channels, each
 * half read by a 1x1 Conv; kind 1: Slice(a, channels 1..5) then a 1x1 Conv;
 * kind 2: a = Concat(Conv, Conv) first (a placed Concat output), then the
 * Split. batch: dim 0 of x (2: the ranges interleave, copies stay). */
static ir_graph *split_graph(int kind, int batch, int h, int w)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {batch, 3, h, w};
    int x = kh_input(g, "x", 4, xd);
    int a = add_conv(g, "a", x, 3, 6, 1, 1);
    if (kind == 2) {
        int parts[2] = {add_conv(g, "a0", x, 3, 2, 1, 1), add_conv(g, "a1", x, 3, 4, 1, 1)};
        a = add_concat(g, "cat", parts, 2);
    }
    if (kind == 1) {
        int64_t st[1] = {1}, en[1] = {5}, ax[1] = {1};
        int in[4] = {a, kh_const_i64(g, "starts", 1, st), kh_const_i64(g, "ends", 1, en),
                     kh_const_i64(g, "axes", 1, ax)};
        int y = kh_tensor(g, "sliced");
        ir_add_node(g, IR_OP_SLICE, "slice", in, 4, &y, 1);
        kh_output(g, add_conv(g, "head", y, 4, 3, 1, 1));
        return g;
    }
    int64_t sz[2] = {2, 4};
    int in[2] = {a, kh_const_i64(g, "split", 2, sz)}, ys[2] = {kh_tensor(g, "y0"), kh_tensor(g, "y1")};
    int sn = ir_add_node(g, IR_OP_SPLIT, "split", in, 2, ys, 2);
    ir_set_attr_int(g, sn, "axis", 1);
    kh_output(g, add_conv(g, "h0", ys[0], 2, 3, 1, 1));
    kh_output(g, add_conv(g, "h1", ys[1], 4, 3, 1, 1));
    return g;
}

static void test_split_slice_views(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    if (dev_align(rt) > 128 || dev_align(rt) < 8) { /* 4x8 planes: 128 bytes a channel */
        rt_destroy(rt);
        return;
    }
    /* in place: a, (a0, a1,) the heads; the Split/Slice launches nothing */
    assert_int_equal(kh_check_k(rt, split_graph(0, 1, 4, 8), NULL, "in_place", 3, "split"), 0);
    assert_int_equal(kh_check_k(rt, split_graph(1, 1, 4, 8), NULL, "in_place", 2, "slice"), 0);
    assert_int_equal(kh_check_k(rt, split_graph(2, 1, 4, 8), NULL, "in_place", 5,
                                "split of a placed Concat"), 0);
    /* 5x7 planes: offsets of 140 / 280 bytes, batch 2: interleaved; copies stay */
    assert_int_equal(kh_check_k(rt, split_graph(0, 1, 5, 7), NULL, "copy_block", 3 + 2,
                                "split, misaligned"), 0);
    assert_int_equal(kh_check_k(rt, split_graph(1, 1, 5, 7), NULL, "slice_nd", 3,
                                "slice, misaligned"), 0);
    assert_int_equal(kh_check_k(rt, split_graph(0, 2, 4, 8), NULL, "copy_block", 3 + 2,
                                "split, batch 2"), 0);
    /* the plan: Slice's output a sub-buffer of a's buffer at channel 1 */
    ir_graph *g = prepared(split_graph(1, 1, 4, 8));
    plan *p = NULL;
    clcnn_err err = {0};
    plan_options o = {0};
    clfx_check(plan_build(rt, g, &o, &p, &err), &err, "plan_build slice");
    const ir_node *sl = &g->nodes[node_named(g, "slice")];
    size_t off = 0;
    assert_true(slice_of(p->mem[sl->out[0]], p->mem[sl->in[0]], &off));
    assert_int_equal(off, 32 * sizeof(float));
    plan_free(p);
    ir_graph_free(g);
    rt_destroy(rt);
}

typedef struct bn_case {
    int n, c, h, w, oc, k, s, act; /* act: 0 none, 1 Relu, 2 Clip(0, 0.5) */
    const char *force;
    int fused;
} bn_case;

/* y = Conv_k(act(BN(x))), stride s. */
static ir_graph *bn_graph(const bn_case *bc)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {bc->n, bc->c, bc->h, bc->w};
    int x = kh_input(g, "x", 4, xd);
    int t = add_bn(g, "bn", x, bc->c);
    if (bc->act == 1)
        t = add_op(g, IR_OP_RELU, "relu", t);
    if (bc->act == 2) {
        int64_t sd[1] = {1};
        int in[3] = {t, kh_const(g, "lo", 0, sd, 0.0f, 0.0f), kh_const(g, "hi", 0, sd, 0.5f, 0.5f)};
        int y = kh_tensor(g, "clip");
        ir_add_node(g, IR_OP_CLIP, "clip", in, 3, &y, 1);
        t = y;
    }
    kh_output(g, add_conv(g, "conv", t, bc->c, bc->oc, bc->k, bc->s));
    return g;
}

static void test_bn_prologue(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const bn_case cases[] = {
        {1, 17, 13, 7, 5, 1, 1, 1, NULL, 1},   /* pixel and channel tails */
        {2, 5, 7, 13, 17, 1, 1, 1, NULL, 1},   /* batch 2 */
        {1, 6, 3, 3, 9, 1, 1, 2, NULL, 1},     /* 3x3 plane (gathered tail), Clip */
        {1, 7, 1, 1, 3, 1, 1, 0, NULL, 1},     /* 1x1 image, no activation */
        {1, 7, 13, 13, 3, 1, 2, 1, NULL, 1},   /* stride 2: pw_subsample first */
        {2, 9, 14, 14, 11, 1, 1, 2, NULL, 1},  /* 196 = 12 x 16 + 4: last pixels alone */
        {1, 5, 7, 7, 8, 3, 1, 1, NULL, 0},     /* 3x3 Conv: the BN keeps its launch */
        {1, 5, 7, 7, 3, 1, 1, 1, "conv_general", 0}, /* conv_pw forced away */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bn_case *bc = &cases[i];
        char label[64];
        snprintf(label, sizeof label, "bn prologue case %zu", i);
        const int sub = bc->k == 1 && bc->s > 1 && !bc->force;
        const int unfused = 2 + (bc->act != 0) + sub;
        assert_int_equal(kh_unfused_launches(rt, bn_graph(bc)), unfused);
        assert_int_equal(kh_check_k(rt, bn_graph(bc), bc->force, bc->fused ? "conv_pw" : "bn",
                                    (bc->fused ? 1 : 2) + sub, label), 0);
    }
    /* the BN's output also a graph output: not fused */
    bn_case bc = {1, 5, 7, 7, 3, 1, 1, 1, NULL, 0};
    ir_graph *g = bn_graph(&bc);
    kh_output(g, g->nodes[1].out[0]);
    assert_int_equal(kh_check_k(rt, g, NULL, "bn", 2, "bn output read twice"), 0);
    rt_destroy(rt);
}

/* fp16 storage (issue 18): the dense block and a BN prologue with every float
 * tensor stored half (precision pass; kernels use only core vload_half, so
 * POCL runs them) still place every Concat input and fuse norm1, and match
 * the fp32 reference within 1e-2 of the output's range. */
static void check_fp16(rt_ctx *rt, ir_graph *g, const char *fused_bn, const char *label)
{
    clcnn_err err = {0};
    prepared(g);
    const size_t nx = (size_t)ir_numel(&g->tensors[g->inputs[0]]);
    const size_t ny = (size_t)ir_numel(&g->tensors[g->outputs[0]]);
    float *x = malloc(nx * sizeof *x), *ref = malloc(ny * sizeof *ref), *y = malloc(ny * sizeof *y);
    for (size_t i = 0; i < nx; i++)
        x[i] = kh_rand();
    const float *in[1] = {x};
    float *ro[1] = {ref}, *yo[1] = {y};
    clfx_check(exec_ref_run(g, in, ro, NULL, &err), &err, "exec_ref_run");
    clfx_check(pass_precision(g, NULL, opcl_half_ok, opcl_is_alias, NULL, &err), &err, label);
    exec_cl *e = NULL;
    clfx_check(exec_cl_create(rt, g, NULL, &e, &err), &err, label);
    clfx_check(exec_cl_run(e, in, yo, &err), &err, label);
    int copies = 0, placed = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const char *v = exec_cl_node_variant(e, i, NULL);
        copies += v && strcmp(v, "copy_block") == 0;
        placed += v && strcmp(v, "in_place") == 0;
        if (strcmp(g->nodes[i].name, fused_bn) == 0 && (!v || strcmp(v, "fused") != 0))
            fail_msg("[%s] '%s' planned as '%s', not fused", label, fused_bn, v ? v : "(none)");
    }
    double mx = 0, worst = 0;
    for (size_t j = 0; j < ny; j++)
        mx = fmax(mx, fabs(ref[j]));
    for (size_t j = 0; j < ny; j++)
        worst = fmax(worst, fabs((double)y[j] - ref[j]));
    print_message("[%s] fp16 max diff %g of %g\n", label, worst, mx);
    if (!(worst <= 1e-2 * mx) || copies)
        fail_msg("[%s] fp16: max |diff| %g (max |ref| %g), %d copy launches", label, worst, mx,
                 copies);
    if (strncmp(label, "dense", 5) == 0 && placed != 3)
        fail_msg("[%s] %d Concats in place, expected 3", label, placed);
    exec_cl_destroy(e);
    free(x), free(ref), free(y);
    ir_graph_free(g);
}

static void test_fp16_storage(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    if (dev_align(rt) > 512) { /* half planes of 256: 512 bytes a channel */
        rt_destroy(rt);
        return;
    }
    check_fp16(rt, dense_graph(1, 16, 8, 3, 16, 16), "l1.norm1", "dense block fp16");
    bn_case bc = {1, 17, 13, 7, 5, 1, 1, 1, NULL, 1};
    check_fp16(rt, bn_graph(&bc), "bn", "bn prologue fp16");
    rt_destroy(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_block),
        cmocka_unit_test(test_arena_cut),
        cmocka_unit_test(test_list_concat_view),
        cmocka_unit_test(test_fallbacks),
        cmocka_unit_test(test_keep_all_reads_tenants),
        cmocka_unit_test(test_split_slice_views),
        cmocka_unit_test(test_bn_prologue),
        cmocka_unit_test(test_fp16_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
