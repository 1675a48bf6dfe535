/* test_api_load_mem.c — clcnn_model_load_mem (the fuzz target's way in): the
 * same model as clcnn_model_load from the same bytes, every bad argument
 * named, garbage/truncated/over-nested bytes refused as CLCNN_ERR_PARSE with
 * the given name, external data refused (no folder to resolve it in), and the
 * caller's buffer not kept (overwritten and freed right after the load).
 * The deep and external models are fuzz seeds (fuzz/make_seeds.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clcnn.h"
#include "util/api_fixture.h"
#include "util/file_util.h"

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *b = (uint8_t *)tu_slurp(path, len);
    assert_non_null(b);
    return b;
}

static void test_same_as_file(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/models/squeezenet1.1.onnx", CLCNN_SHARED_DIR);
    clcnn_context *ctx = afx_context(0);
    clcnn_model *a = NULL, *b = NULL;
    assert_int_equal(clcnn_model_load(ctx, path, &a), CLCNN_OK);
    size_t len;
    uint8_t *buf = slurp(path, &len);
    assert_int_equal(clcnn_model_load_mem(ctx, buf, len, "sq.onnx", &b), CLCNN_OK);
    memset(buf, 0xa5, len); /* the model must not point into the caller's bytes */
    free(buf);
    assert_string_equal(clcnn_model_path(b), "sq.onnx");
    assert_int_equal(clcnn_model_num_layers(a), clcnn_model_num_layers(b));
    for (int i = 0; i < clcnn_model_num_layers(a); i++) {
        clcnn_layer_info la, lb;
        clcnn_model_layer(a, i, &la);
        clcnn_model_layer(b, i, &lb);
        assert_string_equal(la.name, lb.name);
        assert_int_equal(la.params, lb.params);
    }
    clcnn_model_destroy(a);
    clcnn_model_destroy(b);
    clcnn_context_destroy(ctx);
}

static void expect_fail(clcnn_context *ctx, const void *buf, size_t len, const char *name,
                        clcnn_status want, const char *needle)
{
    clcnn_model *m = (clcnn_model *)&m; /* poisoned: must come back NULL */
    clcnn_status st = clcnn_model_load_mem(ctx, buf, len, name, &m);
    const char *msg = clcnn_context_last_error(ctx);
    if (st != want || m != NULL || !strstr(msg, needle) || strchr(msg, '\n'))
        fail_msg("load_mem(%s): %s '%s', want %s naming '%s'", name ? name : "NULL",
                 clcnn_status_str(st), msg, clcnn_status_str(want), needle);
}

static void test_refusals(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    clcnn_model *m = NULL;
    const uint8_t junk[] = {0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f}; /* graph of 4 GiB claimed */
    assert_int_equal(clcnn_model_load_mem(NULL, junk, sizeof junk, "x", &m), CLCNN_ERR_INVALID_ARG);
    expect_fail(ctx, NULL, 4, "x", CLCNN_ERR_INVALID_ARG, "buf");
    assert_int_equal(clcnn_model_load_mem(ctx, junk, sizeof junk, "x", NULL), CLCNN_ERR_INVALID_ARG);
    expect_fail(ctx, junk, 0, "empty.onnx", CLCNN_ERR_PARSE, "empty.onnx");
    expect_fail(ctx, junk, sizeof junk, "junk.onnx", CLCNN_ERR_PARSE, "junk.onnx");
    expect_fail(ctx, junk, sizeof junk, NULL, CLCNN_ERR_PARSE, "<memory>");
    /* 120 levels of TypeProto.sequence_type (fuzz/make_seeds.py): over the bound */
    char path[1024];
    snprintf(path, sizeof path, "%s/fuzz/corpus/onnx/nested_120", CLCNN_SOURCE_DIR);
    size_t len;
    uint8_t *deep = slurp(path, &len);
    expect_fail(ctx, deep, len, "deep.onnx", CLCNN_ERR_PARSE, "nested more than");
    free(deep);
    clcnn_context_destroy(ctx);
}

/* A model whose initializer lives in external data (fuzz/make_seeds.py's
 * external_w): from memory there is no folder to resolve it in. */
static void test_external_refused(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/fuzz/corpus/onnx/external_w", CLCNN_SOURCE_DIR);
    size_t len;
    uint8_t *b = slurp(path, &len);
    clcnn_context *ctx = afx_context(0);
    expect_fail(ctx, b, len, "ext.onnx", CLCNN_ERR_UNSUPPORTED, "external data");
    free(b);
    clcnn_context_destroy(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_file),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_external_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
