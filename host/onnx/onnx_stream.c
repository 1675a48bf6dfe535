/* onnx_stream.c — unpacks a model with its graph's initializers one at a time.
 *
 * protobuf-c unpacks a whole message at once, copying every weight out of the
 * file's bytes: unpacked in one piece, a model is in memory twice at the peak
 * of its load (the file and the copy). Here the top-level graph's initializer
 * fields are cut out of the bytes first; the rest (nodes, names, attributes:
 * small) is unpacked by protobuf-c as it is, then each initializer is unpacked
 * from its own span, and a span whose weights are copied can give its pages
 * back (when the buffer is the loader's own), so the peak holds the copy plus
 * one tensor. The walk only finds spans: the buffer has passed onnx_wire_check
 * (every length checked against the bytes present), and protobuf-c still
 * validates every message it unpacks. A model this cannot split (no graph, a
 * graph field given twice, which protobuf merges) is unpacked whole. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "onnx_load_priv.h"

enum { WIRE_VARINT = 0, WIRE_64 = 1, WIRE_LEN = 2, WIRE_32 = 5 };
enum { MODEL_GRAPH = 7, GRAPH_INITIALIZER = 5 };

typedef struct span {
    size_t key, val, end; /* the field's key, its value's first byte, its end */
} span;

static int varint(const uint8_t *b, size_t *p, size_t end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t c = b[(*p)++];
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* The next field at *p (below end) into *f and its number into *field;
 * -1 when malformed (never, after onnx_wire_check, but checked anyway). */
static int next_field(const uint8_t *b, size_t *p, size_t end, span *f, uint32_t *field, int *wire)
{
    uint64_t key, v;
    f->key = *p;
    if (varint(b, p, end, &key))
        return -1;
    *field = (uint32_t)(key >> 3);
    *wire = (int)(key & 7);
    switch (*wire) {
    case WIRE_VARINT:
        f->val = *p;
        if (varint(b, p, end, &v))
            return -1;
        break;
    case WIRE_64:
    case WIRE_32: {
        const size_t n = *wire == WIRE_64 ? 8 : 4;
        if (end - *p < n)
            return -1;
        f->val = *p;
        *p += n;
        break;
    }
    case WIRE_LEN:
        if (varint(b, p, end, &v) || v > end - *p)
            return -1;
        f->val = *p;
        *p += (size_t)v;
        break;
    default:
        return -1;
    }
    f->end = *p;
    return 0;
}

static size_t put_varint(uint8_t *o, uint64_t v)
{
    size_t n = 0;
    do {
        o[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return n;
}

/* Finds the one graph field of the model and its initializer fields; 0 when
 * the model can be split (at least one initializer), else 1. */
static int find_spans(const uint8_t *b, size_t len, span *graph, span **inits, size_t *n_inits)
{
    size_t p = 0, n_graph = 0;
    uint32_t field;
    int wire;
    span f;
    while (p < len) {
        if (next_field(b, &p, len, &f, &field, &wire))
            return 1;
        if (field == MODEL_GRAPH) {
            if (wire != WIRE_LEN || n_graph++)
                return 1;
            *graph = f;
        }
    }
    if (!n_graph)
        return 1;
    size_t cap = 0, n = 0;
    span *s = NULL;
    for (p = graph->val; p < graph->end;) {
        if (next_field(b, &p, graph->end, &f, &field, &wire)) {
            free(s);
            return 1;
        }
        if (field != GRAPH_INITIALIZER || wire != WIRE_LEN)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            span *t = realloc(s, cap * sizeof *s);
            if (!t) {
                free(s);
                return 1; /* unpacked whole: slower on memory, still right */
            }
            s = t;
        }
        s[n++] = f;
    }
    if (!n) {
        free(s);
        return 1;
    }
    *inits = s;
    *n_inits = n;
    return 0;
}

/* The model's bytes without the graph's initializer fields (the graph's length
 * re-encoded); NULL on OOM. */
static uint8_t *skeleton(const uint8_t *b, size_t len, const span *graph, const span *in, size_t n,
                         size_t *out_len)
{
    size_t cut = 0;
    for (size_t i = 0; i < n; i++)
        cut += in[i].end - in[i].key;
    const size_t glen = graph->end - graph->val - cut;
    uint8_t *o = malloc(len - cut + 10);
    if (!o)
        return NULL;
    size_t q = 0;
    /* everything up to the graph's length, the key's own bytes included */
    size_t klen = graph->key;
    uint64_t key;
    if (varint(b, &klen, graph->val, &key)) {
        free(o);
        return NULL;
    }
    memcpy(o, b, klen);
    q = klen;
    q += put_varint(o + q, glen);
    size_t from = graph->val;
    for (size_t i = 0; i < n; i++) {
        memcpy(o + q, b + from, in[i].key - from);
        q += in[i].key - from;
        from = in[i].end;
    }
    memcpy(o + q, b + from, len - from); /* the graph's tail, then the model's */
    q += len - from;
    *out_len = q;
    return o;
}

/* Gives back the whole pages of [from, to) of an anonymous private mapping:
 * they read as zeros afterwards, and nothing reads them again. */
static void drop_pages(uint8_t *base, size_t from, size_t to)
{
    const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)base + from + pg - 1) / pg * pg, e = ((uintptr_t)base + to) / pg * pg;
    if (e > a)
        madvise((void *)a, e - a, MADV_DONTNEED);
}

Onnx__ModelProto *onnx_unpack_streamed(const uint8_t *buf, size_t len, uint8_t *own,
                                       ProtobufCAllocator *a)
{
    span graph = {0}, *in = NULL;
    size_t n = 0, sk_len = 0;
    if (find_spans(buf, len, &graph, &in, &n))
        return onnx__model_proto__unpack(a, len, buf);
    uint8_t *sk = skeleton(buf, len, &graph, in, n, &sk_len);
    Onnx__ModelProto *mp = sk ? onnx__model_proto__unpack(a, sk_len, sk) : NULL;
    free(sk);
    if (!mp || !mp->graph || mp->graph->n_initializer) {
        if (mp)
            onnx__model_proto__free_unpacked(mp, a);
        free(in);
        /* a malformed skeleton is a malformed file; OOM: the whole way */
        return sk ? NULL : onnx__model_proto__unpack(a, len, buf);
    }
    Onnx__TensorProto **t = a->alloc(a->allocator_data, n * sizeof *t);
    if (!t) {
        onnx__model_proto__free_unpacked(mp, a);
        free(in);
        return NULL;
    }
    mp->graph->initializer = t;
    for (size_t i = 0; i < n; i++) {
        const size_t len_i = in[i].end - in[i].val;
        if (!(t[i] = onnx__tensor_proto__unpack(a, len_i, buf + in[i].val))) {
            onnx__model_proto__free_unpacked(mp, a);
            free(in);
            return NULL;
        }
        mp->graph->n_initializer = i + 1; /* what free_unpacked frees */
        if (own)
            drop_pages(own, in[i].val, in[i].end);
    }
    free(in);
    return mp;
}
