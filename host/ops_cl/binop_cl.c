/* binop_cl.c — OpenCL side of binop.c's ops (comparisons, And/Or/Xor/Not,
 * Mod) and of Add/Sub/Mul/Div on integer dtypes (eltwise_cl.c hands those
 * here): one kernel, kernels_cl/binop.cl binop_bcast, built per (op, element
 * type). Every integer type, bool and float32; double and float16 are refused
 * by name (the reference runs them). Bool tensors are uchar 0/1. Float32
 * operands and results are sfloat in the kernel (-DT_IS_FLOAT, -DR_IS_FLOAT),
 * so an fp16 node reads and writes them as half. */
#include <stdio.h>

#include "../ops/elem.h"
#include "op_cl.h"
#include "../ops/ops_impl.h"

enum { OPC_EQ, OPC_LT, OPC_GT, OPC_LE, OPC_GE, OPC_AND, OPC_OR, OPC_XOR, OPC_NOT,
       OPC_ADD, OPC_SUB, OPC_MUL, OPC_DIV, OPC_MOD, OPC_FMOD }; /* match binop.cl */

/* OpenCL C type of dtype dt, its unsigned twin and signedness; 0 when the
 * kernel does not take dt. */
static int cl_type(int dt, const char **t, const char **ut, int *sgn)
{
    *sgn = 1;
    switch (dt) {
    case IR_DT_FLOAT: *t = "float", *ut = "uint"; return 1;
    case IR_DT_INT8: *t = "char", *ut = "uchar"; return 1;
    case IR_DT_INT16: *t = "short", *ut = "ushort"; return 1;
    case IR_DT_INT32: *t = "int", *ut = "uint"; return 1;
    case IR_DT_INT64: *t = "long", *ut = "ulong"; return 1;
    default: break;
    }
    *sgn = 0;
    switch (dt) {
    case IR_DT_UINT8: case IR_DT_BOOL: *t = *ut = "uchar"; return 1;
    case IR_DT_UINT16: *t = *ut = "ushort"; return 1;
    case IR_DT_UINT32: *t = *ut = "uint"; return 1;
    case IR_DT_UINT64: *t = *ut = "ulong"; return 1;
    default: return 0;
    }
}

static int opcode(const ir_node *n)
{
    switch (n->op) {
    case IR_OP_EQUAL: return OPC_EQ;
    case IR_OP_LESS: return OPC_LT;
    case IR_OP_GREATER: return OPC_GT;
    case IR_OP_LESSOREQUAL: return OPC_LE;
    case IR_OP_GREATEROREQUAL: return OPC_GE;
    case IR_OP_AND: return OPC_AND;
    case IR_OP_OR: return OPC_OR;
    case IR_OP_XOR: return OPC_XOR;
    case IR_OP_NOT: return OPC_NOT;
    case IR_OP_ADD: return OPC_ADD;
    case IR_OP_SUB: return OPC_SUB;
    case IR_OP_MUL: return OPC_MUL;
    case IR_OP_DIV: return OPC_DIV;
    default: return ir_attr_int(n, "fmod", 0) ? OPC_FMOD : OPC_MOD;
    }
}

clcnn_status binop_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    const int unary = n->n_in == 1;
    const ir_tensor *a = ir_in(g, n, 0), *b = unary ? a : ir_in(g, n, 1), *y = ir_out(g, n, 0);
    const char *t, *ut;
    int sgn;
    if (!cl_type(a->dtype, &t, &ut, &sgn))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "dtype %s runs on the reference backend "
                       "only (--device ref)", ir_dtype_name(a->dtype));
    cl_mem ma = c->mem[n->in[0]], mb = unary ? ma : c->mem[n->in[1]];
    if (!ma || !mb)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer",
                       ma ? b->name : a->name);
    const int opc = opcode(n);
    const int is_float = elem_is_float(a->dtype);
    if (is_float && opc >= OPC_ADD && opc < OPC_MOD) /* float arithmetic is eltwise.cl's */
        return op_fail(err, CLCNN_ERR_INTERNAL, n, "float arithmetic reached binop_cl");
    char opts[192];
    snprintf(opts, sizeof opts, "-DT=%s -DUT=%s -DR=%s -DSIGNED=%d -DOPC=%d -DT_IS_FLOAT=%d "
             "-DR_IS_FLOAT=%d", t, ut, y->dtype == IR_DT_BOOL ? "uchar" : t, sgn, opc, is_float,
             y->dtype == IR_DT_FLOAT);
    cl_int dims[8] = {0}, sa[8] = {0}, sb[8] = {0};
    int64_t s64a[IR_MAX_DIMS], s64b[IR_MAX_DIMS];
    clcnn_status st = opcl_dims6(n, y, dims, err);
    if (st)
        return st;
    op_bcast_strides(a, y->ndim, y->dims, s64a);
    op_bcast_strides(b, y->ndim, y->dims, s64b);
    for (int d = 0, pad = 6 - y->ndim; d < y->ndim; d++) {
        sa[pad + d] = (cl_int)s64a[d];
        sb[pad + d] = (cl_int)s64b[d];
    }
    const cl_int cnt = (cl_int)ir_numel(y);
    if (cnt == 0) { /* nothing to write: no launch (a zero NDRange is invalid) */
        c->variant = "binop_bcast";
        return CLCNN_OK;
    }
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "binop", opts, "binop_bcast", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(ma), OPCL_ARG(mb), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                        OPCL_ARG(dims), OPCL_ARG(sa), OPCL_ARG(sb)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, "binop_bcast", err);
}
