/* test_api_owning.c — clcnn_session_create_owning: a session that takes its
 * model frees the model's weights its device copied, and runs bit for bit as a
 * session of an untouched copy of the same model; the model then answers
 * metadata but refuses what needs weights (another session, compare, export),
 * naming the call that took them. A weight two convs share, a BatchNormalization
 * the passes fold away (its originals unread) and a constant graph output (read
 * from host bytes at each run) are in the model. Nothing is freed on the
 * reference backend or for a dynamic batch (a run at another batch plans again
 * from the weights). A failed create destroys the model (the ASan build checks
 * that nothing leaks or is freed twice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clcnn_tools.h"
#include "util/api_fixture.h"

#define C_IN 13 /* not a multiple of 4 */
#define C_MID 40
#define C_OUT 32 /* pw.w: 5 KiB, over the release floor */
#define H 7
#define W 9
#define N_CONST 1024 /* a page of floats: at the release floor, still kept */

/* x -> Conv3x3 (pads on every edge) -> BN -> n -> Relu -> pw1 -> y1, and
 * n -> pw2 -> y2 with pw1's weight; plus the constant k as a third output at a
 * static batch. */
static clcnn_model *model(clcnn_context *ctx, int dynamic)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[4] = {1, C_IN, H, W}, wd[4] = {C_MID, C_IN, 3, 3}, cd[1] = {C_MID};
    const int64_t sd[4] = {C_OUT, C_MID, 1, 1}, kd[1] = {N_CONST};
    int x = afx_input(g, "x", 4, xd, dynamic);
    int w = afx_const_seeded(g, "conv.w", 4, wd, 1, 0.0f);
    int sc = afx_const_seeded(g, "bn.scale", 1, cd, 3, 0.0f);
    int bb = afx_const_seeded(g, "bn.bias", 1, cd, 4, 0.0f);
    int mu = afx_const_seeded(g, "bn.mean", 1, cd, 5, 0.0f);
    int var = afx_const_seeded(g, "bn.var", 1, cd, 6, 2.0f);
    int ws = afx_const_seeded(g, "pw.w", 4, sd, 7, 0.0f);
    int k = afx_const_seeded(g, "k", 1, kd, 8, 0.0f);
    int c = afx_tensor(g, "c", IR_DT_FLOAT), n = afx_tensor(g, "n", IR_DT_FLOAT);
    int r = afx_tensor(g, "r", IR_DT_FLOAT);
    int y1 = afx_tensor(g, "y1", IR_DT_FLOAT), y2 = afx_tensor(g, "y2", IR_DT_FLOAT);
    int cn = afx_node(g, IR_OP_CONV, "conv", (int[]){x, w}, 2, &c, 1);
    ir_set_attr_ints(g, cn, "kernel_shape", (int64_t[]){3, 3}, 2);
    ir_set_attr_ints(g, cn, "pads", (int64_t[]){1, 1, 1, 1}, 4);
    afx_node(g, IR_OP_BATCHNORM, "bn", (int[]){c, sc, bb, mu, var}, 5, &n, 1);
    afx_node(g, IR_OP_RELU, "relu", &n, 1, &r, 1);
    afx_node(g, IR_OP_CONV, "pw1", (int[]){r, ws}, 2, &y1, 1);
    afx_node(g, IR_OP_CONV, "pw2", (int[]){n, ws}, 2, &y2, 1);
    afx_output(g, y1);
    afx_output(g, y2);
    if (!dynamic) /* a constant output cannot follow the batch */
        afx_output(g, k);
    return afx_model(ctx, g);
}

#define N_OUT1 (C_OUT * H * W)

/* One run of s on the seeded input at batch b; out: y1, y2 (b * N_OUT1 floats
 * each) and, when n_out is 3, k (N_CONST). */
static void run(clcnn_session *s, int n_out, int b, float *out)
{
    float *x = malloc(sizeof(float) * (size_t)(b * C_IN * H * W));
    assert_non_null(x);
    afx_seeded(x, (int64_t)b * C_IN * H * W, 99);
    clcnn_tensor in = {CLCNN_DTYPE_FLOAT32, 4, {b, C_IN, H, W}, x, sizeof(float) * (size_t)(b * C_IN * H * W)};
    const size_t y = sizeof(float) * (size_t)(b * N_OUT1);
    clcnn_tensor o[3] = {{.data = out, .bytes = y},
                         {.data = out + b * N_OUT1, .bytes = y},
                         {.data = out + 2 * b * N_OUT1, .bytes = sizeof(float) * N_CONST}};
    if (clcnn_session_run_tensors(s, &in, 1, o, n_out) != CLCNN_OK)
        fail_msg("run at batch %d: %s", b, clcnn_session_last_error(s));
    free(x);
}

/* Runs an owning session and a plain one of an identical model at batch b
 * (twice for the owner: its second run must not read freed bytes); returns
 * whether export of the owned model then worked (0: its weights were freed). */
static int owning_vs_plain(clcnn_context *ctx, int dynamic, int b)
{
    clcnn_model *plain = model(ctx, dynamic), *owned = model(ctx, dynamic);
    clcnn_session *sp = NULL, *so = NULL;
    assert_int_equal(clcnn_session_create(ctx, plain, NULL, &sp), CLCNN_OK);
    if (clcnn_session_create_owning(ctx, owned, NULL, &so) != CLCNN_OK)
        fail_msg("create_owning: %s", clcnn_context_last_error(ctx));
    const int n_out = clcnn_model_num_outputs(plain);
    const size_t n = (size_t)(2 * b * N_OUT1 + N_CONST);
    float *a = calloc(n, sizeof(float)), *o = calloc(n, sizeof(float));
    assert_true(a && o);
    run(sp, n_out, b, a);
    for (int rep = 0; rep < 2; rep++) {
        memset(o, 0, n * sizeof(float));
        run(so, n_out, b, o);
        assert_memory_equal(a, o, n * sizeof(float));
    }
    /* the kept constant output is the model's constant, bit for bit */
    float *kv = malloc(sizeof(float) * N_CONST);
    assert_non_null(kv);
    afx_seeded(kv, N_CONST, 8);
    if (n_out == 3)
        assert_memory_equal(o + 2 * b * N_OUT1, kv, sizeof(float) * N_CONST);
    free(kv);
    /* metadata still answers */
    assert_int_equal(clcnn_model_num_layers(owned), clcnn_model_num_layers(plain));
    clcnn_tensor_info ti;
    assert_int_equal(clcnn_model_input(owned, 0, &ti), CLCNN_OK);
    assert_int_equal(ti.dims[1], C_IN);
    char path[] = "/tmp/clcnn_owning_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[512] = "";
    const clcnn_status ex = clcnn_model_export_onnx(owned, path, err, sizeof err);
    unlink(path);
    if (ex != CLCNN_OK) {
        assert_int_equal(ex, CLCNN_ERR_INVALID_ARG);
        assert_non_null(strstr(err, "clcnn_session_create_owning"));
        clcnn_session *again = NULL;
        assert_int_equal(clcnn_session_create(ctx, owned, NULL, &again), CLCNN_ERR_INVALID_ARG);
        assert_null(again);
        assert_non_null(strstr(clcnn_context_last_error(ctx), "freed its weights"));
        const float *ins[1] = {a};
        clcnn_compare_row *rows = NULL;
        int nr = 0;
        if (!clcnn_context_is_reference(ctx))
            assert_int_equal(clcnn_compare(ctx, owned, ins, &rows, &nr), CLCNN_ERR_INVALID_ARG);
        /* the refusals changed nothing for the session */
        run(so, n_out, b, o);
        assert_memory_equal(a, o, n * sizeof(float));
    }
    clcnn_session_destroy(so); /* and `owned` with it */
    clcnn_session_destroy(sp);
    clcnn_model_destroy(plain);
    free(a);
    free(o);
    return ex == CLCNN_OK;
}

static void test_owning_cl(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(1);
    if (!ctx)
        skip();
    /* the folded BN's originals and the copied conv weights are freed on any
     * OpenCL device (on a CPU the packed ones; on a GPU every upload) */
    assert_int_equal(owning_vs_plain(ctx, 0, 1), 0);
    clcnn_context_destroy(ctx);
}

static void test_owning_dynamic_cl(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(1);
    if (!ctx)
        skip();
    /* batch 3 re-plans from the model's weights: they must all still be there */
    assert_int_equal(owning_vs_plain(ctx, 1, 3), 1);
    clcnn_context_destroy(ctx);
}

static void test_owning_ref(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    assert_int_equal(owning_vs_plain(ctx, 0, 1), 1); /* the reference reads the model itself */
    clcnn_context_destroy(ctx);
}

static void test_owning_failures(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    clcnn_session *s = (clcnn_session *)&s; /* set to NULL on failure */
    clcnn_session_options so;
    clcnn_session_options_init(&so);
    so.batch = -1;
    /* a refused create destroys the model (LSan would report it otherwise) */
    assert_int_equal(clcnn_session_create_owning(ctx, model(ctx, 0), &so, &s), CLCNN_ERR_INVALID_ARG);
    assert_null(s);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "batch"));
    assert_int_equal(clcnn_session_create_owning(ctx, NULL, NULL, &s), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_session_create_owning(ctx, model(ctx, 0), NULL, NULL), CLCNN_ERR_INVALID_ARG);
    clcnn_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owning_cl),
        cmocka_unit_test(test_owning_dynamic_cl),
        cmocka_unit_test(test_owning_ref),
        cmocka_unit_test(test_owning_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
