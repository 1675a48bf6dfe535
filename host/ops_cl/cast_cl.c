/* cast_cl.c — OpenCL side of Cast between float32, bool and every integer
 * type (kernels_cl/cast.cl, cast_elems): picks the conversion that matches
 * cast_ref — float -> integer truncates toward zero, saturates, NaN -> 0;
 * integer -> integer keeps the low bits; anything -> bool is != 0 — and
 * builds it as a variant of one kernel. double and float16 are refused by
 * name (no fp64/fp16 assumed on the device; the reference runs them).
 * A float32 side stored half (ir_tensor.half, an fp16 plan) is read or
 * written as half; a Cast float32 -> float32 with exactly one side half is a
 * precision boundary (half_to_float / float_to_half), with both half a copy
 * of the 16-bit words. Each side follows its own tensor's flag, not
 * opcl_ctx.fp16: a boundary has one of each. */
#include <stdio.h>
#include <string.h>

#include "../ops/elem.h"
#include "op_cl.h"
#include "../ops/ops_impl.h"

/* OpenCL C type name of a dtype this kernel handles, NULL otherwise. */
static const char *cl_type(int dt)
{
    switch (dt) {
    case IR_DT_FLOAT: return "float";
    case IR_DT_INT8: return "char";
    case IR_DT_UINT8: case IR_DT_BOOL: return "uchar";
    case IR_DT_INT16: return "short";
    case IR_DT_UINT16: return "ushort";
    case IR_DT_INT32: return "int";
    case IR_DT_UINT32: return "uint";
    case IR_DT_INT64: return "long";
    case IR_DT_UINT64: return "ulong";
    default: return NULL;
    }
}

clcnn_status cast_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    const char *src = cl_type(x->dtype), *dst = cl_type(y->dtype);
    if (!src || !dst)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "Cast from %s to %s on OpenCL (double and "
                       "float16 run on the reference backend: --device ref)", ir_dtype_name(x->dtype),
                       ir_dtype_name(y->dtype));
    if (!c->mem[n->in[0]])
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer", x->name);
    const int f2i = x->dtype == IR_DT_FLOAT && y->dtype != IR_DT_FLOAT && y->dtype != IR_DT_BOOL;
    const int xh = x->dtype == IR_DT_FLOAT && x->half, yh = y->dtype == IR_DT_FLOAT && y->half;
    /* float32 -> float32 with one side half: a precision boundary (explicit types, no options) */
    const int boundary = x->dtype == IR_DT_FLOAT && y->dtype == IR_DT_FLOAT && xh != yh;
    const char *name = boundary ? (xh ? "half_to_float" : "float_to_half") : "cast_elems";
    char opts[192] = "";
    if (xh && yh) /* float32 -> float32 both stored half: the 16-bit words unchanged */
        snprintf(opts, sizeof opts, "-DSRC_T=ushort -DDST_T=ushort -DCONVERT=convert_ushort");
    else if (y->dtype == IR_DT_BOOL) /* != 0, whatever the source */
        snprintf(opts, sizeof opts, "-DSRC_T=%s -DDST_T=uchar -DCAST_TO_BOOL", src);
    else if (f2i) /* truncate + saturate; NaN -> 0 spelt out (see cast.cl) */
        snprintf(opts, sizeof opts, "-DSRC_T=float -DDST_T=%s -DCONVERT=convert_%s_sat_rtz "
                 "-DCAST_NAN_ZERO", dst, dst);
    else if (!boundary) /* int -> int: a C cast keeps the low bits; -> float: nearest even */
        snprintf(opts, sizeof opts, "-DSRC_T=%s -DDST_T=%s -DCONVERT=convert_%s", src, dst, dst);
    if (!boundary && xh != yh) /* float <-> integer/bool with the float side half */
        strcat(opts, xh ? " -DSRC_HALF" : " -DDST_HALF");
    const cl_int cnt = (cl_int)ir_numel(y);
    if (cnt == 0) { /* nothing to write: a zero NDRange is invalid */
        c->variant = name;
        return CLCNN_OK;
    }
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "cast", opts[0] ? opts : NULL, name, &k, err);
    if (st)
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, name, err);
}
