/* test_onnx_load.c — onnx_load on every shared model (inputs, outputs, shape
 * chains folded, weights present) and on bad files written here: missing,
 * empty, truncated, random, broken external data, plus small models built
 * with protobuf-c (unknown op, escaping external paths, cycles, bad dims).
 * Each bad case checks the exact status and that the message names the file. */
#include <dirent.h>
#include <errno.h>
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

#include "core/ir.h"
#include "onnx.pb-c.h"
#include "onnx/onnx.h"
#include "util/file_util.h"

#define SHARED CLCNN_SHARED_DIR
/* cmocka's skip() says nothing; say why first. */
#define SKIP_MSG(msg)                             \
    do {                                          \
        print_message("skipped: %s\n", msg);     \
        skip();                                   \
    } while (0)

static char tmpdir[256];

/* ---------- small file helpers ---------- */

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static const char *tpath(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", tmpdir, name);
    return buf;
}

/* Loads a file expected to fail; checks status and that msg names `needle`s. */
static void expect_fail(const char *path, clcnn_status want, const char *needle1,
                        const char *needle2)
{
    ir_graph *g = NULL;
    clcnn_err e = {0};
    clcnn_status st = onnx_load(path, &g, &e);
    if (st != want || !strstr(e.msg, needle1) || (needle2 && !strstr(e.msg, needle2)))
        fail_msg("%s: got %s '%s', wanted %s naming '%s'%s%s", path, clcnn_status_str(st), e.msg,
                 clcnn_status_str(want), needle1, needle2 ? " and " : "", needle2 ? needle2 : "");
    assert_null(g);
    assert_null(strchr(e.msg, '\n')); /* one line */
    err_clear(&e);
}

/* ---------- the shared models ---------- */

static int have_shared(void)
{
    struct stat sb;
    return stat(SHARED "/zoo/zoo.json", &sb) == 0 && stat(SHARED "/models", &sb) == 0;
}

/* Input dims of `name` in zoo.json: a narrow scan, the file is our own. */
static int zoo_input(const char *json, const char *name, int64_t dims[4])
{
    char key[320];
    snprintf(key, sizeof key, "\"name\": \"%s\"", name);
    const char *p = strstr(json, key);
    if (!p || !(p = strstr(p, "\"input\"")) || !(p = strchr(p, '[')))
        return -1;
    for (int d = 0; d < 4; d++) {
        while (*p && (*p < '0' || *p > '9'))
            p++;
        dims[d] = strtoll(p, (char **)&p, 10);
    }
    return 0;
}

static void check_model(const char *path, const int64_t in[4], int64_t classes)
{
    ir_graph *g = NULL;
    clcnn_err e = {0};
    clcnn_status st = onnx_load(path, &g, &e);
    if (st)
        fail_msg("%s: %s %s", path, clcnn_status_str(st), e.msg);
    assert_int_equal(g->n_inputs, 1);
    const ir_tensor *x = &g->tensors[g->inputs[0]];
    assert_int_equal(x->ndim, 4);
    for (int d = 0; d < 4; d++)
        if (x->dims[d] != in[d])
            fail_msg("%s: input dim %d is %lld, zoo says %lld", path, d, (long long)x->dims[d],
                     (long long)in[d]);
    assert_int_equal(g->n_outputs, 1);
    const ir_tensor *y = &g->tensors[g->outputs[0]];
    char buf[64];
    if (y->ndim != 2 || y->dims[0] != 1 || y->dims[1] != classes)
        fail_msg("%s: output is %s, wanted 1x%lld", path, ir_shape_str(y, buf, sizeof buf),
                 (long long)classes);
    for (int i = 0; i < g->n_nodes; i++) {
        ir_op op = g->nodes[i].op;
        if (op == IR_OP_CONSTANT || op == IR_OP_SHAPE || op == IR_OP_GATHER ||
            op == IR_OP_IDENTITY || op == IR_OP_DROPOUT)
            fail_msg("%s: node '%s' (%s) was not folded away", path, g->nodes[i].name,
                     ir_op_name(op));
    }
    int params = 0;
    for (int t = 0; t < g->n_tensors; t++)
        if (g->tensors[t].is_param) {
            assert_non_null(g->tensors[t].data);
            params++;
        }
    if (params == 0)
        fail_msg("%s: no initializers loaded", path);
    print_message("  %-60s %4d nodes %4d weights\n", path + strlen(SHARED) + 1, g->n_nodes, params);
    ir_graph_free(g);
}

static void test_zoo_models(void **state)
{
    if (!have_shared())
        SKIP_MSG("shared data not found at " SHARED);
    size_t len;
    char *json = tu_slurp(SHARED "/zoo/zoo.json", &len);
    assert_non_null(json);
    DIR *d = opendir(SHARED "/zoo");
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d))) {
        char path[1024];
        struct stat sb;
        snprintf(path, sizeof path, SHARED "/zoo/%s/model.onnx", de->d_name);
        if (de->d_name[0] == '.' || stat(path, &sb))
            continue;
        int64_t in[4];
        if (zoo_input(json, de->d_name, in))
            fail_msg("zoo.json has no entry for %s", de->d_name);
        check_model(path, in, 100);
        n++;
    }
    closedir(d);
    free(json);
    assert_true(n >= 11);
}

static void test_trained_models(void **state)
{
    if (!have_shared())
        SKIP_MSG("shared data not found at " SHARED);
    DIR *d = opendir(SHARED "/models");
    assert_non_null(d);
    struct dirent *de;
    int n = 0;
    const int64_t in[4] = {1, 3, 224, 224};
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 5, ".onnx") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, SHARED "/models/%s", de->d_name);
        /* MODELS.md: the TF-Lite SqueezeNet keeps a background class */
        check_model(path, in, strstr(de->d_name, "tflite") ? 1001 : 1000);
        n++;
    }
    closedir(d);
    assert_true(n >= 4);
}

/* ---------- bad files ---------- */

static void test_bad_files(void **state)
{
    char p[512], q[512];
    expect_fail(tpath(p, "missing.onnx"), CLCNN_ERR_IO, p, "No such file");
    spit(tpath(p, "empty.onnx"), "", 0);
    expect_fail(p, CLCNN_ERR_PARSE, p, "not a valid ONNX model");
    uint8_t rnd[4096];
    uint32_t s = 12345u; /* fixed LCG: the same bytes every run */
    for (size_t i = 0; i < sizeof rnd; i++) {
        s = s * 1664525u + 1013904223u;
        rnd[i] = (uint8_t)(s >> 24);
    }
    spit(tpath(p, "random.onnx"), rnd, sizeof rnd);
    expect_fail(p, CLCNN_ERR_PARSE, p, "not a valid ONNX model");
    expect_fail(tmpdir, CLCNN_ERR_IO, tmpdir, NULL); /* a folder */
    if (!have_shared())
        SKIP_MSG("shared data not found at " SHARED " (ran the self-contained cases)");

    size_t len;
    char *buf = tu_slurp(SHARED "/zoo/mobilenet_v1_a025/model.onnx", &len);
    assert_non_null(buf);
    assert_true(len > 1000);
    spit(tpath(p, "truncated.onnx"), buf, 1000);
    free(buf);
    expect_fail(p, CLCNN_ERR_PARSE, p, "protobuf parse failed");

    /* external data: a real dynamo export beside a cut .data, then with none */
    buf = tu_slurp(SHARED "/zoo/efficientnet_b0_w05/model.onnx", &len);
    assert_non_null(buf);
    assert_int_equal(mkdir(tpath(p, "cut"), 0700), 0);
    assert_int_equal(mkdir(tpath(p, "nodata"), 0700), 0);
    spit(tpath(p, "cut/model.onnx"), buf, len);
    spit(tpath(q, "nodata/model.onnx"), buf, len);
    free(buf);
    buf = tu_slurp(SHARED "/zoo/efficientnet_b0_w05/model.onnx.data", &len);
    assert_non_null(buf);
    spit(tpath(p, "cut/model.onnx.data"), buf, len / 2);
    free(buf);
    expect_fail(tpath(p, "cut/model.onnx"), CLCNN_ERR_PARSE, p, "model.onnx.data");
    expect_fail(tpath(q, "nodata/model.onnx"), CLCNN_ERR_IO, q, "model.onnx.data");
}

/* ---------- small models built with protobuf-c ----------
 * Built on the heap so onnx__model_proto__free_unpacked can free them. */

static char *sdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    assert_non_null(d);
    return strcpy(d, s);
}

#define PUSH(arr, n, item)                                                    \
    do {                                                                      \
        (arr) = realloc((arr), sizeof *(arr) * ((n) + 1));                    \
        assert_non_null(arr);                                                 \
        (arr)[(n)++] = (item);                                                \
    } while (0)

static Onnx__GraphProto *graph_new(void)
{
    Onnx__GraphProto *g = malloc(sizeof *g);
    assert_non_null(g);
    onnx__graph_proto__init(g);
    g->name = sdup("g");
    return g;
}

/* A float tensor value-info; dim_param "N" at axis param_axis (-1: none). */
static Onnx__ValueInfoProto *vinfo(const char *name, int nd, const int64_t *dims, int param_axis)
{
    Onnx__ValueInfoProto *vi = malloc(sizeof *vi);
    Onnx__TypeProto *tp = malloc(sizeof *tp);
    Onnx__TypeProto__Tensor *tt = malloc(sizeof *tt);
    Onnx__TensorShapeProto *sh = malloc(sizeof *sh);
    assert_true(vi && tp && tt && sh);
    onnx__value_info_proto__init(vi);
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    onnx__tensor_shape_proto__init(sh);
    for (int d = 0; d < nd; d++) {
        Onnx__TensorShapeProto__Dimension *dim = malloc(sizeof *dim);
        assert_non_null(dim);
        onnx__tensor_shape_proto__dimension__init(dim);
        if (d == param_axis) {
            dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            dim->dim_param = sdup("N");
        } else {
            dim->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            dim->dim_value = dims[d];
        }
        PUSH(sh->dim, sh->n_dim, dim);
    }
    tt->has_elem_type = 1;
    tt->elem_type = IR_DT_FLOAT;
    tt->shape = sh;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->name = sdup(name);
    vi->type = tp;
    return vi;
}

/* ins/outs: space-separated names; "-" stands for an omitted optional "". */
static Onnx__NodeProto *node(Onnx__GraphProto *g, const char *op, const char *name,
                             const char *ins, const char *outs)
{
    Onnx__NodeProto *n = malloc(sizeof *n);
    assert_non_null(n);
    onnx__node_proto__init(n);
    n->op_type = sdup(op);
    n->name = sdup(name);
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", ins);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        PUSH(n->input, n->n_input, sdup(strcmp(t, "-") ? t : ""));
    snprintf(buf, sizeof buf, "%s", outs);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        PUSH(n->output, n->n_output, sdup(t));
    PUSH(g->node, g->n_node, n);
    return n;
}

static Onnx__AttributeProto *attr(Onnx__NodeProto *n, const char *name, int type)
{
    Onnx__AttributeProto *a = malloc(sizeof *a);
    assert_non_null(a);
    onnx__attribute_proto__init(a);
    a->name = sdup(name);
    a->has_type = 1;
    a->type = type;
    PUSH(n->attribute, n->n_attribute, a);
    return a;
}

static Onnx__TensorProto *tensor(const char *name, int dtype, int nd, const int64_t *dims)
{
    Onnx__TensorProto *t = malloc(sizeof *t);
    assert_non_null(t);
    onnx__tensor_proto__init(t);
    t->name = sdup(name);
    t->has_data_type = 1;
    t->data_type = dtype;
    for (int d = 0; d < nd; d++)
        PUSH(t->dims, t->n_dims, dims[d]);
    return t;
}

static void ext_entry(Onnx__TensorProto *t, const char *k, const char *v)
{
    Onnx__StringStringEntryProto *e = malloc(sizeof *e);
    assert_non_null(e);
    onnx__string_string_entry_proto__init(e);
    e->key = sdup(k);
    e->value = sdup(v);
    PUSH(t->external_data, t->n_external_data, e);
    t->has_data_location = 1;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
}

/* Packs g into a model (opset 13) at tmpdir/name, frees g; returns the path. */
static const char *write_model(char *path, const char *name, Onnx__GraphProto *g)
{
    Onnx__ModelProto *m = malloc(sizeof *m);
    Onnx__OperatorSetIdProto *op = malloc(sizeof *op);
    assert_true(m && op);
    onnx__model_proto__init(m);
    onnx__operator_set_id_proto__init(op);
    op->domain = sdup("");
    op->has_version = 1;
    op->version = 13;
    PUSH(m->opset_import, m->n_opset_import, op);
    m->has_ir_version = 1;
    m->ir_version = 8;
    m->graph = g;
    size_t len = onnx__model_proto__get_packed_size(m);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    onnx__model_proto__pack(m, buf);
    spit(tpath(path, name), buf, len);
    free(buf);
    onnx__model_proto__free_unpacked(m, NULL);
    return path;
}

/* x[1,3] -> Relu -> y: the skeleton most cases below extend. */
static Onnx__GraphProto *relu_graph(const char *node_name)
{
    static const int64_t d[2] = {1, 3};
    Onnx__GraphProto *g = graph_new();
    PUSH(g->input, g->n_input, vinfo("x", 2, d, -1));
    PUSH(g->output, g->n_output, vinfo("y", 2, d, -1));
    node(g, "Relu", node_name, "x", "y");
    return g;
}

static void test_built_bad(void **state)
{
    char p[512];
    static const int64_t d13[2] = {1, 3};

    Onnx__GraphProto *g = relu_graph("r");
    node(g, "Foo", "weird", "y", "z");
    expect_fail(write_model(p, "unknown_op.onnx", g), CLCNN_ERR_UNSUPPORTED, p,
                "node 'weird': op 'Foo' (opset 13) is not supported");

    g = relu_graph("r");
    node(g, "Relu", "ms", "y", "z")->domain = sdup("com.microsoft");
    expect_fail(write_model(p, "domain.onnx", g), CLCNN_ERR_UNSUPPORTED, p, "com.microsoft");

    g = relu_graph("r");
    Onnx__AttributeProto *a = attr(g->node[0], "body", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH);
    a->g = graph_new();
    expect_fail(write_model(p, "graph_attr.onnx", g), CLCNN_ERR_UNSUPPORTED, p,
                "node 'r': attribute 'body'");

    const char *escapes[] = {"../x.data", "/etc/passwd", "a/../../x.data"};
    for (int i = 0; i < 3; i++) {
        g = relu_graph("r");
        Onnx__TensorProto *t = tensor("w", IR_DT_FLOAT, 2, d13);
        ext_entry(t, "location", escapes[i]);
        PUSH(g->initializer, g->n_initializer, t);
        expect_fail(write_model(p, "escape.onnx", g), CLCNN_ERR_PARSE, p, "refused");
    }
    /* a symlink inside the folder that points out of it */
    char link[512];
    unlink(tpath(link, "link.data"));
    assert_int_equal(symlink("/etc/passwd", link), 0);
    g = relu_graph("r");
    Onnx__TensorProto *t = tensor("w", IR_DT_FLOAT, 2, d13);
    ext_entry(t, "location", "link.data");
    PUSH(g->initializer, g->n_initializer, t);
    expect_fail(write_model(p, "symlink.onnx", g), CLCNN_ERR_PARSE, p, "refused");

    g = relu_graph("r");
    int64_t neg[2] = {2, -3}, huge[3] = {1 << 20, 1 << 20, 1 << 20};
    PUSH(g->initializer, g->n_initializer, tensor("wneg", IR_DT_FLOAT, 2, neg));
    expect_fail(write_model(p, "negdim.onnx", g), CLCNN_ERR_SHAPE, p, "tensor 'wneg'");
    g = relu_graph("r");
    PUSH(g->initializer, g->n_initializer, tensor("whuge", IR_DT_FLOAT, 3, huge));
    expect_fail(write_model(p, "hugedim.onnx", g), CLCNN_ERR_SHAPE, p, "tensor 'whuge'");

    g = relu_graph("r");
    t = tensor("wshort", IR_DT_FLOAT, 2, d13);
    PUSH(t->float_data, t->n_float_data, 1.0f); /* 1 value for 3 elements */
    PUSH(g->initializer, g->n_initializer, t);
    expect_fail(write_model(p, "short.onnx", g), CLCNN_ERR_PARSE, p, "tensor 'wshort'");

    /* a -> b -> a */
    g = graph_new();
    PUSH(g->input, g->n_input, vinfo("x", 2, d13, -1));
    PUSH(g->output, g->n_output, vinfo("b", 2, d13, -1));
    node(g, "Add", "first", "x b", "a");
    node(g, "Relu", "second", "a", "b");
    expect_fail(write_model(p, "cycle.onnx", g), CLCNN_ERR_GRAPH, p, "cycle");

    g = graph_new();
    PUSH(g->input, g->n_input, vinfo("x", 4, (const int64_t[]){1, 3, 8, 8}, 2));
    PUSH(g->output, g->n_output, vinfo("y", 4, (const int64_t[]){1, 3, 8, 8}, -1));
    node(g, "Relu", "r", "x", "y");
    expect_fail(write_model(p, "symdim.onnx", g), CLCNN_ERR_UNSUPPORTED, p, "input 'x'");

    g = relu_graph("r");
    PUSH(g->output, g->n_output, vinfo("nowhere", 2, d13, -1));
    expect_fail(write_model(p, "deadout.onnx", g), CLCNN_ERR_GRAPH, p, "'nowhere'");
}

/* Constants from attributes, typed initializer fields, a symbolic batch dim
 * and an unnamed node all load as the ONNX spec says. */
static void test_built_good(void **state)
{
    char p[512];
    static const int64_t d13[2] = {1, 3}, d3[1] = {3};
    Onnx__GraphProto *g = graph_new();
    PUSH(g->input, g->n_input, vinfo("x", 2, d13, 0));
    PUSH(g->output, g->n_output, vinfo("y", 2, d13, -1));
    Onnx__NodeProto *c = node(g, "Constant", "c", "", "cv");
    Onnx__AttributeProto *a = attr(c, "value_floats", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    for (int i = 0; i < 3; i++)
        PUSH(a->floats, a->n_floats, 0.5f * (float)(i + 1));
    Onnx__TensorProto *w = tensor("w", IR_DT_FLOAT, 1, d3);
    for (int i = 0; i < 3; i++)
        PUSH(w->float_data, w->n_float_data, -1.0f - (float)i);
    PUSH(g->initializer, g->n_initializer, w);
    node(g, "Add", "", "x cv", "s");
    node(g, "Mul", "m", "s w", "y");
    write_model(p, "good.onnx", g);

    ir_graph *ir = NULL;
    clcnn_err e = {0};
    clcnn_status st = onnx_load(p, &ir, &e);
    if (st)
        fail_msg("%s: %s", clcnn_status_str(st), e.msg);
    assert_int_equal(ir->opset, 13);
    assert_int_equal(ir->n_inputs, 1);
    const ir_tensor *x = &ir->tensors[ir->inputs[0]];
    assert_int_equal(x->ndim, 2);
    assert_int_equal(x->dims[0], 1); /* symbolic batch -> 1 */
    assert_int_equal(ir->n_nodes, 2);
    assert_string_equal(ir->nodes[0].name, "Add_1"); /* synthesised: type + file index */
    const ir_tensor *cv = ir_in(ir, &ir->nodes[0], 1), *wt = ir_in(ir, &ir->nodes[1], 1);
    assert_non_null(cv);
    assert_string_equal(cv->name, "cv");
    assert_int_equal(cv->is_param, 0);
    assert_int_equal(cv->ndim, 1);
    const float *cvd = cv->data, *wd = wt->data;
    assert_true(cvd[0] == 0.5f && cvd[1] == 1.0f && cvd[2] == 1.5f);
    assert_int_equal(wt->is_param, 1);
    assert_true(wd[0] == -1.0f && wd[1] == -2.0f && wd[2] == -3.0f);
    const ir_tensor *y = &ir->tensors[ir->outputs[0]];
    assert_int_equal(y->ndim, 2);
    assert_int_equal(y->dims[1], 3);
    ir_graph_free(ir);
}

/* raw_data of n floats, value i * 0.25 - 7 at element i. */
static Onnx__TensorProto *raw_tensor(const char *name, int64_t n)
{
    const int64_t d[2] = {1, n};
    Onnx__TensorProto *t = tensor(name, IR_DT_FLOAT, 2, d);
    float *v = malloc((size_t)n * sizeof *v);
    assert_non_null(v);
    for (int64_t i = 0; i < n; i++)
        v[i] = (float)i * 0.25f - 7.0f;
    t->has_raw_data = 1;
    t->raw_data.len = (size_t)n * sizeof *v;
    t->raw_data.data = (uint8_t *)v;
    return t;
}

static void check_raw(const ir_tensor *t, int64_t n)
{
    assert_non_null(t);
    assert_int_equal(t->ndim, 2);
    assert_int_equal(t->dims[1], n);
    const float *v = t->data;
    for (int64_t i = 0; i < n; i++)
        if (v[i] != (float)i * 0.25f - 7.0f)
            fail_msg("'%s'[%lld] = %g", t->name, (long long)i, v[i]);
}

/* Weights on either side of the page (IR_PAGE bytes) from which the loader
 * moves a raw_data block into the graph instead of copying it, as
 * initializers and as a Constant's value, from a file and from memory: every
 * value arrives, and nothing is freed twice (the sanitizer jobs run this). */
static void test_raw_data_sizes(void **state)
{
    static const int64_t sizes[] = {1023, 1024, 1025, 3000};
    for (int k = 0; k < 4; k++) {
        const int64_t n = sizes[k], d[2] = {1, n};
        Onnx__GraphProto *g = graph_new();
        PUSH(g->input, g->n_input, vinfo("x", 2, d, -1));
        PUSH(g->output, g->n_output, vinfo("y", 2, d, -1));
        PUSH(g->initializer, g->n_initializer, raw_tensor("w", n));
        Onnx__NodeProto *c = node(g, "Constant", "c", "", "cv");
        attr(c, "value", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR)->t = raw_tensor("cv", n);
        node(g, "Add", "a", "x w", "s");
        node(g, "Mul", "m", "s cv", "y");
        char p[512];
        write_model(p, "raw.onnx", g);
        size_t len = 0;
        char *bytes = tu_slurp(p, &len);
        assert_non_null(bytes);
        for (int from_mem = 0; from_mem < 2; from_mem++) {
            ir_graph *ir = NULL;
            clcnn_err e = {0};
            clcnn_status st = from_mem ? onnx_load_mem(bytes, len, "raw", &ir, &e)
                                       : onnx_load(p, &ir, &e);
            if (st)
                fail_msg("%lld floats: %s: %s", (long long)n, clcnn_status_str(st), e.msg);
            assert_int_equal(ir->n_nodes, 2);
            check_raw(ir_in(ir, &ir->nodes[0], 1), n);
            check_raw(ir_in(ir, &ir->nodes[1], 1), n);
            ir_graph_free(ir);
        }
        free(bytes);
    }
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clcnn_onnx_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

/* Removes what the tests wrote (one level of subfolders). */
static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (unlink(p) && errno == EISDIR)
            rm_tree(p);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    rm_tree(tmpdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_built_bad),
        cmocka_unit_test(test_built_good),
        cmocka_unit_test(test_raw_data_sizes),
        cmocka_unit_test(test_zoo_models),
        cmocka_unit_test(test_trained_models),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
