/* gather_cl.c — OpenCL side of Gather (kernels_cl/gather.cl, gather_words).
 * Constant indices (the usual case) are range-checked, wrapped and uploaded
 * here as int32 once; the plan uploads only float constants, so this launch
 * owns that buffer and runs as a custom launch that enqueues the kernel and
 * frees both with the plan. Indices produced at run time are read from their
 * own device buffer as int64/int32 and wrapped in the kernel. */
#include <stdlib.h>

#include "op_cl.h"
#include "ops_impl.h"

/* Constant indices -> wrapped int32 device buffer (shape inference already
 * refused out-of-range ones; checked again because the plan may run alone). */
static clcnn_status upload_indices(opcl_ctx *c, const ir_node *n, const ir_tensor *it, int64_t dim,
                                   cl_mem *out, clcnn_err *err)
{
    const int64_t ni = ir_numel(it);
    cl_int *v = malloc((size_t)(ni > 0 ? ni : 1) * sizeof *v);
    if (!v)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for Gather indices");
    for (int64_t j = 0; j < ni; j++) {
        int64_t k = it->dtype == IR_DT_INT64 ? ((const int64_t *)it->data)[j]
                                             : ((const int32_t *)it->data)[j];
        if (k < -dim || k >= dim) {
            free(v);
            return op_fail(err, CLCNN_ERR_SHAPE, n, "index %lld is out of range for axis size %lld",
                           (long long)k, (long long)dim);
        }
        v[j] = (cl_int)(k < 0 ? k + dim : k);
    }
    cl_int rc;
    *out = clCreateBuffer(rt_cl_context(c->rt), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                          (size_t)(ni > 0 ? ni : 1) * sizeof *v, v, &rc);
    free(v);
    if (rc != CL_SUCCESS)
        return op_fail(err, CLCNN_ERR_CL, n, "clCreateBuffer (Gather indices) failed: %s (%d)",
                       rt_cl_error_name(rc), (int)rc);
    return CLCNN_OK;
}

clcnn_status gather_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *it = ir_in(c->g, n, 1), *y = ir_out(c->g, n, 0);
    int ax;
    clcnn_status st = op_axis(n, ir_attr_int(n, "axis", 0), x->ndim, "axis", &ax, err);
    if (st)
        return st;
    const size_t esz = ir_dtype_size(x->dtype);
    if ((esz != 4 && esz != 8) || y->dtype != x->dtype)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "Gather of dtype %d data on OpenCL", x->dtype);
    if (it->dtype != IR_DT_INT64 && it->dtype != IR_DT_INT32)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "indices '%s' must be int64 or int32", it->name);
    if (!c->mem[n->in[0]] || (!it->data && !c->mem[n->in[1]]))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer (the OpenCL plan "
                       "keeps only float32 tensors)", c->mem[n->in[0]] ? it->name : x->name);
    int64_t outer = 1, inner = (int64_t)(esz / 4);
    for (int d = 0; d < ax; d++)
        outer *= x->dims[d];
    for (int d = ax + 1; d < x->ndim; d++)
        inner *= x->dims[d];
    const cl_int v[4] = {(cl_int)outer, (cl_int)x->dims[ax], (cl_int)ir_numel(it), (cl_int)inner};
    const size_t gws[3] = {(size_t)inner, (size_t)ir_numel(it), (size_t)outer};
    const int owned = it->data != NULL;
    const char *opts = owned || it->dtype == IR_DT_INT32 ? "-DIDX_T=int" : "-DIDX_T=long";
    cl_mem idx = owned ? NULL : c->mem[n->in[1]];
    cl_kernel k = NULL;
    if (owned && (st = upload_indices(c, n, it, x->dims[ax], &idx, err)))
        return st;
    if ((st = opcl_kernel(c, "gather", opts, "gather_words", &k, err)))
        goto fail;
    if ((st = opcl_arg(k, 0, sizeof(cl_mem), &c->mem[n->in[0]], err)) ||
        (st = opcl_arg(k, 1, sizeof(cl_mem), &idx, err)) ||
        (st = opcl_arg(k, 2, sizeof(cl_mem), &c->mem[c->out], err)))
        goto fail;
    for (cl_uint i = 0; i < 4; i++)
        if ((st = opcl_arg(k, 3 + i, sizeof(cl_int), &v[i], err)))
            goto fail;
    if (!owned)
        return opcl_push(c, n, k, 3, gws, NULL, "gather_words", err);
    if (gws[0] * gws[1] * gws[2] == 0) { /* nothing to write: no launch (zero NDRange is invalid) */
        clReleaseKernel(k);
        clReleaseMemObject(idx);
        c->variant = "gather_words";
        return CLCNN_OK;
    }
    return opcl_push_owned(c, n, k, 3, gws, NULL, idx, "gather_words", err);
fail:
    if (k)
        clReleaseKernel(k);
    if (owned && idx)
        clReleaseMemObject(idx);
    return st;
}
