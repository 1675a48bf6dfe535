/* binop.c — element-wise ops with numpy broadcasting that are not float
 * arithmetic: the comparisons Equal, Less, Greater, LessOrEqual,
 * GreaterOrEqual (any numeric dtype, Equal also bool; output bool), the
 * logic ops And, Or, Xor, Not (bool), and Mod (any numeric dtype; fmod=0 is
 * floor modulo, the divisor's sign: on floats only from opset 28, which
 * defines it; fmod=1 is C's fmod, the dividend's sign). Folded at load when constant (shape arithmetic), else run:
 * OpenCL kernels in binop_cl.c for every dtype but double/float16. No MACs.
 * Reference: binop_ref.c. */
#include "elem.h"
#include "ops_impl.h"

static int is_compare(ir_op op)
{
    return op == IR_OP_EQUAL || op == IR_OP_LESS || op == IR_OP_GREATER ||
           op == IR_OP_LESSOREQUAL || op == IR_OP_GREATEROREQUAL;
}

/* The dtype rule of each op; CLCNN_ERR_UNSUPPORTED naming the node otherwise. */
static clcnn_status check_dtype(const ir_node *n, int dt, int opset, clcnn_err *err)
{
    int ok;
    if (n->op == IR_OP_EQUAL)
        ok = elem_is_numeric(dt) || dt == IR_DT_BOOL;
    else if (is_compare(n->op) || n->op == IR_OP_MOD)
        ok = elem_is_numeric(dt);
    else /* And, Or, Xor, Not */
        ok = dt == IR_DT_BOOL;
    if (!ok)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "input dtype %s is not supported",
                       ir_dtype_name(dt));
    if (n->op == IR_OP_MOD && elem_is_float(dt) && ir_attr_int(n, "fmod", 0) == 0 && opset < 28)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute 'fmod' = 0 on %s inputs at opset %d "
                       "(ONNX defines floor modulo on floats from opset 28; before, fmod must be 1)",
                       ir_dtype_name(dt), opset);
    return CLCNN_OK;
}

static clcnn_status binop_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    const int unary = n->op == IR_OP_NOT;
    clcnn_status st = op_check_arity(n, unary ? 1 : 2, unary ? 1 : 2, 1, 1, err);
    if (st)
        return st;
    const ir_tensor *a = ir_in(g, n, 0), *b = unary ? a : ir_in(g, n, 1);
    if (a->dtype != b->dtype)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "inputs '%s' and '%s' have different dtypes %s and %s",
                       a->name, b->name, ir_dtype_name(a->dtype), ir_dtype_name(b->dtype));
    if ((st = check_dtype(n, a->dtype, g->opset, err)))
        return st;
    int nd;
    int64_t dims[IR_MAX_DIMS];
    if ((st = op_broadcast(n, a, b, &nd, dims, err)))
        return st;
    op_set_out(g, n, 0, n->op == IR_OP_MOD ? a->dtype : IR_DT_BOOL, nd, dims);
    return CLCNN_OK;
}

/* Opsets: the forms below did not change in ways clcnn sees (later opsets
 * added dtypes: bfloat16, string — refused by check_dtype). */
#define BINOP_DEF(E, lo, ...)                                                                  \
    const op_def op_def_##E = {.infer = binop_infer, .ref = binop_ref, .opset_min = lo,          \
                               .opset_max = OP_OPSET_LATEST, .attrs = __VA_ARGS__,               \
                               .cl = OP_CL_KERNEL};
BINOP_DEF(EQUAL, 7, OP_NO_ATTRS)
BINOP_DEF(LESS, 7, OP_NO_ATTRS)
BINOP_DEF(GREATER, 7, OP_NO_ATTRS)
BINOP_DEF(LESSOREQUAL, 12, OP_NO_ATTRS)
BINOP_DEF(GREATEROREQUAL, 12, OP_NO_ATTRS)
BINOP_DEF(AND, 7, OP_NO_ATTRS)
BINOP_DEF(OR, 7, OP_NO_ATTRS)
BINOP_DEF(XOR, 7, OP_NO_ATTRS)
BINOP_DEF(NOT, 1, OP_NO_ATTRS)
BINOP_DEF(MOD, 10, OP_ATTRS({"fmod", OP_A_INT}))
