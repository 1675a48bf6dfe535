/* test_kernels_plan.c — the planner and executor contract: liveness buffer
 * reuse (arena placement without a device, and fewer bytes than keep_all on a
 * device), fusion visible through read_tensor, kernel counts, and bad
 * arguments returning the exact CLCNN_ERR_* with a message naming the culprit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "plan/plan.h"
#include "test_kernels_harness.h"

/* x -> relu r0 -> relu r1 -> ... -> r{n-1}: n same-size tensors in a chain. */
static ir_graph *chain(int n)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {1, 3, 7, 5};
    int t = kh_input(g, "x", 4, xd);
    char name[16];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "r%d", i);
        int y = kh_tensor(g, name);
        ir_add_node(g, i % 2 ? IR_OP_SIGMOID : IR_OP_RELU, name, &t, 1, &y, 1);
        t = y;
    }
    kh_output(g, t);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    return g;
}

/* No two tensors live at the same step share a byte; every offset aligned. */
static void assert_disjoint(int n, const size_t *bytes, const int *need, const int *from,
                            const int *to, const int64_t *off, size_t align, size_t arena)
{
    for (int t = 0; t < n; t++) {
        if (!need[t]) {
            assert_int_equal(off[t], -1);
            continue;
        }
        assert_true(off[t] >= 0 && (size_t)off[t] % align == 0);
        assert_true((size_t)off[t] + bytes[t] <= arena);
        for (int u = 0; u < t; u++)
            if (need[u] && from[u] <= to[t] && from[t] <= to[u])
                assert_true((size_t)off[t] + bytes[t] <= (size_t)off[u] ||
                            (size_t)off[u] + bytes[u] <= (size_t)off[t]);
    }
}

/* Pure host logic: no device needed. */
static void test_arena_by_liveness(void **state)
{
    (void)state;
    enum { N = 7 }; /* x, r0..r5: a chain of equal tensors, x and r5 pinned */
    size_t bytes[N], arena = 0;
    int need[N], def[N], last[N], pinned[N] = {0}, from[N], to[N];
    int64_t off[N];
    for (int t = 0; t < N; t++) {
        bytes[t] = 100, need[t] = 1;
        def[t] = t - 1;               /* x before step 0; r_i written at step i */
        last[t] = t < N - 1 ? t : -1; /* r_i read by step i+1 */
        from[t] = def[t], to[t] = t < N - 1 ? last[t] : INT32_MAX;
    }
    pinned[0] = pinned[N - 1] = 1;
    from[0] = -1, to[0] = INT32_MAX;
    clcnn_err err = {0};
    assert_int_equal(plan_arena_place(N, bytes, need, def, last, pinned, 0, 128, 0, off, &arena,
                                      &err), CLCNN_OK);
    /* x throughout, then two neighbours at a time: three 128-byte places */
    assert_int_equal(arena, 3 * 128);
    assert_disjoint(N, bytes, need, from, to, off, 128, arena);
    assert_int_equal(plan_arena_place(N, bytes, need, def, last, pinned, 1, 128, 0, off, &arena,
                                      &err), CLCNN_OK);
    assert_int_equal(arena, N * 128); /* keep_all: nothing shared */
    for (int t = 0; t < N; t++)
        from[t] = -1, to[t] = INT32_MAX;
    assert_disjoint(N, bytes, need, from, to, off, 128, arena);

    /* MobileNetV2's stem: in (pinned), stem 3, block0 2, expand 9, projection 1.
     * The largest step (in + block0 + expand = 12) is the least any placement
     * needs; one buffer per slot grown to its largest tenant needed more. A
     * tensor with need 0 gets no place. */
    size_t b2[6] = {1, 3, 2, 9, 1, 50};
    int n2[6] = {1, 1, 1, 1, 1, 0}, d2[6] = {-1, 0, 1, 2, 3, 0}, l2[6] = {0, 1, 2, 3, 4, 4};
    int p2[6] = {1, 0, 0, 0, 0, 0}, f2[6] = {-1, 0, 1, 2, 3, 0};
    int e2[6] = {INT32_MAX, 1, 2, 3, 4, 4};
    int64_t o2[6];
    assert_int_equal(plan_arena_place(6, b2, n2, d2, l2, p2, 0, 1, 0, o2, &arena, &err), CLCNN_OK);
    assert_int_equal(arena, 12);
    assert_disjoint(6, b2, n2, f2, e2, o2, 1, arena);

    /* a cap smaller than a tensor: refused */
    assert_int_equal(plan_arena_place(6, b2, n2, d2, l2, p2, 0, 1, 8, o2, &arena, &err),
                     CLCNN_ERR_UNSUPPORTED);
    err_clear(&err);

    /* random lifetimes and sizes: never overlapping, never below the peak */
    unsigned seed = 12345;
    for (int round = 0; round < 50; round++) {
        enum { M = 40 };
        size_t b3[M];
        int n3[M], d3[M], l3[M], p3[M], f3[M], e3[M];
        int64_t o3[M];
        for (int t = 0; t < M; t++) {
            seed = seed * 1103515245u + 12345u;
            b3[t] = 1 + (seed >> 8) % 5000;
            n3[t] = (seed >> 4) % 8 != 0;
            p3[t] = (seed >> 20) % 16 == 0;
            d3[t] = (int)((seed >> 12) % 30) - 1;
            l3[t] = (seed >> 24) % 3 == 0 ? -1 : d3[t] + 1 + (int)((seed >> 16) % 6);
            f3[t] = d3[t];
            e3[t] = p3[t] ? INT32_MAX : (l3[t] > d3[t] ? l3[t] : d3[t]);
        }
        /* every other round cut at 8 KiB: no tensor may straddle a cut */
        const size_t cap = round % 2 ? 8192 : 0;
        assert_int_equal(plan_arena_place(M, b3, n3, d3, l3, p3, 0, 64, cap, o3, &arena, &err),
                         CLCNN_OK);
        assert_disjoint(M, b3, n3, f3, e3, o3, 64, arena);
        for (int t = 0; t < M && cap; t++)
            if (n3[t])
                assert_true((size_t)o3[t] / cap == ((size_t)o3[t] + b3[t] - 1) / cap);
        size_t peak = 0;
        for (int s = -1; s < 40; s++) {
            size_t live = 0;
            for (int t = 0; t < M; t++)
                live += n3[t] && f3[t] <= s && s <= e3[t] ? (b3[t] + 63) / 64 * 64 : 0;
            peak = live > peak ? live : peak;
        }
        assert_true(arena >= peak);
    }
}

static void test_reuse_and_fusion_on_device(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    clcnn_err err = {0};
    ir_graph *g = chain(6);
    plan *reuse = NULL, *keep = NULL;
    plan_options o = {0};
    clfx_check(plan_build(rt, g, &o, &reuse, &err), &err, "plan_build reuse");
    o.keep_all = 1;
    clfx_check(plan_build(rt, g, &o, &keep, &err), &err, "plan_build keep_all");
    /* under Oclgrind every tensor gets its own buffer (plan.c, own_buffers) */
    const int oclgrind = strncmp(rt_info(rt)->platform, "Oclgrind", 8) == 0;
    assert_true(oclgrind ? reuse->act_bytes == keep->act_bytes
                         : reuse->act_bytes < keep->act_bytes);
    assert_int_equal(reuse->n_launches, 6);
    plan_free(reuse);
    plan_free(keep);
    {
        /* exec_cl_memory: 7 tensors of 1*3*7*5 floats materialised; the reuse plan
         * needs three places (x, then two neighbours at a time: see
         * test_arena_by_liveness), each rounded up to the device's base alignment */
        exec_cl *m = NULL;
        size_t wb = 1, ab = 0, nb = 0;
        clfx_check(exec_cl_create(rt, g, NULL, &m, &err), &err, "exec_cl_create memory");
        exec_cl_memory(m, &wb, &ab, &nb);
        assert_int_equal(wb, 0);
        assert_int_equal(nb, 7 * 105 * sizeof(float));
        cl_uint bits = 0;
        assert_int_equal(clGetDeviceInfo(rt_device(rt), CL_DEVICE_MEM_BASE_ADDR_ALIGN,
                                         sizeof bits, &bits, NULL), CL_SUCCESS);
        const size_t al = bits / 8;
        if (oclgrind)
            assert_int_equal(ab, 7 * 105 * sizeof(float));
        else
            assert_int_equal(ab, 3 * ((105 * sizeof(float) + al - 1) / al * al));
        exec_cl_memory(m, NULL, NULL, NULL);
        exec_cl_destroy(m);
    }
    ir_graph_free(g);

    /* Conv + Relu: fused by default (1 launch, conv's own output unreadable);
     * keep_intermediates: 2 launches and both tensors readable */
    g = kh_new(13);
    int64_t xd[4] = {1, 3, 5, 5}, wd[4] = {4, 3, 3, 3};
    int in[2] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -0.3f, 0.3f)};
    int c = kh_tensor(g, "c"), y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_CONV, "conv", in, 2, &c, 1);
    ir_add_node(g, IR_OP_RELU, "relu", &c, 1, &y, 1);
    kh_output(g, y);
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    float x[75], out[100], tmp[100];
    for (int i = 0; i < 75; i++)
        x[i] = kh_rand();
    const float *ins[1] = {x};
    float *outs[1] = {out};
    exec_cl *e = NULL;
    clfx_check(exec_cl_create(rt, g, NULL, &e, &err), &err, "exec_cl_create");
    assert_int_equal(exec_cl_kernel_count(e), 1);
    clfx_check(exec_cl_run(e, ins, outs, &err), &err, "exec_cl_run");
    assert_int_equal(exec_cl_read_tensor(e, c, tmp, &err), CLCNN_ERR_INVALID_ARG);
    assert_non_null(strstr(err.msg, "'c'"));
    clfx_check(exec_cl_read_tensor(e, y, tmp, &err), &err, "read graph output");
    assert_memory_equal(tmp, out, (size_t)ir_numel(&g->tensors[y]) * sizeof(float));
    assert_int_equal(exec_cl_read_tensor(e, 999, tmp, &err), CLCNN_ERR_INVALID_ARG);
    const float *no_in[1] = {NULL};
    assert_int_equal(exec_cl_run(e, no_in, outs, &err), CLCNN_ERR_INVALID_ARG);
    exec_cl_destroy(e);
    exec_cl_options ko = {.keep_intermediates = 1};
    clfx_check(exec_cl_create(rt, g, &ko, &e, &err), &err, "exec_cl_create keep");
    assert_int_equal(exec_cl_kernel_count(e), 2);
    clfx_check(exec_cl_run(e, ins, outs, &err), &err, "exec_cl_run keep");
    clfx_check(exec_cl_read_tensor(e, c, tmp, &err), &err, "read conv output when kept");
    double profiled[2] = {-1, -1};
    clfx_check(exec_cl_run_profiled(e, ins, outs, profiled, &err), &err, "profiled run");
    assert_true(profiled[0] >= 0 && profiled[1] >= 0);
    exec_cl_destroy(e);
    ir_graph_free(g);
    err_clear(&err);
    rt_destroy(rt);
}

/* exec_cl_warm_kernels (the prewarm helper's launches): conv -> relu -> conv
 * -> relu -> global pool -> sigmoid, the two convs one kernel at one
 * work-group shape, so it launches each distinct variant once, forwards and
 * backwards, and runs after it give the same bits as before it (what it
 * wrote is overwritten). Its one-work-group launches are the first group of
 * the plan's own, so under Oclgrind (this suite runs there) they are checked
 * like any launch. */
static void test_warm_kernels(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    clcnn_err err = {0};
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 3, 7, 5}, wd[4] = {3, 3, 3, 3}, pads[4] = {1, 1, 1, 1};
    int t = kh_input(g, "x", 4, xd);
    const char *names[] = {"conv1", "relu1", "conv2", "relu2", "pool", "sig"};
    for (int i = 0; i < 6; i++) {
        int y = kh_tensor(g, names[i]);
        if (i == 0 || i == 2) {
            int in[2] = {t, kh_const(g, i ? "w2" : "w1", 4, wd, -0.4f, 0.4f)};
            int n = ir_add_node(g, IR_OP_CONV, names[i], in, 2, &y, 1);
            ir_set_attr_ints(g, n, "pads", pads, 4);
        } else {
            const ir_op op = i == 4 ? IR_OP_GLOBALAVGPOOL : i == 5 ? IR_OP_SIGMOID : IR_OP_RELU;
            ir_add_node(g, op, names[i], &t, 1, &y, 1);
        }
        t = y;
    }
    kh_output(g, t);
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    exec_cl *e = NULL;
    clfx_check(exec_cl_create(rt, g, NULL, &e, &err), &err, "exec_cl_create");
    /* distinct variants: the kernels a run compiles */
    const char *seen[16];
    int distinct = 0;
    for (int i = 0; i < exec_cl_kernel_count(e) && distinct < 16; i++) {
        int node = -1;
        const char *v = NULL;
        exec_cl_launch_info(e, i, &node, &v);
        int dup = 0;
        for (int j = 0; j < distinct; j++)
            dup |= strcmp(seen[j], v) == 0;
        if (!dup)
            seen[distinct++] = v;
    }
    assert_true(distinct >= 2 && distinct < exec_cl_kernel_count(e));
    float x[105], y0[3], y1[3];
    for (int i = 0; i < 105; i++)
        x[i] = kh_rand();
    const float *ins[1] = {x};
    float *outs[1] = {y0};
    clfx_check(exec_cl_run(e, ins, outs, &err), &err, "run before");
    for (int reverse = 1; reverse >= 0; reverse--) {
        int launched = -1;
        clfx_check(exec_cl_warm_kernels(e, reverse, &launched, &err), &err, "warm");
        assert_int_equal(launched, distinct);
        outs[0] = y1;
        clfx_check(exec_cl_run(e, ins, outs, &err), &err, "run after");
        assert_memory_equal(y0, y1, sizeof y0);
    }
    assert_int_equal(exec_cl_warm_kernels(NULL, 1, NULL, &err), CLCNN_ERR_INVALID_ARG);
    err_clear(&err);
    exec_cl_destroy(e);
    ir_graph_free(g);
    rt_destroy(rt);
}

typedef struct packed_log {
    int calls, last;
} packed_log;

static void log_packed(void *user, int t)
{
    packed_log *l = user;
    l->calls++;
    l->last = t;
}

/* A weight the plan packs (conv_pw's layout) is reported as soon as it is
 * packed, and exec_cl_const_copied says the device holds its own copy of it;
 * after ir_tensor_release drops the graph's bytes, runs still match the
 * reference (computed before), and freeing the graph frees nothing twice. The
 * 1x1 weight is 64x16 floats: one page, the size from which sessions drop. */
static void test_release_packed(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    clcnn_err err = {0};
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {1, 16, 5, 7}, wd[4] = {64, 16, 1, 1};
    int in[2] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -0.3f, 0.3f)};
    int y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_CONV, "pw", in, 2, &y, 1);
    kh_output(g, y);
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    float x[16 * 35], ref[64 * 35], out[64 * 35];
    for (int i = 0; i < 16 * 35; i++)
        x[i] = kh_rand();
    const float *ins[1] = {x};
    float *refs[1] = {ref}, *outs[1] = {out};
    clfx_check(exec_ref_run(g, ins, refs, NULL, &err), &err, "exec_ref_run");
    packed_log log = {0, -1};
    exec_cl_options o = {0};
    o.packed = log_packed;
    o.packed_user = &log;
    exec_cl *e = NULL;
    clfx_check(exec_cl_create(rt, g, &o, &e, &err), &err, "exec_cl_create");
    assert_string_equal(exec_cl_node_variant(e, 0, NULL), "conv_pw");
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.last, in[1]);
    assert_true(exec_cl_const_copied(e, in[1]));
    assert_false(exec_cl_const_copied(e, in[0]));
    assert_false(exec_cl_const_copied(e, y));
    ir_tensor_release(&g->tensors[in[1]]);
    assert_non_null(g->tensors[in[1]].data); /* still a constant */
    assert_true(g->tensors[in[1]].released);
    for (int r = 0; r < 2; r++) {
        clfx_check(exec_cl_run(e, ins, outs, &err), &err, "exec_cl_run");
        for (int i = 0; i < 64 * 35; i++)
            if (fabsf(out[i] - ref[i]) > 1e-5f)
                fail_msg("run %d: y[%d] = %g, reference %g", r, i, out[i], ref[i]);
    }
    exec_cl_destroy(e);
    ir_graph_free(g);
    err_clear(&err);
    rt_destroy(rt);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    clcnn_err err = {0};
    exec_cl *e = NULL;
    assert_int_equal(exec_cl_create(NULL, NULL, NULL, &e, &err), CLCNN_ERR_INVALID_ARG);
    assert_null(e);
    assert_int_equal(exec_cl_run(NULL, NULL, NULL, &err), CLCNN_ERR_INVALID_ARG);
    exec_cl_destroy(NULL); /* accepted */
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    /* a Shape node left in the graph (the loader would fold it): unsupported, named */
    ir_graph *g = kh_new(13);
    int64_t xd[2] = {3, 5};
    int x = kh_input(g, "x", 2, xd);
    int s = ir_add_tensor(g, "s", IR_DT_INT64, -1, NULL);
    ir_add_node(g, IR_OP_SHAPE, "the_shape", &x, 1, &s, 1);
    kh_output(g, s);
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    clcnn_status st = exec_cl_create(rt, g, NULL, &e, &err);
    assert_int_equal(st, CLCNN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "the_shape"));
    assert_non_null(strstr(err.msg, "Shape must be constant at load")); /* its OP_CL_FOLDED */
    assert_null(e);
    ir_graph_free(g);

    /* forcing a variant whose name no op has: everything runs general, still correct */
    g = kh_new(13);
    int64_t cd[4] = {1, 5, 7, 7}, wd[4] = {5, 1, 3, 3};
    int in[2] = {kh_input(g, "x", 4, cd), kh_const(g, "w", 4, wd, -0.3f, 0.3f)};
    int y = kh_tensor(g, "y");
    int n = ir_add_node(g, IR_OP_CONV, "dw", in, 2, &y, 1);
    ir_set_attr_int(g, n, "group", 5);
    kh_output(g, y);
    assert_int_equal(kh_check(rt, g, "no_such_variant", "conv_general", "forced unknown variant"), 0);
    err_clear(&err);
    rt_destroy(rt);
}

/* Depthwise 3x3 on a 100x101 plane: conv_dwl's padded tile is 45 KiB, so the
 * plan takes conv_dwl only where half the (declared) local memory holds it. */
static ir_graph *dw_45k(void)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {1, 3, 100, 101}, wd[4] = {3, 1, 3, 3};
    int in[2] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -0.3f, 0.3f)};
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_CONV, "dw", in, 2, &y, 1);
    int64_t ks[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    ir_set_attr_ints(g, node, "pads", pads, 4);
    ir_set_attr_int(g, node, "group", 3);
    kh_output(g, y);
    return g;
}

/* CLCNN_PLAN_PROFILE: each profile's limits (capped by the device's), the
 * planner following them, an unknown name refused; the caller's setting is
 * restored (CI runs this suite with a profile set, too). */
static void test_plan_profiles(void **state)
{
    (void)state;
    const char *was = getenv("CLCNN_PLAN_PROFILE");
    char *saved = was ? strdup(was) : NULL;
    unsetenv("CLCNN_PLAN_PROFILE");
    rt_ctx *rt = clfx_create();
    if (!rt) {
        free(saved);
        skip();
        return;
    }
    const clcnn_device_info dev = *rt_info(rt);
    const rt_plan_dev *pd = rt_plan_device(rt);
    assert_null(pd->profile);
    assert_int_equal(pd->gpu_shaped, strcmp(dev.type, "cpu") != 0);
    assert_int_equal(pd->local_mem_bytes, dev.local_mem_bytes);
    rt_destroy(rt);
    static const struct {
        const char *name;
        uint64_t lmem;
        size_t wg;
        int simd;
    } want[] = {{"nvidia", 48 * 1024, 1024, 32}, {"mobile", 32 * 1024, 256, 16}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        setenv("CLCNN_PLAN_PROFILE", want[i].name, 1);
        rt = clfx_create();
        assert_non_null(rt);
        pd = rt_plan_device(rt);
        assert_string_equal(pd->profile, want[i].name);
        assert_int_equal(pd->gpu_shaped, 1);
        assert_int_equal(pd->local_mem_bytes, dev.local_mem_bytes < want[i].lmem ? dev.local_mem_bytes
                                                                                 : want[i].lmem);
        assert_int_equal(pd->max_work_group_size,
                         dev.max_work_group_size < want[i].wg ? dev.max_work_group_size : want[i].wg);
        assert_int_equal(pd->simd_width, want[i].simd);
        /* 45 KiB > half of 48 or 32 KiB: the depthwise gets conv_dw, not conv_dwl */
        assert_int_equal(kh_check(rt, dw_45k(), NULL, "conv_dw", want[i].name), 0);
        rt_destroy(rt);
    }
    setenv("CLCNN_PLAN_PROFILE", "cpu", 1); /* the CPU plan on any device */
    rt = clfx_create();
    assert_non_null(rt);
    assert_int_equal(rt_plan_device(rt)->gpu_shaped, 0);
    assert_int_equal(rt_plan_device(rt)->local_mem_bytes, dev.local_mem_bytes);
    assert_int_equal(rt_plan_device(rt)->max_work_group_size, dev.max_work_group_size);
    rt_destroy(rt);
    setenv("CLCNN_PLAN_PROFILE", "no-such-profile", 1);
    rt = (rt_ctx *)&rt;
    clcnn_err err = {0};
    assert_int_equal(rt_create(NULL, NULL, &rt, &err), CLCNN_ERR_INVALID_ARG);
    assert_null(rt);
    assert_non_null(strstr(err.msg, "no-such-profile"));
    err_clear(&err);
    if (saved)
        setenv("CLCNN_PLAN_PROFILE", saved, 1);
    else
        unsetenv("CLCNN_PLAN_PROFILE");
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_by_liveness),
        cmocka_unit_test(test_reuse_and_fusion_on_device),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_release_packed),
        cmocka_unit_test(test_plan_profiles),
        cmocka_unit_test(test_warm_kernels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
