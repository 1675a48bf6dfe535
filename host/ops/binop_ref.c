/* binop_ref.c — references for binop.c, and the non-float32 paths of
 * Add/Sub/Mul/Div (eltwise_ref.c hands them here): walks every output index
 * (odometer) and maps it into each input through broadcast strides. Integers
 * are computed in int64 (uint64 as unsigned) and stored wrapping to the
 * output type, as onnxruntime's fixed-width arithmetic does; floats in
 * double, rounded once to the output type. Integer division or Mod by zero
 * is an error naming the node. */
#include <math.h>
#include <stdint.h>

#include "elem.h"
#include "ops_impl.h"

/* a (op) b on integers, r the result; CLCNN_ERR_INVALID_ARG on a zero divisor. */
static clcnn_status int_op(const ir_node *n, int dt, int64_t a, int64_t b, int64_t *r,
                           clcnn_err *err)
{
    const int uns = dt == IR_DT_UINT64, fmod_ = (int)ir_attr_int(n, "fmod", 0);
    const uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (n->op) {
    case IR_OP_ADD: *r = (int64_t)(ua + ub); return CLCNN_OK;
    case IR_OP_SUB: *r = (int64_t)(ua - ub); return CLCNN_OK;
    case IR_OP_MUL: *r = (int64_t)(ua * ub); return CLCNN_OK;
    default: break;
    }
    if (b == 0)
        return op_fail(err, CLCNN_ERR_INVALID_ARG, n, "integer %s by zero (%lld / 0)",
                       n->op == IR_OP_DIV ? "division" : "Mod", (long long)a);
    if (uns) {
        *r = (int64_t)(n->op == IR_OP_DIV ? ua / ub : ua % ub);
        return CLCNN_OK;
    }
    if (b == -1) { /* INT64_MIN / -1 overflows in C: the wrapped result */
        *r = n->op == IR_OP_DIV ? (int64_t)(0 - ua) : 0;
        return CLCNN_OK;
    }
    if (n->op == IR_OP_DIV) { /* truncates toward zero, as C and onnxruntime */
        *r = a / b;
        return CLCNN_OK;
    }
    int64_t m = a % b; /* Mod: fmod=1 keeps the dividend's sign, fmod=0 the divisor's */
    if (!fmod_ && m != 0 && ((m < 0) != (b < 0)))
        m += b;
    *r = m;
    return CLCNN_OK;
}

static double float_op(const ir_node *n, double a, double b)
{
    switch (n->op) {
    case IR_OP_ADD: return a + b;
    case IR_OP_SUB: return a - b;
    case IR_OP_MUL: return a * b;
    case IR_OP_DIV: return a / b;
    default: break;
    }
    double r = fmod(a, b); /* Mod: fmod=1 as is; fmod=0 (opset 28) takes b's sign */
    if (!ir_attr_int(n, "fmod", 0)) {
        if (r != 0 && ((r < 0) != (b < 0)))
            r += b; /* also x mod inf of the other sign: inf, as Mod-28 lists */
        else if (r == 0)
            r = copysign(0.0, b);
    }
    return r;
}

/* Comparison of elements ia of a and ib of b (same dtype dt). */
static int compare(ir_op op, const void *a, const void *b, int dt, int64_t ia, int64_t ib)
{
    int lt, eq;
    if (elem_is_float(dt)) {
        double x = elem_get_f(a, dt, ia), y = elem_get_f(b, dt, ib);
        lt = x < y, eq = x == y; /* NaN: neither, so every comparison but != is false */
        if (op == IR_OP_GREATER)
            return x > y;
        if (op == IR_OP_GREATEROREQUAL)
            return x >= y;
    } else if (dt == IR_DT_UINT64) {
        uint64_t x = (uint64_t)elem_get_i(a, dt, ia), y = (uint64_t)elem_get_i(b, dt, ib);
        lt = x < y, eq = x == y;
    } else {
        int64_t x = elem_get_i(a, dt, ia), y = elem_get_i(b, dt, ib);
        lt = x < y, eq = x == y;
    }
    switch (op) {
    case IR_OP_EQUAL: return eq;
    case IR_OP_LESS: return lt;
    case IR_OP_LESSOREQUAL: return lt || eq;
    case IR_OP_GREATER: return !lt && !eq;
    default: return !lt; /* GreaterOrEqual */
    }
}

static int logic(ir_op op, int x, int y)
{
    switch (op) {
    case IR_OP_AND: return x && y;
    case IR_OP_OR: return x || y;
    case IR_OP_XOR: return x != y;
    default: return !x; /* Not */
    }
}

clcnn_status binop_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    const int unary = n->n_in == 1;
    const ir_tensor *at = ir_in(g, n, 0), *bt = unary ? at : ir_in(g, n, 1), *yt = ir_out(g, n, 0);
    const void *a = bufs[n->in[0]], *b = bufs[unary ? n->in[0] : n->in[1]];
    void *y = bufs[n->out[0]];
    const int nd = yt->ndim, dt = at->dtype;
    int64_t sa[IR_MAX_DIMS], sb[IR_MAX_DIMS], idx[IR_MAX_DIMS] = {0};
    op_bcast_strides(at, nd, yt->dims, sa);
    op_bcast_strides(bt, nd, yt->dims, sb);
    const int arith = n->op == IR_OP_ADD || n->op == IR_OP_SUB || n->op == IR_OP_MUL ||
                      n->op == IR_OP_DIV || n->op == IR_OP_MOD;
    const int is_logic = n->op == IR_OP_AND || n->op == IR_OP_OR || n->op == IR_OP_XOR ||
                         n->op == IR_OP_NOT;
    for (int64_t i = 0, ia = 0, ib = 0, cnt = ir_numel(yt); i < cnt; i++) {
        if (!arith) {
            int v = is_logic ? logic(n->op, ((const uint8_t *)a)[ia] != 0, ((const uint8_t *)b)[ib] != 0)
                             : compare(n->op, a, b, dt, ia, ib);
            ((uint8_t *)y)[i] = (uint8_t)v;
        } else if (elem_is_float(dt)) {
            elem_set_f(y, dt, i, float_op(n, elem_get_f(a, dt, ia), elem_get_f(b, dt, ib)));
        } else {
            int64_t r = 0;
            clcnn_status st = int_op(n, dt, elem_get_i(a, dt, ia), elem_get_i(b, dt, ib), &r, err);
            if (st)
                return st;
            elem_set_i(y, dt, i, r);
        }
        for (int d = nd - 1; d >= 0; d--) { /* odometer step, offsets follow */
            ia += sa[d], ib += sb[d];
            if (++idx[d] < yt->dims[d])
                break;
            ia -= sa[d] * idx[d], ib -= sb[d] * idx[d];
            idx[d] = 0;
        }
    }
    return CLCNN_OK;
}
