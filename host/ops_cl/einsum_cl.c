/* einsum_cl.c — OpenCL side of Einsum. A batched matrix product (two inputs,
 * one summed letter k, output letters batch..., m, n with m only in A and n
 * only in B, the batch letters of each input collapsible to one stride: MaxViT's
 * "B G H I D, B G H J D -> B G H I J") runs on gemm.cl (gemm_tile / gemm_general
 * through strides: 5x einsum_general on POCL); anything else on einsum_general
 * (kernels_cl/einsum.cl), one work-item per output element looping over the
 * summed letters, with einsum.h's extents and strides padded to 8 letters each. */
#include <string.h>

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

/* One stride for the batch letters 0..nb) of input i: each letter's stride is
 * the next one's times its extent (letters of extent 1 skipped). -1: none. */
static int64_t batch_stride(const einsum_spec *s, int i, int nb)
{
    int64_t inner = -1, want = 0; /* stride the next-outer letter must have */
    for (int l = nb - 1; l >= 0; l--) {
        if (s->out_ext[l] == 1)
            continue;
        const int64_t v = s->out_st[i][l];
        if (inner < 0)
            inner = v;
        else if (v != want)
            return -1;
        want = v * s->out_ext[l];
    }
    return inner < 0 ? 0 : inner;
}

/* 1 and sz/st filled when s is a batched matrix product gemm.cl can run. */
static int as_gemm(const einsum_spec *s, cl_int sz[4], cl_int st[8])
{
    const int no = s->n_out, nb = no - 2;
    if (s->n_in != 2 || s->n_sum != 1 || no < 2)
        return 0;
    const int m = no - 2, nl = no - 1;
    if (s->out_st[1][m] != 0 || s->out_st[0][nl] != 0) /* m only in A, n only in B */
        return 0;
    int64_t batch = 1;
    for (int l = 0; l < nb; l++)
        batch *= s->out_ext[l];
    const int64_t sa = batch_stride(s, 0, nb), sb = batch_stride(s, 1, nb);
    const int64_t v[11] = {s->out_ext[m], s->out_ext[nl], s->sum_ext[0], batch, sa,
                           s->out_st[0][m], s->sum_st[0][0], sb, s->sum_st[1][0],
                           s->out_st[1][nl], batch * s->out_ext[m] * s->out_ext[nl]};
    for (int k = 0; k < 11; k++)
        if (v[k] < 0 || v[k] > INT32_MAX)
            return 0;
    for (int k = 0; k < 4; k++)
        sz[k] = (cl_int)v[k];
    for (int k = 0; k < 6; k++)
        st[k] = (cl_int)v[4 + k];
    st[6] = st[7] = 0;
    return 1;
}

clcnn_status einsum_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    einsum_spec s;
    clcnn_status st = einsum_parse(c->g, n, &s, err);
    if (st)
        return st;
    cl_int gsz[4], gst[8];
    /* a test forcing einsum_general keeps it; one forcing a gemm variant gets that */
    if ((!c->force || !c->force[0] || strncmp(c->force, "gemm_", 5) == 0) && as_gemm(&s, gsz, gst))
        return gemm_strided_cl(c, n, gsz, gst, err);
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
