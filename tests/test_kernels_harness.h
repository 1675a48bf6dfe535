/* test_kernels_harness.h — shared by tests/test_kernels_*.c: build a tiny IR
 * graph (seeded constant weights), run it on the reference executor and on the
 * OpenCL executor (optionally forcing a kernel variant), compare every output
 * with |cl - ref| <= KH_ABS + KH_REL * max|ref|. A failure prints the case's
 * parameters and the first bad index; cases keep running so one run shows all.
 * Header-only (static functions) because each test is its own executable. */
#ifndef CLCNN_TEST_KERNELS_HARNESS_H
#define CLCNN_TEST_KERNELS_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ir.h"
#include "exec/exec_cl.h"
#include "exec/exec_ref.h"
#include "ops/op.h"
#include "util/cl_fixture.h"

#define KH_ABS 1e-5
#define KH_REL 1e-4

static uint64_t kh_rng = 0x2545F4914F6CDD1Dull;
static inline float kh_rand(void) /* uniform [-1, 1), xorshift64: fixed seed, fixed sequence */
{
    kh_rng ^= kh_rng << 13;
    kh_rng ^= kh_rng >> 7;
    kh_rng ^= kh_rng << 17;
    return (float)((kh_rng >> 40) / (double)(1ull << 24)) * 2.0f - 1.0f;
}

static inline ir_graph *kh_new(int opset)
{
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    g->opset = opset;
    return g;
}

static inline int kh_input(ir_graph *g, const char *name, int ndim, const int64_t *dims)
{
    int t = ir_add_tensor(g, name, IR_DT_FLOAT, ndim, dims);
    g->inputs = realloc(g->inputs, (size_t)(g->n_inputs + 1) * sizeof(int));
    g->inputs[g->n_inputs++] = t;
    return t;
}

static inline int kh_const(ir_graph *g, const char *name, int ndim, const int64_t *dims, float lo, float hi)
{
    int t = ir_add_tensor(g, name, IR_DT_FLOAT, ndim, dims);
    ir_tensor *x = &g->tensors[t];
    size_t n = (size_t)ir_numel(x);
    x->data = malloc(n ? n * sizeof(float) : 1);
    for (size_t i = 0; i < n; i++)
        ((float *)x->data)[i] = lo + (kh_rand() + 1.0f) * 0.5f * (hi - lo);
    x->is_param = 1;
    return t;
}

static inline int kh_const_i64(ir_graph *g, const char *name, int n, const int64_t *v)
{
    int64_t d[1] = {n};
    int t = ir_add_tensor(g, name, IR_DT_INT64, 1, d);
    g->tensors[t].data = malloc(n ? (size_t)n * sizeof(int64_t) : 1);
    memcpy(g->tensors[t].data, v, (size_t)n * sizeof(int64_t));
    return t;
}

static inline int kh_tensor(ir_graph *g, const char *name)
{
    return ir_add_tensor(g, name, IR_DT_FLOAT, -1, NULL);
}

static inline void kh_output(ir_graph *g, int t)
{
    g->outputs = realloc(g->outputs, (size_t)(g->n_outputs + 1) * sizeof(int));
    g->outputs[g->n_outputs++] = t;
}

/* a @ b (MatMul, both graph inputs) -> y. */
static inline ir_graph *kh_matmul(int na, const int64_t *ad, int nb, const int64_t *bd)
{
    ir_graph *g = kh_new(13);
    int in[2];
    in[0] = kh_input(g, "a", na, ad);
    in[1] = kh_input(g, "b", nb, bd);
    int y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_MATMUL, "matmul", in, 2, &y, 1);
    kh_output(g, y);
    return g;
}

/* Runs g (one input x, one output of ny floats into y) on OpenCL with variant
 * `force` (NULL: the plan's choice), then frees g; 0 when it ran, else 1 with
 * the error printed under label. */
static inline int kh_run_one(rt_ctx *rt, ir_graph *g, const char *force, const float *x, float *y,
                             size_t ny, const char *label)
{
    clcnn_err err = {0};
    exec_cl *e = NULL;
    exec_cl_options opt = {0};
    opt.force_variant = force;
    float *out = NULL;
    int bad = ir_toposort(g, &err) || ops_infer_graph(g, &err) ||
              exec_cl_create(rt, g, &opt, &e, &err);
    if (!bad) {
        const float *in[1] = {x};
        float *outs[1] = {out = malloc(ny * sizeof(float))};
        bad = !out || exec_cl_run(e, in, outs, &err);
        if (!bad)
            memcpy(y, out, ny * sizeof(float));
    }
    if (bad)
        print_error("[%s] %s\n", label, err.msg);
    free(out);
    exec_cl_destroy(e);
    ir_graph_free(g);
    err_clear(&err);
    return bad;
}

/* Runs g both ways and compares. force: variant to force (NULL auto).
 * expect: a variant some node must have been planned with (NULL: no check).
 * want_kernels: launches per run the plan must have (-1: no check).
 * Returns 1 on failure (already printed), 0 on success. Frees g. */
/* Launches of g's plan with keep_intermediates (no fusion at all); frees g.
 * The fusion suites compare it with the fused plan's count. */
static inline int kh_unfused_launches(rt_ctx *rt, ir_graph *g)
{
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    exec_cl_options ko = {.keep_intermediates = 1};
    exec_cl *e = NULL;
    clfx_check(exec_cl_create(rt, g, &ko, &e, &err), &err, "exec_cl_create keep");
    int n = exec_cl_kernel_count(e);
    exec_cl_destroy(e);
    ir_graph_free(g);
    return n;
}

/* What conv_im2col runs as by itself (conv_cl.c's im2col_fused): conv_pwu,
 * one launch, on a CPU-shaped plan where a pixel pair's ckk = C*k*k rows of 32
 * unfolded floats fit 512 KiB and half the local memory; else conv_im2col,
 * two launches (unfold, then conv_pw or conv_pwp). */
static inline const char *kh_im2col_form(rt_ctx *rt, int64_t ckk)
{
    const rt_plan_dev *pd = rt_plan_device(rt);
    const uint64_t bytes = (uint64_t)ckk * 32 * sizeof(float);
    return !pd->gpu_shaped && bytes <= 512 * 1024 && bytes <= pd->local_mem_bytes / 2 ? "conv_pwu"
                                                                                       : "conv_im2col";
}

/* Makes y the graph's output, through activation act first unless act is
 * IR_OP_COUNT: Clip with opset-13 bound inputs 0 .. 0.5, LeakyRelu alpha 0.1
 * (values a fused epilogue must reproduce, saturation points included). */
static inline void kh_output_act(ir_graph *g, int y, ir_op act)
{
    if (act == IR_OP_COUNT) {
        kh_output(g, y);
        return;
    }
    int ain[3] = {y, -1, -1}, n_ain = 1;
    if (act == IR_OP_CLIP) {
        int64_t sd[1] = {1};
        ain[1] = kh_const(g, "lo", 0, sd, 0.0f, 0.0f);
        ain[2] = kh_const(g, "hi", 0, sd, 0.5f, 0.5f);
        n_ain = 3;
    }
    int a = kh_tensor(g, "act_out");
    int an = ir_add_node(g, act, "act", ain, n_ain, &a, 1);
    if (act == IR_OP_LEAKYRELU)
        ir_set_attr_float(g, an, "alpha", 0.1f);
    kh_output(g, a);
}

/* kh_check_k with every executor option (force is opt->force_variant). */
static inline int kh_check_opt(rt_ctx *rt, ir_graph *g, const exec_cl_options *opt,
                               const char *expect, int want_kernels, const char *label)
{
    clcnn_err err = {0};
    int bad = 0;
    clcnn_status st = ir_toposort(g, &err);
    if (!st)
        st = ops_infer_graph(g, &err);
    if (st) {
        print_error("[%s] graph setup: %s\n", label, err.msg);
        ir_graph_free(g);
        err_clear(&err);
        return 1;
    }
    float **in = calloc((size_t)g->n_inputs + 1, sizeof *in);
    float **ref = calloc((size_t)g->n_outputs + 1, sizeof *ref);
    float **out = calloc((size_t)g->n_outputs + 1, sizeof *out);
    for (int i = 0; i < g->n_inputs; i++) {
        size_t n = (size_t)ir_numel(&g->tensors[g->inputs[i]]);
        in[i] = malloc(n * sizeof(float) + 4);
        for (size_t j = 0; j < n; j++)
            in[i][j] = kh_rand();
    }
    for (int i = 0; i < g->n_outputs; i++) {
        size_t n = (size_t)ir_numel(&g->tensors[g->outputs[i]]);
        ref[i] = calloc(n + 1, sizeof(float));
        out[i] = malloc((n + 1) * sizeof(float));
        for (size_t j = 0; j < n; j++)
            out[i][j] = NAN; /* an output the CL path never writes must not pass */
    }
    exec_cl *e = NULL;
    if ((st = exec_ref_run(g, (const float *const *)in, ref, NULL, &err))) {
        print_error("[%s] exec_ref_run: %s\n", label, err.msg);
        bad = 1;
    } else if ((st = exec_cl_create(rt, g, opt, &e, &err)) ||
               (st = exec_cl_run(e, (const float *const *)in, out, &err))) {
        print_error("[%s] OpenCL: %s: %s\n%s\n", label, clcnn_status_str(st), err.msg,
                    err.detail ? err.detail : "");
        bad = 1;
    }
    if (!bad && expect) {
        int found = 0;
        for (int i = 0; i < g->n_nodes; i++) {
            const char *v = exec_cl_node_variant(e, i, NULL);
            found |= v && strcmp(v, expect) == 0;
        }
        if (!found) {
            print_error("[%s] expected a node planned as '%s'; got '%s'\n", label, expect,
                        exec_cl_node_variant(e, 0, NULL));
            bad = 1;
        }
    }
    if (!bad && want_kernels >= 0 && exec_cl_kernel_count(e) != want_kernels) {
        print_error("[%s] plan has %d kernel launches, expected %d\n", label,
                    exec_cl_kernel_count(e), want_kernels);
        bad = 1;
    }
    for (int i = 0; i < g->n_outputs && !bad; i++) {
        const ir_tensor *t = &g->tensors[g->outputs[i]];
        size_t n = (size_t)ir_numel(t);
        double mx = 0;
        for (size_t j = 0; j < n; j++)
            mx = fmax(mx, fabs(ref[i][j]));
        for (size_t j = 0; j < n; j++) {
            double d = fabs((double)out[i][j] - ref[i][j]);
            if (!(d <= KH_ABS + KH_REL * mx)) {
                char sh[64];
                print_error("[%s] output '%s' (%s): first bad index %zu: cl %g ref %g (max|ref| %g)\n",
                            label, t->name, ir_shape_str(t, sh, sizeof sh), j, out[i][j], ref[i][j], mx);
                bad = 1;
                break;
            }
        }
    }
    exec_cl_destroy(e);
    for (int i = 0; i < g->n_inputs; i++)
        free(in[i]);
    for (int i = 0; i < g->n_outputs; i++)
        free(ref[i]), free(out[i]);
    free(in), free(ref), free(out);
    err_clear(&err);
    ir_graph_free(g);
    return bad;
}

static inline int kh_check_k(rt_ctx *rt, ir_graph *g, const char *force, const char *expect,
                             int want_kernels, const char *label)
{
    exec_cl_options opt = {0};
    opt.force_variant = force;
    return kh_check_opt(rt, g, &opt, expect, want_kernels, label);
}

static inline int kh_check(rt_ctx *rt, ir_graph *g, const char *force, const char *expect,
                           const char *label)
{
    return kh_check_k(rt, g, force, expect, -1, label);
}

#endif
