/* test_api_abi.c — options structs across header versions. A program built
 * against an older, smaller struct (declared here as *_v0 with only the first
 * fields) passes struct_size = sizeof(v0): the library must read nothing past
 * it, so the bytes after it are poisoned (a negative batch/classes, a wild
 * cache_dir/log pointer would each fail or crash if read) and defaults must
 * apply. struct_size 0 (never initialised) is refused naming the _init() to
 * call. A struct_size larger than the library knows (a newer header) is
 * accepted and the unknown fields are ignored: refusing it would break every
 * program that upgrades its header before its library. */
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

#define POISON 0xA5

/* What older headers had. */
typedef struct context_options_v0 {
    size_t struct_size;
    const char *device;
} context_options_v0;

typedef struct session_options_v0 {
    size_t struct_size;
} session_options_v0;

typedef struct builtin_options_v0 {
    size_t struct_size;
    float width;
} builtin_options_v0;

typedef struct tune_options_v0 {
    size_t struct_size;
    int runs;
} tune_options_v0;

/* A buffer the size of the current struct T, poisoned, with the v0 struct at
 * its front: what the library sees when a v0 program's struct happens to be
 * followed by other data. */
#define POISONED(T, v0, out)                   \
    do {                                       \
        memset(&(out), POISON, sizeof(T));     \
        memcpy(&(out), &(v0), sizeof(v0));     \
    } while (0)

static clcnn_context *ref_context(void)
{
    clcnn_context *ctx = afx_context(0);
    assert_non_null(ctx);
    return ctx;
}

static void test_context_v0(void **state)
{
    (void)state;
    context_options_v0 v0 = {sizeof v0, "ref"};
    clcnn_context_options o;
    POISONED(clcnn_context_options, v0, o);
    clcnn_context *ctx = NULL;
    char err[512] = "";
    assert_int_equal(clcnn_context_create(&o, &ctx, err, sizeof err), CLCNN_OK);
    assert_true(clcnn_context_is_reference(ctx));
    clcnn_context_destroy(ctx);
    /* "auto" reaches cache_dir and the log callback: both must stay defaults */
    v0.device = "auto";
    POISONED(clcnn_context_options, v0, o);
    assert_int_equal(clcnn_context_create(&o, &ctx, err, sizeof err), CLCNN_OK);
    clcnn_context_destroy(ctx);
    /* the v0 struct alone, nothing after it */
    context_options_v0 *heap = malloc(sizeof *heap);
    assert_non_null(heap);
    *heap = v0;
    heap->device = "ref";
    assert_int_equal(clcnn_context_create((const clcnn_context_options *)heap, &ctx, err, sizeof err),
                     CLCNN_OK);
    free(heap);
    clcnn_context_destroy(ctx);
}

static void test_context_size0(void **state)
{
    (void)state;
    clcnn_context_options o;
    memset(&o, 0, sizeof o);
    o.device = "ref";
    clcnn_context *ctx = (clcnn_context *)&o; /* must come back NULL */
    char err[512] = "";
    assert_int_equal(clcnn_context_create(&o, &ctx, err, sizeof err), CLCNN_ERR_INVALID_ARG);
    assert_null(ctx);
    print_message("%s\n", err);
    assert_non_null(strstr(err, "clcnn_context_options_init()"));
}

static clcnn_model *small_builtin(clcnn_context *ctx)
{
    clcnn_builtin_options o;
    clcnn_builtin_options_init(&o);
    o.width = 0.35f;
    o.input_size = 32;
    o.classes = 4;
    clcnn_model *m = NULL;
    if (clcnn_model_builtin(ctx, "mobilenet_v2", &o, &m) != CLCNN_OK)
        fail_msg("builtin: %s", clcnn_context_last_error(ctx));
    return m;
}

static void test_session_v0(void **state)
{
    (void)state;
    clcnn_context *ctx = ref_context();
    clcnn_model *m = small_builtin(ctx);
    session_options_v0 v0 = {sizeof v0};
    clcnn_session_options o;
    POISONED(clcnn_session_options, v0, o); /* o.batch reads as a negative number */
    clcnn_session *s = NULL;
    if (clcnn_session_create(ctx, m, &o, &s) != CLCNN_OK)
        fail_msg("session v0: %s", clcnn_context_last_error(ctx));
    clcnn_tensor_info ti;
    assert_int_equal(clcnn_session_input(s, 0, &ti), CLCNN_OK);
    assert_int_equal(ti.dims[0], 1); /* the default: the model's own batch */
    clcnn_session_destroy(s);
    /* struct_size 0 */
    memset(&o, 0, sizeof o);
    o.batch = 2;
    s = NULL;
    assert_int_equal(clcnn_session_create(ctx, m, &o, &s), CLCNN_ERR_INVALID_ARG);
    assert_null(s);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "clcnn_session_options_init()"));
    /* a newer, larger struct: accepted, the field it adds ignored */
    struct {
        clcnn_session_options cur;
        int from_the_future;
    } big;
    memset(&big, POISON, sizeof big);
    clcnn_session_options_init(&big.cur); /* today's fields valid, the future one poisoned */
    big.cur.struct_size = sizeof big;
    big.cur.batch = 3;
    if (clcnn_session_create(ctx, m, &big.cur, &s) != CLCNN_OK)
        fail_msg("larger struct: %s", clcnn_context_last_error(ctx));
    assert_int_equal(clcnn_session_input(s, 0, &ti), CLCNN_OK);
    assert_int_equal(ti.dims[0], 3); /* the fields it shares are read */
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

static void test_builtin_v0(void **state)
{
    (void)state;
    clcnn_context *ctx = ref_context();
    builtin_options_v0 v0 = {sizeof v0, 0.35f};
    clcnn_builtin_options o;
    POISONED(clcnn_builtin_options, v0, o); /* depth/classes/input_size read as garbage */
    clcnn_model *m = NULL;
    if (clcnn_model_builtin(ctx, "mobilenet_v2", &o, &m) != CLCNN_OK)
        fail_msg("builtin v0: %s", clcnn_context_last_error(ctx));
    clcnn_tensor_info in, out;
    assert_int_equal(clcnn_model_input(m, 0, &in), CLCNN_OK);
    assert_int_equal(clcnn_model_output(m, 0, &out), CLCNN_OK);
    assert_int_equal(in.dims[2], 224);    /* input_size: default */
    assert_int_equal(out.dims[1], 1000);  /* classes: default */
    clcnn_model *narrow = m, *wide = NULL;
    assert_int_equal(clcnn_model_builtin(ctx, "mobilenet_v2", NULL, &wide), CLCNN_OK);
    clcnn_layer_info a, b; /* width 0.35 was read: the first conv is narrower than at 1.0 */
    assert_int_equal(clcnn_model_layer(narrow, 0, &a), CLCNN_OK);
    assert_int_equal(clcnn_model_layer(wide, 0, &b), CLCNN_OK);
    assert_true(a.dims[1] < b.dims[1]);
    clcnn_model_destroy(wide);
    clcnn_model_destroy(m);
    memset(&o, 0, sizeof o);
    m = NULL;
    assert_int_equal(clcnn_model_builtin(ctx, "mobilenet_v2", &o, &m), CLCNN_ERR_INVALID_ARG);
    assert_null(m);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "clcnn_builtin_options_init()"));
    clcnn_context_destroy(ctx);
}

/* x[1,7,3,3] -> 1x1 Conv -> y: one pointwise-conv shape for clcnn_tune. */
static clcnn_model *pointwise_model(clcnn_context *ctx)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[4] = {1, 7, 3, 3}, wd[4] = {5, 7, 1, 1}, ks[2] = {1, 1};
    float w[35];
    afx_seeded(w, 35, 2);
    int x = afx_input(g, "x", 4, xd, 0), wt = afx_const_f(g, "w", 4, wd, w);
    int y = afx_tensor(g, "y", IR_DT_FLOAT);
    int n = afx_node(g, IR_OP_CONV, "pw", (int[]){x, wt}, 2, &y, 1);
    assert_int_equal(ir_set_attr_ints(g, n, "kernel_shape", ks, 2), 0);
    afx_output(g, y);
    return afx_model(ctx, g);
}

static void test_tune_v0(void **state)
{
    (void)state;
    char dir[] = "/tmp/clcnn_api_abi_XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *spec = getenv("CLCNN_TEST_DEVICE");
    clcnn_context_options co;
    clcnn_context_options_init(&co);
    co.device = spec && spec[0] ? spec : "auto";
    co.cache_dir = dir; /* the tune store lands here, not in the shared test cache */
    clcnn_context *ctx = NULL;
    char err[512];
    if (clcnn_context_create(&co, &ctx, err, sizeof err) != CLCNN_OK || clcnn_context_is_reference(ctx)) {
        print_message("skipping: no OpenCL device (%s)\n", err);
        clcnn_context_destroy(ctx);
        rmdir(dir);
        skip();
        return;
    }
    clcnn_model *m = pointwise_model(ctx);
    clcnn_tune_row *rows = NULL;
    int n = 0;
    clcnn_tune_options o;
    memset(&o, 0, sizeof o);
    assert_int_equal(clcnn_tune(ctx, m, &o, &rows, &n), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "clcnn_tune_options_init()"));
    tune_options_v0 v0 = {sizeof v0, 1};
    POISONED(clcnn_tune_options, v0, o); /* no_lws reads as non-zero garbage */
    if (clcnn_tune(ctx, m, &o, &rows, &n) != CLCNN_OK)
        fail_msg("tune v0: %s", clcnn_context_last_error(ctx));
    int lws_rows = 0;
    for (int i = 0; i < n; i++)
        lws_rows += rows[i].kind == CLCNN_TUNE_LWS;
    assert_int_equal(lws_rows, 1); /* no_lws not covered: the default tunes work-groups */
    clcnn_tune_free(rows);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_v0),
        cmocka_unit_test(test_context_size0),
        cmocka_unit_test(test_session_v0),
        cmocka_unit_test(test_builtin_v0),
        cmocka_unit_test(test_tune_v0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
