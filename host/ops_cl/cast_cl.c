/* cast_cl.c — OpenCL side of Cast between float, int32 and int64
 * (kernels_cl/cast.cl, cast_elems): picks the OpenCL conversion that matches
 * cast_ref — float -> integer truncates toward zero, saturates, NaN -> 0, as
 * onnxruntime does for in-range values — and builds it as a variant of one
 * kernel. Other dtypes are refused by name. */
#include <stdio.h>

#include "op_cl.h"
#include "../ops/ops_impl.h"

/* OpenCL C type name of a dtype this kernel handles, NULL otherwise. */
static const char *cl_type(int dt)
{
    switch (dt) {
    case IR_DT_FLOAT: return "float";
    case IR_DT_INT32: return "int";
    case IR_DT_INT64: return "long";
    default: return NULL;
    }
}

clcnn_status cast_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    const char *src = cl_type(x->dtype), *dst = cl_type(y->dtype);
    if (!src || !dst)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "Cast from dtype %d to %d on OpenCL (float, "
                       "int32, int64 only)", x->dtype, y->dtype);
    if (!c->mem[n->in[0]])
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer (the OpenCL plan "
                       "keeps only float32 tensors)", x->name);
    /* float -> integer: _sat_rtz; wider -> narrower integer: _sat; else plain */
    const char *mode = x->dtype == IR_DT_FLOAT && y->dtype != IR_DT_FLOAT ? "_sat_rtz"
                       : x->dtype == IR_DT_INT64 && y->dtype == IR_DT_INT32 ? "_sat"
                                                                          : "";
    char opts[128];
    snprintf(opts, sizeof opts, "-DSRC_T=%s -DDST_T=%s -DCONVERT=convert_%s%s%s", src, dst, dst,
             mode, x->dtype == IR_DT_FLOAT && y->dtype != IR_DT_FLOAT ? " -DCAST_NAN_ZERO" : "");
    const cl_int cnt = (cl_int)ir_numel(y);
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "cast", opts, "cast_elems", &k, err);
    if (st)
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]),
                        OPCL_ARG(cnt)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, "cast_elems", err);
}
