/* select_cl.c — OpenCL side of Where, Expand and Tile (kernels_cl/select.cl):
 * elements move as words of their device size (opcl_esize: a half-stored
 * float of an fp16 plan moves as a 16-bit word), so every dtype runs; shapes
 * are handled up to rank 6 by per-dim strides (0 where broadcast). */
#include <stdio.h>

#include "op_cl.h"
#include "../ops/ops_impl.h"

/* -DE=<word> for t's device element size; NULL for sizes the kernels lack. */
static const char *word_opt(const ir_node *n, const ir_tensor *t, clcnn_err *err)
{
    switch (opcl_esize(t)) {
    case 1: return "-DE=uchar";
    case 2: return "-DE=ushort";
    case 4: return "-DE=uint";
    case 8: return "-DE=ulong";
    default:
        op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "dtype %s of '%s' on OpenCL", ir_dtype_name(t->dtype), t->name);
        return NULL;
    }
}

/* Strides of t (right-aligned to y) in 6 slots; 0 on broadcast dims. */
static void strides6(const ir_tensor *t, const ir_tensor *y, cl_int *s)
{
    int64_t s64[IR_MAX_DIMS];
    op_bcast_strides(t, y->ndim, y->dims, s64);
    for (int d = 0; d < 8; d++)
        s[d] = 0;
    for (int d = 0, pad = 6 - y->ndim; d < y->ndim; d++)
        s[pad + d] = (cl_int)s64[d];
}

/* Every input present in device memory; else a refusal naming the missing one. */
static clcnn_status need_bufs(const opcl_ctx *c, const ir_node *n, int k_end, clcnn_err *err)
{
    for (int k = 0; k < k_end; k++)
        if (!c->mem[n->in[k]])
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has no device buffer",
                           c->g->tensors[n->in[k]].name);
    return CLCNN_OK;
}

/* Builds `name` with opts, sets args, pushes over cnt items (none when cnt is 0). */
static clcnn_status launch(opcl_ctx *c, const ir_node *n, const char *opts, const char *name,
                           cl_int cnt, int nargs, const opcl_argval *args, clcnn_err *err)
{
    if (cnt == 0) { /* nothing to write: a zero NDRange is invalid */
        c->variant = name;
        return CLCNN_OK;
    }
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "select", opts, name, &k, err);
    if (st)
        return st;
    if ((st = opcl_args(k, nargs, args, err))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)cnt};
    return opcl_push(c, n, k, 1, gws, NULL, name, err);
}

clcnn_status where_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    const ir_tensor *y = ir_out(g, n, 0);
    const char *opts = word_opt(n, y, err);
    clcnn_status st;
    if (!opts)
        return CLCNN_ERR_UNSUPPORTED;
    if ((st = need_bufs(c, n, 3, err)))
        return st;
    cl_int dims[8] = {0}, sc[8], sx[8], sy[8];
    if ((st = opcl_dims6(n, y, dims, err)))
        return st;
    strides6(ir_in(g, n, 0), y, sc);
    strides6(ir_in(g, n, 1), y, sx);
    strides6(ir_in(g, n, 2), y, sy);
    const cl_int cnt = (cl_int)ir_numel(y);
    const opcl_argval a[] = {OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[n->in[1]]),
                             OPCL_ARG(c->mem[n->in[2]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                             OPCL_ARG(dims), OPCL_ARG(sc), OPCL_ARG(sx), OPCL_ARG(sy)};
    return launch(c, n, opts, "where_bcast", cnt, (int)(sizeof a / sizeof a[0]), a, err);
}

clcnn_status expand_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *y = ir_out(c->g, n, 0);
    const char *opts = word_opt(n, y, err);
    clcnn_status st;
    if (!opts)
        return CLCNN_ERR_UNSUPPORTED;
    if ((st = need_bufs(c, n, 1, err)))
        return st;
    cl_int dims[8] = {0}, sx[8];
    if ((st = opcl_dims6(n, y, dims, err)))
        return st;
    strides6(ir_in(c->g, n, 0), y, sx);
    const cl_int cnt = (cl_int)ir_numel(y);
    const opcl_argval a[] = {OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                             OPCL_ARG(dims), OPCL_ARG(sx)};
    return launch(c, n, opts, "expand_bcast", cnt, (int)(sizeof a / sizeof a[0]), a, err);
}

clcnn_status tile_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    const char *opts = word_opt(n, y, err);
    clcnn_status st;
    if (!opts)
        return CLCNN_ERR_UNSUPPORTED;
    if ((st = need_bufs(c, n, 1, err)))
        return st;
    cl_int dims[8] = {0}, xd[8] = {0}, sx[8] = {0};
    int64_t s64[IR_MAX_DIMS];
    if ((st = opcl_dims6(n, y, dims, err)) || (st = opcl_dims6(n, x, xd, err)))
        return st;
    op_strides(x->ndim, x->dims, s64);
    for (int d = 0, pad = 6 - x->ndim; d < x->ndim; d++)
        sx[pad + d] = (cl_int)s64[d];
    const cl_int cnt = (cl_int)ir_numel(y);
    const opcl_argval a[] = {OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                             OPCL_ARG(dims), OPCL_ARG(xd), OPCL_ARG(sx)};
    return launch(c, n, opts, "tile_mod", cnt, (int)(sizeof a / sizeof a[0]), a, err);
}

/* -DE=<element type> -DUT=<its wrapping twin> for ScatterND's reductions; NULL
 * for dtypes the kernel cannot combine (double, float16, bool). float32 is
 * sfloat (act.cl: float, or half read/written by vload_half in an fp16 node). */
static const char *typed_opt(int dt)
{
    switch (dt) {
    case IR_DT_FLOAT: return "-DE=sfloat -DUT=float -DE_SFLOAT";
    case IR_DT_INT8: return "-DE=char -DUT=uchar";
    case IR_DT_UINT8: return "-DE=uchar -DUT=uchar";
    case IR_DT_INT16: return "-DE=short -DUT=ushort";
    case IR_DT_UINT16: return "-DE=ushort -DUT=ushort";
    case IR_DT_INT32: return "-DE=int -DUT=uint";
    case IR_DT_UINT32: return "-DE=uint -DUT=uint";
    case IR_DT_INT64: return "-DE=long -DUT=ulong";
    case IR_DT_UINT64: return "-DE=ulong -DUT=ulong";
    default: return NULL;
    }
}

/* ScatterND: y = data (expand_bcast as a plain copy), then scatternd_apply. */
clcnn_status scatternd_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    const ir_tensor *x = ir_in(g, n, 0), *it = ir_in(g, n, 1), *y = ir_out(g, n, 0);
    int k, red;
    int64_t slice;
    clcnn_status st;
    if ((st = scatternd_geometry(g, n, &k, &slice, &red, err)) || (st = need_bufs(c, n, 3, err)))
        return st;
    const char *word = word_opt(n, y, err), *typed = red ? typed_opt(y->dtype) : word;
    if (!word)
        return CLCNN_ERR_UNSUPPORTED;
    if (!typed)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "reduction on %s runs on the reference "
                       "backend only (--device ref)", ir_dtype_name(y->dtype));
    if (k > 8)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "index tuples of %d dims (8 at most on OpenCL)", k);
    cl_int dims[8] = {0}, sx[8] = {0}, dd[8] = {0}, ss[8] = {0};
    int64_t s64[IR_MAX_DIMS];
    if ((st = opcl_dims6(n, y, dims, err)))
        return st;
    strides6(x, y, sx);
    const cl_int cnt = (cl_int)ir_numel(y);
    const opcl_argval a[] = {OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                             OPCL_ARG(dims), OPCL_ARG(sx)};
    if ((st = launch(c, n, word, "expand_bcast", cnt, (int)(sizeof a / sizeof a[0]), a, err)))
        return st;
    op_strides(x->ndim, x->dims, s64);
    for (int d = 0; d < k; d++)
        dd[d] = (cl_int)x->dims[d], ss[d] = (cl_int)s64[d];
    const cl_int ntup = (cl_int)(ir_numel(it) / k), ck = k, cs = (cl_int)slice;
    char opts[96];
    snprintf(opts, sizeof opts, "%s -DRED=%d", typed, red);
    const opcl_argval b[] = {OPCL_ARG(c->mem[n->in[1]]), OPCL_ARG(c->mem[n->in[2]]),
                             OPCL_ARG(c->mem[c->out]), OPCL_ARG(ntup), OPCL_ARG(ck), OPCL_ARG(cs),
                             OPCL_ARG(dd), OPCL_ARG(ss)};
    st = launch(c, n, opts, "scatternd_apply", ntup ? cs : 0, (int)(sizeof b / sizeof b[0]), b, err);
    c->variant = "scatternd_apply"; /* the node's variant, not its copy launch's */
    return st;
}

clcnn_status trilu_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    const char *opts = word_opt(n, y, err);
    int64_t k64;
    clcnn_status st;
    if (!opts)
        return CLCNN_ERR_UNSUPPORTED;
    if ((st = trilu_k(c->g, n, &k64, err)) || (st = need_bufs(c, n, 1, err)))
        return st;
    const cl_int cnt = (cl_int)ir_numel(y), rows = (cl_int)x->dims[x->ndim - 2],
                 cols = (cl_int)x->dims[x->ndim - 1], upper = ir_attr_int(n, "upper", 1) != 0;
    const cl_long k = (cl_long)k64;
    const opcl_argval a[] = {OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(cnt),
                             OPCL_ARG(rows), OPCL_ARG(cols), OPCL_ARG(k), OPCL_ARG(upper)};
    return launch(c, n, opts, "trilu_mask", cnt, (int)(sizeof a / sizeof a[0]), a, err);
}
