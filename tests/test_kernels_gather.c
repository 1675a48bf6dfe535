/* test_kernels_gather.c — Gather, Cast and broadcast MatMul on OpenCL against
 * the reference ops. Float Gather with constant indices and MatMul go through
 * the whole plan (harness); int32/int64 tensors, which the plan does not yet
 * give buffers, are tested one node at a time: the op's *_cl.c plans into
 * buffers made here, its launches run, and the bytes must equal gather_ref /
 * cast_ref on the same inputs. fp16 storage (issue 18): the precision
 * boundary Casts (half_to_float, float_to_half) bit for bit against
 * ir_half_to_float / ir_float_to_half, Casts with a half float side, and
 * Gather/GatherND moving halves (test_fp16_harness.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ops_cl/op_cl.h"
#include "ops/ops_impl.h"
#include "test_kernels_harness.h"
#include "test_fp16_harness.h"

/* An int64 constant of any shape (rank 0 = scalar). */
static int const_i64(ir_graph *g, const char *name, int ndim, const int64_t *dims, const int64_t *v)
{
    int t = ir_add_tensor(g, name, IR_DT_INT64, ndim, dims);
    size_t n = (size_t)ir_numel(&g->tensors[t]);
    g->tensors[t].data = malloc(n ? n * sizeof(int64_t) : 1);
    memcpy(g->tensors[t].data, v, n * sizeof(int64_t));
    return t;
}

/* x[xd] -> Gather(constant indices[id], axis) -> y, through the plan. */
static int check_gather_plan(rt_ctx *rt, int xn, const int64_t *xd, int in_, const int64_t *id,
                             const int64_t *iv, int axis, int then_relu, int want_kernels)
{
    ir_graph *g = kh_new(13);
    int x = kh_input(g, "x", xn, xd), y = kh_tensor(g, "y");
    int in[2] = {x, const_i64(g, "idx", in_, id, iv)};
    int node = ir_add_node(g, IR_OP_GATHER, "gather", in, 2, &y, 1);
    ir_set_attr_int(g, node, "axis", axis);
    if (then_relu) {
        int r = kh_tensor(g, "r");
        ir_add_node(g, IR_OP_RELU, "relu", &y, 1, &r, 1);
        y = r;
    }
    kh_output(g, y);
    char label[128];
    snprintf(label, sizeof label, "Gather x rank %d (d0=%lld) indices rank %d axis=%d%s", xn,
             (long long)xd[0], in_, axis, then_relu ? " + Relu" : "");
    return kh_check_k(rt, g, NULL, "gather_words", want_kernels, label);
}

static void test_gather_plan(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x3[3] = {3, 7, 13}, x4[4] = {2, 3, 4, 5}, x1[1] = {13}, x17[3] = {1, 17, 5};
    const int64_t s0[1] = {0}, v_one[1] = {1}, v_neg[1] = {-1}, v_13[1] = {-13};
    const int64_t d3[1] = {3}, v3[3] = {2, -1, 0};
    const int64_t d22[2] = {2, 2}, v22[4] = {4, 0, -5, 3}, v22b[4] = {12, -13, 6, 0};
    const int64_t d7[1] = {7}, v7[7] = {16, 0, -17, 8, 8, -1, 3};
    fails += check_gather_plan(rt, 3, x3, 0, s0, v_one, 0, 0, 1);  /* scalar index, axis 0 */
    fails += check_gather_plan(rt, 3, x3, 1, d3, v3, 1, 0, 1);     /* negative, axis 1 */
    fails += check_gather_plan(rt, 3, x3, 2, d22, v22b, 2, 0, 1);  /* 2-D indices, last axis */
    fails += check_gather_plan(rt, 3, x3, 0, s0, v_neg, -1, 1, 2); /* axis -1, then Relu */
    fails += check_gather_plan(rt, 4, x4, 2, d22, v22, -1, 0, 1);  /* 2-D, axis -1 of rank 4 */
    fails += check_gather_plan(rt, 4, x4, 0, s0, v_neg, 2, 0, 1);
    fails += check_gather_plan(rt, 1, x1, 0, s0, v_13, 0, 0, 1);   /* 1-D data -> scalar */
    fails += check_gather_plan(rt, 3, x17, 1, d7, v7, 1, 0, 1);    /* 17 channels, repeats */
    const int64_t d0[1] = {0};
    fails += check_gather_plan(rt, 3, x3, 1, d0, v3, 1, 0, 0);     /* no indices: no launch */
    rt_destroy(rt);
    if (fails)
        fail_msg("%d Gather plan case(s) failed", fails);
}

/* Marks t a graph input (the direct tests feed it themselves, any dtype). */
static int add_input(ir_graph *g, int t)
{
    g->inputs = realloc(g->inputs, (size_t)(g->n_inputs + 1) * sizeof(int));
    g->inputs[g->n_inputs++] = t;
    return t;
}

/* Plans node 0 of g (already inferred) through its *_cl.c function with one
 * buffer per non-constant tensor made here, filled from host[t] when given,
 * runs its launches and reads output 0 into got. */
static clcnn_status run_direct(rt_ctx *rt, const ir_graph *g, void *const *host, void *got,
                               clcnn_err *err)
{
    const ir_node *n = &g->nodes[0];
    cl_mem *mem = calloc((size_t)g->n_tensors, sizeof *mem);
    opcl_ctx c = {0};
    clcnn_status st = CLCNN_OK;
    assert_non_null(mem);
    for (int t = 0; t < g->n_tensors && !st; t++) {
        const ir_tensor *x = &g->tensors[t];
        if (x->data)
            continue;
        size_t b = ir_nbytes(x) ? ir_nbytes(x) : 4;
        cl_int rc;
        mem[t] = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | (host[t] ? CL_MEM_COPY_HOST_PTR : 0),
                                b, host[t], &rc);
        if (rc != CL_SUCCESS)
            st = err_set(err, CLCNN_ERR_CL, "clCreateBuffer: %s", rt_cl_error_name(rc));
    }
    c.rt = rt, c.g = g, c.mem = mem, c.build_opts = "", c.out = n->out[0];
    if (!st)
        st = opcl_get(n->op)(&c, n, err);
    cl_command_queue q = rt_queue(rt);
    for (int i = 0; i < c.n_launches && !st; i++) {
        const opcl_launch *L = &c.launches[i];
        if (L->custom) {
            st = L->custom(L->custom_data, q, NULL, err);
        } else {
            cl_int rc = clEnqueueNDRangeKernel(q, L->k, L->dim, NULL, L->gws, L->lws, 0, NULL, NULL);
            if (rc != CL_SUCCESS)
                st = err_set(err, CLCNN_ERR_CL, "enqueue: %s", rt_cl_error_name(rc));
        }
    }
    const ir_tensor *y = &g->tensors[n->out[0]];
    if (!st && ir_nbytes(y) &&
        clEnqueueReadBuffer(q, mem[n->out[0]], CL_TRUE, 0, ir_nbytes(y), got, 0, NULL, NULL) != CL_SUCCESS)
        st = err_set(err, CLCNN_ERR_CL, "read back failed");
    clFinish(q);
    for (int i = 0; i < c.n_launches; i++) {
        if (c.launches[i].k)
            clReleaseKernel(c.launches[i].k);
        if (c.launches[i].custom_free)
            c.launches[i].custom_free(c.launches[i].custom_data);
    }
    free(c.launches);
    for (int t = 0; t < g->n_tensors; t++)
        if (mem[t])
            clReleaseMemObject(mem[t]);
    free(mem);
    return st;
}

/* Runs g's single node on OpenCL (run_direct) and with ref; 1 when the output
 * bytes differ (printed), 0 when equal. host: per tensor input data or NULL. */
static int check_direct(rt_ctx *rt, ir_graph *g, void **host,
                        clcnn_status (*ref)(const ir_graph *, const ir_node *, void *const *, clcnn_err *),
                        const char *label)
{
    clcnn_err err = {0};
    clcnn_status st = ir_toposort(g, &err);
    if (!st)
        st = ops_infer_graph(g, &err);
    if (st) {
        print_error("[%s] graph setup: %s\n", label, err.msg);
        return 1;
    }
    const ir_tensor *y = &g->tensors[g->nodes[0].out[0]];
    size_t nb = ir_nbytes(y);
    void **bufs = calloc((size_t)g->n_tensors, sizeof *bufs);
    unsigned char *want = calloc(nb + 8, 1), *got = malloc(nb + 8);
    memset(got, 0xA5, nb + 8); /* a byte the kernel never wrote must not match */
    for (int t = 0; t < g->n_tensors; t++)
        bufs[t] = g->tensors[t].data ? g->tensors[t].data : host[t];
    bufs[g->nodes[0].out[0]] = want;
    int bad = 0;
    if ((st = ref(g, &g->nodes[0], bufs, &err))) {
        print_error("[%s] reference: %s\n", label, err.msg);
        bad = 1;
    } else if ((st = run_direct(rt, g, host, got, &err))) {
        print_error("[%s] OpenCL: %s: %s\n", label, clcnn_status_str(st), err.msg);
        bad = 1;
    } else if (memcmp(want, got, nb) != 0) {
        size_t i = 0;
        while (want[i] == got[i])
            i++;
        print_error("[%s] output bytes differ from the reference first at byte %zu of %zu\n", label,
                    i, nb);
        bad = 1;
    }
    free(bufs), free(want), free(got);
    err_clear(&err);
    return bad;
}

/* Gather on int64 data and/or with indices that are not constants. */
static int check_gather_direct(rt_ctx *rt, int dt, int xn, const int64_t *xd, int idt, int in_,
                               const int64_t *id, const int64_t *iv, int axis, const char *label)
{
    ir_graph *g = kh_new(13);
    int x = add_input(g, ir_add_tensor(g, "x", dt, xn, xd));
    int i = add_input(g, ir_add_tensor(g, "i", idt, in_, id)), y = ir_add_tensor(g, "y", dt, -1, NULL);
    int in[2] = {x, i};
    int node = ir_add_node(g, IR_OP_GATHER, "gather", in, 2, &y, 1);
    ir_set_attr_int(g, node, "axis", axis);
    void **host = calloc((size_t)g->n_tensors, sizeof *host);
    size_t nx = (size_t)ir_numel(&g->tensors[x]), ni = (size_t)ir_numel(&g->tensors[i]);
    host[x] = malloc(nx * 8 + 8);
    host[i] = malloc(ni * 8 + 8);
    for (size_t k = 0; k < nx; k++) {
        if (dt == IR_DT_INT64) /* values past 32 bits: both words must move */
            ((int64_t *)host[x])[k] = (int64_t)(kh_rand() * 1e6f) * 1048576 + (int64_t)k;
        else
            ((float *)host[x])[k] = kh_rand();
    }
    for (size_t k = 0; k < ni; k++) {
        if (idt == IR_DT_INT64)
            ((int64_t *)host[i])[k] = iv[k];
        else
            ((int32_t *)host[i])[k] = (int32_t)iv[k];
    }
    int bad = check_direct(rt, g, host, gather_ref, label);
    free(host[x]), free(host[i]), free(host);
    ir_graph_free(g);
    return bad;
}

static void test_gather_direct(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x23[2] = {2, 3}, x3[3] = {3, 7, 13}, x17[4] = {1, 17, 3, 5};
    const int64_t d2[1] = {2}, v2[2] = {2, 0}, d3[1] = {3}, v3[3] = {-1, 0, -3};
    const int64_t d22[2] = {2, 2}, v22[4] = {12, -13, 6, 0}, s0[1] = {0}, vneg[1] = {-2};
    const int64_t d5[1] = {5}, v5[5] = {16, -17, 0, 3, 3};
    fails += check_gather_direct(rt, IR_DT_INT64, 2, x23, IR_DT_INT64, 1, d2, v2, 1,
                                 "int64 data [2,3] axis 1, runtime int64 indices");
    fails += check_gather_direct(rt, IR_DT_INT64, 3, x3, IR_DT_INT64, 1, d3, v3, 0,
                                 "int64 data [3,7,13] axis 0, negative indices");
    fails += check_gather_direct(rt, IR_DT_FLOAT, 3, x3, IR_DT_INT64, 2, d22, v22, -1,
                                 "float [3,7,13] axis -1, runtime 2-D int64 indices");
    fails += check_gather_direct(rt, IR_DT_FLOAT, 4, x17, IR_DT_INT32, 1, d5, v5, 1,
                                 "float [1,17,3,5] axis 1, runtime int32 indices");
    fails += check_gather_direct(rt, IR_DT_INT64, 4, x17, IR_DT_INT32, 0, s0, vneg, 2,
                                 "int64 [1,17,3,5] axis 2, runtime scalar int32 index");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d direct Gather case(s) failed", fails);
}

/* A runtime index out of range writes 0 (documented in gather.cl): the
 * reference refuses it, so the expectation is written out here. */
static void test_gather_out_of_range(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    ir_graph *g = kh_new(13);
    const int64_t xd[1] = {3}, id[1] = {4};
    int x = ir_add_tensor(g, "x", IR_DT_FLOAT, 1, xd), i = ir_add_tensor(g, "i", IR_DT_INT64, 1, id);
    int y = ir_add_tensor(g, "y", IR_DT_FLOAT, -1, NULL), in[2] = {x, i};
    ir_add_node(g, IR_OP_GATHER, "gather", in, 2, &y, 1);
    clcnn_err err = {0};
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    float xv[3] = {1.5f, -2.5f, 3.5f}, got[4];
    int64_t iv[4] = {1, 3, -4, -3};
    void *host[3] = {xv, iv, NULL};
    clfx_check(run_direct(rt, g, host, got, &err), &err, "gather out of range");
    assert_true(got[0] == -2.5f && got[1] == 0.0f && got[2] == 0.0f && got[3] == 1.5f);
    ir_graph_free(g);
    rt_destroy(rt);
}

/* Cast of n values from dtype `from` to `to`, direct, vs cast_ref. */
static int check_cast(rt_ctx *rt, int from, int to, const double *vals, int n, const char *label)
{
    ir_graph *g = kh_new(13);
    const int64_t d[2] = {1, n};
    int x = add_input(g, ir_add_tensor(g, "x", from, 2, d)), y = ir_add_tensor(g, "y", to, -1, NULL);
    int node = ir_add_node(g, IR_OP_CAST, "cast", &x, 1, &y, 1);
    ir_set_attr_int(g, node, "to", to);
    void **host = calloc((size_t)g->n_tensors, sizeof *host);
    host[x] = malloc((size_t)n * 8);
    for (int k = 0; k < n; k++) {
        if (from == IR_DT_FLOAT)
            ((float *)host[x])[k] = (float)vals[k];
        else if (from == IR_DT_INT32)
            ((int32_t *)host[x])[k] = (int32_t)vals[k];
        else
            ((int64_t *)host[x])[k] = (int64_t)vals[k];
    }
    int bad = check_direct(rt, g, host, cast_ref, label);
    free(host[x]), free(host);
    ir_graph_free(g);
    return bad;
}

static void test_cast(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    /* 17 values: truncation both sides of 0, halves, int32 saturation, NaN */
    const double fv[17] = {-2.7, -0.5, 0.0, 0.5, 3.9, 100.2, -100.7, 1e10, -1e10, 2147483520.0,
                           -2147483648.0, 1e-30, -7.0, 7.99, NAN, 65536.5, -3e9};
    const double iv[13] = {0, 1, -1, 7, -8, 1e12, -1e12, 3e9, -3e9, 2147483647.0, -2147483648.0,
                           16777217.0, -123456789.0};
    int fails = 0;
    fails += check_cast(rt, IR_DT_FLOAT, IR_DT_INT64, fv, 17, "float -> int64");
    fails += check_cast(rt, IR_DT_FLOAT, IR_DT_INT32, fv, 17, "float -> int32 (saturating)");
    fails += check_cast(rt, IR_DT_FLOAT, IR_DT_FLOAT, fv, 17, "float -> float");
    fails += check_cast(rt, IR_DT_INT64, IR_DT_FLOAT, iv, 13, "int64 -> float");
    fails += check_cast(rt, IR_DT_INT64, IR_DT_INT32, iv, 13, "int64 -> int32 (keeps the low bits)");
    fails += check_cast(rt, IR_DT_INT64, IR_DT_INT64, iv, 13, "int64 -> int64");
    const double i32[7] = {1, -1, 7, -8, 2147483647.0, -2147483648.0, 16777217.0};
    fails += check_cast(rt, IR_DT_INT32, IR_DT_INT64, i32, 7, "int32 -> int64");
    fails += check_cast(rt, IR_DT_INT32, IR_DT_FLOAT, i32, 7, "int32 -> float");
    /* float -> int64 above the range: OpenCL saturates to INT64_MAX exactly
     * (cast_ref clamps through a double, 1024 below it), so written out here */
    ir_graph *g = kh_new(13);
    const int64_t d[1] = {3};
    int x = ir_add_tensor(g, "x", IR_DT_FLOAT, 1, d), y = ir_add_tensor(g, "y", IR_DT_INT64, -1, NULL);
    ir_set_attr_int(g, ir_add_node(g, IR_OP_CAST, "cast", &x, 1, &y, 1), "to", IR_DT_INT64);
    clcnn_err err = {0};
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    float xv[3] = {1e30f, -1e30f, INFINITY};
    int64_t got[3];
    void *host[2] = {xv, NULL};
    clfx_check(run_direct(rt, g, host, got, &err), &err, "cast saturation");
    assert_true(got[0] == INT64_MAX && got[1] == INT64_MIN && got[2] == INT64_MAX);
    ir_graph_free(g);
    rt_destroy(rt);
    if (fails)
        fail_msg("%d Cast case(s) failed", fails);
}

/* Cast float -> float through the plan (the only Cast a plan of float tensors has). */
static void test_cast_plan(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    ir_graph *g = kh_new(13);
    const int64_t xd[4] = {1, 3, 7, 13};
    int x = kh_input(g, "x", 4, xd), y = kh_tensor(g, "y");
    ir_set_attr_int(g, ir_add_node(g, IR_OP_CAST, "cast", &x, 1, &y, 1), "to", IR_DT_FLOAT);
    kh_output(g, y);
    int fails = kh_check_k(rt, g, NULL, "cast_elems", 1, "Cast float -> float [1,3,7,13]");
    rt_destroy(rt);
    if (fails)
        fail_msg("Cast plan case failed");
}

/* ---- fp16 storage (issue 18) ---- */

/* Float values whose float -> half rounding is awkward: signed zeros,
 * subnormal halves (2^-24, the largest, 2^-25 and 3*2^-25 ties to even),
 * float subnormals (-> 0), 65504, 65519 (-> 65504), 65520 (-> inf),
 * overflow, +-inf, NaN, mantissa ties (1 + 2^-11 -> 1, 1 + 3*2^-11 ->
 * 1 + 2^-9, 2049 -> 2048, 2051 -> 2052) and ordinary values. */
static const float half_specials[] = {
    0.0f, -0.0f, 5.9604645e-8f /* 2^-24 */, 6.0975552e-5f /* 2^-14 - 2^-24 */,
    6.1035156e-5f /* 2^-14 */, 2.9802322e-8f /* 2^-25 */, 8.9406967e-8f /* 3*2^-25 */,
    -2.9802322e-8f, 1e-40f, -1e-40f, 65504.0f, 65519.0f, 65520.0f, -65520.0f, 1e10f,
    INFINITY, -INFINITY, NAN, -NAN, 1.00048828125f /* 1 + 2^-11 */,
    1.00146484375f /* 1 + 3*2^-11 */, 2049.0f, 2051.0f, -2049.0f, 0.1f, -3.14159265f,
    1e-5f, 4.4e-6f, 3.0e-8f};
#define N_HALF_SPECIALS ((int)(sizeof half_specials / sizeof half_specials[0]))

/* Any float bits (NaNs, subnormals and infinities included) for the tail. */
static float any_float(void)
{
    kh_rand();
    const uint32_t b = (uint32_t)(kh_rng >> 17);
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

/* Cast float32 -> float32 of xv[0..n) with x stored half (xh) and/or y (yh),
 * planned with opcl_ctx.fp16 = ctx_fp16 (a boundary is planned in either
 * mode). Every output must equal what the host conversions give, bit for bit
 * (a NaN: any NaN): y = x as stored, then rounded to half when yh. */
static int check_boundary(rt_ctx *rt, const float *xv, int n, int xh, int yh, int ctx_fp16,
                          const char *label)
{
    ir_graph *g = kh_new(13);
    const int64_t d[1] = {n};
    int x = add_input(g, ir_add_tensor(g, "x", IR_DT_FLOAT, 1, d));
    int y = ir_add_tensor(g, "y", IR_DT_FLOAT, -1, NULL);
    ir_set_attr_int(g, ir_add_node(g, IR_OP_CAST, "cast", &x, 1, &y, 1), "to", IR_DT_FLOAT);
    clcnn_err err = {0};
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    g->tensors[x].half = xh, g->tensors[y].half = yh;
    float *got = malloc((size_t)n * sizeof *got);
    void *host[2] = {(void *)xv, NULL}, *outs[1] = {got};
    int bad = 0;
    clcnn_status st = f16_run(rt, g, ctx_fp16, host, outs, &err);
    if (st) {
        print_error("[%s] OpenCL: %s: %s\n%s\n", label, clcnn_status_str(st), err.msg,
                    err.detail ? err.detail : "");
        bad = 1;
    }
    for (int i = 0; i < n && !bad; i++) {
        const float stored = xh ? ir_half_to_float(ir_float_to_half(xv[i])) : xv[i];
        const float want = yh ? ir_half_to_float(ir_float_to_half(stored)) : stored;
        if (isnan(want) ? !isnan(got[i]) : memcmp(&want, &got[i], sizeof want) != 0) {
            print_error("[%s] n %d: first bad index %d: x %.9g -> cl %.9g, host %.9g\n", label,
                        n, i, xv[i], got[i], want);
            bad = 1;
        }
    }
    free(got);
    err_clear(&err);
    ir_graph_free(g);
    return bad;
}

static void test_half_boundary(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    enum { ALL = 65536 };
    float *v = malloc(ALL * sizeof *v);
    int fails = 0;
    const int sizes[4] = {1, 3, 17, 1001};
    for (int mode = 0; mode < 2; mode++) { /* the program built without and with -DCLCNN_FP16 */
        for (int s = 0; s < 4; s++) {
            char label[96];
            /* float -> half: the specials first, then any float bits */
            for (int i = 0; i < sizes[s]; i++)
                v[i] = i < N_HALF_SPECIALS ? half_specials[i] : any_float();
            snprintf(label, sizeof label, "float_to_half, %d values, ctx fp16 %d", sizes[s], mode);
            fails += check_boundary(rt, v, sizes[s], 0, 1, mode, label);
            /* half -> float: halves spread over every exponent */
            for (int i = 0; i < sizes[s]; i++)
                v[i] = ir_half_to_float((uint16_t)(i * 40503u + 1u));
            snprintf(label, sizeof label, "half_to_float, %d values, ctx fp16 %d", sizes[s], mode);
            fails += check_boundary(rt, v, sizes[s], 1, 0, mode, label);
        }
    }
    /* every half bit pattern widened; 65536 more floats narrowed, specials included */
    for (int i = 0; i < ALL; i++)
        v[i] = ir_half_to_float((uint16_t)i);
    fails += check_boundary(rt, v, ALL, 1, 0, 1, "half_to_float, all 65536 halves");
    for (int i = 0; i < ALL; i++)
        v[i] = i < N_HALF_SPECIALS ? half_specials[i] : (i & 1) ? any_float()
                                                                 : kh_rand() * 70000.0f;
    fails += check_boundary(rt, v, ALL, 0, 1, 1, "float_to_half, 65536 floats");
    /* both sides half: the stored halves unchanged; neither: a float copy */
    fails += check_boundary(rt, v, 1001, 1, 1, 1, "half -> half copy, 1001 values");
    fails += check_boundary(rt, v, 17, 0, 0, 0, "float -> float copy, 17 values");
    free(v);
    rt_destroy(rt);
    if (fails)
        fail_msg("%d precision boundary case(s) failed", fails);
}

/* Cast between a float32 stored half (an fp16 node) and int32/int64/bool:
 * the conversions of cast_ref on the half values, exact (a float result is
 * the reference's float32 rounded to half). */
static int check_cast_half(rt_ctx *rt, int from, int to, const double *vals, int n, const char *label)
{
    ir_graph *g = kh_new(13);
    const int64_t d[2] = {1, n};
    int x = add_input(g, ir_add_tensor(g, "x", from, 2, d)), y = ir_add_tensor(g, "y", to, -1, NULL);
    ir_set_attr_int(g, ir_add_node(g, IR_OP_CAST, "cast", &x, 1, &y, 1), "to", to);
    void **host = calloc((size_t)g->n_tensors, sizeof *host);
    host[x] = malloc((size_t)n * 8);
    for (int k = 0; k < n; k++) {
        if (from == IR_DT_FLOAT)
            ((float *)host[x])[k] = (float)vals[k];
        else if (from == IR_DT_INT32)
            ((int32_t *)host[x])[k] = (int32_t)vals[k];
        else
            ((int64_t *)host[x])[k] = (int64_t)vals[k];
    }
    int bad = f16_check(rt, g, host, F16_EXACT, 0.0, label);
    free(host[x]), free(host);
    return bad;
}

static void test_cast_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    /* as half: truncation both sides of 0, 65504, inf (int64 saturates), NaN -> 0 */
    const double fv[17] = {-2.7, -0.5, 0.0, 0.5, 3.9, 100.2, -100.7, 65504.0, -65504.0, 1e10,
                           -1e10, 1e-30, -7.0, 7.99, NAN, 2049.0, -0.0};
    const double iv[13] = {0, 1, -1, 2049, 2051, 65504, 65519, 65520, -65520, 1e12, -1e12,
                           16777217.0, -123456789.0};
    /* int64 from +-inf: OpenCL saturates to INT64_MAX exactly, cast_ref through a
     * double (test_cast): finite values only */
    double fv64[17];
    for (int i = 0; i < 17; i++)
        fv64[i] = isinf(f16_round((float)fv[i])) ? fv[i] * 1e-7 : fv[i];
    int fails = 0;
    fails += check_cast_half(rt, IR_DT_FLOAT, IR_DT_INT64, fv64, 17, "half -> int64");
    fails += check_cast_half(rt, IR_DT_FLOAT, IR_DT_INT32, fv, 17, "half -> int32");
    fails += check_cast_half(rt, IR_DT_FLOAT, IR_DT_BOOL, fv, 17, "half -> bool");
    fails += check_cast_half(rt, IR_DT_FLOAT, IR_DT_FLOAT, fv, 17, "half -> half");
    fails += check_cast_half(rt, IR_DT_INT64, IR_DT_FLOAT, iv, 13, "int64 -> half");
    fails += check_cast_half(rt, IR_DT_INT32, IR_DT_FLOAT, iv, 13, "int32 -> half");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half Cast case(s) failed", fails);
}

/* Gather / GatherND of half-stored floats: 16-bit words, exact. */
static int check_gather_half(rt_ctx *rt, ir_op op, int xn, const int64_t *xd, int idt, int in_,
                             const int64_t *id, const int64_t *iv, int axis, int constant,
                             const char *label)
{
    ir_graph *g = kh_new(13);
    int x = add_input(g, ir_add_tensor(g, "x", IR_DT_FLOAT, xn, xd)), i;
    if (constant)
        i = const_i64(g, "i", in_, id, iv);
    else
        i = add_input(g, ir_add_tensor(g, "i", idt, in_, id));
    int y = ir_add_tensor(g, "y", IR_DT_FLOAT, -1, NULL), in[2] = {x, i};
    int node = ir_add_node(g, op, "gather", in, 2, &y, 1);
    if (op == IR_OP_GATHER)
        ir_set_attr_int(g, node, "axis", axis);
    void **host = calloc((size_t)g->n_tensors, sizeof *host);
    size_t ni = (size_t)ir_numel(&g->tensors[i]);
    if (!constant) {
        host[i] = malloc(ni * 8 + 8);
        for (size_t k = 0; k < ni; k++) {
            if (idt == IR_DT_INT64)
                ((int64_t *)host[i])[k] = iv[k];
            else
                ((int32_t *)host[i])[k] = (int32_t)iv[k];
        }
    }
    int bad = f16_check(rt, g, host, F16_EXACT, 0.0, label);
    free(host[i]), free(host);
    return bad;
}

static void test_gather_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t x3[3] = {3, 7, 13}, x17[4] = {1, 17, 3, 5}, x1[1] = {13};
    const int64_t d22[2] = {2, 2}, v22[4] = {12, -13, 6, 0}, s0[1] = {0}, vneg[1] = {-1};
    const int64_t d5[1] = {5}, v5[5] = {16, -17, 0, 3, 3}, d3[1] = {3}, v3[3] = {2, -1, 0};
    fails += check_gather_half(rt, IR_OP_GATHER, 3, x3, IR_DT_INT64, 2, d22, v22, -1, 1,
                               "half Gather [3,7,13] axis -1, constant 2-D indices");
    fails += check_gather_half(rt, IR_OP_GATHER, 3, x3, IR_DT_INT64, 1, d3, v3, 1, 0,
                               "half Gather [3,7,13] axis 1, runtime int64 indices");
    fails += check_gather_half(rt, IR_OP_GATHER, 4, x17, IR_DT_INT32, 1, d5, v5, 1, 0,
                               "half Gather [1,17,3,5] axis 1, runtime int32 indices");
    fails += check_gather_half(rt, IR_OP_GATHER, 1, x1, IR_DT_INT64, 0, s0, vneg, 0, 1,
                               "half Gather [13] scalar index -> scalar");
    /* GatherND: tuples of 2 into [3,7,13] (slices of 13), constant and run time */
    const int64_t t2[2] = {3, 2}, tv[6] = {0, 6, -1, 0, 2, -7};
    fails += check_gather_half(rt, IR_OP_GATHERND, 3, x3, IR_DT_INT64, 2, t2, tv, 0, 1,
                               "half GatherND [3,7,13] 3 constant tuples of 2");
    fails += check_gather_half(rt, IR_OP_GATHERND, 3, x3, IR_DT_INT64, 2, t2, tv, 0, 0,
                               "half GatherND [3,7,13] 3 runtime tuples of 2");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half Gather case(s) failed", fails);
}

static ir_graph *build_matmul(int an, const int64_t *ad, int bn, const int64_t *bd)
{
    ir_graph *g = kh_new(13);
    int in[2] = {kh_input(g, "a", an, ad), kh_input(g, "b", bn, bd)}, y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_MATMUL, "matmul", in, 2, &y, 1);
    kh_output(g, y);
    return g;
}

static void test_matmul_bcast(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t a1[4] = {2, 1, 3, 4}, b1[3] = {3, 4, 2};
    fails += kh_check(rt, build_matmul(4, a1, 3, b1), NULL, "gemm_bcast", "[2,1,3,4] @ [3,4,2]");
    const int64_t a2[6] = {3, 1, 2, 1, 5, 7}, b2[5] = {4, 1, 3, 7, 6};
    fails += kh_check(rt, build_matmul(6, a2, 5, b2), NULL, "gemm_bcast",
                      "[3,1,2,1,5,7] @ [4,1,3,7,6] (4 batch dims)");
    const int64_t a3[6] = {1, 2, 1, 1, 13, 3}, b3[4] = {5, 1, 3, 17};
    fails += kh_check(rt, build_matmul(6, a3, 4, b3), NULL, "gemm_bcast",
                      "[1,2,1,1,13,3] @ [5,1,3,17] (size-1 batch dims)");
    const int64_t a4[3] = {1, 3, 4}, b4[3] = {7, 4, 3};
    fails += kh_check(rt, build_matmul(3, a4, 3, b4), NULL, "gemm_general",
                      "[1,3,4] @ [7,4,3] (whole-operand broadcast stays general)");
    /* five batch dims of size > 1: refused by name, not run wrong */
    const int64_t a5[7] = {2, 1, 2, 1, 2, 3, 4}, b5[7] = {1, 2, 1, 2, 1, 4, 3};
    ir_graph *g = build_matmul(7, a5, 7, b5);
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    exec_cl *e = NULL;
    assert_int_equal(exec_cl_create(rt, g, NULL, &e, &err), CLCNN_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.msg, "more than 4 broadcast batch dims"));
    err_clear(&err);
    ir_graph_free(g);
    rt_destroy(rt);
    if (fails)
        fail_msg("%d MatMul broadcast case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gather_plan),
        cmocka_unit_test(test_gather_direct),
        cmocka_unit_test(test_gather_out_of_range),
        cmocka_unit_test(test_cast),
        cmocka_unit_test(test_cast_plan),
        cmocka_unit_test(test_matmul_bcast),
        cmocka_unit_test(test_half_boundary),
        cmocka_unit_test(test_cast_half),
        cmocka_unit_test(test_gather_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
