/* test_tune.c — the tuning store (round trip, corrupt and truncated files
 * ignored, no decision = no CLBlast) and conv_clblast (CLBlast SGEMM + bias_act
 * epilogue) against the reference Conv at awkward shapes, with and without
 * bias and fused activations. OpenCL cases skip without a device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <unistd.h>

#include "ops_cl/conv_clblast.h"
#include "runtime/tune.h"
#include "test_kernels_harness.h"

static char *tmp_dir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/clcnn-tune-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static tune_db *open_ok(const char *path, const char *key)
{
    clcnn_err err = {0};
    tune_db *db = NULL;
    clfx_check(tune_open_file(path, key, &db, &err), &err, "tune_open_file");
    assert_non_null(db);
    return db;
}

static void test_store_round_trip(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/store.txt", tmp_dir());
    clcnn_err err = {0};
    tune_db *db = open_ok(path, "dev A\tdrv 1");
    assert_int_equal(tune_was_corrupt(db), 0); /* missing file: empty, not corrupt */
    assert_int_equal(tune_use_clblast(db, 96, 3136, 24), 0);
    const size_t g3[3] = {98, 16, 1}, l3[3] = {2, 8, 1}, g1[1] = {1000}, l1[1] = {50};
    clfx_check(tune_set_clblast(db, 96, 3136, 24, 2.5, 1.25, 1, &err), &err, "set");
    clfx_check(tune_set_clblast(db, 1280, 49, 320, 0.5, 3.0, 0, &err), &err, "set");
    clfx_check(tune_set_clblast(db, 7, 7, 7, 1.0, 0.5, 1, &err), &err, "set");
    clfx_check(tune_set_clblast(db, 7, 7, 7, 0.4, 0.5, 0, &err), &err, "replace"); /* replaces */
    clfx_check(tune_set_local_size(db, "conv_pw", 3, g3, l3, &err), &err, "set lws");
    clfx_check(tune_set_local_size(db, "bias_act", 1, g1, l1, &err), &err, "set lws");
    assert_int_not_equal(tune_set_local_size(db, "bad name", 1, g1, l1, &err), CLCNN_OK);
    clfx_check(tune_save(db, &err), &err, "save");
    tune_close(db);

    db = open_ok(path, "dev A\tdrv 1");
    assert_int_equal(tune_was_corrupt(db), 0);
    assert_int_equal(tune_use_clblast(db, 96, 3136, 24), 1);
    assert_int_equal(tune_use_clblast(db, 1280, 49, 320), 0);
    assert_int_equal(tune_use_clblast(db, 7, 7, 7), 0);
    assert_int_equal(tune_use_clblast(db, 24, 3136, 96), 0); /* transposed shape: not stored */
    size_t lws[3] = {0, 0, 0};
    assert_int_equal(tune_local_size(db, "conv_pw", 3, g3, lws), 1);
    assert_int_equal(lws[0], 2);
    assert_int_equal(lws[1], 8);
    assert_int_equal(tune_local_size(db, "bias_act", 1, g1, lws), 1);
    assert_int_equal(lws[0], 50);
    const size_t g3b[3] = {98, 16, 2};
    assert_int_equal(tune_local_size(db, "conv_pw", 3, g3b, lws), 0);
    assert_int_equal(tune_local_size(db, "conv_dw", 3, g3, lws), 0);
    tune_close(db);

    /* another device (or driver) never reads these decisions */
    db = open_ok(path, "dev A\tdrv 2");
    assert_int_equal(tune_use_clblast(db, 96, 3136, 24), 0);
    assert_int_equal(tune_was_corrupt(db), 1);
    tune_close(db);
    unlink(path);
}

/* Each mutation of a good file must be refused whole: no decision survives. */
static void test_store_corrupt_ignored(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/store.txt", tmp_dir());
    clcnn_err err = {0};
    tune_db *db = open_ok(path, "dev");
    clfx_check(tune_set_clblast(db, 64, 49, 32, 2.0, 1.0, 1, &err), &err, "set");
    const size_t g[2] = {16, 4}, l[2] = {8, 2};
    clfx_check(tune_set_local_size(db, "conv_dw", 2, g, l, &err), &err, "set lws");
    clfx_check(tune_save(db, &err), &err, "save");
    tune_close(db);
    char good[8192];
    snprintf(good, sizeof good, "%s", read_file(path));
    db = open_ok(path, "dev"); /* the good file itself is read */
    assert_int_equal(tune_use_clblast(db, 64, 49, 32), 1);
    tune_close(db);

    const size_t len = strlen(good);
    char bad[8192];
    const char *why[] = {"truncated mid-line", "without its end line", "count off by one",
                         "garbage line", "bad magic", "bad number", "decision 2", "binary junk"};
    for (int i = 0; i < 8; i++) {
        snprintf(bad, sizeof bad, "%s", good);
        char *p;
        switch (i) {
        case 0: bad[len / 2] = 0; break;
        case 1: *strstr(bad, "end ") = 0; break;
        case 2: p = strstr(bad, "end "); snprintf(p, 16, "end 3\n"); break;
        case 3: p = strstr(bad, "end "); snprintf(p, 32, "hello\nend 2\n"); break;
        case 4: bad[0] = 'X'; break;
        case 5: p = strstr(bad, "clblast 64"); p[8] = 'x'; break;
        case 6: p = strstr(bad, " 1\n"); p[1] = '2'; break;
        case 7: memcpy(bad, "\x01\x02\xff\x00", 4); break;
        }
        write_file(path, bad);
        db = open_ok(path, "dev");
        if (tune_use_clblast(db, 64, 49, 32) != 0 || tune_was_corrupt(db) != 1)
            fail_msg("store %s was not ignored", why[i]);
        size_t lws[2];
        assert_int_equal(tune_local_size(db, "conv_dw", 2, g, lws), 0);
        tune_close(db);
    }
    unlink(path);
}

/* With no measurement stored for this device, nothing chooses CLBlast. */
static void test_no_decision_no_clblast(void **state)
{
    (void)state;
    rt_options opt = {0};
    opt.cache_dir = tmp_dir();
    rt_ctx *rt = clfx_create_opt(&opt);
    if (!rt) {
        skip();
        return;
    }
    clcnn_err err = {0};
    tune_db *db = NULL;
    clfx_check(tune_open(rt, &db, &err), &err, "tune_open");
    assert_non_null(tune_path(db));
    assert_int_equal(strncmp(tune_path(db), opt.cache_dir, strlen(opt.cache_dir)), 0);
    assert_int_equal(tune_use_clblast(db, 96, 3136, 24), 0);
    assert_int_equal(tune_use_clblast(db, 1, 1, 1), 0);
    /* a decision saved through this rt is found again by the next open */
    clfx_check(tune_set_clblast(db, 96, 3136, 24, 3.0, 1.0, 1, &err), &err, "set");
    clfx_check(tune_save(db, &err), &err, "save");
    tune_close(db);
    clfx_check(tune_open(rt, &db, &err), &err, "tune_open");
    assert_int_equal(tune_use_clblast(db, 96, 3136, 24), 1);
    unlink(tune_path(db));
    tune_close(db);
    rt_destroy(rt);
}

typedef struct pw_case {
    int n, cin, cout, h, w, bias;
    ir_op act; /* IR_OP_COUNT: none */
    int res;   /* 1: a residual Add (second input) between Conv and activation, fused */
} pw_case;

static const pw_case pw_cases[] = {
    {1, 1, 1, 1, 1, 1, IR_OP_COUNT, 0},
    {1, 3, 17, 7, 7, 1, IR_OP_RELU, 0},
    {2, 17, 33, 13, 17, 1, IR_OP_COUNT, 0},
    {2, 33, 3, 7, 7, 0, IR_OP_LEAKYRELU, 0},
    {1, 17, 1, 13, 17, 0, IR_OP_COUNT, 0},
    {2, 33, 17, 1, 1, 1, IR_OP_HARDSIGMOID, 0},
    {2, 3, 17, 13, 17, 1, IR_OP_RELU, 1},
};

static ir_graph *pw_graph(const pw_case *k, int *conv_out)
{
    ir_graph *g = kh_new(13);
    int64_t xd[4] = {k->n, k->cin, k->h, k->w}, wd[4] = {k->cout, k->cin, 1, 1}, bd[1] = {k->cout};
    int in[3];
    in[0] = kh_input(g, "x", 4, xd);
    float s = (k->act == IR_OP_COUNT ? 1.0f : 4.0f) / sqrtf((float)k->cin);
    in[1] = kh_const(g, "w", 4, wd, -s, s);
    if (k->bias)
        in[2] = kh_const(g, "b", 1, bd, -0.5f, 0.5f);
    int y = kh_tensor(g, "conv_out");
    *conv_out = y;
    int node = ir_add_node(g, IR_OP_CONV, "conv", in, k->bias ? 3 : 2, &y, 1);
    int64_t ks[2] = {1, 1};
    ir_set_attr_ints(g, node, "kernel_shape", ks, 2);
    if (k->res) {
        int64_t rd[4] = {k->n, k->cout, k->h, k->w};
        int add_in[2] = {y, kh_input(g, "r", 4, rd)};
        int s = kh_tensor(g, "sum");
        ir_add_node(g, IR_OP_ADD, "add", add_in, 2, &s, 1);
        y = s;
    }
    if (k->act == IR_OP_COUNT) {
        kh_output(g, y);
        return g;
    }
    int a = kh_tensor(g, "act_out");
    int an = ir_add_node(g, k->act, "act", &y, 1, &a, 1);
    if (k->act == IR_OP_LEAKYRELU)
        ir_set_attr_float(g, an, "alpha", 0.1f);
    kh_output(g, a);
    return g;
}

static cl_mem upload(rt_ctx *rt, const ir_tensor *t, const void *data)
{
    cl_int rc;
    cl_mem m = clCreateBuffer(rt_cl_context(rt), CL_MEM_READ_WRITE | (data ? CL_MEM_COPY_HOST_PTR : 0),
                              ir_nbytes(t), (void *)data, &rc);
    assert_int_equal(rc, CL_SUCCESS);
    return m;
}

/* Runs the conv node alone through convpw_clblast_push (activation from the IR's
 * activation node, as the plan would fuse it) and compares with exec_ref. */
static int pw_check(rt_ctx *rt, const pw_case *k)
{
    char label[160];
    snprintf(label, sizeof label, "clblast pw: N%d Cin%d -> Cout%d %dx%d bias%d res%d act %s",
             k->n, k->cin, k->cout, k->h, k->w, k->bias, k->res,
             k->act == IR_OP_COUNT ? "none" : ir_op_name(k->act));
    int y;
    ir_graph *g = pw_graph(k, &y);
    clcnn_err err = {0};
    clfx_check(ir_toposort(g, &err), &err, "toposort");
    clfx_check(ops_infer_graph(g, &err), &err, "infer");
    const ir_node *conv = NULL;
    opcl_act act = {OPCL_ACT_NONE, 0, 0};
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op == IR_OP_CONV)
            conv = &g->nodes[i];
        else if (g->nodes[i].op != IR_OP_ADD)
            assert_int_equal(opcl_act_of(g, &g->nodes[i], &act), 1);
    }
    assert_non_null(conv);
    assert_int_equal(convpw_clblast_applicable(g, conv), 1);
    const ir_tensor *xt = &g->tensors[g->inputs[0]], *ot = &g->tensors[g->outputs[0]];
    size_t nx = (size_t)ir_numel(xt), ny = (size_t)ir_numel(ot);
    float *x = malloc(nx * sizeof *x), *ref = calloc(ny, sizeof *ref), *out = malloc(ny * sizeof *out);
    float *r = malloc(ny * sizeof *r);
    for (size_t i = 0; i < nx; i++)
        x[i] = kh_rand();
    for (size_t i = 0; i < ny; i++)
        out[i] = NAN, r[i] = kh_rand();
    const float *ins[2] = {x, r};
    float *outs[1] = {ref};
    clfx_check(exec_ref_run(g, ins, outs, NULL, &err), &err, "exec_ref_run");

    cl_mem *mem = calloc((size_t)g->n_tensors, sizeof *mem);
    for (int i = 0; i < conv->n_in; i++)
        if (conv->in[i] >= 0)
            mem[conv->in[i]] = upload(rt, &g->tensors[conv->in[i]],
                                      i == 0 ? x : g->tensors[conv->in[i]].data);
    mem[y] = upload(rt, &g->tensors[y], NULL);
    opcl_ctx c = {0};
    if (k->res) {
        int rt_idx = g->inputs[1];
        mem[rt_idx] = upload(rt, &g->tensors[rt_idx], r);
        c.res = mem[rt_idx];
    }
    c.rt = rt;
    c.g = g;
    c.mem = mem;
    c.build_opts = "";
    c.act = act;
    c.out = y;
    int bad = 0;
    clcnn_status st = convpw_clblast_push(&c, conv, &err);
    if (!st && (c.n_launches != 1 || !c.launches[0].custom || strcmp(c.variant, "conv_clblast"))) {
        print_error("[%s] expected one custom launch 'conv_clblast'\n", label);
        bad = 1;
    }
    cl_event ev = NULL;
    cl_command_queue q = rt_queue(rt);
    if (!st && !bad)
        st = c.launches[0].custom(c.launches[0].custom_data, q, &ev, &err);
    if (!st && !bad) {
        assert_non_null(ev); /* profiling gets the last command's event */
        clReleaseEvent(ev);
        assert_int_equal(clEnqueueReadBuffer(q, mem[y], CL_TRUE, 0, ny * sizeof(float), out, 0,
                                             NULL, NULL), CL_SUCCESS);
        double mx = 0;
        for (size_t i = 0; i < ny; i++)
            mx = fmax(mx, fabs(ref[i]));
        for (size_t i = 0; i < ny; i++) {
            double d = fabs((double)out[i] - ref[i]);
            if (!(d <= KH_ABS + KH_REL * mx)) {
                print_error("[%s] first bad index %zu: cl %g ref %g (max|ref| %g)\n", label, i,
                            out[i], ref[i], mx);
                bad = 1;
                break;
            }
        }
    } else if (st) {
        print_error("[%s] %s: %s\n%s\n", label, clcnn_status_str(st), err.msg,
                    err.detail ? err.detail : "");
        bad = 1;
    }
    for (int i = 0; i < c.n_launches; i++)
        if (c.launches[i].custom_free)
            c.launches[i].custom_free(c.launches[i].custom_data);
    free(c.launches);
    for (int i = 0; i < g->n_tensors; i++)
        if (mem[i])
            clReleaseMemObject(mem[i]);
    free(mem);
    free(x), free(ref), free(out), free(r);
    err_clear(&err);
    ir_graph_free(g);
    return bad;
}

static void test_clblast_pw_vs_reference(void **state)
{
    (void)state;
    if (!convpw_clblast_available()) {
        print_message("skipping: clcnn built without CLBlast\n");
        skip();
        return;
    }
    rt_ctx *rt = clfx_create();
    if (!rt) {
        skip();
        return;
    }
    int fails = 0;
    for (size_t i = 0; i < sizeof pw_cases / sizeof pw_cases[0]; i++)
        fails += pw_check(rt, &pw_cases[i]);
    rt_destroy(rt);
    if (fails)
        fail_msg("%d CLBlast pointwise case(s) failed", fails);
}

/* Shapes the path must refuse: it is only a plain GEMM for 1x1/stride 1/no pads/group 1. */
static void test_clblast_applicable(void **state)
{
    (void)state;
    clcnn_err err = {0};
    for (int v = 0; v < 5; v++) {
        ir_graph *g = kh_new(13);
        int64_t xd[4] = {1, 4, 7, 7}, wd[4] = {4, v == 3 ? 2 : 4, v == 0 ? 3 : 1, v == 0 ? 3 : 1};
        int in[2] = {kh_input(g, "x", 4, xd), kh_const(g, "w", 4, wd, -1, 1)};
        int y = kh_tensor(g, "y");
        int node = ir_add_node(g, IR_OP_CONV, "conv", in, 2, &y, 1);
        const int64_t s2[2] = {2, 2}, pads[4] = {1, 0, 0, 0};
        if (v == 1)
            ir_set_attr_ints(g, node, "strides", s2, 2);
        if (v == 2)
            ir_set_attr_ints(g, node, "pads", pads, 4);
        if (v == 3)
            ir_set_attr_int(g, node, "group", 2);
        kh_output(g, y);
        clfx_check(ir_toposort(g, &err), &err, "toposort");
        clfx_check(ops_infer_graph(g, &err), &err, "infer");
        if (convpw_clblast_applicable(g, &g->nodes[0]) != (v == 4))
            fail_msg("variant %d: applicable should be %d", v, v == 4);
        if (v == 4) {
            int64_t m, n, k;
            convpw_clblast_shape(g, &g->nodes[0], &m, &n, &k);
            assert_true(m == 4 && n == 49 && k == 4);
        }
        ir_graph_free(g);
    }
}


/* The plan consults the store: with a stored "CLBlast wins" decision for the
 * conv's GEMM shape the node runs as conv_clblast (and still matches the
 * reference, residual and activation fused); without one it stays conv_pw. */
static void test_plan_follows_stored_decision(void **state)
{
    (void)state;
    if (!convpw_clblast_available()) {
        print_message("skipping: clcnn built without CLBlast\n");
        skip();
        return;
    }
    rt_options opt = {0};
    opt.cache_dir = tmp_dir();
    rt_ctx *rt = clfx_create_opt(&opt);
    if (!rt) {
        skip();
        return;
    }
    const pw_case k = {2, 3, 17, 13, 17, 1, IR_OP_RELU, 1};
    int conv_out;
    assert_int_equal(kh_check(rt, pw_graph(&k, &conv_out), NULL, "conv_pw", "no decision"), 0);
    clcnn_err err = {0};
    tune_db *db = NULL;
    clfx_check(tune_open(rt, &db, &err), &err, "tune_open");
    clfx_check(tune_set_clblast(db, k.cout, (int64_t)k.h * k.w, k.cin, 2.0, 1.0, 1, &err), &err, "set");
    clfx_check(tune_save(db, &err), &err, "save");
    assert_int_equal(kh_check(rt, pw_graph(&k, &conv_out), NULL, "conv_clblast", "stored decision"), 0);
    unlink(tune_path(db));
    tune_close(db);
    rt_destroy(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_round_trip),
        cmocka_unit_test(test_store_corrupt_ignored),
        cmocka_unit_test(test_no_decision_no_clblast),
        cmocka_unit_test(test_clblast_applicable),
        cmocka_unit_test(test_clblast_pw_vs_reference),
        cmocka_unit_test(test_plan_follows_stored_decision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
