/* test_api_tensors.c — clcnn_session_run_tensors and the typed side of the
 * API, on the reference backend and on the OpenCL device (skipped without
 * one): outputs in their own dtype (an int64 Cast output), the float run's
 * conversion never writing past a float buffer, outputs computed at load (a
 * Shape result) on both devices, output capacity checks with guard bytes,
 * library-allocated outputs, every bad argument refused with a message naming
 * it, and dynamic batch: a batch-3 run equals three batch-1 runs exactly while
 * a static-batch model refuses batch 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/api_fixture.h"
#include "onnx/onnx.h"

#define COLS 6            /* x: [batch, COLS] */
#define SCALE 10.0f       /* y = x * SCALE; yi = (int64)y */
#define GUARD 0xA5        /* byte pattern after and inside buffers that must stay untouched */
#define GUARD_BYTES 64

/* x[1, COLS] -> Mul(SCALE) -> y (float32) -> Cast(int64) -> yi. */
static ir_graph *typed_graph(int dynamic)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[2] = {1, COLS}, kd[1] = {1};
    const float k = SCALE;
    int x = afx_input(g, "x", 2, xd, dynamic);
    int kt = afx_const_f(g, "k", 1, kd, &k);
    int y = afx_tensor(g, "y", IR_DT_FLOAT), yi = afx_tensor(g, "yi", IR_DT_INT64);
    afx_node(g, IR_OP_MUL, "scale", (int[]){x, kt}, 2, &y, 1);
    int c = afx_node(g, IR_OP_CAST, "to_int", &y, 1, &yi, 1);
    assert_int_equal(ir_set_attr_int(g, c, "to", IR_DT_INT64), 0);
    afx_output(g, y);
    afx_output(g, yi);
    return g;
}

/* x[1,3] -> Relu -> y, and Shape(x) -> s: an int64 output computed at load,
 * which the OpenCL plan gives no device buffer. */
static ir_graph *const_output_graph(void)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[2] = {1, 3};
    int x = afx_input(g, "x", 2, xd, 0);
    int y = afx_tensor(g, "y", IR_DT_FLOAT), s = afx_tensor(g, "s", IR_DT_INT64);
    afx_node(g, IR_OP_RELU, "relu", &x, 1, &y, 1);
    afx_node(g, IR_OP_SHAPE, "shape", &x, 1, &s, 1);
    afx_output(g, y);
    afx_output(g, s);
    return g;
}

typedef struct fix {
    clcnn_context *ctx;
    clcnn_model *m;
    clcnn_session *s;
} fix;

/* Context (NULL -> the test skips), model and session; 0 when skipped. */
static int fix_open(fix *f, int opencl, ir_graph *g)
{
    memset(f, 0, sizeof *f);
    if (!(f->ctx = afx_context(opencl))) {
        ir_graph_free(g);
        return 0;
    }
    f->m = afx_model(f->ctx, g);
    if (clcnn_session_create(f->ctx, f->m, NULL, &f->s) != CLCNN_OK)
        fail_msg("session_create: %s", clcnn_context_last_error(f->ctx));
    return 1;
}

static void fix_close(fix *f)
{
    clcnn_session_destroy(f->s);
    clcnn_model_destroy(f->m);
    clcnn_context_destroy(f->ctx);
}

static clcnn_tensor in_tensor(float *x, int64_t batch)
{
    clcnn_tensor t = {CLCNN_DTYPE_FLOAT32, 2, {batch, COLS}, x, (size_t)(batch * COLS) * sizeof(float)};
    return t;
}

static void assert_guard(const unsigned char *p, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != GUARD)
            fail_msg("%s: byte %zu was written (0x%02x)", what, i, p[i]);
}

static void run_ok(fix *f, const clcnn_tensor *in, int n_in, clcnn_tensor *out, int n_out)
{
    if (clcnn_session_run_tensors(f->s, in, n_in, out, n_out) != CLCNN_OK)
        fail_msg("run_tensors: %s", clcnn_session_last_error(f->s));
}

/* ---- typed outputs ------------------------------------------------------- */

static void check_typed(int opencl)
{
    fix f;
    if (!fix_open(&f, opencl, typed_graph(0))) {
        skip();
        return;
    }
    clcnn_tensor_info oi;
    assert_int_equal(clcnn_model_output(f.m, 1, &oi), CLCNN_OK);
    assert_int_equal(oi.dtype, CLCNN_DTYPE_INT64);
    assert_int_equal(oi.dynamic_batch, 0);
    assert_int_equal(clcnn_session_output(f.s, 0, &oi), CLCNN_OK);
    assert_int_equal(oi.dtype, CLCNN_DTYPE_FLOAT32);
    float x[COLS], y[COLS];
    int64_t yi[COLS];
    afx_seeded(x, COLS, 11);
    clcnn_tensor in = in_tensor(x, 1);
    clcnn_tensor out[2] = {{.data = y, .bytes = sizeof y}, {.data = yi, .bytes = sizeof yi}};
    run_ok(&f, &in, 1, out, 2);
    assert_int_equal(out[0].dtype, CLCNN_DTYPE_FLOAT32);
    assert_int_equal(out[1].dtype, CLCNN_DTYPE_INT64);
    assert_int_equal(out[1].ndim, 2);
    assert_int_equal(out[1].dims[0], 1);
    assert_int_equal(out[1].dims[1], COLS);
    assert_int_equal(out[1].bytes, sizeof yi); /* caller buffers keep their capacity */
    for (int i = 0; i < COLS; i++) {
        assert_true(y[i] == x[i] * SCALE);
        if (yi[i] != (int64_t)y[i])
            fail_msg("yi[%d] = %lld, expected %lld", i, (long long)yi[i], (long long)(int64_t)y[i]);
    }
    /* the float run: the int64 output arrives as COLS floats and not one byte more */
    unsigned char buf[COLS * sizeof(float) + GUARD_BYTES];
    float y2[COLS];
    memset(buf, GUARD, sizeof buf);
    const float *ins[1] = {x};
    float *outs[2] = {y2, (float *)buf};
    if (clcnn_session_run(f.s, ins, outs) != CLCNN_OK)
        fail_msg("session_run: %s", clcnn_session_last_error(f.s));
    assert_guard(buf + COLS * sizeof(float), GUARD_BYTES, "float run past the int64 output");
    for (int i = 0; i < COLS; i++) {
        float v;
        memcpy(&v, buf + i * sizeof(float), sizeof v);
        assert_true(v == (float)yi[i]);
        assert_true(y2[i] == y[i]);
    }
    fix_close(&f);
}

static void test_typed_ref(void **state) { (void)state; check_typed(0); }
static void test_typed_cl(void **state) { (void)state; check_typed(1); }

/* ---- outputs computed at load -------------------------------------------- */

static void check_const_output(int opencl)
{
    fix f;
    if (!fix_open(&f, opencl, const_output_graph())) {
        skip();
        return;
    }
    float x[3] = {-1.0f, 0.5f, 2.0f}, y[3], s_f[2];
    int64_t s[2] = {0, 0};
    const float *ins[1] = {x};
    float *outs[2] = {y, s_f};
    if (clcnn_session_run(f.s, ins, outs) != CLCNN_OK)
        fail_msg("session_run: %s", clcnn_session_last_error(f.s));
    assert_true(s_f[0] == 1.0f && s_f[1] == 3.0f);
    assert_true(y[0] == 0.0f && y[1] == 0.5f && y[2] == 2.0f);
    clcnn_tensor in = {CLCNN_DTYPE_FLOAT32, 2, {1, 3}, x, sizeof x};
    clcnn_tensor out[2] = {{.data = y, .bytes = sizeof y}, {.data = s, .bytes = sizeof s}};
    run_ok(&f, &in, 1, out, 2);
    assert_int_equal(out[1].dtype, CLCNN_DTYPE_INT64);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], 3);
    fix_close(&f);
}

static void test_const_output_ref(void **state) { (void)state; check_const_output(0); }
static void test_const_output_cl(void **state) { (void)state; check_const_output(1); }

/* ---- capacity, allocation, bad arguments --------------------------------- */

static void test_capacity(void **state)
{
    (void)state;
    fix f;
    fix_open(&f, 0, typed_graph(0));
    float x[COLS];
    afx_seeded(x, COLS, 5);
    clcnn_tensor in = in_tensor(x, 1);
    unsigned char y[COLS * sizeof(float) + GUARD_BYTES], yi[COLS * sizeof(int64_t) + GUARD_BYTES];
    memset(y, GUARD, sizeof y);
    memset(yi, GUARD, sizeof yi);
    /* yi one byte short: refused before anything runs, neither buffer touched */
    clcnn_tensor out[2] = {{.dtype = CLCNN_DTYPE_UNDEFINED, .ndim = -7, .data = y, .bytes = COLS * sizeof(float)},
                           {.data = yi, .bytes = COLS * sizeof(int64_t) - 1}};
    assert_int_equal(clcnn_session_run_tensors(f.s, &in, 1, out, 2), CLCNN_ERR_INVALID_ARG);
    const char *e = clcnn_session_last_error(f.s);
    print_message("%s\n", e);
    assert_non_null(strstr(e, "output 1 ('yi')"));
    assert_non_null(strstr(e, "47"));
    assert_non_null(strstr(e, "48"));
    assert_guard(y, sizeof y, "y after a refused run");
    assert_guard(yi, sizeof yi, "yi after a refused run");
    assert_int_equal(out[0].ndim, -7); /* out-params are written only on success */
    /* exact capacity works and writes exactly that */
    out[1].bytes = COLS * sizeof(int64_t);
    run_ok(&f, &in, 1, out, 2);
    assert_guard(y + COLS * sizeof(float), GUARD_BYTES, "past y");
    assert_guard(yi + COLS * sizeof(int64_t), GUARD_BYTES, "past yi");
    assert_string_equal(clcnn_context_last_error(f.ctx), "");
    fix_close(&f);
}

static void test_library_alloc(void **state)
{
    (void)state;
    fix f;
    fix_open(&f, 0, typed_graph(0));
    float x[COLS], y[COLS];
    afx_seeded(x, COLS, 9);
    clcnn_tensor in = in_tensor(x, 1);
    clcnn_tensor out[2] = {{.data = y, .bytes = sizeof y}, {0}}; /* one caller buffer, one library's */
    run_ok(&f, &in, 1, out, 2);
    assert_non_null(out[1].data);
    assert_int_equal(out[1].bytes, COLS * sizeof(int64_t));
    assert_int_equal(out[1].dtype, CLCNN_DTYPE_INT64);
    const int64_t *yi = out[1].data;
    for (int i = 0; i < COLS; i++)
        assert_true(yi[i] == (int64_t)y[i]);
    clcnn_free(out[1].data);
    clcnn_free(NULL);
    fix_close(&f);
}

/* Expects run_tensors to refuse with INVALID_ARG and a message holding each needle. */
static void expect_refused(fix *f, const clcnn_tensor *in, int n_in, clcnn_tensor *out, int n_out,
                           const char *n1, const char *n2)
{
    assert_int_equal(clcnn_session_run_tensors(f->s, in, n_in, out, n_out), CLCNN_ERR_INVALID_ARG);
    const char *e = clcnn_session_last_error(f->s);
    print_message("refused: %s\n", e);
    if (!strstr(e, n1) || (n2 && !strstr(e, n2)))
        fail_msg("message '%s' lacks '%s'%s%s", e, n1, n2 ? " or " : "", n2 ? n2 : "");
    assert_null(strchr(e, '\n')); /* one line */
}

static void test_bad_args(void **state)
{
    (void)state;
    fix f;
    fix_open(&f, 0, typed_graph(0));
    float x[2 * COLS];
    afx_seeded(x, 2 * COLS, 3);
    clcnn_tensor in = in_tensor(x, 1), bad;
    clcnn_tensor out[2] = {{0}, {0}};
    assert_int_equal(clcnn_session_run_tensors(NULL, &in, 1, out, 2), CLCNN_ERR_INVALID_ARG);
    expect_refused(&f, NULL, 1, out, 2, "inputs is NULL", NULL);
    expect_refused(&f, &in, 1, NULL, 2, "outputs is NULL", NULL);
    expect_refused(&f, &in, 2, out, 2, "n_in is 2", "1 input");
    expect_refused(&f, &in, 0, out, 2, "n_in is 0", NULL);
    expect_refused(&f, &in, 1, out, 1, "n_out is 1", "2 outputs");
    bad = in, bad.dtype = CLCNN_DTYPE_INT64;
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x')", "dtype int64");
    bad = in, bad.ndim = 3, bad.dims[2] = 1;
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x')", "[1,6,1], expected [1,6]");
    bad = in, bad.ndim = 99;
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x')", "ndim 99");
    bad = in, bad.dims[1] = COLS + 1, bad.bytes += sizeof(float);
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x')", "[1,7], expected [1,6]");
    bad = in, bad.bytes -= 1;
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x')", "bytes is 23");
    bad = in, bad.data = NULL;
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x')", "data is NULL");
    /* a static model refuses another batch, naming the input and both shapes */
    bad = in_tensor(x, 2);
    expect_refused(&f, &bad, 1, out, 2, "input 0 ('x'): shape [2,6], expected [1,6]", "static");
    assert_null(out[0].data); /* nothing allocated for a refused run */
    assert_null(out[1].data);
    /* session errors stay on the session; a good run after them still works */
    assert_string_equal(clcnn_context_last_error(f.ctx), "");
    run_ok(&f, &in, 1, out, 2);
    clcnn_free(out[0].data);
    clcnn_free(out[1].data);
    assert_int_equal(clcnn_session_run(f.s, NULL, NULL), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(clcnn_session_last_error(f.s), "inputs is NULL"));
    fix_close(&f);
}

/* ---- dynamic batch --------------------------------------------------------- */

/* Runs x[batch] with library-allocated outputs; returns y (malloc'd), frees the rest. */
static float *run_batch(fix *f, const float *x, int64_t batch, int64_t **yi)
{
    clcnn_tensor in = in_tensor((float *)x, batch);
    clcnn_tensor out[2] = {{0}, {0}};
    run_ok(f, &in, 1, out, 2);
    assert_int_equal(out[0].dims[0], batch);
    assert_int_equal(out[1].dims[0], batch);
    assert_int_equal(out[0].bytes, (size_t)(batch * COLS) * sizeof(float));
    *yi = out[1].data;
    return out[0].data;
}

static void check_dynamic(int opencl)
{
    fix f;
    if (!fix_open(&f, opencl, typed_graph(1))) {
        skip();
        return;
    }
    clcnn_tensor_info ii;
    assert_int_equal(clcnn_model_input(f.m, 0, &ii), CLCNN_OK);
    assert_int_equal(ii.dynamic_batch, 1);
    assert_int_equal(ii.dims[0], 1);
    float x[8 * COLS];
    afx_seeded(x, 8 * COLS, 21);
    int64_t *yi3, *yi1;
    float *y3 = run_batch(&f, x, 3, &yi3);
    for (int b = 0; b < 3; b++) {
        float *y1 = run_batch(&f, x + b * COLS, 1, &yi1);
        if (memcmp(y1, y3 + b * COLS, COLS * sizeof(float)) != 0 ||
            memcmp(yi1, yi3 + b * COLS, COLS * sizeof(int64_t)) != 0)
            fail_msg("batch 3, image %d differs from its batch-1 run", b);
        clcnn_free(y1);
        clcnn_free(yi1);
    }
    /* more batch sizes than the session keeps plans for, then 3 again */
    const int64_t sizes[] = {2, 5, 8, 4, 7, 3};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int64_t *yik;
        float *yk = run_batch(&f, x, sizes[k], &yik);
        for (int64_t i = 0; i < sizes[k] * COLS; i++)
            assert_true(yk[i] == x[i] * SCALE && yik[i] == (int64_t)yk[i]);
        if (sizes[k] == 3 && memcmp(yk, y3, 3 * COLS * sizeof(float)) != 0)
            fail_msg("batch 3 after eviction differs from the first batch-3 run");
        clcnn_free(yk);
        clcnn_free(yik);
    }
    /* a dynamic batch of 0 is refused saying so (a model declaring dim 0 as 0 runs empty) */
    clcnn_tensor in0 = in_tensor((float *)x, 0), out0[2] = {{0}};
    expect_refused(&f, &in0, 1, out0, 2, "input 0 ('x'): shape [0,6]", "batch must be >= 1");
    clcnn_free(y3);
    clcnn_free(yi3);
    fix_close(&f);
}

static void test_dynamic_ref(void **state) { (void)state; check_dynamic(0); }
static void test_dynamic_cl(void **state) { (void)state; check_dynamic(1); }

/* The ONNX round trip keeps a symbolic batch: export writes dim_param, the
 * loader records it, and a file with a fixed batch stays static. */
static void test_dynamic_onnx_roundtrip(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    char dir[] = "/tmp/clcnn_api_tensors_XXXXXX", path[256], msg[512];
    assert_non_null(mkdtemp(dir));
    for (int dynamic = 0; dynamic < 2; dynamic++) {
        clcnn_model *m = afx_model(ctx, typed_graph(dynamic)), *back = NULL;
        snprintf(path, sizeof path, "%s/typed%d.onnx", dir, dynamic);
        if (clcnn_model_export_onnx(m, path, msg, sizeof msg) != CLCNN_OK)
            fail_msg("export: %s", msg);
        if (clcnn_model_load(ctx, path, &back) != CLCNN_OK)
            fail_msg("load: %s", clcnn_context_last_error(ctx));
        clcnn_tensor_info ti;
        assert_int_equal(clcnn_model_input(back, 0, &ti), CLCNN_OK);
        assert_int_equal(ti.dynamic_batch, dynamic);
        assert_int_equal(ti.dims[0], 1);
        assert_int_equal(clcnn_model_output(back, 1, &ti), CLCNN_OK);
        assert_int_equal(ti.dtype, CLCNN_DTYPE_INT64);
        assert_int_equal(ti.dynamic_batch, dynamic);
        assert_string_equal(clcnn_model_path(back), path);
        clcnn_model_destroy(back);
        clcnn_model_destroy(m);
        unlink(path);
    }
    rmdir(dir);
    clcnn_context_destroy(ctx);
}

static void test_dtype_names(void **state)
{
    (void)state;
    assert_string_equal(clcnn_dtype_str(CLCNN_DTYPE_FLOAT32), "float32");
    assert_string_equal(clcnn_dtype_str(CLCNN_DTYPE_INT64), "int64");
    assert_string_equal(clcnn_dtype_str(CLCNN_DTYPE_BOOL), "bool");
    assert_string_equal(clcnn_dtype_str((clcnn_dtype)42), "undefined");
    assert_int_equal(clcnn_dtype_size(CLCNN_DTYPE_FLOAT32), 4);
    assert_int_equal(clcnn_dtype_size(CLCNN_DTYPE_INT64), 8);
    assert_int_equal(clcnn_dtype_size(CLCNN_DTYPE_BOOL), 1);
    assert_int_equal(clcnn_dtype_size(CLCNN_DTYPE_FLOAT64), 8);
    assert_int_equal(clcnn_dtype_size(CLCNN_DTYPE_UNDEFINED), 0);
    assert_int_equal(clcnn_dtype_size((clcnn_dtype)42), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_ref),
        cmocka_unit_test(test_typed_cl),
        cmocka_unit_test(test_const_output_ref),
        cmocka_unit_test(test_const_output_cl),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_library_alloc),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_dynamic_ref),
        cmocka_unit_test(test_dynamic_cl),
        cmocka_unit_test(test_dynamic_onnx_roundtrip),
        cmocka_unit_test(test_dtype_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
