/* onnx_schema.c — the attributes ONNX defines for each op clcnn loads, with
 * their types, checked before a node reaches the IR. Without it a wrong type
 * read as the default (group="a string" ran as group 1) and a misspelt or
 * newer attribute was silently ignored.
 * Rule: an attribute of the wrong type is CLCNN_ERR_PARSE; an attribute that
 * ONNX does not define for the op (at any opset clcnn accepts) is
 * CLCNN_ERR_UNSUPPORTED. Both name the node and the attribute. Attributes
 * ONNX defines but clcnn does not implement are checked by the op itself
 * (host/ops/), which refuses values other than the default. */
#include <string.h>

#include "onnx_load_priv.h"

#define A_I ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT
#define A_F ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT
#define A_S ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING
#define A_IS ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS
#define A_FS ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS

typedef struct attr_spec {
    const char *name;
    int type;
} attr_spec;

#define MAX_SPEC 8
typedef struct op_schema {
    ir_op op;
    attr_spec attrs[MAX_SPEC]; /* ends at the first NULL name */
} op_schema;

/* From the ONNX operator docs, every opset from 2 (the oldest clcnn reads)
 * on. Legacy attributes: consumed_inputs (opsets < 6) was a memory hint with
 * no effect on results; broadcast (opsets < 7) = 1 is numpy broadcasting as
 * clcnn does it, and the legacy per-axis "axis" form is not listed, so it is
 * refused; BatchNormalization.spatial=0 and is_test=0 (training) are refused
 * by bn.c, Dropout.is_test=0 by shape_ops.c. */
static const op_schema schemas[] = {
    {IR_OP_CONV, {{"auto_pad", A_S}, {"dilations", A_IS}, {"group", A_I}, {"kernel_shape", A_IS},
                  {"pads", A_IS}, {"strides", A_IS}}},
    {IR_OP_BATCHNORM, {{"epsilon", A_F}, {"momentum", A_F}, {"training_mode", A_I}, {"spatial", A_I},
                       {"is_test", A_I}, {"consumed_inputs", A_IS}}},
    {IR_OP_RELU, {{"consumed_inputs", A_IS}}},
    {IR_OP_CLIP, {{"min", A_F}, {"max", A_F}}},
    {IR_OP_HARDSIGMOID, {{"alpha", A_F}, {"beta", A_F}}},
    {IR_OP_HARDSWISH, {{NULL, 0}}},
    {IR_OP_SIGMOID, {{NULL, 0}}},
    {IR_OP_ADD, {{"broadcast", A_I}, {"consumed_inputs", A_IS}}},
    {IR_OP_SUB, {{"broadcast", A_I}, {"consumed_inputs", A_IS}}},
    {IR_OP_MUL, {{"broadcast", A_I}, {"consumed_inputs", A_IS}}},
    {IR_OP_DIV, {{"broadcast", A_I}, {"consumed_inputs", A_IS}}},
    {IR_OP_MAXPOOL, {{"auto_pad", A_S}, {"ceil_mode", A_I}, {"dilations", A_IS}, {"kernel_shape", A_IS},
                     {"pads", A_IS}, {"storage_order", A_I}, {"strides", A_IS}}},
    {IR_OP_AVGPOOL, {{"auto_pad", A_S}, {"ceil_mode", A_I}, {"count_include_pad", A_I},
                     {"dilations", A_IS}, {"kernel_shape", A_IS}, {"pads", A_IS}, {"strides", A_IS}}},
    {IR_OP_GLOBALAVGPOOL, {{NULL, 0}}},
    {IR_OP_GLOBALMAXPOOL, {{NULL, 0}}},
    {IR_OP_REDUCEMEAN, {{"axes", A_IS}, {"keepdims", A_I}, {"noop_with_empty_axes", A_I}}},
    {IR_OP_GEMM, {{"alpha", A_F}, {"beta", A_F}, {"transA", A_I}, {"transB", A_I}, {"broadcast", A_I}}},
    {IR_OP_MATMUL, {{NULL, 0}}},
    {IR_OP_FLATTEN, {{"axis", A_I}}},
    {IR_OP_RESHAPE, {{"allowzero", A_I}, {"shape", A_IS}}},
    {IR_OP_TRANSPOSE, {{"perm", A_IS}}},
    {IR_OP_CONCAT, {{"axis", A_I}}},
    {IR_OP_SPLIT, {{"axis", A_I}, {"split", A_IS}, {"num_outputs", A_I}}},
    {IR_OP_SLICE, {{"axes", A_IS}, {"ends", A_IS}, {"starts", A_IS}}},
    {IR_OP_GATHER, {{"axis", A_I}}},
    {IR_OP_SQUEEZE, {{"axes", A_IS}}},
    {IR_OP_UNSQUEEZE, {{"axes", A_IS}}},
    {IR_OP_PAD, {{"mode", A_S}, {"pads", A_IS}, {"value", A_F}}},
    {IR_OP_SOFTMAX, {{"axis", A_I}}},
    {IR_OP_DROPOUT, {{"ratio", A_F}, {"seed", A_I}, {"is_test", A_I}, {"consumed_inputs", A_IS}}},
    {IR_OP_IDENTITY, {{NULL, 0}}},
    {IR_OP_SHAPE, {{"start", A_I}, {"end", A_I}}},
    {IR_OP_CAST, {{"to", A_I}, {"saturate", A_I}, {"round_mode", A_S}}},
    {IR_OP_LEAKYRELU, {{"alpha", A_F}}},
};

/* Every op but Constant (onnx_node.c reads its value itself) has a row. */
_Static_assert(sizeof schemas / sizeof schemas[0] == IR_OP_COUNT - 1,
               "an op in op_list.h has no attribute schema row");

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
    const op_schema *s = NULL;
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++)
        if (schemas[i].op == op)
            s = &schemas[i];
    if (!s) /* an op without a schema row is a clcnn bug, not the file's */
        return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': no attribute schema for op %s", nname,
                       ir_op_name(op));
    for (int k = 0; k < MAX_SPEC && s->attrs[k].name; k++) {
        if (strcmp(s->attrs[k].name, aname) != 0)
            continue;
        if (s->attrs[k].type != type)
            return err_set(err, CLCNN_ERR_PARSE, "node '%s': attribute '%s' of %s must be %s, not %s",
                           nname, aname, ir_op_name(op), type_name(s->attrs[k].type),
                           type_name(type));
        return CLCNN_OK;
    }
    return err_set(err, CLCNN_ERR_UNSUPPORTED,
                   "node '%s': attribute '%s' is not an attribute of %s (refused rather than ignored)",
                   nname, aname, ir_op_name(op));
}
