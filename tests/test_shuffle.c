/* test_shuffle.c — ShuffleNet's Concat -> Reshape -> Transpose(0,2,1,3,4) -> Reshape
 * (-> Split | Slices) planned as one shuffle2_cat launch (host/plan/plan_shuffle.c):
 * each graph runs on the OpenCL plan against the reference executor, with the fused
 * launch count asserted and the unfused count (keep_intermediates) alongside; odd
 * H/W, batch 2, odd channel counts, uneven and one-sided splits; graphs that must
 * not fuse (3 groups, another perm, Concat on axis 0) keep their general kernels.
 * fp16 storage (issue 18): shuffle2_cat run directly (shuffle_cl) on half buffers,
 * every output element bit for bit the half it moved (the mapping written out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "ops_cl/shuffle_cl.h"

enum { TAKE_NONE, TAKE_SPLIT, TAKE_SPLIT_UNEVEN, TAKE_SLICES, TAKE_SLICES_NEG, TAKE_ONE_SLICE };

typedef struct shuf_case {
    int64_t n, ch, h, w;
    int take;      /* what reads the shuffled tensor Y */
    int producers; /* 1: a and b come from Relu launches, the halves feed Relu + Add */
    int y_output;  /* 1: Y is a graph output too (the split must then stay) */
} shuf_case;

static int add1(ir_graph *g, ir_op op, const char *name, int x)
{
    int y = kh_tensor(g, name);
    ir_add_node(g, op, name, &x, 1, &y, 1);
    return y;
}

static int reshape(ir_graph *g, const char *name, int x, int nd, const int64_t *shape)
{
    char nm[64];
    snprintf(nm, sizeof nm, "%s.shape", name);
    int in[2] = {x, kh_const_i64(g, nm, nd, shape)}, y = kh_tensor(g, name);
    ir_add_node(g, IR_OP_RESHAPE, name, in, 2, &y, 1);
    return y;
}

static int transpose(ir_graph *g, const char *name, int x, const int64_t *perm)
{
    int y = add1(g, IR_OP_TRANSPOSE, name, x);
    ir_set_attr_ints(g, g->n_nodes - 1, "perm", perm, 5);
    return y;
}

/* Slice of x on axis `axis` from start to end (step 1). */
static int slice(ir_graph *g, const char *name, int x, int64_t start, int64_t end, int64_t axis)
{
    char nm[3][64];
    snprintf(nm[0], 64, "%s.starts", name);
    snprintf(nm[1], 64, "%s.ends", name);
    snprintf(nm[2], 64, "%s.axes", name);
    int in[4] = {x, kh_const_i64(g, nm[0], 1, &start), kh_const_i64(g, nm[1], 1, &end),
                 kh_const_i64(g, nm[2], 1, &axis)};
    int y = kh_tensor(g, name);
    ir_add_node(g, IR_OP_SLICE, name, in, 4, &y, 1);
    return y;
}

/* The shuffle unit of case p; sets *takers to the launches the split costs unfused
 * and *extra to the other launches (producers, consumers), both counted here by
 * hand from the graph built. */
static ir_graph *build(const shuf_case *p, int *takers, int *extra)
{
    ir_graph *g = kh_new(13);
    const int64_t N = p->n, C = p->ch, H = p->h, W = p->w;
    const int64_t dx[4] = {N, C, H, W}, s5[5] = {N, 2, C, H, W}, s4[4] = {N, 2 * C, H, W};
    const int64_t perm[5] = {0, 2, 1, 3, 4};
    int a = kh_input(g, "x0", 4, dx), b = kh_input(g, "x1", 4, dx);
    *extra = 0, *takers = 0;
    if (p->producers) {
        a = add1(g, IR_OP_RELU, "a", a), b = add1(g, IR_OP_RELU, "b", b);
        *extra += 2;
    }
    int in[2] = {a, b}, x = kh_tensor(g, "cat");
    ir_set_attr_int(g, ir_add_node(g, IR_OP_CONCAT, "cat", in, 2, &x, 1), "axis", 1);
    int r = reshape(g, "r1", x, 5, s5);
    int t = transpose(g, "tr", r, perm);
    int y = reshape(g, "r2", t, 4, s4);
    if (p->y_output)
        kh_output(g, y);
    int half[2] = {-1, -1}, nh = 0;
    switch (p->take) {
    case TAKE_NONE:
        if (!p->y_output)
            kh_output(g, y);
        break;
    case TAKE_SPLIT:
    case TAKE_SPLIT_UNEVEN: {
        half[0] = kh_tensor(g, "s0"), half[1] = kh_tensor(g, "s1"), nh = 2;
        int sin[2] = {y, -1};
        if (p->take == TAKE_SPLIT_UNEVEN) {
            const int64_t sizes[2] = {1, 2 * C - 1};
            sin[1] = kh_const_i64(g, "split", 2, sizes);
        }
        ir_set_attr_int(g, ir_add_node(g, IR_OP_SPLIT, "split", sin, sin[1] >= 0 ? 2 : 1, half, 2),
                        "axis", 1);
        *takers = 2;
        break;
    }
    case TAKE_SLICES: /* torch's chunk as the legacy exporter writes it */
        half[0] = slice(g, "sl0", y, 0, C, 1);
        half[1] = slice(g, "sl1", y, C, INT64_MAX, 1);
        nh = *takers = 2;
        break;
    case TAKE_SLICES_NEG: /* second half first, counted from the end, axis -3 */
        half[0] = slice(g, "sl0", y, -C, 2 * C + 5, -3);
        half[1] = slice(g, "sl1", y, 0, -C, -3);
        nh = *takers = 2;
        break;
    case TAKE_ONE_SLICE: /* odd offset, odd count: the middle 2C-2 channels */
        half[0] = slice(g, "sl0", y, 1, -1, 1);
        nh = *takers = 1;
        break;
    }
    if (p->producers && nh == 2) {
        int u[2] = {half[0], add1(g, IR_OP_RELU, "s1.relu", half[1])}, z = kh_tensor(g, "z");
        ir_add_node(g, IR_OP_ADD, "z", u, 2, &z, 1);
        kh_output(g, z);
        *extra += 2;
    } else {
        for (int k = 0; k < nh; k++)
            kh_output(g, half[k]);
    }
    return g;
}

static void test_shuffle_fused(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const shuf_case cases[] = {
        {1, 2, 7, 13, TAKE_NONE, 0, 0},          {2, 6, 13, 7, TAKE_NONE, 1, 0},
        {2, 6, 13, 7, TAKE_SPLIT, 0, 0},         {1, 58, 7, 7, TAKE_SPLIT, 1, 0},
        {2, 58, 13, 13, TAKE_SLICES, 0, 0},      {1, 58, 28, 28, TAKE_SLICES, 1, 0},
        {2, 3, 1, 1, TAKE_SPLIT, 0, 0},          {2, 1, 3, 17, TAKE_SLICES_NEG, 0, 0},
        {2, 7, 13, 7, TAKE_SPLIT_UNEVEN, 1, 0},  {1, 2, 7, 13, TAKE_SPLIT_UNEVEN, 0, 0},
        {2, 6, 7, 13, TAKE_ONE_SLICE, 0, 0},     {2, 13, 3, 7, TAKE_SLICES_NEG, 1, 0},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const shuf_case *p = &cases[i];
        char label[128];
        snprintf(label, sizeof label, "n%lld ch%lld %lldx%lld take %d producers %d",
                 (long long)p->n, (long long)p->ch, (long long)p->h, (long long)p->w, p->take,
                 p->producers);
        int takers, extra;
        /* unfused: two copies (Concat), one permute (Transpose), one per split piece;
         * with batch 1 and produced inputs the plan may place either input straight
         * into the Concat's buffer (host/plan/plan_inplace.c: whether the second
         * input's offset meets the device's base-address alignment), saving its copy,
         * and with batch 1 the split pieces may be read in place (plan_inplace_views:
         * sub-buffers of the permuted tensor when every piece starts aligned) */
        int unfused = kh_unfused_launches(rt, build(p, &takers, &extra));
        const int most = extra + 3 + takers,
                  least = most - (p->producers && p->n == 1 ? 2 : 0) - (p->n == 1 ? takers : 0);
        if (unfused < least || unfused > most) {
            print_error("[%s] unfused plan has %d launches, expected %d..%d\n", label, unfused,
                        least, most);
            bad = 1;
        }
        /* fused: the whole chain, split included, is one launch */
        ir_graph *g = build(p, &takers, &extra); /* before extra is read below */
        bad |= kh_check_k(rt, g, NULL, "shuffle2_cat", extra + 1, label);
    }
    rt_destroy(rt);
    assert_int_equal(bad, 0);
}

/* Launches of g's normal (fused) plan; frees g. */
static int fused_launches(rt_ctx *rt, ir_graph *g)
{
    clcnn_err err = {0};
    assert_int_equal(ir_toposort(g, &err), CLCNN_OK);
    assert_int_equal(ops_infer_graph(g, &err), CLCNN_OK);
    exec_cl *e = NULL;
    clfx_check(exec_cl_create(rt, g, NULL, &e, &err), &err, "exec_cl_create");
    const int n = exec_cl_kernel_count(e);
    exec_cl_destroy(e);
    ir_graph_free(g);
    return n;
}

/* Y read by someone else too (here: Y is also a graph output): the shuffle still
 * fuses, but Y is materialised and the split keeps its own copies. */
static void test_shuffle_split_kept(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const shuf_case cases[] = {
        {2, 6, 7, 13, TAKE_SPLIT, 0, 1},
        {1, 5, 13, 7, TAKE_SLICES, 1, 1},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int takers, extra;
        char label[64];
        snprintf(label, sizeof label, "Y also an output, case %zu", i);
        ir_graph *g = build(&cases[i], &takers, &extra);
        if (cases[i].n > 1) {
            bad |= kh_check_k(rt, g, NULL, "shuffle2_cat", extra + 1 + takers, label);
            continue;
        }
        /* batch 1: a piece of the materialised Y may instead be read in place (a
         * sub-buffer of Y, no launch) where it starts aligned: a Split all or
         * none, each Slice on its own */
        bad |= kh_check_k(rt, g, NULL, "shuffle2_cat", -1, label);
        const int n = fused_launches(rt, build(&cases[i], &takers, &extra));
        if (n < extra + 1 || n > extra + 1 + takers) {
            print_error("[%s] plan has %d launches, expected %d..%d (pieces in place..copied)\n",
                        label, n, extra + 1, extra + 1 + takers);
            bad = 1;
        }
    }
    rt_destroy(rt);
    assert_int_equal(bad, 0);
}

/* Near misses: each must run its general kernels (launch count unchanged from the
 * unfused plan, "permute" still planned) and match the reference. */
static ir_graph *near_miss(int which)
{
    ir_graph *g = kh_new(13);
    const int64_t N = 2, C = 6, H = 7, W = 13;
    const int64_t dx[4] = {N, C, H, W};
    int x[3] = {kh_input(g, "x0", 4, dx), kh_input(g, "x1", 4, dx), kh_input(g, "x2", 4, dx)};
    int cat = kh_tensor(g, "cat"), r, t, y;
    if (which == 0) { /* groups 3 */
        const int64_t s5[5] = {N, 3, C, H, W}, s4[4] = {N, 3 * C, H, W}, perm[5] = {0, 2, 1, 3, 4};
        ir_set_attr_int(g, ir_add_node(g, IR_OP_CONCAT, "cat", x, 3, &cat, 1), "axis", 1);
        r = reshape(g, "r1", cat, 5, s5), t = transpose(g, "tr", r, perm);
        y = reshape(g, "r2", t, 4, s4);
    } else if (which == 1) { /* another perm: swaps H and W too */
        const int64_t s5[5] = {N, 2, C, H, W}, s4[4] = {N, 2 * C, W, H}, perm[5] = {0, 2, 1, 4, 3};
        ir_set_attr_int(g, ir_add_node(g, IR_OP_CONCAT, "cat", x, 2, &cat, 1), "axis", 1);
        r = reshape(g, "r1", cat, 5, s5), t = transpose(g, "tr", r, perm);
        y = reshape(g, "r2", t, 4, s4);
    } else { /* Concat on the batch axis */
        const int64_t s5[5] = {2, N, C, H, W}, s4[4] = {2 * N, C, H, W}, perm[5] = {0, 2, 1, 3, 4};
        ir_set_attr_int(g, ir_add_node(g, IR_OP_CONCAT, "cat", x, 2, &cat, 1), "axis", 0);
        r = reshape(g, "r1", cat, 5, s5), t = transpose(g, "tr", r, perm);
        y = reshape(g, "r2", t, 4, s4);
    }
    int h[2] = {kh_tensor(g, "s0"), kh_tensor(g, "s1")};
    ir_set_attr_int(g, ir_add_node(g, IR_OP_SPLIT, "split", &y, 1, h, 2), "axis", 1);
    kh_output(g, h[0]), kh_output(g, h[1]);
    return g;
}

static void test_shuffle_near_misses(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const char *names[3] = {"groups 3", "perm 0,2,1,4,3", "concat axis 0"};
    const int inputs[3] = {3, 2, 2};
    int bad = 0;
    for (int i = 0; i < 3; i++) {
        int unfused = kh_unfused_launches(rt, near_miss(i));
        if (unfused != inputs[i] + 1 + 2) { /* copies + permute + two split pieces */
            print_error("[%s] unfused plan has %d launches, expected %d\n", names[i], unfused,
                        inputs[i] + 3);
            bad = 1;
        }
        bad |= kh_check_k(rt, near_miss(i), NULL, "permute", inputs[i] + 3, names[i]);
    }
    rt_destroy(rt);
    assert_int_equal(bad, 0);
}

/* shuffle_cl with opcl_ctx.fp16 on half buffers a, b (n, ch, hw): y0 gets Y's
 * channels [off0, off0 + cnt0), y1 [off1, off1 + cnt1), Y channel k = (k odd ?
 * b : a)[k / 2]. Returns 1 on a mismatch (printed). */
static int check_shuffle_half(rt_ctx *rt, int64_t n, int64_t ch, int64_t hw, const int64_t off[2],
                              const int64_t cnt[2])
{
    ir_graph *g = kh_new(13); /* one node for the launches to name */
    const int64_t d[3] = {n, ch, hw};
    int in[2] = {kh_input(g, "a", 3, d), kh_input(g, "b", 3, d)}, y = kh_tensor(g, "y");
    ir_add_node(g, IR_OP_CONCAT, "cat", in, 2, &y, 1);
    const size_t nin = (size_t)(n * ch * hw), n0 = (size_t)(n * cnt[0] * hw), n1 = (size_t)(n * cnt[1] * hw);
    uint16_t *a = malloc(nin * 2), *b = malloc(nin * 2), *y0 = malloc(n0 * 2 + 2), *y1 = malloc(n1 * 2 + 2);
    for (size_t i = 0; i < nin; i++)
        a[i] = ir_float_to_half(kh_rand()), b[i] = ir_float_to_half(kh_rand() + 4.0f);
    cl_mem m[4];
    cl_int rc;
    const size_t sz[4] = {nin * 2, nin * 2, n0 * 2 + 2, n1 * 2 + 2};
    void *src[4] = {a, b, NULL, NULL};
    for (int k = 0; k < 4; k++) {
        m[k] = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | (src[k] ? CL_MEM_COPY_HOST_PTR : 0),
                              sz[k], src[k], &rc);
        assert_int_equal(rc, CL_SUCCESS);
    }
    opcl_ctx c = {0};
    c.rt = rt, c.g = g, c.build_opts = "", c.fp16 = 1;
    clcnn_err err = {0};
    clfx_check(shuffle_cl(&c, &g->nodes[0], m[0], m[1], m[2], m[3], n, ch, hw, off, cnt, &err), &err,
               "shuffle_cl fp16");
    cl_command_queue q = rt_queue(rt);
    for (int i = 0; i < c.n_launches; i++) {
        const opcl_launch *L = &c.launches[i];
        assert_int_equal(clEnqueueNDRangeKernel(q, L->k, L->dim, NULL, L->gws, L->lws, 0, NULL, NULL),
                         CL_SUCCESS);
        clReleaseKernel(L->k);
    }
    free(c.launches);
    assert_int_equal(clEnqueueReadBuffer(q, m[2], CL_TRUE, 0, n0 * 2, y0, 0, NULL, NULL), CL_SUCCESS);
    if (n1)
        assert_int_equal(clEnqueueReadBuffer(q, m[3], CL_TRUE, 0, n1 * 2, y1, 0, NULL, NULL), CL_SUCCESS);
    int bad = 0;
    for (int part = 0; part < 2 && !bad; part++) {
        const uint16_t *out = part ? y1 : y0;
        for (int64_t img = 0; img < n && !bad; img++)
            for (int64_t j = 0; j < cnt[part] && !bad; j++)
                for (int64_t p = 0; p < hw && !bad; p++) {
                    const int64_t k = off[part] + j;
                    const uint16_t want = ((k & 1) ? b : a)[(img * ch + k / 2) * hw + p];
                    const uint16_t got = out[(img * cnt[part] + j) * hw + p];
                    if (got != want) {
                        print_error("[shuffle half n %lld ch %lld hw %lld] y%d[%lld,%lld,%lld]: "
                                    "0x%04x, want 0x%04x\n", (long long)n, (long long)ch,
                                    (long long)hw, part, (long long)img, (long long)j,
                                    (long long)p, got, want);
                        bad = 1;
                    }
                }
    }
    for (int k = 0; k < 4; k++)
        clReleaseMemObject(m[k]);
    free(a), free(b), free(y0), free(y1);
    ir_graph_free(g);
    return bad;
}

static void test_shuffle_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    const int64_t whole[2] = {0, 0}, cnt_whole[2] = {6, 0};
    const int64_t split[2] = {0, 3}, cnt_split[2] = {3, 3}, uneven[2] = {1, 5}, cnt_uneven[2] = {4, 9};
    fails += check_shuffle_half(rt, 2, 3, 15, whole, cnt_whole);   /* Y whole, batch 2, 3x5 */
    fails += check_shuffle_half(rt, 1, 3, 1, split, cnt_split);    /* 1x1 planes, even split */
    fails += check_shuffle_half(rt, 2, 7, 9, uneven, cnt_uneven);  /* odd ch, uneven pieces */
    rt_destroy(rt);
    if (fails)
        fail_msg("%d half shuffle case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shuffle_fused),
        cmocka_unit_test(test_shuffle_split_kept),
        cmocka_unit_test(test_shuffle_near_misses),
        cmocka_unit_test(test_shuffle_half),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
