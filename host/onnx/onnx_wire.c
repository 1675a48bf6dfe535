/* onnx_wire.c — a pass over the raw protobuf bytes before protobuf-c unpacks
 * them. protobuf-c recurses once per nested message with no limit, so a small
 * file nesting (say) TypeProto.sequence_type 4000 deep overflows the stack
 * inside protobuf_c_message_unpack. This walk follows the generated message
 * descriptors (so it knows which length-delimited fields are messages), bounds
 * the nesting depth and checks every length against the bytes present. It
 * does not validate content: unpacking does that. */
#include <protobuf-c/protobuf-c.h>

#include "onnx_load_priv.h"

/* Nested message levels a file may use; onnx's own C++ parser stops at 100 as
 * well. A model with If/Loop subgraphs nests about 4 levels per subgraph. */
#define ONNX_MAX_DEPTH 100

enum { WIRE_VARINT = 0, WIRE_64 = 1, WIRE_LEN = 2, WIRE_32 = 5 };

/* Reads a varint at *p (advancing it); -1 when truncated or over 10 bytes. */
static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* 0 when ok; 1 too deep; -1 malformed. Recursion is bounded by ONNX_MAX_DEPTH. */
static int scan(const uint8_t *p, const uint8_t *end, const ProtobufCMessageDescriptor *d,
                int depth)
{
    if (depth > ONNX_MAX_DEPTH)
        return 1;
    while (p < end) {
        uint64_t key, v;
        if (varint(&p, end, &key))
            return -1;
        uint32_t field = (uint32_t)(key >> 3);
        switch (key & 7) {
        case WIRE_VARINT:
            if (varint(&p, end, &v))
                return -1;
            break;
        case WIRE_64:
            if (end - p < 8)
                return -1;
            p += 8;
            break;
        case WIRE_32:
            if (end - p < 4)
                return -1;
            p += 4;
            break;
        case WIRE_LEN: {
            if (varint(&p, end, &v) || v > (uint64_t)(end - p))
                return -1;
            const ProtobufCFieldDescriptor *f =
                d ? protobuf_c_message_descriptor_get_field(d, field) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                int rc = scan(p, p + v, f->descriptor, depth + 1);
                if (rc)
                    return rc;
            }
            p += v;
            break;
        }
        default: /* groups (3, 4) are not in onnx.proto; 6, 7 do not exist */
            return -1;
        }
    }
    return 0;
}

clcnn_status onnx_wire_check(const uint8_t *buf, size_t len, clcnn_err *err)
{
    int rc = scan(buf, buf + len, &onnx__model_proto__descriptor, 0);
    if (rc > 0)
        return err_set(err, CLCNN_ERR_PARSE,
                       "not a valid ONNX model: messages nested more than %d deep (refused)",
                       ONNX_MAX_DEPTH);
    if (rc < 0)
        return err_set(err, CLCNN_ERR_PARSE,
                       "not a valid ONNX model (protobuf parse failed: truncated or bad field)");
    return CLCNN_OK;
}
