/* test_fuse.c — the fusion passes (host/passes/fuse_*.c), each on a small
 * graph, before (fuse_init: nothing fused) and after (the groups it marks),
 * with a stub backend so no OpenCL is involved: one that runs every fusion and
 * one that refuses (then nothing is marked and the refusal is noted). The
 * kernels that run the groups are checked against the reference in
 * test_fusion.c, test_shuffle.c and test_concat_inplace.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "passes/fuse.h"

/* ---- stub backends ---- */

static int stub_alias(ir_op op) { return op == IR_OP_RESHAPE; }

static int stub_act(const ir_graph *g, const ir_node *a)
{
    (void)g;
    return a->op == IR_OP_RELU || a->op == IR_OP_SIGMOID;
}

static const char *stub_yes(const void *u, const ir_graph *g, const ir_node *n)
{
    (void)u, (void)g, (void)n;
    return NULL;
}

static const char *stub_no(const void *u, const ir_graph *g, const ir_node *n)
{
    (void)u, (void)g, (void)n;
    return "stub says no";
}

static const char *stub_sep_yes(const void *u, const ir_graph *g, const ir_node *d,
                                const ir_node *p)
{
    (void)u, (void)g, (void)d, (void)p;
    return NULL;
}

static const char *stub_sep_no(const void *u, const ir_graph *g, const ir_node *d,
                               const ir_node *p)
{
    (void)u, (void)g, (void)d, (void)p;
    return "stub says no";
}


static int stub_declined(const void *user, const ir_graph *g, const ir_node *dw, const ir_node *pw)
{
    (void)user, (void)g, (void)dw, (void)pw;
    return 1;
}

static int stub_fc_declined(const void *user, const ir_graph *g, const ir_node *fc1,
                            const ir_node *fc2)
{
    (void)user, (void)g, (void)fc1, (void)fc2;
    return 1;
}

static const fuse_target YES = {NULL,     stub_alias,   stub_act, stub_yes, stub_sep_yes,
                                stub_yes, stub_sep_yes, 1,        NULL,     NULL};
static const fuse_target NO = {NULL,    stub_alias,  stub_act, stub_no, stub_sep_no,
                               stub_no, stub_sep_no, 1,        NULL,    NULL};
/* the backend could fuse a separable pair but runs it faster apart */
static const fuse_target APART = {NULL,     stub_alias,   stub_act, stub_yes,     stub_sep_yes,
                                  stub_yes, stub_sep_yes, 1,        stub_declined, NULL};

/* ---- graph helpers ---- */

static int conv(ir_graph *g, const char *name, int x, int c, int oc, int k, int group)
{
    char nm[64];
    const int64_t wd[4] = {oc, c / group, k, k};
    snprintf(nm, sizeof nm, "%s.w", name);
    const int w = kh_const(g, nm, 4, wd, -0.5f, 0.5f);
    const int in[2] = {x, w}, y = kh_tensor(g, name);
    const int n = ir_add_node(g, IR_OP_CONV, name, in, 2, &y, 1);
    const int64_t ks[2] = {k, k}, pd[4] = {k / 2, k / 2, k / 2, k / 2};
    ir_set_attr_ints(g, n, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, n, "pads", pd, 4);
    ir_set_attr_int(g, n, "group", group);
    return y;
}

static int op(ir_graph *g, ir_op o, const char *name, int a, int b)
{
    const int in[2] = {a, b}, y = kh_tensor(g, name);
    ir_add_node(g, o, name, in, b >= 0 ? 2 : 1, &y, 1);
    return y;
}

static int node_of(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return i;
    fail_msg("no node '%s'", name);
    return -1;
}

static int tensor_of(const ir_graph *g, const char *name)
{
    for (int t = 0; t < g->n_tensors; t++)
        if (strcmp(g->tensors[t].name, name) == 0)
            return t;
    fail_msg("no tensor '%s'", name);
    return -1;
}

static void finish(ir_graph *g, int y)
{
    kh_output(g, y);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    if (ops_infer_graph(g, &err) != CLCNN_OK)
        fail_msg("ops_infer_graph: %s", err.msg);
}

/* Before any pass: nothing fused, every node writes its own output. */
static void assert_unfused(const ir_graph *g, const fuse_target *tg, fuse_groups *fg)
{
    clcnn_err err = {0};
    assert_int_equal(fuse_init(g, tg, fg, &err), CLCNN_OK);
    for (int i = 0; i < g->n_nodes; i++) {
        assert_int_equal(fg->into[i], -1);
        assert_int_equal(fg->out[i], g->nodes[i].out[0]);
        assert_int_equal(fg->act[i], -1);
        assert_int_equal(fg->res[i], -1);
        assert_int_equal(fg->gate_x[i], -1);
        assert_int_equal(fg->pro[i], -1);
        assert_int_equal(fg->sep[i], -1);
        assert_null(fg->note[i]);
    }
}

/* ---- residual Add ---- */

/* x[1,6,5,3] -> Conv 1x1 -> t; y = Add(t, x) (-> Relu when act) */
static ir_graph *residual_graph(int act, int t_is_output)
{
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 6, 5, 3};
    const int x = kh_input(g, "x", 4, xd);
    const int t = conv(g, "conv", x, 6, 6, 1, 1);
    int y = op(g, IR_OP_ADD, "add", t, x);
    if (act)
        y = op(g, IR_OP_RELU, "relu", y, -1);
    if (t_is_output)
        kh_output(g, t);
    finish(g, y);
    return g;
}

static void test_residual_add(void **state)
{
    (void)state;
    ir_graph *g = residual_graph(1, 0);
    fuse_groups fg;
    assert_unfused(g, &YES, &fg);
    const int c = node_of(g, "conv"), a = node_of(g, "add"), r = node_of(g, "relu");
    fuse_residual_add(g, &fg);
    assert_int_equal(fg.into[a], c);
    assert_int_equal(fg.res[c], tensor_of(g, "x"));
    assert_int_equal(fg.out[c], tensor_of(g, "add"));
    fuse_act(g, &YES, &fg); /* the Relu after the Add folds on top: conv + x, then relu */
    assert_int_equal(fg.into[r], c);
    assert_int_equal(fg.act[c], r);
    assert_int_equal(fg.out[c], tensor_of(g, "relu"));
    fuse_free(&fg);
    ir_graph_free(g);

    g = residual_graph(0, 1); /* t also a graph output: it must be written */
    assert_unfused(g, &YES, &fg);
    fuse_residual_add(g, &fg);
    assert_int_equal(fg.into[node_of(g, "add")], -1);
    fuse_free(&fg);
    ir_graph_free(g);
}

/* An activation before the Add stays with its Conv: act(conv) + x is not act(conv + x). */
static void test_residual_after_act_not_fused(void **state)
{
    (void)state;
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 6, 5, 3};
    const int x = kh_input(g, "x", 4, xd);
    const int t = op(g, IR_OP_RELU, "relu", conv(g, "conv", x, 6, 6, 1, 1), -1);
    finish(g, op(g, IR_OP_ADD, "add", t, x));
    fuse_groups fg;
    clcnn_err err = {0};
    assert_int_equal(fuse_run(g, &YES, &fg, &err), CLCNN_OK);
    const int c = node_of(g, "conv");
    assert_int_equal(fg.into[node_of(g, "relu")], c);
    assert_int_equal(fg.into[node_of(g, "add")], -1);
    assert_int_equal(fg.res[c], -1);
    fuse_free(&fg);
    ir_graph_free(g);
}

/* ---- Swish pair and plain activations ---- */

static void test_swish_and_act(void **state)
{
    (void)state;
    for (int hard = 0; hard < 2; hard++) {
        ir_graph *g = kh_new(13);
        const int64_t xd[4] = {1, 5, 3, 3};
        const int x = kh_input(g, "x", 4, xd);
        const int t = conv(g, "conv", x, 5, 7, 3, 1);
        const int s = op(g, hard ? IR_OP_HARDSIGMOID : IR_OP_SIGMOID, "sig", t, -1);
        finish(g, op(g, IR_OP_MUL, "mul", t, s));
        fuse_groups fg;
        assert_unfused(g, &YES, &fg);
        const int c = node_of(g, "conv");
        fuse_swish(g, &fg);
        assert_int_equal(fg.into[node_of(g, "sig")], c);
        assert_int_equal(fg.into[node_of(g, "mul")], c);
        assert_int_equal(fg.act[c], node_of(g, "sig"));
        assert_int_equal(fg.act_x[c], 1);
        assert_int_equal(fg.out[c], tensor_of(g, "mul"));
        fuse_free(&fg);
        ir_graph_free(g);
    }
    /* a plain activation; one the epilogue cannot apply (stub: Tanh) stays */
    for (int tanh = 0; tanh < 2; tanh++) {
        ir_graph *g = kh_new(13);
        const int64_t xd[4] = {1, 5, 3, 3};
        const int x = kh_input(g, "x", 4, xd);
        finish(g, op(g, tanh ? IR_OP_TANH : IR_OP_RELU, "act", conv(g, "conv", x, 5, 7, 3, 1), -1));
        fuse_groups fg;
        assert_unfused(g, &YES, &fg);
        fuse_act(g, &YES, &fg);
        const int c = node_of(g, "conv"), a = node_of(g, "act");
        assert_int_equal(fg.into[a], tanh ? -1 : c);
        assert_int_equal(fg.act[c], tanh ? -1 : a);
        assert_int_equal(fg.act_x[c], 0);
        fuse_free(&fg);
        ir_graph_free(g);
    }
}

/* ---- SE gate ---- */

/* x[1,6,4,4] -> Relu -> X; S = Sigmoid(Conv1x1(GlobalAveragePool(X))); Mul(X, S) -> Conv 1x1 */
static ir_graph *se_graph(void)
{
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 6, 4, 4};
    const int x = op(g, IR_OP_RELU, "pre", kh_input(g, "x", 4, xd), -1);
    const int p = op(g, IR_OP_GLOBALAVGPOOL, "pool", x, -1);
    const int s = op(g, IR_OP_SIGMOID, "gate", conv(g, "fc", p, 6, 6, 1, 1), -1);
    const int y = op(g, IR_OP_MUL, "scale", x, s);
    finish(g, conv(g, "proj", y, 6, 3, 1, 1));
    return g;
}

static void test_se_gate(void **state)
{
    (void)state;
    ir_graph *g = se_graph();
    fuse_groups fg;
    assert_unfused(g, &YES, &fg);
    fuse_act(g, &YES, &fg);
    fuse_se_gate(g, &YES, &fg);
    const int pj = node_of(g, "proj"), m = node_of(g, "scale");
    assert_int_equal(fg.into[m], pj);
    assert_int_equal(fg.gate_x[pj], tensor_of(g, "pre"));
    assert_int_equal(fg.gate_s[pj], tensor_of(g, "gate"));
    fuse_free(&fg);

    assert_unfused(g, &NO, &fg); /* the backend refuses: a launch of its own, and a note */
    fuse_act(g, &NO, &fg);
    fuse_se_gate(g, &NO, &fg);
    assert_int_equal(fg.into[m], -1);
    assert_int_equal(fg.gate_x[pj], -1);
    assert_non_null(fg.note[m]);
    assert_non_null(strstr(fg.note[m], "SE gate not fused into Conv 'proj': stub says no"));
    fuse_free(&fg);
    ir_graph_free(g);
}

/* ---- SE FCs ---- */

/* yes to the SE FC pair, no to a "separable" pair (the stub would take the two
 * 1x1 Convs for one: the real backend asks for a depthwise first) */
static const fuse_target SE_FC = {NULL,     stub_alias,   stub_act, stub_yes, stub_sep_no,
                                  stub_yes, stub_sep_yes, 1,        NULL,     NULL};
/* the same, but the backend runs the FC pair faster as two launches */
static const fuse_target SE_FC_APART = {NULL,     stub_alias,   stub_act, stub_yes, stub_sep_no,
                                        stub_yes, stub_sep_yes, 1,        NULL,     stub_fc_declined};

/* x[1,10,4,4] -> pool P; fc1 1x1 10->3 -> Swish (Sigmoid + Mul) -> H; fc2 1x1
 * 3->10 -> Sigmoid -> S; Mul(x, S) -> Conv: fc2 and its Sigmoid run in fc1's
 * launch (fc1's swish nodes stay its), which writes S; H is not written. A
 * second reader of H, or a refusing backend (noted on fc2), keeps two launches;
 * so does a backend declining the pair as faster apart, with no note. */
static void test_se_fc(void **state)
{
    (void)state;
    for (int shared = 0; shared < 2; shared++) {
        ir_graph *g = kh_new(13);
        const int64_t xd[4] = {1, 10, 4, 4};
        const int x = kh_input(g, "x", 4, xd);
        const int p = op(g, IR_OP_GLOBALAVGPOOL, "pool", x, -1);
        const int a = conv(g, "fc1", p, 10, 3, 1, 1);
        const int h = op(g, IR_OP_MUL, "swish", a, op(g, IR_OP_SIGMOID, "sig1", a, -1));
        const int s = op(g, IR_OP_SIGMOID, "sig2", conv(g, "fc2", h, 3, 10, 1, 1), -1);
        const int y = conv(g, "proj", op(g, IR_OP_MUL, "scale", x, s), 10, 4, 1, 1);
        finish(g, shared ? op(g, IR_OP_ADD, "also_h", y, op(g, IR_OP_REDUCEMEAN, "hm", h, -1)) : y);
        const int f1 = node_of(g, "fc1"), f2 = node_of(g, "fc2"), s2 = node_of(g, "sig2");
        fuse_groups fg;
        clcnn_err err = {0};
        assert_int_equal(fuse_run(g, &SE_FC, &fg, &err), CLCNN_OK);
        if (!shared) {
            assert_int_equal(fg.fc2[f1], f2);
            assert_int_equal(fg.into[f2], f1);
            assert_int_equal(fg.into[s2], f1); /* fc2's activation: re-pointed, no chain */
            assert_int_equal(fg.into[node_of(g, "swish")], f1);
            assert_int_equal(fg.out[f1], s);
            assert_int_equal(fuse_writer_of(g, &fg, s), f1);
            assert_int_equal(fuse_writer_of(g, &fg, h), -1); /* never materialised */
        } else {
            assert_int_equal(fg.fc2[f1], -1);
            assert_int_equal(fg.into[f2], -1);
            assert_int_equal(fg.out[f1], h);
        }
        fuse_free(&fg);
        assert_int_equal(fuse_run(g, &NO, &fg, &err), CLCNN_OK);
        assert_int_equal(fg.fc2[f1], -1);
        assert_int_equal(fg.into[f2], -1);
        if (!shared)
            assert_non_null(strstr(fg.note[f2] ? fg.note[f2] : "",
                                   "SE FCs 'fc1' and 'fc2' not fused: stub says no"));
        fuse_free(&fg);
        /* declined as faster apart: two launches, and no note (not a fallback) */
        assert_int_equal(fuse_run(g, &SE_FC_APART, &fg, &err), CLCNN_OK);
        assert_int_equal(fg.fc2[f1], -1);
        assert_int_equal(fg.into[f2], -1);
        assert_null(fg.note[f2]);
        fuse_free(&fg);
        ir_graph_free(g);
    }
}

/* ---- SE squeeze ---- */

/* x[1,6,5,5] -> depthwise 3x3 -> Relu -> X; S = Sigmoid(Conv1x1(GlobalAveragePool(X)));
 * Mul(X, S) -> Conv 1x1: the pool goes into the depthwise's launch, which
 * writes X and the pool's output; X stays (the gate reads it). */
static void test_se_squeeze(void **state)
{
    (void)state;
    for (int depthwise = 1; depthwise >= 0; depthwise--) {
        ir_graph *g = kh_new(13);
        const int64_t xd[4] = {1, 6, 5, 5};
        const int x = op(g, IR_OP_RELU, "pre",
                         conv(g, "dw", kh_input(g, "x", 4, xd), 6, 6, 3, depthwise ? 6 : 1), -1);
        const int p = op(g, IR_OP_GLOBALAVGPOOL, "pool", x, -1);
        const int s = op(g, IR_OP_SIGMOID, "gate", conv(g, "fc", p, 6, 6, 1, 1), -1);
        finish(g, conv(g, "proj", op(g, IR_OP_MUL, "scale", x, s), 6, 3, 1, 1));
        const int dn = node_of(g, "dw"), pn = node_of(g, "pool");
        fuse_groups fg;
        assert_unfused(g, &YES, &fg);
        fuse_act(g, &YES, &fg);
        fuse_se_gate(g, &YES, &fg);
        fuse_se_squeeze(g, &YES, &fg);
        if (depthwise) {
            assert_int_equal(fg.into[pn], dn);
            assert_int_equal(fg.sq[dn], tensor_of(g, "pool"));
            assert_int_equal(fg.out[dn], x); /* X still written: the gate reads it */
            assert_int_equal(fuse_writer_of(g, &fg, tensor_of(g, "pool")), dn);
        } else { /* a dense 3x3 Conv: no squeeze, no note (not the pattern) */
            assert_int_equal(fg.into[pn], -1);
            assert_int_equal(fg.sq[dn], -1);
            assert_null(fg.note[pn]);
        }
        fuse_free(&fg);

        assert_unfused(g, &NO, &fg); /* the backend refuses: a launch of its own, and a note */
        fuse_act(g, &NO, &fg);
        fuse_se_squeeze(g, &NO, &fg);
        assert_int_equal(fg.into[pn], -1);
        assert_int_equal(fg.sq[dn], -1);
        if (depthwise) {
            assert_non_null(fg.note[pn]);
            assert_non_null(strstr(fg.note[pn], "SE squeeze not fused into depthwise Conv 'dw': "
                                                "stub says no"));
        }
        fuse_free(&fg);
        ir_graph_free(g);
    }
}

/* ---- BN prologue ---- */

static void test_bn_prologue(void **state)
{
    (void)state;
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 5, 3, 2}, cd[1] = {5};
    const int x = kh_input(g, "x", 4, xd);
    const int in[5] = {x, kh_const(g, "gamma", 1, cd, 0.5f, 1.5f),
                       kh_const(g, "beta", 1, cd, -0.2f, 0.2f),
                       kh_const(g, "mean", 1, cd, -0.1f, 0.1f),
                       kh_const(g, "var", 1, cd, 0.5f, 1.5f)};
    const int b = kh_tensor(g, "bn");
    ir_add_node(g, IR_OP_BATCHNORM, "bn", in, 5, &b, 1);
    finish(g, conv(g, "conv", op(g, IR_OP_RELU, "relu", b, -1), 5, 4, 1, 1));
    fuse_groups fg;
    assert_unfused(g, &YES, &fg);
    fuse_act(g, &YES, &fg);
    fuse_bn_prologue(g, &YES, &fg);
    const int n = node_of(g, "bn"), c = node_of(g, "conv");
    assert_int_equal(fg.into[node_of(g, "relu")], n); /* the BN's act, applied in the prologue */
    assert_int_equal(fg.into[n], c);
    assert_int_equal(fg.pro[c], n);
    fuse_free(&fg);

    assert_unfused(g, &NO, &fg);
    fuse_act(g, &NO, &fg);
    fuse_bn_prologue(g, &NO, &fg);
    assert_int_equal(fg.into[n], -1);
    assert_int_equal(fg.pro[c], -1);
    fuse_free(&fg);
    ir_graph_free(g);
}

/* ---- separable ---- */

static void test_separable(void **state)
{
    (void)state;
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 6, 5, 5};
    const int x = kh_input(g, "x", 4, xd);
    const int d = op(g, IR_OP_RELU, "dwact", conv(g, "dw", x, 6, 6, 3, 6), -1);
    finish(g, conv(g, "pw", d, 6, 9, 1, 1));
    fuse_groups fg;
    assert_unfused(g, &YES, &fg);
    fuse_act(g, &YES, &fg);
    fuse_separable(g, &YES, &fg);
    const int dn = node_of(g, "dw"), pn = node_of(g, "pw");
    assert_int_equal(fg.into[dn], pn);
    assert_int_equal(fg.sep[pn], dn);
    assert_int_equal(fg.act[dn], node_of(g, "dwact")); /* the depthwise keeps its own act */
    fuse_free(&fg);

    assert_unfused(g, &NO, &fg);
    fuse_act(g, &NO, &fg);
    fuse_separable(g, &NO, &fg);
    assert_int_equal(fg.into[dn], -1);
    assert_non_null(fg.note[dn]);
    assert_non_null(strstr(fg.note[dn], "depthwise not fused with the pointwise Conv 'pw'"));
    fuse_free(&fg);

    assert_unfused(g, &APART, &fg); /* declined as faster apart: two launches, no note */
    fuse_act(g, &APART, &fg);
    fuse_separable(g, &APART, &fg);
    assert_int_equal(fg.into[dn], -1);
    assert_int_equal(fg.sep[pn], -1);
    assert_null(fg.note[dn]);
    fuse_free(&fg);
    ir_graph_free(g);
}

/* ---- channel shuffle ---- */

/* Concat(a, b) -> Reshape (1,2,4,3,3) -> Transpose (0,2,1,3,4) -> Reshape (1,8,3,3) -> Split 4/4 */
static void test_channel_shuffle(void **state)
{
    (void)state;
    ir_graph *g = kh_new(13);
    const int64_t ad[4] = {1, 4, 3, 3}, s5[5] = {1, 2, 4, 3, 3}, s4[4] = {1, 8, 3, 3};
    const int64_t perm[5] = {0, 2, 1, 3, 4}, halves[2] = {4, 4};
    const int a = kh_input(g, "a", 4, ad), b = kh_input(g, "b", 4, ad);
    const int cat = op(g, IR_OP_CONCAT, "cat", a, b);
    ir_set_attr_int(g, node_of(g, "cat"), "axis", 1);
    const int r1 = op(g, IR_OP_RESHAPE, "r1", cat, kh_const_i64(g, "s5", 5, s5));
    const int tr = op(g, IR_OP_TRANSPOSE, "tr", r1, -1);
    ir_set_attr_ints(g, node_of(g, "tr"), "perm", perm, 5);
    const int r2 = op(g, IR_OP_RESHAPE, "r2", tr, kh_const_i64(g, "s4", 4, s4));
    const int sin[2] = {r2, kh_const_i64(g, "split", 2, halves)};
    const int so[2] = {kh_tensor(g, "lo"), kh_tensor(g, "hi")};
    ir_set_attr_int(g, ir_add_node(g, IR_OP_SPLIT, "split", sin, 2, so, 2), "axis", 1);
    kh_output(g, so[0]);
    finish(g, so[1]);
    fuse_groups fg;
    assert_unfused(g, &YES, &fg);
    assert_int_equal(fg.n_shuf, 0);
    fuse_channel_shuffle(g, &YES, &fg);
    const int c = node_of(g, "cat");
    assert_int_equal(fg.n_shuf, 1);
    assert_int_equal(fg.shuf_of[c], 0);
    assert_int_equal(fg.shuf[0].host, c);
    assert_int_equal(fg.shuf[0].n_out, 2);
    assert_int_equal(fg.shuf[0].out[0], so[0]);
    assert_int_equal(fg.shuf[0].out[1], so[1]);
    assert_int_equal(fg.shuf[0].cnt[0], 4);
    assert_int_equal(fg.shuf[0].off[1], 4);
    assert_int_equal(fg.out[c], so[0]);
    const char *chain[] = {"r1", "tr", "r2", "split"};
    for (int k = 0; k < 4; k++)
        assert_int_equal(fg.into[node_of(g, chain[k])], c);
    fuse_free(&fg);
    ir_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residual_add),
        cmocka_unit_test(test_residual_after_act_not_fused),
        cmocka_unit_test(test_swish_and_act),
        cmocka_unit_test(test_se_gate),
        cmocka_unit_test(test_se_squeeze),
        cmocka_unit_test(test_se_fc),
        cmocka_unit_test(test_bn_prologue),
        cmocka_unit_test(test_separable),
        cmocka_unit_test(test_channel_shuffle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
