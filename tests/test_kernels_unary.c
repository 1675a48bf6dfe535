/* test_kernels_unary.c — the unary group's OpenCL paths against the reference
 * at awkward sizes, small enough for Oclgrind (ci/oclgrind.sh runs this suite):
 * every activation code of act.cl as the standalone `unary` kernel (51 and 1
 * elements) and fused into a Conv epilogue (one launch, the vector forms);
 * Pow and PRelu on binary_same/plane/bcast (an int64 exponent through
 * -DB_T=long) and as fused activations; Max/Min/Sum/Mean accumulating into the
 * output (1..4 inputs, broadcast); LogSoftmax on both axis forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"

/* One unary op with its attributes; positive: the op needs x > 0 (Log, Sqrt,
 * Reciprocal), so its operand is kept in [0.5, 4.5) or a Conv with a bias of 6. */
typedef struct unary_case {
    ir_op op;
    const char *attr_f[2];
    float val_f[2];
    const char *approx; /* Gelu's approximate, NULL: absent */
    int opset, positive;
} unary_case;

static const unary_case cases[] = {
    {IR_OP_ABS, {NULL}, {0}, NULL, 13, 0},        {IR_OP_ERF, {NULL}, {0}, NULL, 13, 0},
    {IR_OP_TANH, {NULL}, {0}, NULL, 13, 0},       {IR_OP_EXP, {NULL}, {0}, NULL, 13, 0},
    {IR_OP_LOG, {NULL}, {0}, NULL, 13, 1},        {IR_OP_SQRT, {NULL}, {0}, NULL, 13, 1},
    {IR_OP_NEG, {NULL}, {0}, NULL, 13, 0},        {IR_OP_RECIPROCAL, {NULL}, {0}, NULL, 13, 1},
    {IR_OP_GELU, {NULL}, {0}, NULL, 20, 0},       {IR_OP_GELU, {NULL}, {0}, "tanh", 20, 0},
    {IR_OP_ELU, {"alpha"}, {0.4f}, NULL, 13, 0},  {IR_OP_SELU, {"alpha", "gamma"}, {1.3f, 0.9f}, NULL, 13, 0},
    {IR_OP_CELU, {"alpha"}, {2.5f}, NULL, 13, 0}, {IR_OP_SOFTPLUS, {NULL}, {0}, NULL, 13, 0},
    {IR_OP_SOFTSIGN, {NULL}, {0}, NULL, 13, 0},   {IR_OP_MISH, {NULL}, {0}, NULL, 18, 0},
};

static void set_attrs(ir_graph *g, int node, const unary_case *u)
{
    for (int k = 0; k < 2; k++)
        if (u->attr_f[k])
            ir_set_attr_float(g, node, u->attr_f[k], u->val_f[k]);
    if (u->approx)
        ir_set_attr_string(g, node, "approximate", u->approx);
}

/* y = op(x * 4 + shift): x in [-1, 1) from the harness; shift 0, or 4.5 and
 * an Abs in front for the ops that need x > 0. Mul and Add are no producers
 * an activation folds into, so op runs as the `unary` kernel. */
static ir_graph *build_plain(const unary_case *u, int64_t n)
{
    ir_graph *g = kh_new(u->opset);
    int64_t xd[2] = {n, 3}, sd[1] = {1};
    int in[2] = {kh_input(g, "x", 2, xd), kh_const(g, "four", 0, sd, 4.0f, 4.0f)};
    int x = kh_tensor(g, "x4");
    ir_add_node(g, IR_OP_MUL, "scale", in, 2, &x, 1);
    if (u->positive) {
        int a = kh_tensor(g, "abs"), s = kh_tensor(g, "shifted");
        ir_add_node(g, IR_OP_ABS, "abs", &x, 1, &a, 1);
        int ain[2] = {a, kh_const(g, "half", 0, sd, 0.5f, 0.5f)};
        ir_add_node(g, IR_OP_ADD, "shift", ain, 2, &s, 1);
        x = s;
    }
    int y = kh_tensor(g, "y");
    set_attrs(g, ir_add_node(g, u->op, "op", &x, 1, &y, 1), u);
    kh_output(g, y);
    return g;
}

/* y = op(Conv(x)): 3 -> 5 channels, 3x3, pads 1 on 7x9 (an odd plane; the
 * scalar act_epi epilogue), or pw: 8 -> 13 channels 1x1 on 7x7 (conv_pw, the
 * vector act_floatN forms); for positive ops small weights and a bias of 6..7
 * keep every output >= 1. */
static ir_graph *build_fused(const unary_case *u, int pw)
{
    ir_graph *g = kh_new(u->opset);
    const int64_t c = pw ? 8 : 3, m = pw ? 13 : 5, k = pw ? 1 : 3;
    int64_t xd[4] = {1, c, 7, pw ? 7 : 9}, wd[4] = {m, c, k, k}, bd[1] = {m};
    const float wr = u->positive ? 0.15f : 1.0f;
    int in[3] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -wr, wr),
                 u->positive ? kh_const(g, "b", 1, bd, 6.0f, 7.0f) : kh_const(g, "b", 1, bd, -1, 1)};
    int t = kh_tensor(g, "c"), y = kh_tensor(g, "y");
    int conv = ir_add_node(g, IR_OP_CONV, "conv", in, 3, &t, 1);
    int64_t pads[4] = {k / 2, k / 2, k / 2, k / 2};
    ir_set_attr_ints(g, conv, "pads", pads, 4);
    set_attrs(g, ir_add_node(g, u->op, "op", &t, 1, &y, 1), u);
    kh_output(g, y);
    return g;
}

static void test_unary_ops(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const unary_case *u = &cases[i];
        const char *ap = u->approx ? u->approx : "";
        snprintf(label, sizeof label, "%s %s on 17x3", ir_op_name(u->op), ap);
        fails += kh_check(rt, build_plain(u, 17), NULL, "unary", label);
        snprintf(label, sizeof label, "%s %s on 1x3", ir_op_name(u->op), ap);
        fails += kh_check(rt, build_plain(u, 1), NULL, "unary", label);
        /* a Conv epilogue applies Abs (act.cl's act_epi); the rest run as their
         * own unary launch after the Conv (their code in every conv kernel cost
         * seconds of first-launch compile on POCL) */
        const int launches = u->op == IR_OP_ABS ? 1 : 2;
        snprintf(label, sizeof label, "%s %s after Conv 3->5 7x9 (%d launch%s)",
                 ir_op_name(u->op), ap, launches, launches > 1 ? "es" : "");
        fails += kh_check_k(rt, build_fused(u, 0), NULL, NULL, launches, label);
        snprintf(label, sizeof label, "%s %s after a 1x1 Conv 8->13 7x7 (conv_pw)",
                 ir_op_name(u->op), ap);
        fails += kh_check_k(rt, build_fused(u, 1), NULL, "conv_pw", launches, label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d unary case(s) failed", fails);
}

/* y = op(a, b): a a graph input scaled into [lo, hi) by the harness's [-1, 1)
 * (through Mul/Add by constants), b a constant in [blo, bhi) of shape bd. */
static ir_graph *build_pair(ir_op op, int na, const int64_t *ad, int nb, const int64_t *bd,
                            float blo, float bhi, int positive_a)
{
    ir_graph *g = kh_new(15);
    int64_t sd[1] = {1};
    int a = kh_input(g, "a", na, ad);
    if (positive_a) { /* |a| + 0.1: a base any real exponent may raise */
        int t = kh_tensor(g, "abs"), s = kh_tensor(g, "pos");
        ir_add_node(g, IR_OP_ABS, "abs", &a, 1, &t, 1);
        int ain[2] = {t, kh_const(g, "tenth", 0, sd, 0.1f, 0.1f)};
        ir_add_node(g, IR_OP_ADD, "shift", ain, 2, &s, 1);
        a = s;
    }
    int in[2] = {a, kh_const(g, "b", nb, bd, blo, bhi)}, y = kh_tensor(g, "y");
    ir_add_node(g, op, "op", in, 2, &y, 1);
    kh_output(g, y);
    return g;
}

/* Pow with an int64 exponent tensor [3, 1] (-2..2) on a [2, 3, 5] base. */
static ir_graph *build_pow_int(void)
{
    ir_graph *g = kh_new(15);
    int64_t ad[3] = {2, 3, 5}, ed[2] = {3, 1};
    int x = kh_input(g, "x", 3, ad);
    int e = ir_add_tensor(g, "e", IR_DT_INT64, 2, ed);
    int64_t ev[3] = {-2, 3, 2};
    g->tensors[e].data = malloc(sizeof ev);
    memcpy(g->tensors[e].data, ev, sizeof ev);
    int in[2] = {x, e}, y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_POW, "pow", in, 2, &y, 1);
    kh_output(g, y);
    return g;
}

/* PRelu / Pow by a constant scalar after a Conv: LeakyRelu's activation code
 * in the Conv's epilogue (one launch); Pow's in a unary launch of its own. */
static ir_graph *build_conv_then(ir_op op, float v)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {1, 3, 5, 7}, wd[4] = {4, 3, 3, 3}, sd[1] = {1};
    int in[2] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -0.5f, 0.5f)};
    int c = kh_tensor(g, "c"), y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_CONV, "conv", in, 2, &c, 1);
    int pin[2] = {c, kh_const(g, "s", 1, sd, v, v)};
    ir_add_node(g, op, "op", pin, 2, &y, 1);
    kh_output(g, y);
    return g;
}

static void test_pow_prelu(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t a4[4] = {2, 3, 5, 7}, last[1] = {7}, p4[4] = {1, 17, 3, 3}, c4[4] = {1, 17, 1, 1};
    const int64_t ch[3] = {3, 1, 1}, one[1] = {1};
    fails += kh_check(rt, build_pair(IR_OP_POW, 4, a4, 1, last, -2, 2, 1), NULL, "binary_bcast",
                      "Pow [2,3,5,7] ^ [7]");
    fails += kh_check(rt, build_pair(IR_OP_POW, 4, p4, 4, c4, -2, 2, 1), NULL, "binary_plane",
                      "Pow [1,17,3,3] ^ [1,17,1,1]");
    fails += kh_check(rt, build_pair(IR_OP_POW, 4, a4, 1, one, 0.5f, 0.5f, 1), NULL, "unary",
                      "Pow by the constant 0.5 (sqrt)");
    fails += kh_check(rt, build_pow_int(), NULL, "binary_bcast", "Pow [2,3,5] ^ int64 [3,1]");
    fails += kh_check(rt, build_pair(IR_OP_PRELU, 4, a4, 3, ch, -1, 1, 0), NULL, "binary_bcast",
                      "PRelu [2,3,5,7] slope [3,1,1]");
    fails += kh_check(rt, build_pair(IR_OP_PRELU, 4, a4, 4, a4, -1, 1, 0), NULL, "binary_same",
                      "PRelu slope of x's shape");
    fails += kh_check_k(rt, build_conv_then(IR_OP_PRELU, 0.25f), NULL, NULL, 1,
                        "PRelu scalar slope fused into Conv (one launch)");
    fails += kh_check_k(rt, build_conv_then(IR_OP_POW, 3.0f), NULL, NULL, 2,
                        "Pow by 3 after Conv (not an epilogue activation: two launches)");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d Pow/PRelu case(s) failed", fails);
}

/* op over n inputs of the given shapes (graph inputs). */
static ir_graph *build_variadic(ir_op op, int n, const int *nd, const int64_t (*dims)[4])
{
    ir_graph *g = kh_new(13);
    int in[4];
    char name[8];
    for (int k = 0; k < n; k++) {
        snprintf(name, sizeof name, "x%d", k);
        in[k] = kh_input(g, name, nd[k], dims[k]);
    }
    int y = kh_tensor(g, "y");
    ir_add_node(g, op, "op", in, n, &y, 1);
    kh_output(g, y);
    return g;
}

static void test_variadic(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int nd3[3] = {3, 1, 2};
    const int64_t d3[3][4] = {{2, 3, 5}, {5}, {3, 1}};
    const int nd4[4] = {4, 4, 1, 3};
    const int64_t d4[4][4] = {{1, 17, 3, 3}, {1, 17, 1, 1}, {1}, {17, 1, 1}};
    const int nd1[1] = {2};
    const int64_t d1[1][4] = {{7, 3}};
    const ir_op ops[4] = {IR_OP_MAX, IR_OP_MIN, IR_OP_SUM, IR_OP_MEAN};
    char label[96];
    for (int i = 0; i < 4; i++) {
        snprintf(label, sizeof label, "%s of [2,3,5], [5], [3,1]", ir_op_name(ops[i]));
        fails += kh_check(rt, build_variadic(ops[i], 3, nd3, d3), NULL, NULL, label);
        snprintf(label, sizeof label, "%s of [1,17,3,3], [1,17,1,1], [1], [17,1,1]", ir_op_name(ops[i]));
        fails += kh_check(rt, build_variadic(ops[i], 4, nd4, d4), NULL, NULL, label);
        snprintf(label, sizeof label, "%s of one input [7,3]", ir_op_name(ops[i]));
        fails += kh_check(rt, build_variadic(ops[i], 1, nd1, d1), NULL, "unary", label);
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d variadic case(s) failed", fails);
}

static ir_graph *build_logsoftmax(int opset, int nd, const int64_t *d, int64_t axis)
{
    ir_graph *g = kh_new(opset);
    int64_t sd[1] = {1};
    int in[2] = {kh_input(g, "x", nd, d), kh_const(g, "k", 0, sd, 30.0f, 30.0f)};
    int x = kh_tensor(g, "wide"), y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_MUL, "widen", in, 2, &x, 1); /* +-30: e^x spans 26 decades */
    int node = ir_add_node(g, IR_OP_LOGSOFTMAX, "lsm", &x, 1, &y, 1);
    ir_set_attr_int(g, node, "axis", axis);
    kh_output(g, y);
    return g;
}

static void test_logsoftmax(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x3[3] = {3, 5, 7}, x2[2] = {2, 1001};
    fails += kh_check(rt, build_logsoftmax(13, 3, x3, 1), NULL, "softmax_line", "opset 13 axis 1 of 3x5x7");
    fails += kh_check(rt, build_logsoftmax(11, 3, x3, 1), NULL, "softmax_line", "opset 11 axis 1 (flattened)");
    fails += kh_check(rt, build_logsoftmax(13, 2, x2, -1), NULL, "softmax_line", "opset 13 2x1001");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d LogSoftmax case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary_ops),
        cmocka_unit_test(test_pow_prelu),
        cmocka_unit_test(test_variadic),
        cmocka_unit_test(test_logsoftmax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
