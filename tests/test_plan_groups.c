/* test_plan_groups.c — clcnn_session_plan_groups (clcnn_tools.h) on a tiny
 * graph whose plan is known by hand: x -> Conv 3x3 -> BatchNormalization ->
 * Relu -> GlobalAveragePool -> Flatten -> Gemm -> y. The BN is folded into
 * the Conv by the passes and the Relu fused into it by the plan, so the first
 * group runs three model layers; Flatten is a view (no launch); every layer
 * is in exactly one group; the launching groups are numbered like
 * clcnn_session_profile's rows (same names, same order) and their launches
 * add up to the kernel count; the reference backend answers UNSUPPORTED and
 * NULL arguments INVALID_ARG. Fallback notes: none on that graph; on a second
 * one, an SE-style gate before a 3x3 Conv (the gate cannot fuse: conv_pw
 * only) and two 1x1 Convs sharing one weight tensor (not packed: conv_tiled
 * for conv_pw) are noted on exactly those groups and logged at DEBUG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clcnn_tools.h"
#include "util/api_fixture.h"

#define C_IN 3
#define C_MID 5 /* not a multiple of 4 */
#define K_OUT 7
#define H 9
#define W 11

/* Layer indices follow the order the nodes are added (the model keeps it). */
enum { L_CONV, L_BN, L_RELU, L_GAP, L_FLAT, L_GEMM, N_LAYERS };

static clcnn_model *tiny_model(clcnn_context *ctx)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[4] = {1, C_IN, H, W}, wd[4] = {C_MID, C_IN, 3, 3}, cd[1] = {C_MID};
    const int64_t gw[2] = {K_OUT, C_MID}, gb[1] = {K_OUT};
    int x = afx_input(g, "x", 4, xd, 0);
    int w = afx_const_seeded(g, "conv.w", 4, wd, 1, 0.0f);
    int b = afx_const_seeded(g, "conv.b", 1, cd, 2, 0.0f);
    int sc = afx_const_seeded(g, "bn.scale", 1, cd, 3, 0.0f);
    int bb = afx_const_seeded(g, "bn.bias", 1, cd, 4, 0.0f);
    int mu = afx_const_seeded(g, "bn.mean", 1, cd, 5, 0.0f);
    int var = afx_const_seeded(g, "bn.var", 1, cd, 6, 2.0f);
    int fw = afx_const_seeded(g, "fc.w", 2, gw, 7, 0.0f);
    int fb = afx_const_seeded(g, "fc.b", 1, gb, 8, 0.0f);
    int c = afx_tensor(g, "c", IR_DT_FLOAT), n = afx_tensor(g, "n", IR_DT_FLOAT);
    int r = afx_tensor(g, "r", IR_DT_FLOAT), p = afx_tensor(g, "p", IR_DT_FLOAT);
    int f = afx_tensor(g, "f", IR_DT_FLOAT), y = afx_tensor(g, "y", IR_DT_FLOAT);
    int cn = afx_node(g, IR_OP_CONV, "conv", (int[]){x, w, b}, 3, &c, 1);
    ir_set_attr_ints(g, cn, "kernel_shape", (int64_t[]){3, 3}, 2);
    ir_set_attr_ints(g, cn, "pads", (int64_t[]){1, 1, 1, 1}, 4);
    afx_node(g, IR_OP_BATCHNORM, "bn", (int[]){c, sc, bb, mu, var}, 5, &n, 1);
    afx_node(g, IR_OP_RELU, "relu", &n, 1, &r, 1);
    afx_node(g, IR_OP_GLOBALAVGPOOL, "gap", &r, 1, &p, 1);
    afx_node(g, IR_OP_FLATTEN, "flat", &p, 1, &f, 1);
    int gm = afx_node(g, IR_OP_GEMM, "fc", (int[]){f, fw, fb}, 3, &y, 1);
    ir_set_attr_int(g, gm, "transB", 1);
    afx_output(g, y);
    return afx_model(ctx, g);
}

static int group_of_layer(const clcnn_plan_group *g, int n, int layer, int *count)
{
    int found = -1;
    *count = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < g[i].n_layers; k++)
            if (g[i].layers[k] == layer)
                found = i, (*count)++;
    return found;
}

static void test_tiny_plan(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(1);
    if (!ctx)
        skip();
    clcnn_model *m = tiny_model(ctx);
    assert_int_equal(clcnn_model_num_layers(m), N_LAYERS);
    clcnn_session *s = NULL;
    assert_int_equal(clcnn_session_create(ctx, m, NULL, &s), CLCNN_OK);
    clcnn_plan_group *g = NULL;
    int n = 0;
    assert_int_equal(clcnn_session_plan_groups(s, &g, &n), CLCNN_OK);
    assert_int_equal(n, 4); /* Conv+Relu, GlobalAveragePool, Flatten, Gemm */

    int cnt, want_group[N_LAYERS] = {0, 0, 0, 1, 2, 3};
    for (int l = 0; l < N_LAYERS; l++) {
        int gi = group_of_layer(g, n, l, &cnt);
        if (cnt != 1 || gi != want_group[l])
            fail_msg("layer %d: in %d groups, group %d (want exactly group %d)", l, cnt, gi, want_group[l]);
    }
    assert_string_equal(g[0].name, "conv");
    assert_string_equal(g[0].op, "Conv+Relu");
    assert_int_equal(g[0].n_inputs, 1);
    assert_int_equal(g[0].inputs[0], -1);
    assert_int_equal(g[0].ndim, 4);
    const int64_t want0[4] = {1, C_MID, H, W};
    assert_memory_equal(g[0].dims, want0, sizeof want0);
    assert_string_equal(g[1].op, "GlobalAveragePool");
    assert_int_equal(g[1].inputs[0], 0);
    assert_string_equal(g[2].op, "Flatten");
    assert_string_equal(g[2].variant, "alias");
    assert_int_equal(g[2].launches, 0);
    assert_int_equal(g[2].profile_row, -1);
    assert_int_equal(g[2].n_inputs, 1);
    assert_int_equal(g[2].inputs[0], 1);
    assert_string_equal(g[3].op, "Gemm");
    assert_int_equal(g[3].inputs[0], 2);
    assert_int_equal(g[3].is_output, 1);
    assert_int_equal(g[3].ndim, 2);
    assert_int_equal(g[3].dims[1], K_OUT);
    for (int i = 0; i < 3; i++)
        assert_int_equal(g[i].is_output, 0);
    for (int i = 0; i < n; i++)
        if (g[i].fallback)
            fail_msg("group %s: unexpected fallback note '%s'", g[i].name, g[i].fallback);

    /* launching groups are the profile's rows, by index and name */
    float xin[C_IN * H * W], yout[K_OUT];
    afx_seeded(xin, C_IN * H * W, 9);
    const float *ins[1] = {xin};
    float *outs[1] = {yout};
    clcnn_profile_row *rows = NULL;
    int n_rows = 0, launches = 0, launching = 0;
    assert_int_equal(clcnn_session_profile(s, ins, outs, &rows, &n_rows), CLCNN_OK);
    for (int i = 0; i < n; i++) {
        launches += g[i].launches;
        if (!g[i].launches)
            continue;
        launching++;
        assert_true(g[i].variant[0] != '\0');
        assert_in_range(g[i].profile_row, 0, n_rows - 1);
        assert_string_equal(rows[g[i].profile_row].name, g[i].name);
        assert_int_equal(rows[g[i].profile_row].launches, g[i].launches);
    }
    assert_int_equal(launching, n_rows);
    assert_int_equal(launches, clcnn_session_kernel_count(s));
    clcnn_profile_free(rows);

    assert_int_equal(clcnn_session_plan_groups(NULL, &g, &n), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_session_plan_groups(s, NULL, &n), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_session_plan_groups(s, &g, NULL), CLCNN_ERR_INVALID_ARG);
    clcnn_plan_groups_free(g);
    clcnn_plan_groups_free(NULL);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

/* x -> GAP -> Sigmoid = s; Mul(x, s) -> Conv 3x3 'k3' = a; a -> 1x1 'pw1' and
 * 1x1 'pw2' sharing weights 'w_shared'; y = Add(pw1, pw2). */
static clcnn_model *fallback_model(clcnn_context *ctx)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[4] = {1, C_MID, H, W}, kd[4] = {C_MID, C_MID, 3, 3}, pd[4] = {C_MID, C_MID, 1, 1};
    int x = afx_input(g, "x", 4, xd, 0);
    int wk = afx_const_seeded(g, "w_k3", 4, kd, 11, 0.0f);
    int ws = afx_const_seeded(g, "w_shared", 4, pd, 12, 0.0f);
    int p = afx_tensor(g, "p", IR_DT_FLOAT), s = afx_tensor(g, "s", IR_DT_FLOAT);
    int m = afx_tensor(g, "m", IR_DT_FLOAT), a = afx_tensor(g, "a", IR_DT_FLOAT);
    int b1 = afx_tensor(g, "b1", IR_DT_FLOAT), b2 = afx_tensor(g, "b2", IR_DT_FLOAT);
    int y = afx_tensor(g, "y", IR_DT_FLOAT);
    afx_node(g, IR_OP_GLOBALAVGPOOL, "gap", &x, 1, &p, 1);
    afx_node(g, IR_OP_SIGMOID, "sig", &p, 1, &s, 1);
    afx_node(g, IR_OP_MUL, "gate", (int[]){x, s}, 2, &m, 1);
    int k3 = afx_node(g, IR_OP_CONV, "k3", (int[]){m, wk}, 2, &a, 1);
    ir_set_attr_ints(g, k3, "kernel_shape", (int64_t[]){3, 3}, 2);
    ir_set_attr_ints(g, k3, "pads", (int64_t[]){1, 1, 1, 1}, 4);
    afx_node(g, IR_OP_CONV, "pw1", (int[]){a, ws}, 2, &b1, 1);
    afx_node(g, IR_OP_CONV, "pw2", (int[]){a, ws}, 2, &b2, 1);
    afx_node(g, IR_OP_ADD, "sum", (int[]){b1, b2}, 2, &y, 1);
    afx_output(g, y);
    return afx_model(ctx, g);
}

typedef struct debug_log {
    int plan_lines; /* DEBUG lines starting "plan: node '" */
    char last[512];
} debug_log;

static void keep_debug(void *user, clcnn_log_level level, const char *msg)
{
    debug_log *d = user;
    if (level == CLCNN_LOG_DEBUG && strncmp(msg, "plan: node '", 12) == 0) {
        d->plan_lines++;
        snprintf(d->last, sizeof d->last, "%s", msg);
    }
}

static const clcnn_plan_group *group_named(const clcnn_plan_group *g, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(g[i].name, name) == 0)
            return &g[i];
    return NULL;
}

static void test_fallback_notes(void **state)
{
    (void)state;
    const char *spec = getenv("CLCNN_TEST_DEVICE");
    debug_log d = {0};
    clcnn_context_options o;
    clcnn_context_options_init(&o);
    o.device = spec && spec[0] ? spec : "auto";
    o.log = keep_debug;
    o.log_user = &d;
    clcnn_context *ctx = NULL;
    if (clcnn_context_create(&o, &ctx, NULL, 0) != CLCNN_OK || clcnn_context_is_reference(ctx)) {
        clcnn_context_destroy(ctx);
        skip();
    }
    clcnn_model *m = fallback_model(ctx);
    clcnn_session *s = NULL;
    assert_int_equal(clcnn_session_create(ctx, m, NULL, &s), CLCNN_OK);
    clcnn_plan_group *g = NULL;
    int n = 0, noted = 0;
    assert_int_equal(clcnn_session_plan_groups(s, &g, &n), CLCNN_OK);
    for (int i = 0; i < n; i++)
        noted += g[i].fallback != NULL;
    const clcnn_plan_group *gate = group_named(g, n, "gate"), *pw1 = group_named(g, n, "pw1"),
                           *pw2 = group_named(g, n, "pw2");
    assert_non_null(gate);
    assert_non_null(pw1);
    assert_non_null(pw2);
    assert_non_null(gate->fallback);
    assert_non_null(strstr(gate->fallback, "SE gate not fused into Conv 'k3'"));
    assert_non_null(strstr(gate->fallback, "conv_pw"));
    for (const clcnn_plan_group *q = pw1; q; q = q == pw1 ? pw2 : NULL) {
        assert_non_null(q->fallback);
        assert_non_null(strstr(q->fallback, "conv_tiled for conv_pw"));
    }
    assert_int_equal(noted, 3); /* k3 runs its best kernel: nothing to say there */
    assert_int_equal(d.plan_lines, 3);
    assert_non_null(strstr(d.last, "plan: node '"));
    clcnn_plan_groups_free(g);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

static void test_reference_unsupported(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    clcnn_model *m = tiny_model(ctx);
    clcnn_session *s = NULL;
    assert_int_equal(clcnn_session_create(ctx, m, NULL, &s), CLCNN_OK);
    clcnn_plan_group *g = (clcnn_plan_group *)&g; /* must stay untouched */
    int n = -7;
    assert_int_equal(clcnn_session_plan_groups(s, &g, &n), CLCNN_ERR_UNSUPPORTED);
    assert_ptr_equal(g, (clcnn_plan_group *)&g);
    assert_int_equal(n, -7);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_plan),
        cmocka_unit_test(test_fallback_notes),
        cmocka_unit_test(test_reference_unsupported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
