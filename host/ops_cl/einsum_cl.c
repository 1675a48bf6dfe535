/* einsum_cl.c — OpenCL side of Einsum: einsum_general (kernels_cl/einsum.cl),
 * one work-item per output element looping over the summed letters, with
 * einsum.h's extents and strides padded to 8 letters each. */
#include "op_cl.h"
#include "../ops/einsum.h"
#include "../ops/ops_impl.h"

/* v = the last m of ext[0..cnt) right-aligned in 8 lanes, `pad` in front. */
static cl_int8 lanes(const int64_t *ext, int cnt, cl_int pad)
{
    cl_int8 v;
    for (int k = 0; k < 8; k++)
        v.s[k] = k < 8 - cnt ? pad : (cl_int)ext[k - (8 - cnt)];
    return v;
}

clcnn_status einsum_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    einsum_spec s;
    clcnn_status st = einsum_parse(c->g, n, &s, err);
    if (st)
        return st;
    if (s.n_out > 8 || s.n_sum > 8)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "%d output and %d summed letters; the "
                       "OpenCL kernel takes up to 8 each (use --device ref)", s.n_out, s.n_sum);
    int64_t total = 1;
    for (int k = 0; k < s.n_sum; k++)
        total *= s.sum_ext[k];
    if (total > INT32_MAX)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "%lld summed elements per output",
                       (long long)total);
    cl_int8 oext = lanes(s.out_ext, s.n_out, 1), osa = lanes(s.out_st[0], s.n_out, 0),
            osb = lanes(s.out_st[1], s.n_out, 0), sext = lanes(s.sum_ext, s.n_sum, 1),
            ssa = lanes(s.sum_st[0], s.n_sum, 0), ssb = lanes(s.sum_st[1], s.n_sum, 0);
    const cl_int cnt = (cl_int)ir_numel(ir_out(c->g, n, 0)), n_sum = (cl_int)total,
                 two = s.n_in > 1;
    cl_mem a = c->mem[n->in[0]], b = two ? c->mem[n->in[1]] : a; /* b not read when two == 0 */
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "einsum", NULL, "einsum_general", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(a), OPCL_ARG(b), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                        OPCL_ARG(n_sum), OPCL_ARG(oext), OPCL_ARG(osa), OPCL_ARG(osb),
                        OPCL_ARG(sext), OPCL_ARG(ssa), OPCL_ARG(ssb), OPCL_ARG(two)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, "einsum_general", err);
}
