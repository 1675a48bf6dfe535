/* test_kernels_gemm.c — gemm_smallm (Gemm/MatMul with M <= 4: gemm_smallm_nt
 * when B is contiguous along K, gemm_smallm_nn along N) against the reference
 * at awkward shapes: M 1-4, N 1/7/1000/1001, K 1/3/17/1280, every transA/transB
 * combination, alpha/beta, each C broadcast, MatMul 1-D/2-D/batched; plus the
 * automatic choice (classifier shape picks it, M 5 or tiny K keep gemm_general).
 * Then gemm_tile (4 x 8 blocks, B contiguous along N) forced at M 1-13, N
 * 1/7/8/9/17/1001, K 1/3/17/96, strided A, each C kind, batched and shared-B
 * MatMul, and its automatic choice (MatMul by K x N weights from M 8 on).
 * Then every variant in fp16 storage (issue 18, test_fp16_harness.h), each
 * reached by the automatic choice at shapes whose choice is checked above, and
 * a classifier's rows bit for bit the same at batch 1, 3 and 7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_kernels_harness.h"
#include "test_fp16_harness.h"

/* c_kind: -1 no C, 0 scalar, 1 (N), 2 (M,N), 3 (M,1), 4 (1,N); act: an
 * activation after the Gemm (kh_output_act), IR_OP_COUNT for none. */
static ir_graph *build_gemm_act(int m, int n, int k, int ta, int tb, int c_kind, float alpha,
                                float beta, ir_op act)
{
    ir_graph *g = kh_new(13);
    int64_t ad[2] = {ta ? k : m, ta ? m : k}, bd[2] = {tb ? n : k, tb ? k : n};
    int in[3], n_in = 2;
    in[0] = kh_input(g, "a", 2, ad);
    in[1] = kh_const(g, "b", 2, bd, -0.5f, 0.5f);
    if (c_kind >= 0) {
        const int64_t cds[5][2] = {{1, 1}, {n, 1}, {m, n}, {m, 1}, {1, n}};
        const int nd[5] = {0, 1, 2, 2, 2};
        in[2] = kh_const(g, "c", nd[c_kind], cds[c_kind], -1.0f, 1.0f);
        n_in = 3;
    }
    int y = kh_tensor(g, "y");
    int node = ir_add_node(g, IR_OP_GEMM, "gemm", in, n_in, &y, 1);
    ir_set_attr_int(g, node, "transA", ta);
    ir_set_attr_int(g, node, "transB", tb);
    ir_set_attr_float(g, node, "alpha", alpha);
    ir_set_attr_float(g, node, "beta", beta);
    kh_output_act(g, y, act);
    return g;
}

static ir_graph *build_gemm(int m, int n, int k, int ta, int tb, int c_kind, float alpha, float beta)
{
    return build_gemm_act(m, n, k, ta, tb, c_kind, alpha, beta, IR_OP_COUNT);
}

typedef struct gemm_case {
    int m, n, k, ta, tb, c_kind;
    float alpha, beta;
} gemm_case;

static const gemm_case forced[] = {
    {1, 1000, 1280, 0, 1, 1, 1.0f, 1.0f},  /* the classifier */
    {1, 1001, 1280, 0, 0, 1, 1.0f, 1.0f},  /* nn, N % 4 == 1 */
    {2, 7, 17, 0, 1, 2, 0.5f, 2.0f},
    {3, 7, 17, 0, 0, 3, 1.0f, -1.0f},      /* nn, N % 4 == 3 */
    {3, 1001, 3, 1, 1, 4, 1.0f, 1.0f},     /* transA: strided A */
    {4, 1, 1280, 1, 0, 0, 2.0f, 0.5f},
    {4, 7, 1, 0, 1, -1, 1.5f, 1.0f},       /* K 1: tail only */
    {2, 1000, 17, 1, 0, 2, 1.0f, 1.0f},
    {1, 1, 1, 0, 0, 1, 1.0f, 1.0f},
    {3, 13, 1280, 1, 1, 1, 0.25f, 3.0f},
    {4, 1001, 17, 0, 0, 4, 1.0f, 1.0f},
    {2, 3, 3, 0, 1, 0, -1.0f, 1.0f},
    {1, 7, 45, 0, 1, 2, 0.5f, 2.0f},       /* M 1 nt: one 32-float step + 13 tail */
    {1, 5, 20, 1, 1, 1, 1.0f, 1.0f},       /* M 1 nt, K < 32: tail only (transA, M 1) */
    {1, 9, 96, 0, 1, 0, 1.0f, 0.0f},       /* M 1 nt, three steps, no C */
};

static void test_gemm_smallm(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[160];
    for (size_t i = 0; i < sizeof forced / sizeof forced[0]; i++) {
        const gemm_case *c = &forced[i];
        snprintf(label, sizeof label, "Gemm M%d N%d K%d transA %d transB %d C kind %d alpha %g beta %g",
                 c->m, c->n, c->k, c->ta, c->tb, c->c_kind, c->alpha, c->beta);
        fails += kh_check(rt, build_gemm(c->m, c->n, c->k, c->ta, c->tb, c->c_kind, c->alpha, c->beta),
                          "gemm_smallm", "gemm_smallm", label);
    }
    const int64_t a2[2] = {3, 17}, b2[2] = {17, 1001}, a3[3] = {2, 4, 17}, b3[3] = {2, 17, 7};
    const int64_t vk[1] = {1280}, bk[2] = {1280, 7}, ak[2] = {3, 1280};
    fails += kh_check(rt, kh_matmul(2, a2, 2, b2), "gemm_smallm", "gemm_smallm", "MatMul 3x17 @ 17x1001");
    fails += kh_check(rt, kh_matmul(3, a3, 3, b3), "gemm_smallm", "gemm_smallm", "MatMul batched 2x4x17 @ 2x17x7");
    fails += kh_check(rt, kh_matmul(3, a3, 2, (int64_t[]){17, 7}), "gemm_smallm", "gemm_smallm",
                      "MatMul batched A, shared B");
    fails += kh_check(rt, kh_matmul(1, vk, 2, bk), "gemm_smallm", "gemm_smallm", "MatMul 1-D A");
    fails += kh_check(rt, kh_matmul(2, ak, 1, vk), "gemm_smallm", "gemm_smallm", "MatMul 1-D B (nt)");
    /* automatic choice */
    fails += kh_check(rt, build_gemm(1, 1000, 1280, 0, 1, 1, 1.0f, 1.0f), NULL, "gemm_smallm",
                      "auto: classifier picks gemm_smallm");
    fails += kh_check(rt, kh_matmul(1, vk, 2, bk), NULL, "gemm_smallm", "auto: MatMul 1-D A K 1280");
    fails += kh_check(rt, build_gemm(5, 7, 1280, 0, 1, 1, 1.0f, 1.0f), NULL, "gemm_general",
                      "auto: M 5 keeps gemm_general");
    fails += kh_check(rt, build_gemm(1, 1000, 17, 0, 1, 1, 1.0f, 1.0f), NULL, "gemm_general",
                      "auto: K 17 keeps gemm_general");
    fails += kh_check(rt, build_gemm(1, 1000, 1280, 0, 1, 1, 1.0f, 1.0f), "gemm_general", "gemm_general",
                      "forced gemm_general on the classifier");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d gemm_smallm case(s) failed", fails);
}

/* transB 0 only: gemm_tile needs B contiguous along N */
static const gemm_case tiled[] = {
    {1, 1, 1, 0, 0, 1, 1.0f, 1.0f},
    {4, 8, 17, 0, 0, 2, 1.0f, 1.0f},       /* one whole block */
    {5, 9, 17, 0, 0, 3, 0.5f, 2.0f},       /* a row and a column past the block */
    {7, 7, 3, 1, 0, 4, 1.0f, -1.0f},       /* transA: strided A, partial blocks only */
    {13, 1001, 96, 0, 0, 1, 1.0f, 1.0f},   /* M % 4 == 1, N % 8 == 1 */
    {3, 17, 1, 0, 0, 0, 2.0f, 0.5f},       /* K 1 */
    {12, 16, 96, 1, 0, -1, 1.5f, 1.0f},
    {9, 1, 17, 0, 0, 2, 1.0f, 1.0f},       /* N 1 */
};

static void test_gemm_tile(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    char label[160];
    for (size_t i = 0; i < sizeof tiled / sizeof tiled[0]; i++) {
        const gemm_case *c = &tiled[i];
        snprintf(label, sizeof label, "tile: Gemm M%d N%d K%d transA %d C kind %d alpha %g beta %g",
                 c->m, c->n, c->k, c->ta, c->c_kind, c->alpha, c->beta);
        fails += kh_check(rt, build_gemm(c->m, c->n, c->k, c->ta, c->tb, c->c_kind, c->alpha, c->beta),
                          "gemm_tile", "gemm_tile", label);
    }
    const int64_t a3[3] = {3, 11, 17}, b3[3] = {3, 17, 13}, a4[3] = {2, 49, 96}, vk[1] = {17};
    fails += kh_check(rt, kh_matmul(3, a3, 3, b3), "gemm_tile", "gemm_tile", "tile: MatMul batched 3x11x17 @ 3x17x13");
    fails += kh_check(rt, kh_matmul(3, a3, 2, (int64_t[]){17, 9}), "gemm_tile", "gemm_tile",
                      "tile: MatMul batched A, shared B");
    fails += kh_check(rt, kh_matmul(2, (int64_t[]){6, 17}, 1, vk), "gemm_tile", "gemm_tile",
                      "tile: MatMul 1-D B");
    /* automatic choice: channels-last Linear [1,7,7,96] @ [96,384] (ConvNeXt's) */
    fails += kh_check(rt, kh_matmul(4, (int64_t[]){1, 7, 7, 96}, 2, (int64_t[]){96, 384}), NULL,
                      "gemm_tile", "auto: MatMul 1x7x7x96 @ 96x384 picks gemm_tile");
    fails += kh_check(rt, kh_matmul(3, a4, 2, (int64_t[]){96, 33}), NULL, "gemm_tile",
                      "auto: MatMul 2x49x96 @ 96x33");
    fails += kh_check(rt, build_gemm(49, 33, 96, 0, 1, 1, 1.0f, 1.0f), NULL, "gemm_general",
                      "auto: transB (B along K) keeps gemm_general");
    fails += kh_check(rt, build_gemm(7, 33, 96, 0, 0, 1, 1.0f, 1.0f), NULL, "gemm_general",
                      "auto: M 7 keeps gemm_general");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d gemm_tile case(s) failed", fails);
}

/* An activation after a Gemm runs in the Gemm's store (one launch), in every
 * variant a Gemm can take: gemm_smallm nt/nn, gemm_general, gemm_tile, at odd
 * N, K and M, with and without C; an activation whose input is also a graph
 * output stays its own launch. */
static void test_gemm_act(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const ir_op acts[] = {IR_OP_RELU, IR_OP_CLIP, IR_OP_LEAKYRELU, IR_OP_HARDSIGMOID,
                                 IR_OP_HARDSWISH, IR_OP_SIGMOID};
    static const struct {
        const char *variant;
        gemm_case c;
    } cases[] = {
        {"gemm_smallm", {1, 1000, 1280, 0, 1, 1, 1.0f, 1.0f}}, /* MobileNetV3's classifier */
        {"gemm_smallm", {3, 7, 17, 0, 1, 2, 0.5f, 2.0f}},
        {"gemm_smallm", {1, 1001, 96, 0, 0, 1, 1.0f, 1.0f}}, /* nn, N % 4 == 1 */
        {"gemm_smallm", {4, 7, 1, 0, 1, -1, 1.5f, 1.0f}},
        {"gemm_general", {5, 7, 9, 0, 1, 2, 1.0f, 1.0f}},
        {"gemm_general", {1, 1, 1, 1, 1, 0, -1.0f, 1.0f}},
        {"gemm_tile", {13, 1001, 96, 0, 0, 1, 1.0f, 1.0f}},
        {"gemm_tile", {5, 9, 17, 1, 0, 3, 0.5f, 2.0f}},
    };
    int fails = 0;
    char label[200];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t a = 0; a < sizeof acts / sizeof acts[0]; a++) {
            const gemm_case *c = &cases[i].c;
            snprintf(label, sizeof label, "Gemm+%s M%d N%d K%d transA %d transB %d C kind %d (%s)",
                     ir_op_name(acts[a]), c->m, c->n, c->k, c->ta, c->tb, c->c_kind,
                     cases[i].variant);
            fails += kh_check_k(rt, build_gemm_act(c->m, c->n, c->k, c->ta, c->tb, c->c_kind,
                                                   c->alpha, c->beta, acts[a]),
                                cases[i].variant, cases[i].variant, 1, label);
        }
    /* Swish and HardSwish spelt as y * Sigmoid(y) / y * HardSigmoid(y) (MobileNetV3's
     * classifier from the opset-13 exporter): the Gemm's store, one launch */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int hard = 0; hard < 2; hard++) {
            const gemm_case *c = &cases[i].c;
            ir_graph *sg = build_gemm_act(c->m, c->n, c->k, c->ta, c->tb, c->c_kind, c->alpha,
                                          c->beta, IR_OP_COUNT);
            const int y = sg->nodes[0].out[0];
            sg->n_outputs = 0;
            int s = kh_tensor(sg, "s"), z = kh_tensor(sg, "z"), mi[2] = {s, y};
            const int sn = ir_add_node(sg, hard ? IR_OP_HARDSIGMOID : IR_OP_SIGMOID, "sig", &y,
                                       1, &s, 1);
            if (hard) /* HardSwish's slope and offset, not HardSigmoid's defaults */
                ir_set_attr_float(sg, sn, "alpha", 1.0f / 6.0f);
            ir_add_node(sg, IR_OP_MUL, "mul", mi, 2, &z, 1);
            kh_output(sg, z);
            snprintf(label, sizeof label, "Gemm then x * %s(x) M%d N%d K%d (%s)",
                     hard ? "HardSigmoid" : "Sigmoid", c->m, c->n, c->k, cases[i].variant);
            fails += kh_check_k(rt, sg, cases[i].variant, cases[i].variant, 1, label);
        }
    /* y is read twice (the Relu and the graph's outputs): not fused */
    ir_graph *g = build_gemm_act(1, 1000, 1280, 0, 1, 1, 1.0f, 1.0f, IR_OP_RELU);
    kh_output(g, g->nodes[0].out[0]);
    fails += kh_check_k(rt, g, NULL, "gemm_smallm", 2, "Gemm output read twice: Relu unfused");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d fused Gemm activation case(s) failed", fails);
}

/* Sums of up to 1280 products of halves in [-2, 2): float accumulation
 * order differs from the reference's, so outputs near 0 get an absolute term. */
#define GEMM_F16_ABS 1e-4

static int f16_gemm(rt_ctx *rt, ir_graph *g, const char *label)
{
    void *host[16] = {0};
    return f16_check(rt, g, host, F16_REL, GEMM_F16_ABS, label);
}

static void test_gemm_half(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    /* gemm_smallm_nt (transB, K >= 64): the classifier (M 1: dot_contig over
     * rows of B that start at odd halves, K 1001), M 3 with a K tail, transA */
    fails += f16_gemm(rt, build_gemm(1, 1000, 1280, 0, 1, 1, 1.0f, 1.0f), "half smallm_nt classifier");
    fails += f16_gemm(rt, build_gemm(1, 13, 1001, 0, 1, 2, 0.5f, 2.0f), "half smallm_nt M1 K1001");
    fails += f16_gemm(rt, build_gemm(3, 13, 77, 1, 1, 4, 1.0f, -1.0f), "half smallm_nt M3 K77 transA");
    /* gemm_smallm_nn (B K x N): N % 4 == 1 and 3 (the scalar last group) */
    fails += f16_gemm(rt, build_gemm(1, 1001, 1280, 0, 0, 1, 1.0f, 1.0f), "half smallm_nn N1001");
    fails += f16_gemm(rt, build_gemm(4, 7, 65, 0, 0, 3, 2.0f, 0.5f), "half smallm_nn M4 N7 K65");
    fails += f16_gemm(rt, kh_matmul(1, (int64_t[]){1280}, 2, (int64_t[]){1280, 7}),
                      "half smallm MatMul 1-D A");
    /* gemm_tile (M >= 8, B along N): partial blocks, N % 8 == 1, each C kind */
    fails += f16_gemm(rt, kh_matmul(4, (int64_t[]){1, 7, 7, 96}, 2, (int64_t[]){96, 384}),
                      "half tile MatMul 1x7x7x96 @ 96x384");
    fails += f16_gemm(rt, build_gemm(13, 1001, 96, 0, 0, 1, 1.0f, 1.0f), "half tile M13 N1001");
    fails += f16_gemm(rt, build_gemm(9, 9, 17, 1, 0, 2, 0.5f, 2.0f), "half tile M9 N9 transA C MxN");
    fails += f16_gemm(rt, kh_matmul(3, (int64_t[]){3, 11, 17}, 3, (int64_t[]){3, 17, 13}),
                      "half tile MatMul batched");
    /* gemm_general (M 5-7, or B along K from M 5), every C broadcast */
    for (int ck = -1; ck <= 4; ck++) {
        char label[96];
        snprintf(label, sizeof label, "half general M5 N7 K17 transB C kind %d", ck);
        fails += f16_gemm(rt, build_gemm(5, 7, 17, 0, 1, ck, 1.5f, 0.5f), label);
    }
    fails += f16_gemm(rt, build_gemm(49, 33, 96, 1, 1, 1, 1.0f, 1.0f), "half general M49 transA transB");
    fails += f16_gemm(rt, kh_matmul(3, (int64_t[]){2, 3, 4}, 1, (int64_t[]){4}), "half MatMul 1-D B");
    /* gemm_bcast: batch dims that broadcast only partly */
    fails += f16_gemm(rt, kh_matmul(4, (int64_t[]){2, 1, 3, 4}, 3, (int64_t[]){3, 4, 2}),
                      "half bcast [2,1,3,4] @ [3,4,2]");
    rt_destroy(rt);
    if (fails)
        fail_msg("%d fp16 gemm case(s) failed", fails);
}

/* A classifier gives a row the same bits at any batch. With transB (PyTorch's
 * Linear) gemm_smallm_nt (1-4 rows) and gemm_general (5+, or K below
 * gemm_smallm's minimum) both take dot_contig per output; with B as K x N
 * (Keras / tf2onnx's MatMul weights, Gemm without transB) gemm_smallm_nn (1-4
 * rows, K >= 64), gemm_general (5-7 rows, or K < 64) and gemm_tile (8+) each
 * chain one fma per k from 0. K 1280 (the classifier) and 45 (one 32-float
 * step + tail, gemm_general below 8 rows), rows 3, 7 and 9 (gemm_tile, its
 * last block part-filled) against each row alone. */
static ir_graph *classifier(int m, int n, int k, int tb)
{
    kh_rng = 0x9E3779B97F4A7C15ull; /* the same B and C in every build */
    return build_gemm(m, n, k, 0, tb, 1, 1.0f, 1.0f);
}

static void test_gemm_batch_bits(void **state)
{
    (void)state;
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    static const int ks[] = {1280, 45}, ms[] = {3, 7, 9};
    const int n = 37;
    int fails = 0;
    for (int tb = 1; tb >= 0; tb--) {
        for (size_t ik = 0; ik < sizeof ks / sizeof ks[0]; ik++) {
            const int k = ks[ik];
            for (size_t im = 0; im < sizeof ms / sizeof ms[0] && !fails; im++) {
                const int m = ms[im];
                float *x = malloc((size_t)m * k * sizeof(float));
                float *ym = malloc((size_t)m * n * sizeof(float));
                float y1[37];
                assert_non_null(x);
                assert_non_null(ym);
                for (int i = 0; i < m * k; i++)
                    x[i] = kh_rand();
                char label[64];
                snprintf(label, sizeof label, "classifier M %d K %d transB %d", m, k, tb);
                fails += kh_run_one(rt, classifier(m, n, k, tb), NULL, x, ym, (size_t)m * n, label);
                for (int r = 0; r < m && !fails; r++) {
                    fails += kh_run_one(rt, classifier(1, n, k, tb), NULL, x + (size_t)r * k, y1, n,
                                        label);
                    if (!fails && memcmp(y1, ym + (size_t)r * n, sizeof y1) != 0) {
                        print_error("[%s] row %d: batch %d and batch 1 outputs differ\n", label, r,
                                    m);
                        fails++;
                    }
                }
                free(x), free(ym);
            }
        }
    }
    rt_destroy(rt);
    if (fails)
        fail_msg("%d classifier batch-invariance case(s) failed", fails);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gemm_smallm),
        cmocka_unit_test(test_gemm_tile),
        cmocka_unit_test(test_gemm_act),
        cmocka_unit_test(test_gemm_half),
        cmocka_unit_test(test_gemm_batch_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
