/* gemm_cl.c — OpenCL side of Gemm and MatMul: both become gemm_general with
 * element strides (transA/transB, 1-D operands) and a batch stride (0 = the
 * operand is shared by every batch). MatMul batch dims must either match the
 * output's or be absent/all 1; partial broadcasting is refused by name. */
#include "op_cl.h"
#include "ops_impl.h"

typedef struct gemm_geo {
    cl_int sz[4];  /* M, N, K, batch */
    cl_int st[8];  /* a_sb, a_sm, a_sk, b_sb, b_sk, b_sn, c_sm, c_sn */
    float alpha, beta;
    int c_in;      /* input index of C, -1 none */
} gemm_geo;

static clcnn_status gemm_geo_gemm(const ir_graph *g, const ir_node *n, gemm_geo *o, clcnn_err *err)
{
    const ir_tensor *a = ir_in(g, n, 0), *b = ir_in(g, n, 1), *cc = ir_in(g, n, 2);
    if (a->ndim != 2 || b->ndim != 2)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "Gemm needs rank-2 A and B, got %d and %d", a->ndim,
                       b->ndim);
    const int ta = (int)ir_attr_int(n, "transA", 0), tb = (int)ir_attr_int(n, "transB", 0);
    const int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
    const int64_t N = tb ? b->dims[0] : b->dims[1];
    o->sz[0] = (cl_int)M, o->sz[1] = (cl_int)N, o->sz[2] = (cl_int)K, o->sz[3] = 1;
    o->st[0] = 0, o->st[1] = ta ? 1 : (cl_int)K, o->st[2] = ta ? (cl_int)M : 1;
    o->st[3] = 0, o->st[4] = tb ? 1 : (cl_int)N, o->st[5] = tb ? (cl_int)K : 1;
    o->alpha = ir_attr_float(n, "alpha", 1.0f);
    o->beta = ir_attr_float(n, "beta", 1.0f);
    o->c_in = cc ? 2 : -1;
    if (cc) {
        if (cc->ndim > 2)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "C '%s' has rank %d > 2", cc->name, cc->ndim);
        const int64_t od[2] = {M, N};
        int64_t s[2];
        op_bcast_strides(cc, 2, od, s);
        o->st[6] = (cl_int)s[0], o->st[7] = (cl_int)s[1];
    }
    return CLCNN_OK;
}

/* Batch stride of an operand whose matrix is rows*cols: full batch, or shared. */
static clcnn_status batch_stride(const ir_node *n, const ir_tensor *t, int64_t batch,
                                 int64_t mat, cl_int *out, clcnn_err *err)
{
    int64_t tb = t->ndim > 2 ? ir_numel(t) / mat : 1;
    if (tb == batch)
        *out = batch == 1 ? 0 : (cl_int)mat;
    else if (tb == 1)
        *out = 0;
    else
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "MatMul operand '%s' broadcasts only some batch dims; not supported", t->name);
    return CLCNN_OK;
}

static clcnn_status gemm_geo_matmul(const ir_graph *g, const ir_node *n, gemm_geo *o, clcnn_err *err)
{
    const ir_tensor *a = ir_in(g, n, 0), *b = ir_in(g, n, 1), *y = ir_out(g, n, 0);
    if (a->ndim < 1 || b->ndim < 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "MatMul operands need rank >= 1");
    const int64_t M = a->ndim == 1 ? 1 : a->dims[a->ndim - 2], K = a->dims[a->ndim - 1];
    const int64_t N = b->ndim == 1 ? 1 : b->dims[b->ndim - 1];
    const int64_t batch = ir_numel(y) / (M * N > 0 ? M * N : 1);
    o->sz[0] = (cl_int)M, o->sz[1] = (cl_int)N, o->sz[2] = (cl_int)K, o->sz[3] = (cl_int)batch;
    clcnn_status st;
    if ((st = batch_stride(n, a, batch, M * K, &o->st[0], err)) ||
        (st = batch_stride(n, b, batch, K * N, &o->st[3], err)))
        return st;
    o->st[1] = (cl_int)K, o->st[2] = 1;
    o->st[4] = b->ndim == 1 ? 1 : (cl_int)N, o->st[5] = 1;
    o->st[6] = o->st[7] = 0;
    o->alpha = 1.0f, o->beta = 0.0f, o->c_in = -1;
    return CLCNN_OK;
}

clcnn_status gemm_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    gemm_geo geo = {0};
    clcnn_status st = n->op == IR_OP_GEMM ? gemm_geo_gemm(c->g, n, &geo, err)
                                          : gemm_geo_matmul(c->g, n, &geo, err);
    if (st)
        return st;
    cl_int has_c = geo.c_in >= 0;
    cl_mem cm = has_c ? c->mem[n->in[geo.c_in]] : c->mem[n->in[0]]; /* unread when no C */
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "gemm", NULL, "gemm_general", &k, err)))
        return st;
    if ((st = opcl_arg(k, 0, sizeof(cl_mem), &c->mem[n->in[0]], err)) ||
        (st = opcl_arg(k, 1, sizeof(cl_mem), &c->mem[n->in[1]], err)) ||
        (st = opcl_arg(k, 2, sizeof(cl_mem), &cm, err)) ||
        (st = opcl_arg(k, 3, sizeof has_c, &has_c, err)) ||
        (st = opcl_arg(k, 4, sizeof(cl_mem), &c->mem[c->out], err)) ||
        (st = opcl_arg(k, 5, sizeof geo.sz, geo.sz, err)) ||
        (st = opcl_arg(k, 6, sizeof geo.st, geo.st, err)) ||
        (st = opcl_arg(k, 7, sizeof(float), &geo.alpha, err)) ||
        (st = opcl_arg(k, 8, sizeof(float), &geo.beta, err))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)geo.sz[1], (size_t)geo.sz[0], (size_t)geo.sz[3]};
    return opcl_push(c, n, k, 3, gws, NULL, "gemm_general", err);
}
