/* norm_cl.c — OpenCL side of LayerNormalization, InstanceNormalization and
 * GroupNormalization (norm.h's rows: norm_rows, one work-group per row, or
 * norm_row1, one work-item per row, for short rows on CPU devices) and LRN
 * (lrn_elems). kernels_cl/norm.cl. */
#include <string.h>

#include "op_cl.h"
#include "../ops/norm.h"
#include "../ops/ops_impl.h"

#ifndef NORM_ROW1_MAX_D
#define NORM_ROW1_MAX_D 256
#endif

/* Work-group size of norm_rows: a power of two covering the row, capped by
 * the kernel's and the plan profile's limits (64 on a CPU device, where a
 * group is one task on one core; 256 on GPUs). */
static size_t row_group(const opcl_ctx *c, cl_kernel k, int64_t D)
{
    size_t max_wg = 1, cap = opcl_on_cpu(c) ? 64 : 256;
    if (clGetKernelWorkGroupInfo(k, rt_device(c->rt), CL_KERNEL_WORK_GROUP_SIZE, sizeof max_wg,
                                 &max_wg, NULL) != CL_SUCCESS || max_wg == 0)
        max_wg = 1;
    const rt_plan_dev *pd = rt_plan_device(c->rt);
    if (pd->max_work_group_size && pd->max_work_group_size < max_wg)
        max_wg = pd->max_work_group_size;
    if (max_wg < cap)
        cap = max_wg;
    size_t L = 1;
    while (L < (size_t)D && 2 * L <= cap)
        L <<= 1;
    return L;
}

static cl_int4 idx4(const norm_idx *s)
{
    cl_int4 v = {{(cl_int)s->rm, (cl_int)s->rs, (cl_int)s->jd, (cl_int)s->js}};
    return v;
}

clcnn_status norm_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    norm_geom ng;
    clcnn_status st = norm_geometry(c->g, n, &ng, err);
    if (st)
        return st;
    cl_mem x = c->mem[n->in[0]], scale = c->mem[n->in[1]], y = c->mem[c->out];
    cl_mem bias = ng.has_bias ? c->mem[n->in[2]] : scale; /* not read without flag 1 */
    /* LayerNormalization's optional Mean / InvStdDev: flags 2 / 4, else not written */
    const int want_mean = ng.stats && n->n_out > 1 && n->out[1] >= 0;
    const int want_istd = ng.stats && n->n_out > 2 && n->out[2] >= 0;
    cl_mem mean = want_mean ? c->mem[n->out[1]] : y, istd = want_istd ? c->mem[n->out[2]] : y;
    if (!x || !scale || !bias || !y || !mean || !istd)
        return op_fail(err, CLCNN_ERR_INTERNAL, n, "a tensor has no device buffer");
    const cl_int rows = (cl_int)ng.rows, D = (cl_int)ng.D;
    const cl_int flags = ng.has_bias | want_mean << 1 | want_istd << 2;
    const cl_float eps = (cl_float)ng.eps;
    const cl_int4 si = idx4(&ng.scale), bi = idx4(&ng.bias);
    cl_kernel k = NULL;
    /* short rows on a CPU device: a work-group per row costs more in barriers than it
     * sums (ConvNeXt's 56x56x96 LayerNorm: NORM_ROW1_MAX_D) */
    if ((opcl_on_cpu(c) && ng.D <= NORM_ROW1_MAX_D && !opcl_forced_away(c, "norm_row1")) ||
        (c->force && strcmp(c->force, "norm_row1") == 0)) {
        if ((st = opcl_kernel(c, "norm", NULL, "norm_row1", &k, err)))
            return st;
        if ((st = OPCL_ARGS(k, err, OPCL_ARG(x), OPCL_ARG(scale), OPCL_ARG(bias), OPCL_ARG(y),
                            OPCL_ARG(mean), OPCL_ARG(istd), OPCL_ARG(rows), OPCL_ARG(D),
                            OPCL_ARG(eps), OPCL_ARG(si), OPCL_ARG(bi), OPCL_ARG(flags)))) {
            clReleaseKernel(k);
            return st;
        }
        const size_t gws[1] = {(size_t)rows};
        return opcl_push(c, n, k, 1, gws, NULL, "norm_row1", err);
    }
    if ((st = opcl_kernel(c, "norm", NULL, "norm_rows", &k, err)))
        return st;
    const size_t L = row_group(c, k, ng.D);
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(x), OPCL_ARG(scale), OPCL_ARG(bias), OPCL_ARG(y),
                        OPCL_ARG(mean), OPCL_ARG(istd), OPCL_ARG(rows), OPCL_ARG(D),
                        OPCL_ARG(eps), OPCL_ARG(si), OPCL_ARG(bi), OPCL_ARG(flags),
                        OPCL_LOCAL(L * sizeof(cl_float))))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)rows * L}, lws[1] = {L};
    return opcl_push(c, n, k, 1, gws, lws, "norm_rows", err);
}

clcnn_status lrn_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *xt = ir_in(c->g, n, 0);
    const int64_t size = ir_attr_int(n, "size", 1);
    int64_t S = 1;
    for (int d = 2; d < xt->ndim; d++)
        S *= xt->dims[d];
    const cl_int cnt = (cl_int)ir_numel(xt), C = (cl_int)xt->dims[1], cS = (cl_int)S;
    /* the window's reach, clamped to C: a size beyond INT32_MAX must not wrap */
    const cl_int lo = (cl_int)((size - 1) / 2 < C ? (size - 1) / 2 : C);
    const cl_int hi = (cl_int)(size / 2 < C ? size / 2 : C);
    const cl_float a = ir_attr_float(n, "alpha", 1e-4f) / (float)size,
                   beta = ir_attr_float(n, "beta", 0.75f), bias = ir_attr_float(n, "bias", 1.0f);
    cl_kernel k = NULL;
    /* exact square-root forms of the usual betas (kernels_cl/norm.cl, LRN_BETA) */
    const char *opts = beta == 0.75f ? "-DLRN_BETA=1" : beta == 0.5f ? "-DLRN_BETA=2" : NULL;
    clcnn_status st = opcl_kernel(c, "norm", opts, "lrn_elems", &k, err);
    if (st)
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]),
                        OPCL_ARG(cnt), OPCL_ARG(C), OPCL_ARG(cS), OPCL_ARG(lo), OPCL_ARG(hi),
                        OPCL_ARG(a), OPCL_ARG(beta), OPCL_ARG(bias)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, "lrn_elems", err);
}
