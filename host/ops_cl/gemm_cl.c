/* gemm_cl.c — OpenCL side of Gemm and MatMul: both become gemm_general with
 * element strides (transA/transB, 1-D operands) and a batch stride (0 = the
 * operand is shared by every batch). MatMul batch dims that broadcast only
 * partly ([2,1,3,4] @ [3,4,2]) go to gemm_bcast, which walks up to four
 * batch dims with per-operand strides. A few rows of A (the classifier's
 * matrix-vector product) go to gemm_smallm, which streams B with vector loads;
 * more rows with B contiguous along N (MatMul by K x N weights: the
 * channels-last Linear layers of ConvNeXt, ViT, Swin) to gemm_tile's 4 x 8 blocks. */
#include <string.h>

#include "op_cl.h"
#include "../ops/ops_impl.h"

/* gemm_bcast's batch walk (see gemm_bcast_walk). */
typedef struct gemm_bcast_geo {
    cl_int bd[4], sa[4], sb[4];
} gemm_bcast_geo;

typedef struct gemm_geo {
    cl_int sz[4];  /* M, N, K, batch */
    cl_int st[8];  /* a_sb, a_sm, a_sk, b_sb, b_sk, b_sn, c_sm, c_sn */
    float alpha, beta;
    int c_in;      /* input index of C, -1 none */
    int partial;   /* MatMul batch dims broadcast only partly: gemm_bcast with bc */
    gemm_bcast_geo bc;
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

/* Batch stride of an operand whose matrix is rows*cols: full batch, or shared.
 * 0 with *partial set when only some batch dims broadcast (gemm_bcast's case). */
static cl_int batch_stride(const ir_tensor *t, int64_t batch, int64_t mat, int *partial)
{
    int64_t tb = t->ndim > 2 ? ir_numel(t) / mat : 1;
    if (tb == batch)
        return batch == 1 ? 0 : (cl_int)mat;
    if (tb != 1)
        *partial = 1;
    return 0;
}


/* Output batch dims (size-1 dims dropped, so up to 4 dims of size > 1 fit) and
 * each operand's element stride per dim (0 where it broadcasts), right-aligned
 * into the int4s, unused leading ones 1/0. */
static clcnn_status gemm_bcast_walk(const ir_node *n, const ir_tensor *a, const ir_tensor *b,
                                    const ir_tensor *y, int64_t M, int64_t N, int64_t K,
                                    gemm_bcast_geo *o, clcnn_err *err)
{
    const int yb = y->ndim - (a->ndim > 1) - (b->ndim > 1);
    ir_tensor ab = {.ndim = a->ndim > 2 ? a->ndim - 2 : 0}, bb = {.ndim = b->ndim > 2 ? b->ndim - 2 : 0};
    for (int d = 0; d < ab.ndim; d++)
        ab.dims[d] = a->dims[d];
    for (int d = 0; d < bb.ndim; d++)
        bb.dims[d] = b->dims[d];
    int64_t sa[IR_MAX_DIMS], sb[IR_MAX_DIMS];
    op_bcast_strides(&ab, yb, y->dims, sa);
    op_bcast_strides(&bb, yb, y->dims, sb);
    int r = 0;
    for (int d = 0; d < 4; d++)
        o->bd[d] = 1, o->sa[d] = o->sb[d] = 0;
    int64_t keep[IR_MAX_DIMS][3];
    for (int d = 0; d < yb; d++) {
        if (y->dims[d] == 1)
            continue;
        if (r == 4)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                           "MatMul with more than 4 broadcast batch dims of size > 1");
        keep[r][0] = y->dims[d], keep[r][1] = sa[d] * M * K, keep[r][2] = sb[d] * K * N;
        r++;
    }
    for (int d = 0; d < r; d++) {
        o->bd[4 - r + d] = (cl_int)keep[d][0];
        o->sa[4 - r + d] = (cl_int)keep[d][1];
        o->sb[4 - r + d] = (cl_int)keep[d][2];
    }
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
    o->st[0] = batch_stride(a, batch, M * K, &o->partial);
    o->st[3] = batch_stride(b, batch, K * N, &o->partial);
    if (o->partial) {
        clcnn_status st = gemm_bcast_walk(n, a, b, y, M, N, K, &o->bc, err);
        if (st)
            return st;
    }
    o->st[1] = (cl_int)K, o->st[2] = 1;
    o->st[4] = b->ndim == 1 ? 1 : (cl_int)N, o->st[5] = 1;
    o->st[6] = o->st[7] = 0;
    o->alpha = 1.0f, o->beta = 0.0f, o->c_in = -1;
    return CLCNN_OK;
}

static clcnn_status gemm_bcast_push(opcl_ctx *c, const ir_node *n, const gemm_geo *geo,
                                    clcnn_err *err)
{
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "gemm", NULL, "gemm_bcast", &k, err);
    if (st)
        return st;
    const cl_int st4[4] = {geo->st[1], geo->st[2], geo->st[4], geo->st[5]};
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[n->in[1]]),
                        OPCL_ARG(c->mem[c->out]), OPCL_ARG(geo->sz), OPCL_ARG(geo->bc.bd),
                        OPCL_ARG(geo->bc.sa), OPCL_ARG(geo->bc.sb), OPCL_ARG(st4)))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)geo->sz[1], (size_t)geo->sz[0], (size_t)geo->sz[3]};
    return opcl_push(c, n, k, 3, gws, NULL, "gemm_bcast", err);
}

/* gemm_smallm's rows limit: SM_MAX_M in gemm.cl (one accumulator per row per work-item). */
#define GEMM_SMALLM_MAX_M 4
/* Below this K the vector loop barely runs and gemm_general is as good; a test
 * forcing gemm_smallm still gets it (the kernel is correct for any K >= 0). */
#define GEMM_SMALLM_MIN_K 64

/* The gemm_smallm kernel for geo ("gemm_smallm_nt" / "_nn"), NULL when its
 * preconditions fail: M <= 4 and B contiguous along K (nt) or along N (nn). */
static const char *gemm_smallm_kernel(const opcl_ctx *c, const gemm_geo *geo)
{
    if (geo->partial || geo->sz[0] > GEMM_SMALLM_MAX_M || opcl_forced_away(c, "gemm_smallm"))
        return NULL;
    const int forced = c->force && strcmp(c->force, "gemm_smallm") == 0;
    if (!forced && geo->sz[2] < GEMM_SMALLM_MIN_K)
        return NULL;
    if (geo->st[4] == 1)
        return "gemm_smallm_nt";
    if (geo->st[5] == 1)
        return "gemm_smallm_nn";
    return NULL;
}

/* gemm_tile from this many rows: below, gemm_smallm or gemm_general (a test
 * forcing gemm_tile gets it at any M). */
#define GEMM_TILE_MIN_M 8

/* 1 when gemm_tile applies: B contiguous along N, and M large enough or forced.
 * A shared B under a batch of whole, contiguous A matrices ([1,7,7,96] @
 * [96,384]: 7 batches of 7 rows) is first made one product of batch*M rows. */
static int gemm_tile_ok(const opcl_ctx *c, gemm_geo *geo)
{
    if (geo->partial || geo->st[5] != 1 || opcl_forced_away(c, "gemm_tile"))
        return 0;
    const int64_t rows = (int64_t)geo->sz[3] * geo->sz[0];
    if (geo->sz[3] > 1 && geo->st[3] == 0 && geo->st[2] == 1 && geo->st[1] == geo->sz[2] &&
        geo->st[0] == (int64_t)geo->sz[0] * geo->sz[2] && rows <= INT32_MAX &&
        geo->c_in < 0)
        geo->sz[0] = (cl_int)rows, geo->sz[3] = 1, geo->st[0] = 0;
    return geo->sz[0] >= GEMM_TILE_MIN_M || (c->force && strcmp(c->force, "gemm_tile") == 0);
}

/* The variant geo picks (gemm_smallm_nt whatever K when sm_nt), launched on
 * A = a, B = b (C, when geo has one, is n's input), recorded as `variant`
 * when that is not NULL. */
static clcnn_status gemm_launch_as(opcl_ctx *c, const ir_node *n, cl_mem a, cl_mem b,
                                   gemm_geo geo, int sm_nt, const char *variant, clcnn_err *err)
{
    clcnn_status st;
    cl_int has_c = geo.c_in >= 0;
    cl_mem cm = has_c ? c->mem[n->in[geo.c_in]] : a; /* unread when no C */
    const int tile = !sm_nt && gemm_tile_ok(c, &geo);
    const char *smk = sm_nt ? "gemm_smallm_nt" : tile ? NULL : gemm_smallm_kernel(c, &geo);
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "gemm", NULL, tile ? "gemm_tile" : smk ? smk : "gemm_general", &k, err)))
        return st;
    const cl_int act = c->act.code; /* a fused activation (Gemm only), else none */
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(a), OPCL_ARG(b), OPCL_ARG(cm),
                        OPCL_ARG(has_c), OPCL_ARG(c->mem[c->out]), OPCL_ARG(geo.sz),
                        OPCL_ARG(geo.st), OPCL_ARG(geo.alpha), OPCL_ARG(geo.beta),
                        OPCL_ARG(act), OPCL_ARG(c->act.a), OPCL_ARG(c->act.b)))) {
        clReleaseKernel(k);
        return st;
    }
    if (smk) {
        const size_t nw = strcmp(smk, "gemm_smallm_nn") == 0 ? ((size_t)geo.sz[1] + 3) / 4
                                                              : (size_t)geo.sz[1];
        size_t gws2[2] = {nw, (size_t)geo.sz[3]};
        return opcl_push(c, n, k, 2, gws2, NULL, variant ? variant : "gemm_smallm", err);
    }
    if (tile) {
        size_t gws3[3] = {((size_t)geo.sz[1] + 7) / 8, ((size_t)geo.sz[0] + 3) / 4, (size_t)geo.sz[3]};
        return opcl_push(c, n, k, 3, gws3, NULL, "gemm_tile", err);
    }
    size_t gws[3] = {(size_t)geo.sz[1], (size_t)geo.sz[0], (size_t)geo.sz[3]};
    return opcl_push(c, n, k, 3, gws, NULL, "gemm_general", err);
}

static clcnn_status gemm_launch(opcl_ctx *c, const ir_node *n, cl_mem a, cl_mem b, gemm_geo geo,
                                clcnn_err *err)
{
    return gemm_launch_as(c, n, a, b, geo, 0, NULL, err);
}

clcnn_status gemm_conv1x1_cl(opcl_ctx *c, const ir_node *n, cl_mem x, int N, int C, int OC,
                             clcnn_err *err)
{
    if (N < 1 || N > GEMM_SMALLM_MAX_M || c->res)
        return err_set(err, CLCNN_ERR_INTERNAL, "conv_smallm takes 1..%d images and no residual",
                       GEMM_SMALLM_MAX_M);
    const int has_bias = n->n_in > 2 && n->in[2] >= 0;
    gemm_geo geo = {.sz = {N, OC, C, 1}, .st = {0, C, 1, 0, 1, C, 0, 1}, .alpha = 1.0f,
                    .beta = has_bias ? 1.0f : 0.0f, .c_in = has_bias ? 2 : -1};
    return gemm_launch_as(c, n, x, c->mem[n->in[1]], geo, 1, "conv_smallm", err);
}

clcnn_status gemm_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    gemm_geo geo = {0};
    clcnn_status st = n->op == IR_OP_GEMM ? gemm_geo_gemm(c->g, n, &geo, err)
                                          : gemm_geo_matmul(c->g, n, &geo, err);
    if (st)
        return st;
    if (geo.partial)
        return gemm_bcast_push(c, n, &geo, err);
    return gemm_launch(c, n, c->mem[n->in[0]], c->mem[n->in[1]], geo, err);
}

clcnn_status gemm_strided_cl(opcl_ctx *c, const ir_node *n, const cl_int sz[4], const cl_int st[8],
                             clcnn_err *err)
{
    gemm_geo geo = {.alpha = 1.0f, .beta = 0.0f, .c_in = -1};
    memcpy(geo.sz, sz, sizeof geo.sz);
    memcpy(geo.st, st, sizeof geo.st);
    return gemm_launch(c, n, c->mem[n->in[0]], c->mem[n->in[1]], geo, err);
}
