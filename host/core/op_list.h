/* op_list.h — every op clcnn knows, once. X(ENUM_SUFFIX, "OnnxName").
 * The enum, the name table and the per-op tables are all expanded from this
 * list, and their sizes are static-asserted against IR_OP_COUNT, so an op
 * added here without its table entries breaks the build. */
#ifndef CLCNN_CORE_OP_LIST_H
#define CLCNN_CORE_OP_LIST_H

#define IR_OP_LIST(X)                                   \
    X(CONV, "Conv")                                     \
    X(BATCHNORM, "BatchNormalization")                  \
    X(RELU, "Relu")                                     \
    X(CLIP, "Clip")                                     \
    X(HARDSIGMOID, "HardSigmoid")                       \
    X(HARDSWISH, "HardSwish")                           \
    X(SIGMOID, "Sigmoid")                               \
    X(ADD, "Add")                                       \
    X(SUB, "Sub")                                       \
    X(MUL, "Mul")                                       \
    X(DIV, "Div")                                       \
    X(MAXPOOL, "MaxPool")                               \
    X(AVGPOOL, "AveragePool")                           \
    X(GLOBALAVGPOOL, "GlobalAveragePool")               \
    X(GLOBALMAXPOOL, "GlobalMaxPool")                   \
    X(REDUCEMEAN, "ReduceMean")                         \
    X(GEMM, "Gemm")                                     \
    X(MATMUL, "MatMul")                                 \
    X(FLATTEN, "Flatten")                               \
    X(RESHAPE, "Reshape")                               \
    X(TRANSPOSE, "Transpose")                           \
    X(CONCAT, "Concat")                                 \
    X(SPLIT, "Split")                                   \
    X(SLICE, "Slice")                                   \
    X(GATHER, "Gather")                                 \
    X(SQUEEZE, "Squeeze")                               \
    X(UNSQUEEZE, "Unsqueeze")                           \
    X(PAD, "Pad")                                       \
    X(SOFTMAX, "Softmax")                               \
    X(DROPOUT, "Dropout")                               \
    X(IDENTITY, "Identity")                             \
    X(CONSTANT, "Constant")                             \
    X(SHAPE, "Shape")                                   \
    X(CAST, "Cast")                                     \
    X(LEAKYRELU, "LeakyRelu") \
    /* spatial */                                       \
    X(RESIZE, "Resize")                                 \
    X(UPSAMPLE, "Upsample")                             \
    X(CONVTRANSPOSE, "ConvTranspose")                   \
    X(DEPTHTOSPACE, "DepthToSpace")                     \
    X(SPACETODEPTH, "SpaceToDepth")                     \
    /* norm group: normalisation, reductions, contractions */ \
    X(LAYERNORM, "LayerNormalization") \
    X(INSTANCENORM, "InstanceNormalization") \
    X(GROUPNORM, "GroupNormalization") \
    X(LRN, "LRN") \
    X(REDUCESUM, "ReduceSum") \
    X(REDUCEMAX, "ReduceMax") \
    X(REDUCEMIN, "ReduceMin") \
    X(REDUCEPROD, "ReduceProd") \
    X(REDUCEL1, "ReduceL1") \
    X(REDUCEL2, "ReduceL2") \
    X(REDUCESUMSQUARE, "ReduceSumSquare") \
    X(REDUCELOGSUMEXP, "ReduceLogSumExp") \
    X(ARGMAX, "ArgMax") \
    X(ARGMIN, "ArgMin") \
    X(EINSUM, "Einsum") \
    /* shape group: folded shape math, comparisons/logic, selection */ \
    X(CONSTANTOFSHAPE, "ConstantOfShape") \
    X(RANGE, "Range") \
    X(EQUAL, "Equal") \
    X(LESS, "Less") \
    X(GREATER, "Greater") \
    X(LESSOREQUAL, "LessOrEqual") \
    X(GREATEROREQUAL, "GreaterOrEqual") \
    X(AND, "And") \
    X(OR, "Or") \
    X(XOR, "Xor") \
    X(NOT, "Not") \
    X(MOD, "Mod") \
    X(WHERE, "Where") \
    X(EXPAND, "Expand") \
    X(TILE, "Tile") \
    X(SCATTERND, "ScatterND") \
    X(TRILU, "Trilu") \
    /* unary */                                         \
    X(ABS, "Abs")                                       \
    X(ERF, "Erf")                                       \
    X(TANH, "Tanh")                                     \
    X(EXP, "Exp")                                       \
    X(LOG, "Log")                                       \
    X(SQRT, "Sqrt")                                     \
    X(NEG, "Neg")                                       \
    X(RECIPROCAL, "Reciprocal")                         \
    X(GELU, "Gelu")                                     \
    X(ELU, "Elu")                                       \
    X(SELU, "Selu")                                     \
    X(CELU, "Celu")                                     \
    X(SOFTPLUS, "Softplus")                             \
    X(SOFTSIGN, "Softsign")                             \
    X(MISH, "Mish")                                     \
    X(POW, "Pow")                                       \
    X(PRELU, "PRelu")                                   \
    X(MAX, "Max")                                       \
    X(MIN, "Min")                                       \
    X(SUM, "Sum")                                       \
    X(MEAN, "Mean")                                     \
    X(LOGSOFTMAX, "LogSoftmax")                         \
    /* data movement, reference only (F) */              \
    X(GATHERND, "GatherND")

typedef enum ir_op {
#define IR_OP_ENUM(e, s) IR_OP_##e,
    IR_OP_LIST(IR_OP_ENUM)
#undef IR_OP_ENUM
    IR_OP_COUNT
} ir_op;

/* "Conv" for IR_OP_CONV; NULL when out of range. */
const char *ir_op_name(ir_op op);
/* IR_OP_COUNT when the ONNX op type is not one clcnn knows. */
ir_op ir_op_from_name(const char *onnx_name);

#endif
