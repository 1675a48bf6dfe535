/* test_precision.c — issue 18's fp16 plan from the outside in:
 *  - pass_precision on a hand-built graph: which tensors are stored half,
 *    where conversions go (a node refused half, a view, a graph output, a
 *    constant read in both storages), graph inputs/outputs always float;
 *  - the session option on the OpenCL device: fp16 refused with a message
 *    naming cl_khr_fp16 where the device lacks it, auto then running fp32 and
 *    saying so; bad option values refused; and, on a device with fp16 (or
 *    POCL through the CLCNN_FP16_ANY_DEVICE test hook), fp16 and auto outputs
 *    against fp32 on a small MobileNetV2, with memory roughly halved. */
#include <math.h>
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
#include "ops/op.h"
#include "passes/precision.h"

/* ---- the pass ----------------------------------------------------------- */

static int all_but_relu(ir_op op) { return op != IR_OP_RELU; }
static int is_view(ir_op op) { return op == IR_OP_RESHAPE || op == IR_OP_FLATTEN; }

static const ir_node *node_named(const ir_graph *g, const char *name)
{
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, name) == 0)
            return &g->nodes[i];
    fail_msg("no node '%s'", name);
    return NULL;
}

static const ir_tensor *tensor_named(const ir_graph *g, const char *name)
{
    int t = ir_find_tensor(g, name);
    if (t < 0)
        fail_msg("no tensor '%s'", name);
    return &g->tensors[t];
}

/* The storage of every float tensor of n: 1 all half, 0 all float, -1 mixed. */
static int storage_of(const ir_graph *g, const ir_node *n)
{
    int seen = -2;
    for (int k = 0; k < n->n_in + n->n_out; k++) {
        int t = k < n->n_in ? n->in[k] : n->out[k - n->n_in];
        if (t < 0 || g->tensors[t].dtype != IR_DT_FLOAT)
            continue;
        if (seen == -2)
            seen = g->tensors[t].half;
        else if (seen != g->tensors[t].half)
            return -1;
    }
    return seen;
}

/* x[1,2,3,3] -> Conv(w, b) -> c -> Relu -> r -> Mul(r, k) -> m -> Reshape -> v
 * -> Add(v, k2) -> y (output); also Mul(c, k) -> z (output); k is read by both
 * Muls. Relu cannot run half (all_but_relu); so Relu stays fp32 between
 * conversions, and Mul(r, k) is asked to stay fp32 too (want_half). */
static ir_graph *pass_graph(void)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[4] = {1, 2, 3, 3}, wd[4] = {2, 2, 1, 1}, bd[1] = {2}, kd[1] = {1};
    const int64_t sd[2] = {1, 18};
    const float w[4] = {1, 2, 3, 4}, b[2] = {0.5f, -0.5f}, k = 3.0f, k2 = 1.0f;
    int x = afx_input(g, "x", 4, xd, 0);
    int wt = afx_const_f(g, "w", 4, wd, w), bt = afx_const_f(g, "b", 1, bd, b);
    int kt = afx_const_f(g, "k", 1, kd, &k), k2t = afx_const_f(g, "k2", 1, kd, &k2);
    int shape = ir_add_tensor(g, "shape", IR_DT_INT64, 1, (int64_t[]){2});
    assert_true(shape >= 0);
    g->tensors[shape].data = malloc(sizeof sd);
    memcpy(g->tensors[shape].data, sd, sizeof sd);
    int c = afx_tensor(g, "c", IR_DT_FLOAT), r = afx_tensor(g, "r", IR_DT_FLOAT);
    int m = afx_tensor(g, "m", IR_DT_FLOAT), v = afx_tensor(g, "v", IR_DT_FLOAT);
    int y = afx_tensor(g, "y", IR_DT_FLOAT), z = afx_tensor(g, "z", IR_DT_FLOAT);
    afx_node(g, IR_OP_CONV, "conv", (int[]){x, wt, bt}, 3, &c, 1);
    afx_node(g, IR_OP_RELU, "relu", (int[]){c}, 1, &r, 1);
    afx_node(g, IR_OP_MUL, "mul_r", (int[]){r, kt}, 2, &m, 1);
    afx_node(g, IR_OP_RESHAPE, "reshape", (int[]){m, shape}, 2, &v, 1);
    afx_node(g, IR_OP_ADD, "add", (int[]){v, k2t}, 2, &y, 1);
    afx_node(g, IR_OP_MUL, "mul_c", (int[]){c, kt}, 2, &z, 1);
    afx_output(g, y);
    afx_output(g, z);
    clcnn_err err = {0};
    if (ir_toposort(g, &err) != CLCNN_OK || ops_infer_graph(g, &err) != CLCNN_OK)
        fail_msg("test graph: %s", err.msg);
    return g;
}

static void test_pass_boundaries(void **state)
{
    (void)state;
    ir_graph *g = pass_graph();
    unsigned char want[16];
    memset(want, 1, sizeof want);
    for (int i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, "mul_r") == 0)
            want[i] = 0;
    precision_report rep;
    clcnn_err err = {0};
    if (pass_precision(g, want, all_but_relu, is_view, &rep, &err) != CLCNN_OK)
        fail_msg("pass_precision: %s", err.msg);
    /* conv, add, mul_c half; relu, mul_r float; reshape follows mul_r (float) */
    assert_int_equal(storage_of(g, node_named(g, "conv")), 1);
    assert_int_equal(storage_of(g, node_named(g, "relu")), 0);
    assert_int_equal(storage_of(g, node_named(g, "mul_r")), 0);
    assert_int_equal(storage_of(g, node_named(g, "reshape")), 0);
    assert_int_equal(storage_of(g, node_named(g, "add")), 1);
    assert_int_equal(storage_of(g, node_named(g, "mul_c")), 1);
    assert_int_equal(rep.half_nodes, 3);
    assert_int_equal(rep.float_nodes, 3);
    /* inputs and outputs stay float; the weights of half nodes are half */
    assert_int_equal(tensor_named(g, "x")->half, 0);
    assert_int_equal(tensor_named(g, "y")->half, 0);
    assert_int_equal(tensor_named(g, "z")->half, 0);
    assert_int_equal(tensor_named(g, "w")->half, 1);
    assert_int_equal(tensor_named(g, "k2")->half, 1);
    /* k is read by mul_r (float) and mul_c (half): two copies */
    assert_int_equal(rep.const_dups, 1);
    assert_int_equal(tensor_named(g, "k")->half, 0);
    assert_int_equal(tensor_named(g, "k#fp16")->half, 1);
    assert_int_equal(node_named(g, "mul_c")->in[1], ir_find_tensor(g, "k#fp16"));
    /* conversions: x->half for conv, c->float for relu, v->half for add, and
     * the two half outputs written as y#fp16 / z#fp16 then Cast to y / z */
    assert_int_equal(rep.casts, 5);
    int casts = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->op != IR_OP_CAST)
            continue;
        casts++;
        assert_int_equal(ir_attr_int(n, "to", -1), IR_DT_FLOAT);
        /* every conversion changes storage */
        assert_int_not_equal(g->tensors[n->in[0]].half, g->tensors[n->out[0]].half);
    }
    assert_int_equal(casts, 5);
    assert_int_equal(node_named(g, "conv")->in[0], ir_find_tensor(g, "x#fp16"));
    assert_int_equal(node_named(g, "relu")->in[0], ir_find_tensor(g, "c#fp32"));
    assert_int_equal(node_named(g, "add")->out[0], ir_find_tensor(g, "y#fp16"));
    /* still a valid order: every input produced before it is read */
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    ir_graph_free(g);
}

static void test_pass_all_half(void **state)
{
    (void)state;
    ir_graph *g = pass_graph();
    precision_report rep;
    clcnn_err err = {0};
    /* capable() = is_view: no compute node can run half */
    if (pass_precision(g, NULL, is_view, is_view, &rep, &err) != CLCNN_OK)
        fail_msg("pass_precision: %s", err.msg);
    /* capable() false for every compute node: nothing half, nothing inserted */
    assert_int_equal(rep.half_nodes, 0);
    assert_int_equal(rep.casts, 0);
    for (int t = 0; t < g->n_tensors; t++)
        assert_int_equal(g->tensors[t].half, 0);
    ir_graph_free(g);
}

/* ---- the session option ---------------------------------------------------- */

static clcnn_model *small_mobilenet(clcnn_context *ctx)
{
    clcnn_builtin_options o;
    clcnn_builtin_options_init(&o);
    o.width = 0.35f;
    o.input_size = 48;
    o.classes = 10;
    clcnn_model *m = NULL;
    if (clcnn_model_builtin(ctx, "mobilenet_v2", &o, &m) != CLCNN_OK)
        fail_msg("builtin: %s", clcnn_context_last_error(ctx));
    return m;
}

static int device_has_fp16(clcnn_context *ctx)
{
    clcnn_device_info d[16];
    int n = 0;
    if (clcnn_devices_list(d, 16, &n, NULL, 0) != CLCNN_OK)
        return 0;
    for (int i = 0; i < n && i < 16; i++)
        if (strcmp(d[i].name, clcnn_context_device_name(ctx)) == 0)
            return d[i].fp16;
    return 0;
}

static clcnn_status make(clcnn_context *ctx, clcnn_model *m, clcnn_precision p, double tol,
                         clcnn_session **s)
{
    clcnn_session_options o;
    clcnn_session_options_init(&o);
    o.precision = p;
    o.auto_tolerance = tol;
    *s = NULL;
    return clcnn_session_create(ctx, m, &o, s);
}

static void test_option_values(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0); /* checked before any device work */
    clcnn_model *m = small_mobilenet(ctx);
    clcnn_session *s = NULL;
    assert_int_equal(make(ctx, m, (clcnn_precision)7, 0, &s), CLCNN_ERR_INVALID_ARG);
    assert_null(s);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "precision is 7"));
    assert_int_equal(make(ctx, m, CLCNN_PRECISION_AUTO, -1, &s), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "auto_tolerance"));
    /* the reference backend takes fp16 and runs fp32, saying so */
    assert_int_equal(make(ctx, m, CLCNN_PRECISION_FP16, 0, &s), CLCNN_OK);
    clcnn_precision_info pi;
    assert_int_equal(clcnn_session_precision(s, &pi), CLCNN_OK);
    assert_int_equal(pi.effective, CLCNN_PRECISION_FP32);
    assert_non_null(strstr(pi.note, "reference"));
    clcnn_session_destroy(s);
    clcnn_precision p;
    assert_int_equal(clcnn_precision_parse("half", &p), CLCNN_OK);
    assert_int_equal(p, CLCNN_PRECISION_FP16);
    assert_int_equal(clcnn_precision_parse("fp8", &p), CLCNN_ERR_INVALID_ARG);
    assert_string_equal(clcnn_precision_str(CLCNN_PRECISION_AUTO), "auto");
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

/* Runs s on in; returns the output (malloc'd, *n elements). */
static float *run(clcnn_session *s, const float *in, size_t *n)
{
    clcnn_tensor_info ti;
    assert_int_equal(clcnn_session_output(s, 0, &ti), CLCNN_OK);
    size_t cnt = 1;
    for (int d = 0; d < ti.ndim; d++)
        cnt *= (size_t)ti.dims[d];
    float *out = malloc(cnt * sizeof *out);
    assert_non_null(out);
    const float *ins[1] = {in};
    float *outs[1] = {out};
    if (clcnn_session_run(s, ins, outs) != CLCNN_OK)
        fail_msg("run: %s", clcnn_session_last_error(s));
    *n = cnt;
    return out;
}

static double rel(const float *a, const float *b, size_t n)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        m = fmax(m, fabs(a[i]));
    }
    return m > 0 ? d / m : d;
}

static void test_no_fp16_device(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(1);
    if (!ctx) {
        skip();
        return;
    }
    const char *hook = getenv("CLCNN_FP16_ANY_DEVICE");
    if (device_has_fp16(ctx) || (hook && strcmp(hook, "1") == 0)) {
        print_message("device has cl_khr_fp16 (or the hook is set): nothing to refuse here\n");
        clcnn_context_destroy(ctx);
        return;
    }
    clcnn_model *m = small_mobilenet(ctx);
    clcnn_session *s = NULL;
    assert_int_equal(make(ctx, m, CLCNN_PRECISION_FP16, 0, &s), CLCNN_ERR_UNSUPPORTED);
    assert_null(s);
    assert_non_null(strstr(clcnn_context_last_error(ctx), "cl_khr_fp16"));
    assert_int_equal(make(ctx, m, CLCNN_PRECISION_AUTO, 0, &s), CLCNN_OK);
    clcnn_precision_info pi;
    assert_int_equal(clcnn_session_precision(s, &pi), CLCNN_OK);
    assert_int_equal(pi.requested, CLCNN_PRECISION_AUTO);
    assert_int_equal(pi.effective, CLCNN_PRECISION_FP32);
    assert_int_equal(pi.half_layers, 0);
    assert_non_null(strstr(pi.note, "cl_khr_fp16"));
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

static void test_fp16_and_auto(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(1);
    if (!ctx) {
        skip();
        return;
    }
    /* POCL lacks cl_khr_fp16 but runs half storage (core OpenCL): the hook */
    const int set_hook = !device_has_fp16(ctx);
    if (set_hook)
        assert_int_equal(setenv("CLCNN_FP16_ANY_DEVICE", "1", 1), 0);
    clcnn_model *m = small_mobilenet(ctx);
    clcnn_tensor_info ti;
    assert_int_equal(clcnn_model_input(m, 0, &ti), CLCNN_OK);
    const int64_t n_in = ti.dims[0] * ti.dims[1] * ti.dims[2] * ti.dims[3];
    float *in = malloc((size_t)n_in * sizeof *in);
    assert_non_null(in);
    afx_seeded(in, n_in, 7);
    clcnn_session *s32 = NULL, *s16 = NULL, *sa = NULL;
    assert_int_equal(make(ctx, m, CLCNN_PRECISION_FP32, 0, &s32), CLCNN_OK);
    if (make(ctx, m, CLCNN_PRECISION_FP16, 0, &s16) != CLCNN_OK)
        fail_msg("fp16: %s", clcnn_context_last_error(ctx));
    if (make(ctx, m, CLCNN_PRECISION_AUTO, 1e-3, &sa) != CLCNN_OK)
        fail_msg("auto: %s", clcnn_context_last_error(ctx));
    size_t n32, n16, na;
    float *o32 = run(s32, in, &n32), *o16 = run(s16, in, &n16), *oa = run(sa, in, &na);
    assert_int_equal(n32, n16);
    assert_int_equal(n32, na);
    const double e16 = rel(o32, o16, n32), ea = rel(o32, oa, n32);
    print_message("fp16 vs fp32 %.3g, auto vs fp32 %.3g\n", e16, ea);
    assert_true(e16 <= 1e-2);
    assert_true(e16 > 0); /* half storage rounds: identical output means fp16 never ran */
    clcnn_precision_info pi;
    assert_int_equal(clcnn_session_precision(s16, &pi), CLCNN_OK);
    assert_int_equal(pi.effective, CLCNN_PRECISION_FP16);
    assert_int_equal(pi.float_layers, 0);
    assert_int_equal(pi.conversions, 2); /* the input in, the output out */
    assert_int_equal(clcnn_session_precision(sa, &pi), CLCNN_OK);
    assert_true(pi.calib_error >= 0 && pi.calib_error <= 1e-3);
    assert_true(ea <= 2e-3); /* calibrated on a seeded input, checked on another */
    /* calibrated on the very input it then runs, at the tight tolerance
     * below: the error auto reports is the session's own plan's (fused; the
     * calibration rounds measure a plan keeping every intermediate, which
     * rounds elsewhere), so running that input reproduces it, within tol */
    {
        clcnn_session_options o;
        clcnn_session_options_init(&o);
        o.precision = CLCNN_PRECISION_AUTO;
        o.auto_tolerance = 2.5e-4;
        const float *cal[1] = {in};
        o.calibration = cal;
        clcnn_session *sc = NULL;
        if (clcnn_session_create(ctx, m, &o, &sc) != CLCNN_OK)
            fail_msg("auto, own input: %s", clcnn_context_last_error(ctx));
        assert_int_equal(clcnn_session_precision(sc, &pi), CLCNN_OK);
        size_t nc;
        float *oc = run(sc, in, &nc);
        const double ec = rel(o32, oc, n32);
        print_message("auto on its calibration input: reported %.4g, ran %.4g\n", pi.calib_error, ec);
        assert_true(pi.half_layers > 0);
        assert_true(ec <= 2.5e-4);
        assert_true(fabs(ec - pi.calib_error) <= 1e-5);
        free(oc);
        clcnn_session_destroy(sc);
    }
    /* a tolerance below what all-fp16 reaches: auto must keep some layers
     * fp32, and (half storage being this close) may keep some fp16 */
    const double tight = 2.5e-4;
    clcnn_session *st = NULL;
    if (make(ctx, m, CLCNN_PRECISION_AUTO, tight, &st) != CLCNN_OK)
        fail_msg("auto %g: %s", tight, clcnn_context_last_error(ctx));
    assert_int_equal(clcnn_session_precision(st, &pi), CLCNN_OK);
    print_message("auto %g: %d layers fp16, %d fp32, %d conversions, calibration error %.3g\n",
                  tight, pi.half_layers, pi.float_layers, pi.conversions, pi.calib_error);
    assert_true(e16 > tight); /* else this case proves nothing */
    assert_true(pi.float_layers > 0);
    assert_true(pi.calib_error >= 0 && pi.calib_error <= tight);
    size_t nt;
    float *ot = run(st, in, &nt);
    assert_true(rel(o32, ot, n32) <= 3 * tight);
    free(ot);
    clcnn_session_destroy(st);
    /* a tolerance no half layer can meet: fp32 throughout, and said so */
    if (make(ctx, m, CLCNN_PRECISION_AUTO, 1e-7, &st) != CLCNN_OK)
        fail_msg("auto 1e-7: %s", clcnn_context_last_error(ctx));
    assert_int_equal(clcnn_session_precision(st, &pi), CLCNN_OK);
    assert_int_equal(pi.effective, CLCNN_PRECISION_FP32);
    assert_int_equal(pi.half_layers, 0);
    assert_non_null(strstr(pi.note, "no layer kept fp16"));
    clcnn_session_destroy(st);
    /* memory: half the bytes of weights and activations, give or take the
     * float input/output buffers */
    clcnn_memory_info m32, m16;
    assert_int_equal(clcnn_session_memory(s32, &m32), CLCNN_OK);
    assert_int_equal(clcnn_session_memory(s16, &m16), CLCNN_OK);
    const double ratio = (double)(m16.weight_bytes + m16.act_bytes) /
                         (double)(m32.weight_bytes + m32.act_bytes);
    print_message("memory fp16/fp32 %.3f\n", ratio);
    assert_true(ratio <= 0.6);
    /* the layer table: every row of the fp16 plan half, errors measured only by auto */
    clcnn_layer_precision *rows = NULL;
    int nr = 0;
    assert_int_equal(clcnn_session_layer_precision(s16, &rows, &nr), CLCNN_OK);
    assert_true(nr > 10);
    for (int i = 0; i < nr; i++) {
        assert_int_equal(rows[i].half, 1);
        assert_true(rows[i].fp16_error < 0);
    }
    clcnn_free(rows);
    assert_int_equal(clcnn_session_layer_precision(sa, &rows, &nr), CLCNN_OK);
    int measured = 0;
    for (int i = 0; i < nr; i++)
        measured += rows[i].fp16_error >= 0;
    assert_true(measured > 10);
    clcnn_free(rows);
    free(o32), free(o16), free(oa), free(in);
    clcnn_session_destroy(s32);
    clcnn_session_destroy(s16);
    clcnn_session_destroy(sa);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    if (set_hook)
        unsetenv("CLCNN_FP16_ANY_DEVICE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass_boundaries),
        cmocka_unit_test(test_pass_all_half),
        cmocka_unit_test(test_option_values),
        cmocka_unit_test(test_no_fp16_device),
        cmocka_unit_test(test_fp16_and_auto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
