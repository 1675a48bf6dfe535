/* eltwise_cl.c — OpenCL side of Add/Sub/Mul/Div/Pow/PRelu: binary_same when both
 * operands have the output's shape, binary_plane when one is full and the other
 * keeps only y's leading dims (SE scaling), else binary_bcast (numpy broadcasting
 * via per-dim strides, up to 6 dims). Float32 here; integer arithmetic is
 * binop_cl's. Pow by a constant scalar and PRelu with a constant scalar slope
 * run as activations (act_cl.c), which the plan fuses into a Conv/BN; a
 * per-channel PRelu slope runs as binary_plane/bcast, not fused. eltwise_cl_binary is the one launch other
 * broadcasting float ops reuse. */
#include <stdio.h>

#include "op_cl.h"
#include "../ops/elem.h"
#include "../ops/ops_impl.h"

enum { BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_POW, BIN_PRELU, BIN_MAX, BIN_MIN }; /* eltwise.cl */

static int same_shape(const ir_tensor *a, const ir_tensor *b)
{
    if (a->ndim != b->ndim)
        return ir_numel(a) == ir_numel(b) && ir_numel(a) == 1;
    for (int d = 0; d < a->ndim; d++)
        if (a->dims[d] != b->dims[d])
            return 0;
    return 1;
}

/* Elements of y each value of `s` covers when s (right-aligned to y's rank,
 * missing leading dims = 1) equals y on a leading run of dims and is 1 after
 * it, so s is read at i / inner; 0 when s is not of that form. */
static int64_t plane_inner(const ir_tensor *s, const ir_tensor *y)
{
    if (s->ndim > y->ndim)
        return 0;
    const int off = y->ndim - s->ndim;
    int k = 0;
    while (k < y->ndim && (k < off ? 1 : s->dims[k - off]) == y->dims[k])
        k++;
    for (int j = k; j < y->ndim; j++)
        if ((j < off ? 1 : s->dims[j - off]) != 1)
            return 0;
    int64_t inner = 1;
    for (int j = k; j < y->ndim; j++)
        inner *= y->dims[j];
    return inner;
}

int eltwise_cl_code(ir_op op)
{
    switch (op) {
    case IR_OP_ADD: case IR_OP_SUM: case IR_OP_MEAN: return BIN_ADD;
    case IR_OP_SUB: return BIN_SUB;
    case IR_OP_MUL: return BIN_MUL;
    case IR_OP_DIV: return BIN_DIV;
    case IR_OP_POW: return BIN_POW;
    case IR_OP_PRELU: return BIN_PRELU;
    case IR_OP_MAX: return BIN_MAX;
    case IR_OP_MIN: return BIN_MIN;
    default: return -1;
    }
}

/* OpenCL C name of an integer exponent's element type (B_T of eltwise.cl), NULL
 * for a type the kernels do not read (float16, double, bool). */
static const char *int_cl_type(int dt)
{
    switch (dt) {
    case IR_DT_INT8: return "char";
    case IR_DT_UINT8: return "uchar";
    case IR_DT_INT16: return "short";
    case IR_DT_UINT16: return "ushort";
    case IR_DT_INT32: return "int";
    case IR_DT_UINT32: return "uint";
    case IR_DT_INT64: return "long";
    case IR_DT_UINT64: return "ulong";
    default: return NULL;
    }
}

/* eltwise_cl_binary with b of any element type b_opts names (-DB_T=...; NULL:
 * float32). binary_plane reads its operands either way round, so it is used
 * for float32 b only. */
static clcnn_status binary_launch(opcl_ctx *c, const ir_node *n, int code, cl_mem ma,
                                  const ir_tensor *a, cl_mem mb, const ir_tensor *b, cl_mem my,
                                  const ir_tensor *y, const char *b_opts, clcnn_err *err)
{
    clcnn_status st;
    cl_int op = code, cnt = (cl_int)ir_numel(y), per = 1;
    const int same = same_shape(a, y) && same_shape(b, y);
    int swap = 0;
    int64_t inner = 0;
    if (!same && same_shape(a, y) && !b_opts)
        inner = plane_inner(b, y);
    else if (!same && same_shape(b, y) && !b_opts)
        inner = plane_inner(a, y), swap = 1;
    const char *variant = "binary_bcast";
    if (same && !opcl_forced_away(c, "binary_same"))
        variant = "binary_same";
    else if (inner > 0 && !opcl_forced_away(c, "binary_plane"))
        variant = "binary_plane";
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "eltwise", b_opts, variant, &k, err)))
        return st;
    if (variant[7] == 'p') { /* binary_plane */
        cl_int ci = (cl_int)inner, cs = swap;
        cl_mem full = swap ? mb : ma, small = swap ? ma : mb;
        st = OPCL_ARGS(k, err, OPCL_ARG(full), OPCL_ARG(small), OPCL_ARG(my), OPCL_ARG(cnt),
                       OPCL_ARG(op), OPCL_ARG(ci), OPCL_ARG(cs));
    } else if (variant[7] == 'b') { /* binary_bcast: also y's dims and each input's strides */
        cl_int dims[8] = {0}, sa[8] = {0}, sb[8] = {0};
        int64_t s64a[IR_MAX_DIMS], s64b[IR_MAX_DIMS];
        if ((st = opcl_dims6(n, y, dims, err)))
            goto fail;
        op_bcast_strides(a, y->ndim, y->dims, s64a);
        op_bcast_strides(b, y->ndim, y->dims, s64b);
        const int pad = 6 - y->ndim;
        for (int d = 0; d < y->ndim; d++) {
            sa[pad + d] = (cl_int)s64a[d];
            sb[pad + d] = (cl_int)s64b[d];
        }
        st = OPCL_ARGS(k, err, OPCL_ARG(ma), OPCL_ARG(mb), OPCL_ARG(my), OPCL_ARG(cnt),
                       OPCL_ARG(op), OPCL_ARG(dims), OPCL_ARG(sa), OPCL_ARG(sb));
    } else { /* binary_same: runs of opcl_eltwise_per elements (float b only) */
        per = b_opts ? 1 : opcl_eltwise_per(c);
        st = OPCL_ARGS(k, err, OPCL_ARG(ma), OPCL_ARG(mb), OPCL_ARG(my), OPCL_ARG(cnt),
                       OPCL_ARG(op), OPCL_ARG(per));
    }
    if (st)
        goto fail;
    size_t gws[1] = {(size_t)(cnt + per - 1) / per};
    return opcl_push(c, n, k, 1, gws, NULL, variant, err);
fail:
    clReleaseKernel(k);
    return st;
}

clcnn_status eltwise_cl_binary(opcl_ctx *c, const ir_node *n, int code, cl_mem ma,
                               const ir_tensor *a, cl_mem mb, const ir_tensor *b, cl_mem my,
                               const ir_tensor *y, clcnn_err *err)
{
    return binary_launch(c, n, code, ma, a, mb, b, my, y, NULL, err);
}

clcnn_status eltwise_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    clcnn_status st;
    opcl_act act;
    /* Pow by a constant scalar, PRelu with one constant slope: activations */
    if ((n->op == IR_OP_POW || n->op == IR_OP_PRELU) && opcl_act_of(g, n, &act))
        return act_cl(c, n, err);
    if (ir_out(g, n, 0)->dtype != IR_DT_FLOAT) /* integer arithmetic: binop.cl (shape group) */
        return binop_cl(c, n, err);
    if ((st = op_need_float(g, n, 0, err)))
        return st;
    const ir_tensor *e = ir_in(g, n, 1);
    char opts[32] = "";
    if (e->dtype != IR_DT_FLOAT) { /* Pow's integer exponent, read as float by the kernel */
        const char *t = int_cl_type(e->dtype);
        if (!t)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                           "exponent '%s' of dtype %s runs on the reference backend only "
                           "(--device ref)", e->name, ir_dtype_name(e->dtype));
        snprintf(opts, sizeof opts, "-DB_T=%s", t);
    }
    return binary_launch(c, n, eltwise_cl_code(n->op), c->mem[n->in[0]], ir_in(g, n, 0),
                         c->mem[n->in[1]], e, c->mem[c->out], ir_out(g, n, 0),
                         opts[0] ? opts : NULL, err);
}
