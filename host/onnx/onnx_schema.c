/* onnx_schema.c — checks each attribute of a node against the attributes ONNX
 * defines for its op (op_get(op)->attrs, listed with their types in the op's
 * descriptor in host/ops/<family>.c) before the node reaches the IR. Without it a wrong type
 * read as the default (group="a string" ran as group 1) and a misspelt or
 * newer attribute was silently ignored.
 * Rule: an attribute of the wrong type is CLCNN_ERR_PARSE; an attribute that
 * ONNX does not define for the op (at any opset clcnn accepts) is
 * CLCNN_ERR_UNSUPPORTED. Both name the node and the attribute. Attributes
 * ONNX defines but clcnn does not implement are checked by the op itself
 * (host/ops/), which refuses values other than the default.
 * Legacy attributes: consumed_inputs (opsets < 6) was a memory hint with no
 * effect on results and is accepted; see each descriptor for the rest. */
#include <string.h>

#include "onnx_load_priv.h"
#include "../ops/op.h"

#define A_I ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
#define A_F ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define A_S ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
#define A_IS ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
#define A_FS ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS
#define A_T ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR

/* The descriptor's attribute type as the AttributeProto type it must be. */
static int proto_type(op_attr_type t)
{
    switch (t) {
    case OP_A_INT: return A_I;
    case OP_A_FLOAT: return A_F;
    case OP_A_STRING: return A_S;
    case OP_A_INTS: return A_IS;
    case OP_A_FLOATS: return A_FS;
    case OP_A_TENSOR: return A_T;
    }
    return -1;
}

static const char *type_name(int t)
{
    switch (t) {
    case A_I: return "INT";
    case A_F: return "FLOAT";
    case A_S: return "STRING";
    case A_IS: return "INTS";
    case A_FS: return "FLOATS";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: return "TENSOR";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH: return "GRAPH";
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: return "STRINGS";
    default: return "UNDEFINED/other";
    }
}

clcnn_status onnx_check_attr(ir_op op, const char *nname, const char *aname, int type,
                             clcnn_err *err)
{
    const op_def *d = op_get(op);
    if (!d || !d->attrs) /* an op without an attribute list is a clcnn bug, not the file's */
        return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': no attribute schema for op %s", nname,
                       ir_op_name(op));
    for (const op_attr_spec *a = d->attrs; a->name; a++) {
        if (strcmp(a->name, aname) != 0)
            continue;
        if (proto_type(a->type) != type)
            return err_set(err, CLCNN_ERR_PARSE, "node '%s': attribute '%s' of %s must be %s, not %s",
                           nname, aname, ir_op_name(op), type_name(proto_type(a->type)),
                           type_name(type));
        return CLCNN_OK;
    }
    return err_set(err, CLCNN_ERR_UNSUPPORTED,
                   "node '%s': attribute '%s' is not an attribute of %s (refused rather than ignored)",
                   nname, aname, ir_op_name(op));
}
