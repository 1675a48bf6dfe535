/* movement_cl.c — OpenCL side of the data-movement ops (host/ops/movement.c):
 * Transpose (permute) and Slice (slice_nd), both slice.cl's strided gather,
 * Concat (copy_block per input the plan did not place in its slice) and Split
 * (copy_block per piece), Pad (pad_nd), Gather (gather_words).
 * Reshape-like ops need no kernel: the plan aliases their buffers. Float
 * tensors take the kernels' default element type (sfloat: half in an fp16
 * plan); Gather moves a half-stored float as one 16-bit word. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_cl.h"
#include "../ops/elem.h"
#include "../ops/ops_impl.h"

/* One slice_nd launch (kernels_cl/slice.cl): y[i] = x[base + sum_d i_d * sv[d]]
 * over y's dims left-padded to 6. */
static clcnn_status push_strided(opcl_ctx *c, const ir_node *n, const ir_tensor *y,
                                 const cl_int sv[8], cl_int base, const char *variant,
                                 clcnn_err *err)
{
    cl_int dims[8] = {0};
    clcnn_status st = opcl_dims6(n, y, dims, err);
    if (st)
        return st;
    cl_int cnt = (cl_int)ir_numel(y);
    cl_kernel k = NULL;
    if (cnt == 0) { /* nothing to write: a zero NDRange is invalid */
        c->variant = variant;
        return CLCNN_OK;
    }
    if ((st = opcl_kernel(c, "slice", opcl_elem_opt(y->dtype), "slice_nd", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                        OPCL_ARG(base), OPCL_ARG(dims),
                        ((opcl_argval){8 * sizeof(cl_int), sv}) /* a parameter: a pointer */))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, variant, err);
}

/* Transpose is a strided gather with base 0: y's dim d steps through the input
 * axis perm[d]. ShuffleNet's channel shuffle (Reshape -> Transpose -> Reshape)
 * therefore runs as this one kernel: the Reshapes are zero-copy aliases. */
clcnn_status transpose_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    int perm[IR_MAX_DIMS];
    clcnn_status st = transpose_perm(c->g, n, perm, err);
    if (st)
        return st;
    if ((st = opcl_need_elem(n, x, err)))
        return st;
    cl_int sv[8] = {0};
    int64_t xs[IR_MAX_DIMS];
    op_strides(x->ndim, x->dims, xs);
    for (int d = 0; d < y->ndim; d++)
        sv[6 - y->ndim + d] = (cl_int)xs[perm[d]];
    return push_strided(c, n, y, sv, 0, "permute", err);
}

clcnn_status slice_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    int64_t start[IR_MAX_DIMS], step[IR_MAX_DIMS], count[IR_MAX_DIMS];
    clcnn_status st;
    if ((st = opcl_need_elem(n, x, err)) || (st = slice_params(c->g, n, start, step, count, err)))
        return st;
    cl_int sv[8] = {0};
    int64_t xs[IR_MAX_DIMS], base = 0;
    op_strides(x->ndim, x->dims, xs);
    for (int d = 0; d < x->ndim; d++) {
        sv[6 - x->ndim + d] = (cl_int)(xs[d] * step[d]);
        base += start[d] * xs[d];
    }
    return push_strided(c, n, y, sv, (cl_int)base, "slice_nd", err);
}

/* One copy_block launch: `outer` runs of `chunk` elements. */
static clcnn_status push_copy(opcl_ctx *c, const ir_node *n, int dtype, cl_mem src, cl_mem dst,
                              int64_t outer, int64_t chunk, int64_t s_stride, int64_t s_off,
                              int64_t d_stride, int64_t d_off, clcnn_err *err)
{
    if (outer * chunk == 0)
        return CLCNN_OK;
    cl_int v[6] = {(cl_int)outer, (cl_int)chunk, (cl_int)s_stride, (cl_int)s_off, (cl_int)d_stride,
                   (cl_int)d_off};
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "concat", opcl_elem_opt(dtype), "copy_block", &k, err);
    if (st)
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(src), OPCL_ARG(dst), OPCL_ARG(v[0]), OPCL_ARG(v[1]),
                        OPCL_ARG(v[2]), OPCL_ARG(v[3]), OPCL_ARG(v[4]), OPCL_ARG(v[5])))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[2] = {(size_t)chunk, (size_t)outer};
    return opcl_push(c, n, k, 2, gws, NULL, "copy_block", err);
}

clcnn_status concat_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *y = ir_out(c->g, n, 0);
    int ax;
    clcnn_status st = op_axis(n, ir_attr_int(n, "axis", 0), y->ndim, "axis", &ax, err);
    if (st)
        return st;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < ax; d++)
        outer *= y->dims[d];
    for (int d = ax + 1; d < y->ndim; d++)
        inner *= y->dims[d];
    int64_t off = 0;
    int copies = 0;
    for (int i = 0; i < n->n_in; i++) {
        const ir_tensor *x = ir_in(c->g, n, i);
        if ((st = opcl_need_elem(n, x, err)))
            return st;
        int64_t chunk = x->dims[ax] * inner;
        if (c->in_place && c->in_place[i]) { /* its producer wrote it into its slice */
            off += chunk;
            continue;
        }
        if (!c->mem[n->in[i]])
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer", x->name);
        if ((st = push_copy(c, n, y->dtype, c->mem[n->in[i]], c->mem[c->out], outer, chunk, chunk, 0,
                            y->dims[ax] * inner, off, err)))
            return st;
        off += chunk;
        copies++;
    }
    if (!copies) /* every input already in place: nothing runs */
        c->variant = "in_place";
    return CLCNN_OK;
}

clcnn_status split_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0);
    int ax;
    int64_t sizes[64];
    clcnn_status st;
    if (n->n_out > 64)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "more than 64 outputs");
    if ((st = split_sizes(c->g, n, &ax, sizes, err)) || (st = opcl_need_elem(n, x, err)))
        return st;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < ax; d++)
        outer *= x->dims[d];
    for (int d = ax + 1; d < x->ndim; d++)
        inner *= x->dims[d];
    int64_t off = 0;
    for (int i = 0; i < n->n_out; i++) {
        int64_t chunk = sizes[i] * inner;
        /* the plan redirects only output 0 (fusion never applies to Split) */
        cl_mem dst = c->mem[i == 0 ? c->out : n->out[i]];
        if (dst && (st = push_copy(c, n, x->dtype, c->mem[n->in[0]], dst, outer, chunk, x->dims[ax] * inner,
                                   off, chunk, 0, err)))
            return st;
        off += chunk;
    }
    return CLCNN_OK;
}

clcnn_status pad_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    int64_t pads[2 * IR_MAX_DIMS];
    pad_mode mode;
    double value;
    int value_rt;
    clcnn_status st;
    if ((st = opcl_need_elem(n, x, err)) ||
        (st = pad_params(c->g, n, pads, &mode, &value, &value_rt, err)))
        return st;
    /* constant_value fed at run time: pad_nd_operand reads it from its buffer */
    const char *var = value_rt ? "pad_nd_operand" : "pad_nd";
    cl_mem vm = value_rt ? c->mem[n->in[2]] : NULL;
    if (value_rt && !vm)
        return op_fail(err, CLCNN_ERR_INTERNAL, n, "constant_value has no device buffer");
    cl_int yd[8] = {0}, xd[8] = {0}, pb[8] = {0};
    if ((st = opcl_dims6(n, y, yd, err)) || (st = opcl_dims6(n, x, xd, err)))
        return st;
    for (int d = 0; d < x->ndim; d++)
        pb[6 - x->ndim + d] = (cl_int)pads[d];
    cl_int cmode = mode == PAD_CONSTANT ? 0 : mode == PAD_REFLECT ? 1 : 2; /* pad.cl's PAD_* */
    /* the constant as y's own element: float (also for a half-stored y: pad.cl
     * takes a float and stores it half), or the bits of another dtype */
    uint64_t fv = 0;
    const size_t es = ir_dtype_size(y->dtype);
    elem_set_f(&fv, y->dtype, 0, value); /* little-endian: the low es bytes */
    cl_int cnt = (cl_int)ir_numel(y);
    cl_kernel k = NULL;
    if (cnt == 0) { /* nothing to write: a zero NDRange is invalid */
        c->variant = var;
        return CLCNN_OK;
    }
    if ((st = opcl_kernel(c, "pad", opcl_elem_opt(y->dtype), var, &k, err)))
        return st;
    opcl_argval last = value_rt ? OPCL_ARG(vm) : (opcl_argval){es, &fv}; /* the element's size */
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                        OPCL_ARG(yd), OPCL_ARG(xd), OPCL_ARG(pb), OPCL_ARG(cmode), last))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, var, err);
}

/* Build option and words per element of gather.cl for a tensor of `esz`
 * device bytes an element: 32-bit words for 4- and 8-byte elements, 16-bit
 * ones for half-stored floats (an fp16 plan); NULL for other sizes. */
static const char *gather_word(size_t esz, int *words)
{
    *words = esz == 2 ? 1 : (int)(esz / 4);
    return esz == 2 ? "-DW=ushort" : esz == 4 || esz == 8 ? "-DW=uint" : NULL;
}

/* ---- Gather ---- OpenCL side of Gather (kernels_cl/gather.cl, gather_words).
 * Constant indices (the usual case) are range-checked, wrapped and uploaded
 * here as int32 once; the plan uploads only float constants, so this launch
 * owns that buffer and runs as a custom launch that enqueues the kernel and
 * frees both with the plan. Indices produced at run time are read from their
 * own device buffer as int64/int32 and wrapped in the kernel. */

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
    const size_t esz = opcl_esize(x);
    int words;
    const char *wopt = gather_word(esz, &words);
    if (!wopt || (esz == 2 && !x->half) || y->dtype != x->dtype || opcl_esize(y) != esz)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "Gather of %s data on OpenCL", ir_dtype_name(x->dtype));
    if (it->dtype != IR_DT_INT64 && it->dtype != IR_DT_INT32)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "indices '%s' must be int64 or int32", it->name);
    if (!c->mem[n->in[0]] || (!it->data && !c->mem[n->in[1]]))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer (the OpenCL plan "
                       "keeps only float32 tensors)", c->mem[n->in[0]] ? it->name : x->name);
    int64_t outer = 1, inner = words;
    for (int d = 0; d < ax; d++)
        outer *= x->dims[d];
    for (int d = ax + 1; d < x->ndim; d++)
        inner *= x->dims[d];
    const cl_int v[4] = {(cl_int)outer, (cl_int)x->dims[ax], (cl_int)ir_numel(it), (cl_int)inner};
    const size_t gws[3] = {(size_t)inner, (size_t)ir_numel(it), (size_t)outer};
    const int owned = it->data != NULL;
    char opts[48];
    snprintf(opts, sizeof opts, "%s %s", wopt,
             owned || it->dtype == IR_DT_INT32 ? "-DIDX_T=int" : "-DIDX_T=long");
    cl_mem idx = owned ? NULL : c->mem[n->in[1]];
    cl_kernel k = NULL;
    if (owned && (st = upload_indices(c, n, it, x->dims[ax], &idx, err)))
        return st;
    if ((st = opcl_kernel(c, "gather", opts, "gather_words", &k, err)))
        goto fail;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(idx), OPCL_ARG(c->mem[c->out]),
                        OPCL_ARG(v[0]), OPCL_ARG(v[1]), OPCL_ARG(v[2]), OPCL_ARG(v[3]))))
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

/* GatherND: constant tuples become one wrapped flat index each (so the kernel
 * reads one int per tuple); run-time int64 tuples are wrapped by the kernel. */
clcnn_status gathernd_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *it = ir_in(c->g, n, 1), *y = ir_out(c->g, n, 0);
    gathernd_geom geo;
    clcnn_status st = gathernd_geometry(c->g, n, &geo, err);
    if (st)
        return st;
    const size_t esz = opcl_esize(x);
    int words;
    const char *wopt = gather_word(esz, &words);
    if (!wopt || (esz == 2 && !x->half) || y->dtype != x->dtype || opcl_esize(y) != esz)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "GatherND of %s data on OpenCL", ir_dtype_name(x->dtype));
    if (!c->mem[n->in[0]] || (!it->data && !c->mem[n->in[1]]))
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer",
                       c->mem[n->in[0]] ? it->name : x->name);
    const int owned = it->data != NULL;
    int64_t per_batch = 1, ntot = geo.batch * geo.ntup;
    cl_int8 dims = {{0}};
    for (int m = 0; m < geo.k; m++) {
        dims.s[m] = (cl_int)x->dims[geo.b + m];
        per_batch *= x->dims[geo.b + m];
    }
    cl_mem idx = owned ? NULL : c->mem[n->in[1]];
    if (owned) {
        cl_int *v = malloc((size_t)(ntot > 0 ? ntot : 1) * sizeof *v);
        if (!v)
            return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for GatherND indices");
        for (int64_t j = 0; j < ntot; j++) {
            int64_t off = 0;
            for (int m = 0; m < geo.k; m++) {
                int64_t len = x->dims[geo.b + m], t = ((const int64_t *)it->data)[j * geo.k + m];
                if (t < -len || t >= len) {
                    free(v);
                    return op_fail(err, CLCNN_ERR_SHAPE, n, "index %lld is out of range for dim "
                                   "size %lld", (long long)t, (long long)len);
                }
                off = off * len + (t < 0 ? t + len : t);
            }
            v[j] = (cl_int)off;
        }
        cl_int rc;
        idx = clCreateBuffer(rt_cl_context(c->rt), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                             (size_t)(ntot > 0 ? ntot : 1) * sizeof *v, v, &rc);
        free(v);
        if (rc != CL_SUCCESS)
            return op_fail(err, CLCNN_ERR_CL, n, "clCreateBuffer (GatherND indices) failed: %s (%d)",
                           rt_cl_error_name(rc), (int)rc);
        memset(&dims, 0, sizeof dims);
        dims.s[0] = (cl_int)per_batch;
    }
    const cl_int v[4] = {(cl_int)geo.batch, (cl_int)geo.ntup,
                         (cl_int)(geo.slice * words), owned ? 1 : geo.k};
    const size_t gws[3] = {(size_t)v[2], (size_t)v[1], (size_t)v[0]};
    cl_kernel k = NULL;
    char opts[48];
    snprintf(opts, sizeof opts, "%s %s", wopt, owned ? "-DIDX_T=int" : "-DIDX_T=long");
    if ((st = opcl_kernel(c, "gather", opts, "gathernd_words", &k, err)))
        goto fail;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(idx), OPCL_ARG(c->mem[c->out]),
                        OPCL_ARG(v[0]), OPCL_ARG(v[1]), OPCL_ARG(v[2]), OPCL_ARG(v[3]),
                        OPCL_ARG(dims))))
        goto fail;
    if (gws[0] * gws[1] * gws[2] == 0) { /* nothing to write: no launch (zero NDRange is invalid) */
        clReleaseKernel(k);
        if (owned)
            clReleaseMemObject(idx);
        c->variant = "gathernd_words";
        return CLCNN_OK;
    }
    if (!owned)
        return opcl_push(c, n, k, 3, gws, NULL, "gathernd_words", err);
    return opcl_push_owned(c, n, k, 3, gws, NULL, idx, "gathernd_words", err);
fail:
    if (k)
        clReleaseKernel(k);
    if (owned && idx)
        clReleaseMemObject(idx);
    return st;
}
