/* test_onnx_stream.c — onnx_unpack_streamed (the graph's initializers unpacked
 * one at a time, their pages given back) against protobuf-c unpacking the same
 * bytes whole: both messages packed again must be the same bytes (protobuf-c
 * packs in field order, so equal messages pack equal). On every model in
 * ../shared (the trained classifiers, each zoo family's exports, external data
 * included) and on hand-assembled graphs: initializers between nodes, a graph
 * field given twice (protobuf merges them: unpacked whole), no initializers, a
 * bad tensor inside an initializer (refused by both), a graph longer than 127
 * bytes whose length shrinks to one byte. Each case also runs on a private
 * anonymous copy whose pages are given back as they are read. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "onnx/onnx_load_priv.h"
#include "util/file_util.h"

static void *t_alloc(void *u, size_t n)
{
    (void)u;
    return malloc(n);
}

static void t_free(void *u, void *p)
{
    (void)u;
    free(p);
}

static ProtobufCAllocator alloc_ = {t_alloc, t_free, NULL};

static uint8_t *packed(const Onnx__ModelProto *mp, size_t *n)
{
    *n = protobuf_c_message_get_packed_size(&mp->base);
    uint8_t *b = malloc(*n + 1);
    assert_non_null(b);
    assert_int_equal(protobuf_c_message_pack(&mp->base, b), *n);
    return b;
}

/* Streamed (from buf, then from an own mapping that loses its pages) equals
 * whole; returns 1 when protobuf-c accepted the bytes. */
static int same_as_whole(const uint8_t *buf, size_t len, const char *what)
{
    if (onnx_wire_check(buf, len, NULL) != CLCNN_OK)
        return 0; /* the loader refuses it before unpacking */
    Onnx__ModelProto *whole = onnx__model_proto__unpack(&alloc_, len, buf);
    uint8_t *own = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(own != MAP_FAILED);
    memcpy(own, buf, len);
    Onnx__ModelProto *s1 = onnx_unpack_streamed(buf, len, NULL, &alloc_);
    Onnx__ModelProto *s2 = onnx_unpack_streamed(own, len, own, &alloc_);
    munmap(own, len); /* s2 must not point into it */
    if (!whole) {
        if (s1 || s2)
            fail_msg("%s: protobuf-c refuses it whole, the streamed unpack accepted it", what);
        return 0;
    }
    if (!s1 || !s2)
        fail_msg("%s: unpacked whole, refused streamed", what);
    size_t nw, n1, n2;
    uint8_t *bw = packed(whole, &nw), *b1 = packed(s1, &n1), *b2 = packed(s2, &n2);
    if (nw != n1 || nw != n2 || memcmp(bw, b1, nw) || memcmp(bw, b2, nw))
        fail_msg("%s: the streamed message differs from the whole one", what);
    free(bw), free(b1), free(b2);
    onnx__model_proto__free_unpacked(whole, &alloc_);
    onnx__model_proto__free_unpacked(s1, &alloc_);
    onnx__model_proto__free_unpacked(s2, &alloc_);
    return 1;
}

/* Every .onnx directly in dir; returns how many were checked. */
static int check_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".onnx"))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = 0;
        uint8_t *b = (uint8_t *)tu_slurp(path, &len);
        assert_non_null(b);
        assert_true(same_as_whole(b, len, path));
        free(b);
        n++;
    }
    closedir(d);
    return n;
}

static void test_shared_models(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/models", CLCNN_SHARED_DIR);
    int n = check_dir(dir);
    snprintf(dir, sizeof dir, "%s/zoo", CLCNN_SHARED_DIR);
    DIR *z = opendir(dir);
    assert_non_null(z);
    struct dirent *e;
    while ((e = readdir(z))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[2048];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        n += check_dir(sub);
    }
    closedir(z);
    printf("checked %d model files\n", n);
    assert_true(n >= 10);
}

/* ---- hand-assembled bytes ------------------------------------------------- */

typedef struct bytes {
    uint8_t *b;
    size_t n, cap;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2 + 64;
        o->b = realloc(o->b, o->cap);
        assert_non_null(o->b);
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_varint(bytes *o, uint64_t v)
{
    do {
        uint8_t c = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        put(o, &c, 1);
        v >>= 7;
    } while (v);
}

static void put_len_field(bytes *o, uint32_t field, const bytes *v)
{
    put_varint(o, (uint64_t)field << 3 | 2);
    put_varint(o, v->n);
    put(o, v->b, v->n);
}

/* One GraphProto field: a node n{i} (Relu x{i} -> x{i+1}) or an initializer w{i}. */
static void graph_node(bytes *g, int i)
{
    char in[16], out[16], name[16];
    snprintf(in, sizeof in, "x%d", i);
    snprintf(out, sizeof out, "x%d", i + 1);
    snprintf(name, sizeof name, "n%d", i);
    char *ins[1] = {in}, *outs[1] = {out};
    Onnx__NodeProto n = ONNX__NODE_PROTO__INIT;
    n.name = name;
    n.op_type = "Relu";
    n.n_input = 1, n.input = ins;
    n.n_output = 1, n.output = outs;
    Onnx__NodeProto *np[1] = {&n};
    Onnx__GraphProto gp = ONNX__GRAPH_PROTO__INIT;
    gp.n_node = 1, gp.node = np;
    bytes one = {0};
    one.n = one.cap = protobuf_c_message_get_packed_size(&gp.base);
    one.b = malloc(one.n + 1);
    protobuf_c_message_pack(&gp.base, one.b);
    put(g, one.b, one.n); /* a message's bytes are its fields: appending merges */
    free(one.b);
}

static void graph_init(bytes *g, int i, int n_floats, int bad)
{
    char name[16];
    snprintf(name, sizeof name, "w%d", i);
    float *v = calloc((size_t)n_floats, sizeof(float));
    for (int k = 0; k < n_floats; k++)
        v[k] = (float)(i * 1000 + k);
    int64_t dims[1] = {n_floats};
    Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
    t.name = name;
    t.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    t.n_dims = 1, t.dims = dims;
    t.has_raw_data = 1;
    t.raw_data.len = sizeof(float) * (size_t)n_floats;
    t.raw_data.data = (uint8_t *)v;
    bytes tb = {0};
    tb.n = tb.cap = protobuf_c_message_get_packed_size(&t.base);
    tb.b = malloc(tb.n + 1);
    protobuf_c_message_pack(&t.base, tb.b);
    if (bad) {
        /* data_type (field 2, varint) as a 32-bit field instead: the wire
         * is well formed, protobuf-c refuses the type mismatch */
        static const uint8_t wrong[5] = {2 << 3 | 5, 1, 0, 0, 0};
        put(&tb, wrong, sizeof wrong);
    }
    put_len_field(g, 5, &tb);
    free(tb.b);
    free(v);
}

/* ModelProto: ir_version, one opset, then the graph field(s). */
static void model_of(bytes *m, const bytes *g1, const bytes *g2)
{
    Onnx__OperatorSetIdProto op = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    op.has_version = 1, op.version = 13;
    op.domain = "";
    Onnx__OperatorSetIdProto *ops[1] = {&op};
    Onnx__ModelProto mp = ONNX__MODEL_PROTO__INIT;
    mp.has_ir_version = 1, mp.ir_version = 8;
    mp.n_opset_import = 1, mp.opset_import = ops;
    mp.producer_name = "test_onnx_stream";
    bytes head = {0};
    head.n = head.cap = protobuf_c_message_get_packed_size(&mp.base);
    head.b = malloc(head.n + 1);
    protobuf_c_message_pack(&mp.base, head.b);
    put(m, head.b, head.n);
    free(head.b);
    put_len_field(m, 7, g1);
    if (g2)
        put_len_field(m, 7, g2);
}

static void test_interleaved(void **state)
{
    (void)state;
    bytes g = {0}, m = {0};
    graph_init(&g, 0, 3000, 0); /* an initializer before any node, over pages */
    graph_node(&g, 0);
    graph_init(&g, 1, 5, 0);
    graph_node(&g, 1);
    graph_init(&g, 2, 1024, 0);
    graph_init(&g, 3, 2, 0);
    model_of(&m, &g, NULL);
    assert_true(same_as_whole(m.b, m.n, "interleaved"));
    free(g.b), free(m.b);
}

static void test_short_graph_length(void **state)
{
    (void)state;
    /* 300 bytes of graph (2-byte length) whose rest after the cut is one node
     * (1-byte length) */
    bytes g = {0}, m = {0};
    graph_node(&g, 0);
    graph_init(&g, 0, 70, 0);
    assert_true(g.n > 127);
    model_of(&m, &g, NULL);
    assert_true(same_as_whole(m.b, m.n, "short graph length"));
    free(g.b), free(m.b);
}

static void test_graph_twice(void **state)
{
    (void)state;
    bytes g1 = {0}, g2 = {0}, m = {0};
    graph_node(&g1, 0);
    graph_init(&g1, 0, 40, 0);
    graph_node(&g2, 1);
    graph_init(&g2, 1, 50, 0);
    model_of(&m, &g1, &g2); /* protobuf merges the two: nodes n0, n1; w0, w1 */
    assert_true(same_as_whole(m.b, m.n, "graph twice"));
    Onnx__ModelProto *mp = onnx_unpack_streamed(m.b, m.n, NULL, &alloc_);
    assert_non_null(mp);
    assert_int_equal(mp->graph->n_node, 2);
    assert_int_equal(mp->graph->n_initializer, 2);
    onnx__model_proto__free_unpacked(mp, &alloc_);
    free(g1.b), free(g2.b), free(m.b);
}

static void test_no_initializers(void **state)
{
    (void)state;
    bytes g = {0}, m = {0};
    graph_node(&g, 0);
    graph_node(&g, 1);
    model_of(&m, &g, NULL);
    assert_true(same_as_whole(m.b, m.n, "no initializers"));
    free(g.b), free(m.b);
}

static void test_bad_initializer(void **state)
{
    (void)state;
    for (int which = 0; which < 3; which++) { /* the first, a middle and the last one bad */
        bytes g = {0}, m = {0};
        for (int i = 0; i < 3; i++) {
            graph_node(&g, i);
            graph_init(&g, i, 2000, i == which);
        }
        model_of(&m, &g, NULL);
        assert_false(same_as_whole(m.b, m.n, "bad initializer"));
        free(g.b), free(m.b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_models),  cmocka_unit_test(test_interleaved),
        cmocka_unit_test(test_short_graph_length), cmocka_unit_test(test_graph_twice),
        cmocka_unit_test(test_no_initializers), cmocka_unit_test(test_bad_initializer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
