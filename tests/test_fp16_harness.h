/* test_fp16_harness.h — runs one node's OpenCL launches directly as an fp16
 * plan does (issue 18): opcl_ctx.fp16 = 1 and every float32 tensor of the node
 * (inputs, constants, outputs) in a device buffer of halves, and compares each
 * output with the node's reference op on the same inputs. Float inputs are
 * rounded to half first, so the reference and the kernel see the same values
 * and only the kernel's output rounding (and its float math) differs. The
 * plan's own fp16 path (precision pass, uploads) is the lead's; this checks
 * the kernels and their launches without it. Header-only: each test is its
 * own executable. Include after test_kernels_harness.h. */
#ifndef CLCNN_TEST_FP16_HARNESS_H
#define CLCNN_TEST_FP16_HARNESS_H

#include "ops_cl/op_cl.h"

/* Tolerances: a kernel's float result rounded once to half is within half an
 * ulp (2^-11 relative, 2^-25 absolute among subnormals); 6e-4 leaves room for
 * float math differences. A move is exact. */
#define F16_REL 6e-4
#define F16_ABS 1e-6
#define F16_EXACT (-1.0)

/* A graph of one node `op` (node 0) over n_in float32 graph inputs of ranks
 * nd[k] and dims d[k], with n_out float32 outputs. Attributes and further
 * (constant) inputs are the caller's to add. */
static inline ir_graph *f16_graph(ir_op op, int opset, int n_in, const int *nd,
                                  const int64_t (*d)[6], int n_out)
{
    ir_graph *g = kh_new(opset);
    int in[8], out[8];
    for (int k = 0; k < n_in; k++) {
        char name[8] = {'x', (char)('0' + k), 0};
        in[k] = kh_input(g, name, nd[k], d[k]);
    }
    for (int k = 0; k < n_out; k++) {
        char name[8] = {'y', (char)('0' + k), 0};
        out[k] = kh_tensor(g, name);
        kh_output(g, out[k]);
    }
    ir_add_node(g, op, "node", in, n_in, out, n_out);
    return g;
}

/* The value a float takes stored as half (round to nearest even). */
static inline float f16_round(float v)
{
    return ir_half_to_float(ir_float_to_half(v));
}

/* Node 0 of g (inferred) through its *_cl.c plan function with one device
 * buffer per tensor, float32 ones as halves where t->half (c.fp16 = ctx_fp16).
 * host[t]: a tensor's values (float32 as float values, others raw) or NULL;
 * constants upload their data. Output k is read into got[k] (float32 as float
 * values, others raw). */
static clcnn_status f16_run(rt_ctx *rt, ir_graph *g, int ctx_fp16, void *const *host,
                            void *const *got, clcnn_err *err)
{
    const ir_node *n = &g->nodes[0];
    cl_mem *mem = calloc((size_t)g->n_tensors, sizeof *mem);
    opcl_ctx c = {0};
    clcnn_status st = CLCNN_OK;
    assert_non_null(mem);
    for (int t = 0; t < g->n_tensors && !st; t++) {
        const ir_tensor *x = &g->tensors[t];
        const void *src = x->data ? x->data : host[t];
        const size_t cnt = (size_t)ir_numel(x), es = opcl_esize(x);
        void *up = malloc(cnt * es + 4);
        assert_non_null(up);
        if (src && x->dtype == IR_DT_FLOAT && x->half) /* the halves an fp16 upload makes */
            for (size_t i = 0; i < cnt; i++)
                ((uint16_t *)up)[i] = ir_float_to_half(((const float *)src)[i]);
        else if (src)
            memcpy(up, src, cnt * es);
        else /* outputs: a pattern, so an element the kernel never writes cannot pass */
            memset(up, 0xA5, cnt * es + 4);
        cl_int rc;
        mem[t] = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                                cnt ? cnt * es : 4, up, &rc);
        free(up);
        if (rc != CL_SUCCESS)
            st = err_set(err, CLCNN_ERR_CL, "clCreateBuffer: %s", rt_cl_error_name(rc));
    }
    c.rt = rt, c.g = g, c.mem = mem, c.build_opts = "", c.out = n->out[0], c.fp16 = ctx_fp16;
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
    for (int k = 0; k < n->n_out && !st; k++) {
        const ir_tensor *y = &g->tensors[n->out[k]];
        const size_t cnt = (size_t)ir_numel(y), nb = cnt * opcl_esize(y);
        void *raw = malloc(nb + 2);
        if (nb && clEnqueueReadBuffer(q, mem[n->out[k]], CL_TRUE, 0, nb, raw, 0, NULL, NULL) != CL_SUCCESS)
            st = err_set(err, CLCNN_ERR_CL, "read back failed");
        else if (y->dtype == IR_DT_FLOAT && y->half)
            for (size_t i = 0; i < cnt; i++)
                ((float *)got[k])[i] = ir_half_to_float(((const uint16_t *)raw)[i]);
        else
            memcpy(got[k], raw, nb);
        free(raw);
    }
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

/* g: one node (node 0), its non-constant inputs graph inputs. Runs it in fp16
 * (every float32 tensor half) and on the reference; host[t] gives input
 * values (NULL for a float32 input: seeded values in [-2, 2)). Float inputs
 * and constants are rounded to half first. Float outputs must satisfy
 * |cl - ref| <= rel * |ref| + abs (NaN where ref is NaN) or, with rel
 * F16_EXACT, equal the reference's value rounded to half bit for bit; other
 * outputs must be equal bytes. Returns 1 on failure (printed), 0 on success;
 * frees g. */
static int f16_check(rt_ctx *rt, ir_graph *g, void **host, double rel, double abs_tol,
                     const char *label)
{
    clcnn_err err = {0};
    clcnn_status st = ir_toposort(g, &err);
    if (!st)
        st = ops_infer_graph(g, &err);
    if (st) {
        print_error("[%s] graph setup: %s\n", label, err.msg);
        err_clear(&err);
        ir_graph_free(g);
        return 1;
    }
    const ir_node *n = &g->nodes[0];
    void **bufs = calloc((size_t)g->n_tensors, sizeof *bufs), **own = calloc((size_t)g->n_tensors, sizeof *own);
    void *want[8] = {0}, *got[8] = {0};
    assert_true(n->n_out <= 8);
    for (int t = 0; t < g->n_tensors; t++) {
        ir_tensor *x = &g->tensors[t];
        const size_t cnt = (size_t)ir_numel(x);
        if (x->dtype == IR_DT_FLOAT && x->data) { /* constants: half-representable too */
            for (size_t i = 0; i < cnt; i++)
                ((float *)x->data)[i] = f16_round(((float *)x->data)[i]);
        } else if (x->dtype == IR_DT_FLOAT && !host[t] && x->producer < 0) {
            own[t] = malloc(cnt * sizeof(float) + 4);
            for (size_t i = 0; i < cnt; i++)
                ((float *)own[t])[i] = f16_round(2.0f * kh_rand());
            host[t] = own[t];
        } else if (x->dtype == IR_DT_FLOAT && host[t]) {
            for (size_t i = 0; i < cnt; i++)
                ((float *)host[t])[i] = f16_round(((float *)host[t])[i]);
        }
        x->half = x->dtype == IR_DT_FLOAT;
        bufs[t] = x->data ? x->data : host[t];
    }
    for (int k = 0; k < n->n_out; k++) {
        const size_t nb = ir_nbytes(&g->tensors[n->out[k]]);
        want[k] = calloc(nb + 8, 1);
        got[k] = malloc(nb + 8);
        bufs[n->out[k]] = want[k];
    }
    int bad = 0;
    if ((st = op_get(n->op)->ref(g, n, bufs, &err))) {
        print_error("[%s] reference: %s\n", label, err.msg);
        bad = 1;
    } else if ((st = f16_run(rt, g, 1, host, got, &err))) {
        print_error("[%s] OpenCL fp16: %s: %s\n%s\n", label, clcnn_status_str(st), err.msg,
                    err.detail ? err.detail : "");
        bad = 1;
    }
    for (int k = 0; k < n->n_out && !bad; k++) {
        const ir_tensor *y = &g->tensors[n->out[k]];
        const size_t cnt = (size_t)ir_numel(y);
        if (y->dtype != IR_DT_FLOAT) {
            if (memcmp(want[k], got[k], ir_nbytes(y)) != 0) {
                print_error("[%s] output '%s' bytes differ from the reference\n", label, y->name);
                bad = 1;
            }
            continue;
        }
        for (size_t i = 0; i < cnt && !bad; i++) {
            const float rf = rel < 0 ? f16_round(((float *)want[k])[i]) : ((float *)want[k])[i];
            const float vf = ((float *)got[k])[i];
            const double r = rf, v = vf;
            const int ok = isnan(r) ? isnan(v)
                           : rel < 0 ? memcmp(&rf, &vf, sizeof rf) == 0 /* -0 is not +0 */
                                     : fabs(v - r) <= rel * fabs(r) + abs_tol;
            if (!ok) {
                print_error("[%s] output '%s' first bad index %zu: cl %.9g ref %.9g\n", label,
                            y->name, i, v, r);
                bad = 1;
            }
        }
    }
    for (int k = 0; k < n->n_out; k++)
        free(want[k]), free(got[k]);
    for (int t = 0; t < g->n_tensors; t++)
        if (own[t])
            host[t] = NULL, free(own[t]);
    free(bufs), free(own);
    err_clear(&err);
    ir_graph_free(g);
    return bad;
}

#endif
