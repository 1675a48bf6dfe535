/* test_api_profile.c — the calls behind bench's time split and progress
 * (clcnn_tools.h): clcnn_session_profile_timed's two views add up (host:
 * host + enqueue + wait = wall; device: kernels + copies + idle = span, inside
 * the wall), its kernel time is the profile rows' of the same run (launch
 * events told apart from the input/output copies' events), an older caller's
 * smaller clcnn_run_timing gets nothing written past its struct_size, every
 * bad argument is refused with CLCNN_ERR_INVALID_ARG naming it, the reference
 * backend answers CLCNN_ERR_UNSUPPORTED; clcnn_context_program_stats counts
 * programs built into an empty disk cache, then loaded from it by the next
 * context, and nothing without a disk cache; the cold_build hook and
 * clcnn_session_warm_kernels. No timing threshold anywhere. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <unistd.h>

#include <cmocka.h>

#include "clcnn_tools.h"
#include "util/api_fixture.h"

#define N_X (1 * 3 * 5 * 7) /* x: 1x3x5x7, odd sizes */
#define POISON 0xA5
#define EPS_MS 1e-6         /* sums of the same doubles: rounding only */
#define WALL_SLACK 1.05     /* device span + host work inside the wall; 5% for two clocks' rates */

/* x -> Relu -> Mul(k) -> Sigmoid -> y: a few launches, one input, one output. */
static clcnn_model *small_model(clcnn_context *ctx)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = 13;
    const int64_t xd[4] = {1, 3, 5, 7}, kd[1] = {1};
    const float k = 0.5f;
    int x = afx_input(g, "x", 4, xd, 0), kt = afx_const_f(g, "k", 1, kd, &k);
    int a = afx_tensor(g, "a", IR_DT_FLOAT), b = afx_tensor(g, "b", IR_DT_FLOAT);
    int y = afx_tensor(g, "y", IR_DT_FLOAT);
    afx_node(g, IR_OP_RELU, "relu", &x, 1, &a, 1);
    afx_node(g, IR_OP_MUL, "scale", (int[]){a, kt}, 2, &b, 1);
    afx_node(g, IR_OP_SIGMOID, "sigmoid", &b, 1, &y, 1);
    afx_output(g, y);
    return afx_model(ctx, g);
}

/* An OpenCL context on cache_dir (NULL: the default; "" : no disk cache);
 * NULL after saying so when the machine has no OpenCL device. */
static clcnn_context *cl_context(const char *cache_dir)
{
    const char *spec = getenv("CLCNN_TEST_DEVICE");
    clcnn_context_options co;
    clcnn_context_options_init(&co);
    co.device = spec && spec[0] ? spec : "auto";
    co.no_cache = cache_dir && !cache_dir[0];
    co.cache_dir = cache_dir && cache_dir[0] ? cache_dir : NULL;
    clcnn_context *ctx = NULL;
    char err[512] = "";
    if (clcnn_context_create(&co, &ctx, err, sizeof err) != CLCNN_OK || clcnn_context_is_reference(ctx)) {
        print_message("skipping: no OpenCL device (%s)\n", err[0] ? err : "auto fell back to the reference");
        clcnn_context_destroy(ctx);
        return NULL;
    }
    return ctx;
}

static clcnn_session *session(clcnn_context *ctx, clcnn_model *m)
{
    clcnn_session *s = NULL;
    if (clcnn_session_create(ctx, m, NULL, &s) != CLCNN_OK)
        fail_msg("session_create: %s", clcnn_context_last_error(ctx));
    return s;
}

static void check_views(const clcnn_run_timing *t)
{
    const double parts[] = {t->wall_ms, t->host_ms, t->enqueue_ms, t->wait_ms, t->span_ms, t->kernel_ms,
                            t->upload_ms, t->download_ms, t->idle_enqueue_ms, t->idle_dispatch_ms};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (!(parts[i] >= 0.0))
            fail_msg("timing field %zu is %g (< 0)", i, parts[i]);
    assert_true(t->wall_ms > 0.0);
    assert_true(t->kernel_ms > 0.0);
    const double host = t->host_ms + t->enqueue_ms + t->wait_ms;
    if (host > t->wall_ms + EPS_MS || host < t->wall_ms - EPS_MS)
        fail_msg("host view %g != wall %g", host, t->wall_ms);
    const double dev = t->kernel_ms + t->upload_ms + t->download_ms + t->idle_enqueue_ms + t->idle_dispatch_ms;
    if (dev > t->span_ms + EPS_MS || dev < t->span_ms - EPS_MS)
        fail_msg("device view %g != span %g", dev, t->span_ms);
    if (t->span_ms + t->host_ms > t->wall_ms * WALL_SLACK + EPS_MS)
        fail_msg("span %g + host %g beyond wall %g", t->span_ms, t->host_ms, t->wall_ms);
}

static void test_timed_cl(void **state)
{
    (void)state;
    clcnn_context *ctx = cl_context(NULL);
    if (!ctx) {
        skip();
        return;
    }
    clcnn_model *m = small_model(ctx);
    clcnn_session *s = session(ctx, m);
    float x[N_X], y[N_X];
    afx_seeded(x, N_X, 5);
    const float *in[1] = {x};
    float *out[1] = {y};
    clcnn_profile_row *rows = NULL;
    int n = 0;
    clcnn_run_timing t;
    clcnn_run_timing_init(&t);
    assert_int_equal(clcnn_session_run(s, in, out), CLCNN_OK); /* kernels compiled before timing */
    for (int rep = 0; rep < 3; rep++) {
        if (clcnn_session_profile_timed(s, in, out, &rows, &n, &t) != CLCNN_OK)
            fail_msg("profile_timed: %s", clcnn_session_last_error(s));
        assert_int_equal(t.struct_size, sizeof t);
        check_views(&t);
        double sum = 0.0;
        int launches = 0;
        for (int i = 0; i < n; i++)
            sum += rows[i].ms, launches += rows[i].launches;
        assert_int_equal(launches, clcnn_session_kernel_count(s));
        if (sum > t.kernel_ms + EPS_MS || sum < t.kernel_ms - EPS_MS)
            fail_msg("rows sum to %g ms, timing's kernels %g ms", sum, t.kernel_ms);
        clcnn_profile_free(rows);
        rows = NULL;
    }
    for (int i = 0; i < N_X; i++) { /* the timed run is a real run: sigmoid(0.5 relu(x)) */
        const double want = 1.0 / (1.0 + exp(-0.5 * (x[i] > 0 ? x[i] : 0.0)));
        if (fabs(y[i] - want) > 1e-6)
            fail_msg("y[%d] = %.7g, want %.7g", i, y[i], want);
    }

    /* timing only */
    clcnn_run_timing_init(&t);
    assert_int_equal(clcnn_session_profile_timed(s, in, out, NULL, NULL, &t), CLCNN_OK);
    check_views(&t);

    /* an older header's struct: struct_size and wall_ms only; nothing written after */
    unsigned char buf[sizeof(clcnn_run_timing)];
    memset(buf, POISON, sizeof buf);
    const size_t v0 = sizeof(size_t) + sizeof(double);
    memcpy(buf, &v0, sizeof v0);
    assert_int_equal(clcnn_session_profile_timed(s, in, out, NULL, NULL, (clcnn_run_timing *)buf), CLCNN_OK);
    double wall;
    memcpy(&wall, buf + sizeof(size_t), sizeof wall);
    assert_true(wall > 0.0);
    for (size_t i = v0; i < sizeof buf; i++)
        if (buf[i] != POISON)
            fail_msg("byte %zu past an older caller's struct_size %zu was written", i, v0);

    /* bad arguments: the exact status and a message naming what is wrong */
    clcnn_run_timing_init(&t);
    t.struct_size = 0;
    assert_int_equal(clcnn_session_profile_timed(s, in, out, NULL, NULL, &t), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(clcnn_session_last_error(s), "clcnn_run_timing_init"));
    clcnn_run_timing_init(&t);
    assert_int_equal(clcnn_session_profile_timed(s, in, out, &rows, NULL, &t), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(clcnn_session_last_error(s), "n_rows"));
    assert_int_equal(clcnn_session_profile_timed(s, in, out, NULL, NULL, NULL), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_session_profile_timed(s, NULL, out, NULL, NULL, &t), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_session_profile_timed(NULL, in, out, NULL, NULL, &t), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_session_profile(s, in, out, NULL, &n), CLCNN_ERR_INVALID_ARG);
    assert_null(rows);

    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

static void test_timed_ref(void **state)
{
    (void)state;
    clcnn_context *ctx = afx_context(0);
    clcnn_model *m = small_model(ctx);
    clcnn_session *s = session(ctx, m);
    float x[N_X], y[N_X];
    afx_seeded(x, N_X, 5);
    const float *in[1] = {x};
    float *out[1] = {y};
    clcnn_run_timing t;
    clcnn_run_timing_init(&t);
    assert_int_equal(clcnn_session_profile_timed(s, in, out, NULL, NULL, &t), CLCNN_ERR_UNSUPPORTED);
    assert_non_null(strstr(clcnn_session_last_error(s), "reference"));
    clcnn_program_stats ps;
    assert_int_equal(clcnn_context_program_stats(ctx, &ps), CLCNN_ERR_UNSUPPORTED);
    assert_int_equal(clcnn_context_program_stats(NULL, &ps), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(clcnn_context_program_stats(ctx, NULL), CLCNN_ERR_INVALID_ARG);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* One context + session on `cache` ("" : none), its counters after the session. */
static int stats_after_session(const char *cache, clcnn_program_stats *ps)
{
    clcnn_context *ctx = cl_context(cache);
    if (!ctx)
        return 0;
    clcnn_model *m = small_model(ctx);
    clcnn_session *s = session(ctx, m);
    assert_int_equal(clcnn_context_program_stats(ctx, ps), CLCNN_OK);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx); /* POCL: the binaries are stored now (rt.h, RT_STORE_AUTO) */
    return 1;
}

static void test_program_stats(void **state)
{
    (void)state;
    char dir[] = "/tmp/clcnn_api_profile_XXXXXX";
    assert_non_null(mkdtemp(dir));
    clcnn_program_stats first, second, none;
    if (!stats_after_session(dir, &first)) {
        rmdir(dir);
        skip();
        return;
    }
    assert_int_equal(first.disk_cache, 1);
    assert_true(first.built > 0);
    assert_int_equal(first.loaded, 0);
    assert_true(stats_after_session(dir, &second));
    assert_int_equal(second.disk_cache, 1);
    assert_int_equal(second.built, 0);
    assert_int_equal(second.loaded, first.built);
    assert_true(stats_after_session("", &none));
    assert_int_equal(none.disk_cache, 0);
    assert_int_equal(none.built + none.loaded, 0);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void count_call(void *user)
{
    (*(int *)user)++;
}

/* Whether ctx's driver compiles each kernel at its first launch into a disk
 * cache of its own (POCL with its kernel cache on): where cold_build fires. */
static int lazy_driver(const clcnn_context *ctx)
{
    clcnn_device_info d[32];
    int n = 0;
    assert_int_equal(clcnn_devices_list(d, 32, &n, NULL, 0), CLCNN_OK);
    const char *off = getenv("POCL_KERNEL_CACHE");
    for (int i = 0; i < n && i < 32; i++)
        if (strcmp(d[i].name, clcnn_context_device_name(ctx)) == 0)
            return strstr(d[i].platform, "Portable Computing Language") != NULL &&
                   !(off && strcmp(off, "0") == 0);
    fail_msg("device '%s' not in clcnn_devices_list", clcnn_context_device_name(ctx));
    return 0;
}

/* clcnn_context_options.cold_build reaches the runtime: called once when a
 * session builds into an empty cache on a lazy driver, not at all when the
 * next context loads every program; clcnn_session_warm_kernels leaves the
 * session's results as they were, in both orders, answers NULL with
 * CLCNN_ERR_INVALID_ARG and the reference backend with CLCNN_OK. */
static void test_cold_build_and_warm(void **state)
{
    (void)state;
    char dir[] = "/tmp/clcnn_api_warm_XXXXXX";
    assert_non_null(mkdtemp(dir));
    clcnn_context *probe = cl_context(dir);
    if (!probe) {
        rmdir(dir);
        skip();
        return;
    }
    const int lazy = lazy_driver(probe);
    clcnn_context_destroy(probe);
    for (int round = 0; round < 2; round++) {
        int calls = 0;
        clcnn_context_options co;
        clcnn_context_options_init(&co);
        const char *spec = getenv("CLCNN_TEST_DEVICE");
        co.device = spec && spec[0] ? spec : "auto";
        co.cache_dir = dir;
        co.cold_build = count_call;
        co.cold_build_user = &calls;
        clcnn_context *ctx = NULL;
        char err[512] = "";
        assert_int_equal(clcnn_context_create(&co, &ctx, err, sizeof err), CLCNN_OK);
        clcnn_model *m = small_model(ctx);
        clcnn_session *s = session(ctx, m);
        assert_int_equal(calls, round == 0 ? lazy : 0); /* round 1 loads every program */
        float x[N_X], y0[N_X], y1[N_X];
        for (int i = 0; i < N_X; i++)
            x[i] = (float)(i % 11) - 5.0f;
        const float *ins[1] = {x};
        float *o0[1] = {y0}, *o1[1] = {y1};
        assert_int_equal(clcnn_session_run(s, ins, o0), CLCNN_OK);
        assert_int_equal(clcnn_session_warm_kernels(s, round == 0), CLCNN_OK);
        assert_int_equal(clcnn_session_run(s, ins, o1), CLCNN_OK);
        assert_memory_equal(y0, y1, sizeof y0);
        clcnn_session_destroy(s);
        clcnn_model_destroy(m);
        clcnn_context_destroy(ctx);
    }
    assert_int_equal(clcnn_session_warm_kernels(NULL, 1), CLCNN_ERR_INVALID_ARG);
    clcnn_context_options ro;
    clcnn_context_options_init(&ro);
    ro.device = "ref";
    clcnn_context *ref = NULL;
    assert_int_equal(clcnn_context_create(&ro, &ref, NULL, 0), CLCNN_OK);
    clcnn_model *m = small_model(ref);
    clcnn_session *s = session(ref, m);
    assert_int_equal(clcnn_session_warm_kernels(s, 1), CLCNN_OK);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ref);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Whether ctx plans as for a CPU (host/runtime/rt_profile.c): its device's
 * type is "cpu" (found by name in clcnn_devices_list) and no GPU-shaped plan
 * profile is declared. */
static int plans_as_cpu(const clcnn_context *ctx)
{
    const char *prof = getenv("CLCNN_PLAN_PROFILE");
    if (prof && prof[0] && strcmp(prof, "device") != 0)
        return strcmp(prof, "cpu") == 0;
    clcnn_device_info d[32];
    int n = 0;
    assert_int_equal(clcnn_devices_list(d, 32, &n, NULL, 0), CLCNN_OK);
    for (int i = 0; i < n && i < 32; i++)
        if (strcmp(d[i].name, clcnn_context_device_name(ctx)) == 0)
            return strcmp(d[i].type, "cpu") == 0;
    fail_msg("device '%s' not in clcnn_devices_list", clcnn_context_device_name(ctx));
    return 0;
}

/* Programs a built-in network's session builds into an empty disk cache;
 * *cpu: whether its context plans as for a CPU. */
static int builtin_programs(const char *arch, float width, int input, clcnn_program_stats *ps,
                            int *cpu)
{
    char dir[] = "/tmp/clcnn_api_shared_XXXXXX";
    assert_non_null(mkdtemp(dir));
    clcnn_context *ctx = cl_context(dir);
    if (!ctx) {
        rmdir(dir);
        return 0;
    }
    *cpu = plans_as_cpu(ctx);
    clcnn_builtin_options bo;
    clcnn_builtin_options_init(&bo);
    bo.width = width;
    bo.input_size = input;
    bo.classes = 10;
    clcnn_model *m = NULL;
    if (clcnn_model_builtin(ctx, arch, &bo, &m) != CLCNN_OK)
        fail_msg("builtin %s: %s", arch, clcnn_context_last_error(ctx));
    clcnn_session *s = session(ctx, m);
    assert_int_equal(clcnn_context_program_stats(ctx, ps), CLCNN_OK);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 1;
}

/* The stem conv, pointwise and 3x3 depthwise convs, pool and classifier of
 * the light families come from one shared program (optab_cl.c): MobileNetV2
 * built six programs before (conv_kxk, conv_dw twice, conv_pw, pool, gemm),
 * then the shared one and conv_dw with 16-pixel tiles, now (a CPU's depthwise
 * tiles are 16 pixels, conv_cl.c dw_px) the shared one alone; EfficientNet-B0
 * the shared one and conv_dw with 5x5 taps. An op whose options drift from
 * the shared spelling builds alone again, and these counts grow. A GPU builds
 * its 8-pixel conv_dw apart. */
static void test_shared_program(void **state)
{
    (void)state;
    clcnn_program_stats v2, eff;
    int cpu = 0;
    if (!builtin_programs("mobilenet_v2", 0.5f, 96, &v2, &cpu)) {
        skip();
        return;
    }
    assert_true(builtin_programs("efficientnet_b0", 0.5f, 96, &eff, &cpu));
    print_message("programs built (%s plan): mobilenet_v2 %d, efficientnet_b0 %d\n",
                  cpu ? "CPU" : "GPU-shaped", v2.built, eff.built);
    /* a GPU-shaped plan (measured with CLCNN_PLAN_PROFILE=nvidia on POCL):
     * conv_dw's 8-pixel build apart as well */
    assert_int_equal(v2.built, cpu ? 1 : 2);
    assert_int_equal(eff.built, cpu ? 2 : 3);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        n += len > 6 && strcmp(e->d_name + len - 6, ".clbin") == 0;
    }
    if (d)
        closedir(d);
    return n;
}

typedef struct store_seen {
    clcnn_program_stats ps;
    int before, after; /* cache entries before and after clcnn_context_destroy */
} store_seen;

/* One context on an empty cache folder with the given store mode. */
static int store_session(clcnn_cache_store mode, store_seen *seen)
{
    char dir[] = "/tmp/clcnn_api_store_XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *spec = getenv("CLCNN_TEST_DEVICE");
    clcnn_context_options co;
    clcnn_context_options_init(&co);
    co.device = spec && spec[0] ? spec : "auto";
    co.cache_dir = dir;
    co.cache_store = mode;
    clcnn_context *ctx = NULL;
    if (clcnn_context_create(&co, &ctx, NULL, 0) != CLCNN_OK || clcnn_context_is_reference(ctx)) {
        clcnn_context_destroy(ctx);
        rmdir(dir);
        return 0;
    }
    assert_string_equal(clcnn_context_cache_dir(ctx), dir);
    clcnn_model *m = small_model(ctx);
    clcnn_session *s = session(ctx, m);
    assert_int_equal(clcnn_context_program_stats(ctx, &seen->ps), CLCNN_OK);
    seen->before = count_entries(dir);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    seen->after = count_entries(dir);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 1;
}

/* CLCNN_CACHE_STORE_*: NOW writes every program as built; AUTO writes what
 * it defers (POCL) at destroy; NO_DEFERRED never writes that part, and
 * program_stats.deferred counts it. */
static void test_cache_store_modes(void **state)
{
    (void)state;
    store_seen now, autom, nodef;
    if (!store_session(CLCNN_CACHE_STORE_NOW, &now)) {
        skip();
        return;
    }
    assert_true(now.ps.built > 0);
    assert_int_equal(now.ps.deferred, 0);
    assert_int_equal(now.before, now.ps.built);
    assert_int_equal(now.after, now.ps.built);

    assert_true(store_session(CLCNN_CACHE_STORE_AUTO, &autom));
    assert_int_equal(autom.ps.built, now.ps.built);
    assert_int_equal(autom.before + autom.ps.deferred, autom.ps.built);
    assert_int_equal(autom.after, autom.ps.built);

    assert_true(store_session(CLCNN_CACHE_STORE_NO_DEFERRED, &nodef));
    assert_int_equal(nodef.ps.deferred, autom.ps.deferred); /* the same driver defers the same */
    assert_int_equal(nodef.before + nodef.ps.deferred, nodef.ps.built);
    assert_int_equal(nodef.after, nodef.before); /* destroy wrote nothing */
    print_message("deferred by this driver: %d of %d programs\n", nodef.ps.deferred, nodef.ps.built);

    /* no disk cache, and the reference backend: no folder */
    clcnn_context *ctx = cl_context("");
    assert_non_null(ctx);
    assert_null(clcnn_context_cache_dir(ctx));
    clcnn_context_destroy(ctx);
    ctx = afx_context(0);
    assert_null(clcnn_context_cache_dir(ctx));
    clcnn_context_destroy(ctx);
    assert_null(clcnn_context_cache_dir(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timed_ref),
        cmocka_unit_test(test_timed_cl),
        cmocka_unit_test(test_program_stats),
        cmocka_unit_test(test_cold_build_and_warm),
        cmocka_unit_test(test_shared_program),
        cmocka_unit_test(test_cache_store_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
