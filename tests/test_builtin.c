/* test_builtin.c — the built-in architectures: exact Keras-style parameter
 * counts (from the seed documents' own summaries and torchvision's published
 * numbers, never from this code), the builder's shapes against the ops'
 * shape inference, seeded determinism, option errors, and ONNX export
 * round-trips (including an unwritable path leaving no file). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "clcnn.h"
#include "core/ir.h"
#include "onnx/onnx.h"
#include "ops/op.h"
#include "../models/builtin.h"

typedef struct expected {
    const char *arch;
    long long total, trainable, non_trainable; /* -1: not published */
} expected;

/* mnasnet/xception: the seeds' Keras summaries; mobilenet_v1: Keras's
 * MobileNet (alpha 1); seed004: Keras summary of its code; the rest: the
 * trainable counts torchvision publishes for its models. */
static const expected counts[] = {
    {"mnasnet", 6679396, 6645908, 33488},
    {"xception", 22817480, 22805848, 11632},
    {"mobilenet_v1", 4253864, 4231976, 21888},
    {"mobilenet_v3_large_seed004", 5518134, 5493702, 24432},
    {"mobilenet_v2", -1, 3504872, -1},
    {"mobilenet_v3_large", -1, 5483032, -1},
    {"mobilenet_v3_small", -1, 2542856, -1},
    {"efficientnet_b0", -1, 5288548, -1},
    {"shufflenet_v2", -1, 2278604, -1},
    {"resnet50", -1, 25557032, -1},
    {"densenet121", -1, 7978856, -1},
    {"googlenet", -1, 6624904, -1},
};
#define N_COUNTS ((int)(sizeof counts / sizeof counts[0]))

/* Keras's rule straight from the IR: every weight once, BN inputs 3/4 non-trainable. */
static void ir_counts(const ir_graph *g, long long *total, long long *non_trainable)
{
    *total = *non_trainable = 0;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].is_param && g->tensors[t].data)
            *total += ir_numel(&g->tensors[t]);
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].op == IR_OP_BATCHNORM)
            *non_trainable += ir_numel(ir_in(g, &g->nodes[i], 3)) + ir_numel(ir_in(g, &g->nodes[i], 4));
}

static void check_counts(const expected *e, long long total, long long nt, const char *how)
{
    print_message("%-28s %-6s total %lld trainable %lld non-trainable %lld\n", e->arch, how, total,
                  total - nt, nt);
    if (e->total >= 0)
        assert_int_equal(total, e->total);
    if (e->non_trainable >= 0)
        assert_int_equal(nt, e->non_trainable);
    assert_int_equal(total - nt, e->trainable);
}

static void test_registry(void **state)
{
    (void)state;
    assert_int_equal(clcnn_builtin_count(), N_COUNTS);
    for (int i = 0; i < N_COUNTS; i++) {
        const builtin_arch *a = builtin_find(counts[i].arch);
        assert_non_null(a);
        assert_string_equal(a->name, counts[i].arch);
    }
    clcnn_arch_info info;
    assert_int_equal(clcnn_builtin_info(N_COUNTS, &info), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_builtin_info(0, &info), CLCNN_OK);
    assert_non_null(builtin_find(info.name));
}

/* Counts from the raw builder graph. */
static void test_counts_ir(void **state)
{
    (void)state;
    for (int i = 0; i < N_COUNTS; i++) {
        ir_graph *g = NULL;
        clcnn_err err = {0};
        clcnn_status st = builtin_find(counts[i].arch)->build(NULL, &g, &err);
        if (st != CLCNN_OK)
            fail_msg("%s: %s", counts[i].arch, err.msg);
        long long total, nt;
        ir_counts(g, &total, &nt);
        check_counts(&counts[i], total, nt, "ir");
        ir_graph_free(g);
    }
}

/* Counts through the public API, as `clcnn summary` sums them. */
static void test_counts_api(void **state)
{
    (void)state;
    clcnn_context_options o = {.struct_size = sizeof(clcnn_context_options), .device = "ref"};
    clcnn_context *ctx = NULL;
    char msg[512];
    assert_int_equal(clcnn_context_create(&o, &ctx, msg, sizeof msg), CLCNN_OK);
    for (int i = 0; i < N_COUNTS; i++) {
        clcnn_model *m = NULL;
        clcnn_status st = clcnn_model_builtin(ctx, counts[i].arch, NULL, &m);
        if (st != CLCNN_OK)
            fail_msg("%s: %s", counts[i].arch, clcnn_context_last_error(ctx));
        long long total = 0, nt = 0, macs = 0;
        clcnn_layer_info L;
        for (int l = 0; l < clcnn_model_num_layers(m); l++) {
            assert_int_equal(clcnn_model_layer(m, l, &L), CLCNN_OK);
            total += L.params;
            nt += L.non_trainable;
            macs += L.macs;
        }
        check_counts(&counts[i], total, nt, "api");
        assert_true(macs > 0);
        clcnn_tensor_info out;
        assert_int_equal(clcnn_model_output(m, 0, &out), CLCNN_OK);
        assert_int_equal(out.ndim, 2);
        assert_int_equal(out.dims[1], 1000);
        clcnn_model_destroy(m);
    }
    clcnn_context_destroy(ctx);
}

/* The builder sets every shape itself; the ops' shape rules must agree. */
static void test_shapes_match_inference(void **state)
{
    (void)state;
    for (int i = 0; i < N_COUNTS; i++) {
        ir_graph *g = NULL;
        clcnn_err err = {0};
        builtin_params p = {.input_size = 96};
        if (strcmp(counts[i].arch, "xception") == 0)
            p.input_size = 71; /* odd sizes exercise Keras 'same' asymmetric padding */
        assert_int_equal(builtin_find(counts[i].arch)->build(&p, &g, &err), CLCNN_OK);
        int nt = g->n_tensors;
        ir_tensor *want = malloc(sizeof *want * (size_t)nt);
        assert_non_null(want);
        memcpy(want, g->tensors, sizeof *want * (size_t)nt);
        clcnn_status st = ops_infer_graph(g, &err);
        if (st != CLCNN_OK)
            fail_msg("%s: %s", counts[i].arch, err.msg);
        for (int t = 0; t < nt; t++) {
            const ir_tensor *got = &g->tensors[t];
            int same = got->ndim == want[t].ndim;
            for (int d = 0; same && d < got->ndim; d++)
                same = got->dims[d] == want[t].dims[d];
            if (!same) {
                char a[64], b[64];
                fail_msg("%s: tensor '%s': builder says %s, inference says %s", counts[i].arch,
                         got->name, ir_shape_str(&want[t], a, sizeof a), ir_shape_str(got, b, sizeof b));
            }
        }
        free(want);
        ir_graph_free(g);
    }
}

static const char *seed_layer_shape(const char *arch, int size, const char *layer, char *buf, size_t len)
{
    ir_graph *g = NULL;
    clcnn_err err = {0};
    builtin_params p = {.input_size = size};
    assert_int_equal(builtin_find(arch)->build(&p, &g, &err), CLCNN_OK);
    int t = ir_find_tensor(g, layer);
    assert_true(t >= 0);
    ir_shape_str(&g->tensors[t], buf, len);
    ir_graph_free(g);
    return buf;
}

/* Shapes the seeds' Keras summaries print (NHWC there, NCHW here). */
static void test_seed_shapes(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(seed_layer_shape("xception", 299, "entry.conv1.conv", buf, sizeof buf), "1x32x150x150");
    assert_string_equal(seed_layer_shape("xception", 299, "entry.block1.add", buf, sizeof buf), "1x256x38x38");
    assert_string_equal(seed_layer_shape("xception", 299, "exit.add", buf, sizeof buf), "1x1024x10x10");
    assert_string_equal(seed_layer_shape("mnasnet", 224, "block3.dw.conv", buf, sizeof buf), "1x72x28x28");
    assert_string_equal(seed_layer_shape("mnasnet", 224, "block3.se.fc1", buf, sizeof buf), "1x36x1x1");
}

static int weights_equal(const ir_graph *a, const ir_graph *b)
{
    if (a->n_tensors != b->n_tensors)
        return 0;
    for (int t = 0; t < a->n_tensors; t++) {
        if (!a->tensors[t].data != !b->tensors[t].data)
            return 0;
        if (a->tensors[t].data && memcmp(a->tensors[t].data, b->tensors[t].data, ir_nbytes(&a->tensors[t])))
            return 0;
    }
    return 1;
}

static void test_seeded_weights(void **state)
{
    (void)state;
    const builtin_arch *a = builtin_find("mobilenet_v3_small");
    builtin_params p1 = {.seed = 7}, p2 = {.seed = 7}, p3 = {.seed = 8};
    ir_graph *g1 = NULL, *g2 = NULL, *g3 = NULL;
    clcnn_err err = {0};
    assert_int_equal(a->build(&p1, &g1, &err), CLCNN_OK);
    assert_int_equal(a->build(&p2, &g2, &err), CLCNN_OK);
    assert_int_equal(a->build(&p3, &g3, &err), CLCNN_OK);
    assert_true(weights_equal(g1, g2));
    assert_false(weights_equal(g1, g3));
    ir_graph_free(g1);
    ir_graph_free(g2);
    ir_graph_free(g3);
}

/* Sample mean, standard deviation, largest |x - mean| in sds, kurtosis and
 * lag-1 autocorrelation of n floats. */
typedef struct draw_stats {
    double mean, sd, max_z, kurtosis, lag1;
} draw_stats;

static draw_stats stats_of(const float *x, int64_t n)
{
    draw_stats s = {0};
    for (int64_t i = 0; i < n; i++)
        s.mean += x[i];
    s.mean /= (double)n;
    double m2 = 0, m4 = 0, c1 = 0;
    for (int64_t i = 0; i < n; i++) {
        const double d = x[i] - s.mean;
        m2 += d * d;
        m4 += d * d * d * d;
        if (i)
            c1 += d * (x[i - 1] - s.mean);
        if (fabs(d) > s.max_z)
            s.max_z = fabs(d);
    }
    s.sd = sqrt(m2 / (double)n);
    s.max_z /= s.sd;
    s.kurtosis = (m4 / (double)n) / ((m2 / (double)n) * (m2 / (double)n));
    s.lag1 = c1 / m2;
    return s;
}

/* Pearson correlation of two tensors' first 64 values. */
static double corr64(const float *x, const float *y)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < 64; i++) {
        mx += x[i] / 64.0;
        my += y[i] / 64.0;
    }
    for (int i = 0; i < 64; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

/* The builder's weights: He-scaled (the stem's fan-in is 27 and its input's
 * mean square is taken as 1, so its sd is 1/sqrt(27)), centred, uncorrelated
 * draw to draw, and shaped as the generator is defined (the sum of four
 * uniforms: bounded by 2 sqrt(3) = 3.46 sds, kurtosis 3 - 6/20 = 2.7; a
 * normal's is 3, a uniform's 1.8), and no two tensors the same draws
 * (scaled or not). */
static void test_weight_draws(void **state)
{
    (void)state;
    const builtin_arch *a = builtin_find("mobilenet_v2");
    builtin_params p = {.seed = 7};
    ir_graph *g = NULL;
    clcnn_err err = {0};
    assert_int_equal(a->build(&p, &g, &err), CLCNN_OK);
    int checked = 0, stem = 0;
    const float *firsts[128];
    for (int t = 0; t < g->n_tensors; t++) {
        const ir_tensor *w = &g->tensors[t];
        if (!w->is_param || !w->data || w->ndim != 4 || w->dtype != IR_DT_FLOAT)
            continue;
        const int64_t n = ir_numel(w);
        const draw_stats s = stats_of(w->data, n);
        if (w->dims[0] == 32 && w->dims[1] == 3 && w->dims[2] == 3 && w->dims[3] == 3) {
            assert_true(fabs(s.sd * sqrt(27.0) - 1.0) < 0.08); /* 864 draws: ~2.4% per sd */
            stem++;
        }
        if (n < 20000)
            continue;
        assert_true(fabs(s.mean) < 0.03 * s.sd);
        assert_true(s.max_z < 3.6);
        assert_true(s.max_z > 3.0);
        assert_true(s.kurtosis > 2.6 && s.kurtosis < 2.8);
        assert_true(fabs(s.lag1) < 0.03);
        for (int i = 0; i < checked && i < 128; i++)
            assert_true(fabs(corr64(firsts[i], w->data)) < 0.6); /* the same draws scaled: 1 */
        if (checked < 128)
            firsts[checked] = w->data;
        checked++;
    }
    assert_int_equal(stem, 1);
    assert_true(checked >= 10);
    ir_graph_free(g);
}

/* Width and class options change the counts the way the families define. */
static void test_options(void **state)
{
    (void)state;
    ir_graph *g = NULL;
    clcnn_err err = {0};
    long long total, nt;
    /* Keras MobileNet alpha 0.25: 475,544 total (its published number) */
    builtin_params p = {.width = 0.25f};
    assert_int_equal(builtin_find("mobilenet_v1")->build(&p, &g, &err), CLCNN_OK);
    ir_counts(g, &total, &nt);
    assert_int_equal(total, 475544);
    ir_graph_free(g);
    /* torchvision shufflenet_v2_x0_5: 1,366,792 */
    builtin_params q = {.width = 0.5f};
    assert_int_equal(builtin_find("shufflenet_v2")->build(&q, &g, &err), CLCNN_OK);
    ir_counts(g, &total, &nt);
    assert_int_equal(total - nt, 1366792);
    ir_graph_free(g);
    /* 10 classes: mnasnet's Dense shrinks from 1280*1000+1000 to 1280*10+10 */
    builtin_params c = {.classes = 10};
    assert_int_equal(builtin_find("mnasnet")->build(&c, &g, &err), CLCNN_OK);
    ir_counts(g, &total, &nt);
    assert_int_equal(total, 6679396 - 1281000 + 12810);
    ir_graph_free(g);
}

/* Builtin options as a program built against this header makes them. */
#define BOPT(...) ((clcnn_builtin_options){.struct_size = sizeof(clcnn_builtin_options), __VA_ARGS__})

static void expect_invalid(clcnn_context *ctx, const char *arch, clcnn_builtin_options o, const char *needle)
{
    clcnn_model *m = NULL;
    clcnn_status st = clcnn_model_builtin(ctx, arch, &o, &m);
    print_message("%s: %s\n", arch, clcnn_context_last_error(ctx));
    assert_int_equal(st, CLCNN_ERR_INVALID_ARG);
    assert_null(m);
    assert_non_null(strstr(clcnn_context_last_error(ctx), needle));
}

static void test_errors(void **state)
{
    (void)state;
    clcnn_context_options co = {.struct_size = sizeof(clcnn_context_options), .device = "ref"};
    clcnn_context *ctx = NULL;
    char msg[512];
    assert_int_equal(clcnn_context_create(&co, &ctx, msg, sizeof msg), CLCNN_OK);
    clcnn_builtin_options none = {.struct_size = sizeof none};
    expect_invalid(ctx, "mobilenet_v9", none, "unknown architecture 'mobilenet_v9'");
    const char *known = clcnn_context_last_error(ctx);
    for (int i = 0; i < N_COUNTS; i++)
        assert_non_null(strstr(known, counts[i].arch));
    expect_invalid(ctx, "mobilenet_v2", BOPT(.width = -1.0f), "width");
    expect_invalid(ctx, "mobilenet_v2", BOPT(.width = 9.0f), "width");
    expect_invalid(ctx, "mobilenet_v1", BOPT(.width = 0.01f), "width");
    expect_invalid(ctx, "resnet50", BOPT(.width = 0.5f), "no width");
    expect_invalid(ctx, "shufflenet_v2", BOPT(.width = 0.7f), "width");
    expect_invalid(ctx, "mobilenet_v2", BOPT(.depth = 2.0f), "no depth");
    expect_invalid(ctx, "mobilenet_v2", BOPT(.input_size = 16), "input size 16");
    expect_invalid(ctx, "xception", BOPT(.input_size = -3), "input size");
    expect_invalid(ctx, "googlenet", BOPT(.classes = -2), "classes");
    clcnn_context_destroy(ctx);
}

static void test_export_roundtrip(void **state)
{
    (void)state;
    clcnn_context_options co = {.struct_size = sizeof(clcnn_context_options), .device = "ref"};
    clcnn_context *ctx = NULL;
    char msg[512], dir[] = "/tmp/clcnn_builtin_XXXXXX", path[256], bad[256];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(clcnn_context_create(&co, &ctx, msg, sizeof msg), CLCNN_OK);
    clcnn_model *m = NULL;
    clcnn_builtin_options o = {.struct_size = sizeof o, .input_size = 64, .classes = 10};
    assert_int_equal(clcnn_model_builtin(ctx, "shufflenet_v2", &o, &m), CLCNN_OK);
    snprintf(path, sizeof path, "%s/s.onnx", dir);
    assert_int_equal(clcnn_model_export_onnx(m, path, msg, sizeof msg), CLCNN_OK);
    ir_graph *g = NULL;
    clcnn_err err = {0};
    clcnn_status st = onnx_load(path, &g, &err);
    if (st != CLCNN_OK)
        fail_msg("reloading %s: %s", path, err.msg);
    long long total, nt;
    ir_counts(g, &total, &nt);
    long long want_total = 0, want_nt = 0;
    clcnn_layer_info L;
    for (int l = 0; l < clcnn_model_num_layers(m); l++) {
        clcnn_model_layer(m, l, &L);
        want_total += L.params;
        want_nt += L.non_trainable;
    }
    assert_int_equal(total, want_total);
    assert_int_equal(nt, want_nt);
    assert_int_equal(g->n_nodes, clcnn_model_num_layers(m));
    ir_graph_free(g);
    /* unwritable: a folder that does not exist; nothing may appear */
    snprintf(bad, sizeof bad, "%s/missing/s.onnx", dir);
    assert_int_equal(clcnn_model_export_onnx(m, bad, msg, sizeof msg), CLCNN_ERR_IO);
    assert_non_null(strstr(msg, bad));
    struct stat sb;
    assert_int_not_equal(stat(bad, &sb), 0);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_counts_ir),
        cmocka_unit_test(test_counts_api),
        cmocka_unit_test(test_shapes_match_inference),
        cmocka_unit_test(test_seed_shapes),
        cmocka_unit_test(test_seeded_weights),
        cmocka_unit_test(test_weight_draws),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_export_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
