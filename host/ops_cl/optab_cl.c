/* optab_cl.c — which OpenCL plan function serves each op, and the helpers the
 * *_cl.c family files share (kernel creation, argument setting, launch push).
 * An op has an entry exactly when its descriptor says OP_CL_KERNEL (checked by
 * tests/test_op_registry.c); the plan refuses the others by their `cl` kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_cl.h"
#include "../runtime/tune.h"
#include "../ops/op_util.h"

static const opcl_plan_fn table[IR_OP_COUNT] = {
    [IR_OP_CONV] = conv_cl,
    [IR_OP_BATCHNORM] = bn_cl,
    [IR_OP_RELU] = act_cl,
    [IR_OP_CLIP] = act_cl,
    [IR_OP_HARDSIGMOID] = act_cl,
    [IR_OP_HARDSWISH] = act_cl,
    [IR_OP_SIGMOID] = act_cl,
    [IR_OP_LEAKYRELU] = act_cl,
    [IR_OP_ADD] = eltwise_cl,
    [IR_OP_SUB] = eltwise_cl,
    [IR_OP_MUL] = eltwise_cl,
    [IR_OP_DIV] = eltwise_cl,
    [IR_OP_MAXPOOL] = pool_cl,
    [IR_OP_AVGPOOL] = pool_cl,
    [IR_OP_GLOBALAVGPOOL] = global_pool_cl,
    [IR_OP_GLOBALMAXPOOL] = global_pool_cl,
    [IR_OP_REDUCEMEAN] = reduce_cl,
    [IR_OP_GEMM] = gemm_cl,
    [IR_OP_MATMUL] = gemm_cl,
    [IR_OP_SOFTMAX] = softmax_cl,
    [IR_OP_TRANSPOSE] = transpose_cl,
    [IR_OP_CONCAT] = concat_cl,
    [IR_OP_SPLIT] = split_cl,
    [IR_OP_SLICE] = slice_cl,
    [IR_OP_PAD] = pad_cl,
    [IR_OP_GATHER] = gather_cl,
    [IR_OP_GATHERND] = gathernd_cl,
    [IR_OP_CAST] = cast_cl,
    /* spatial */
    [IR_OP_RESIZE] = resize_cl,
    [IR_OP_UPSAMPLE] = resize_cl,
    [IR_OP_CONVTRANSPOSE] = conv_transpose_cl,
    [IR_OP_DEPTHTOSPACE] = depth_space_cl,
    [IR_OP_SPACETODEPTH] = depth_space_cl,
    /* norm group */
    [IR_OP_LAYERNORM] = norm_cl,
    [IR_OP_INSTANCENORM] = norm_cl,
    [IR_OP_GROUPNORM] = norm_cl,
    [IR_OP_LRN] = lrn_cl,
    [IR_OP_REDUCESUM] = reduce_cl,
    [IR_OP_REDUCEMAX] = reduce_cl,
    [IR_OP_REDUCEMIN] = reduce_cl,
    [IR_OP_REDUCEPROD] = reduce_cl,
    [IR_OP_REDUCEL1] = reduce_cl,
    [IR_OP_REDUCEL2] = reduce_cl,
    [IR_OP_REDUCESUMSQUARE] = reduce_cl,
    [IR_OP_REDUCELOGSUMEXP] = reduce_cl,
    [IR_OP_ARGMAX] = arg_cl,
    [IR_OP_ARGMIN] = arg_cl,
    [IR_OP_EINSUM] = einsum_cl,
    /* shape group */
    [IR_OP_EQUAL] = binop_cl,
    [IR_OP_LESS] = binop_cl,
    [IR_OP_GREATER] = binop_cl,
    [IR_OP_LESSOREQUAL] = binop_cl,
    [IR_OP_GREATEROREQUAL] = binop_cl,
    [IR_OP_AND] = binop_cl,
    [IR_OP_OR] = binop_cl,
    [IR_OP_XOR] = binop_cl,
    [IR_OP_NOT] = binop_cl,
    [IR_OP_MOD] = binop_cl,
    [IR_OP_WHERE] = where_cl,
    [IR_OP_EXPAND] = expand_cl,
    [IR_OP_TILE] = tile_cl,
    [IR_OP_SCATTERND] = scatternd_cl,
    [IR_OP_TRILU] = trilu_cl,
    /* unary */
    [IR_OP_ABS] = act_cl,
    [IR_OP_ERF] = act_cl,
    [IR_OP_TANH] = act_cl,
    [IR_OP_EXP] = act_cl,
    [IR_OP_LOG] = act_cl,
    [IR_OP_SQRT] = act_cl,
    [IR_OP_NEG] = act_cl,
    [IR_OP_RECIPROCAL] = act_cl,
    [IR_OP_GELU] = act_cl,
    [IR_OP_ELU] = act_cl,
    [IR_OP_SELU] = act_cl,
    [IR_OP_CELU] = act_cl,
    [IR_OP_SOFTPLUS] = act_cl,
    [IR_OP_SOFTSIGN] = act_cl,
    [IR_OP_MISH] = act_cl,
    [IR_OP_POW] = eltwise_cl,
    [IR_OP_PRELU] = eltwise_cl,
    [IR_OP_MAX] = variadic_cl,
    [IR_OP_MIN] = variadic_cl,
    [IR_OP_SUM] = variadic_cl,
    [IR_OP_MEAN] = variadic_cl,
    [IR_OP_LOGSOFTMAX] = softmax_cl,
};

opcl_plan_fn opcl_get(ir_op op)
{
    return (unsigned)op < IR_OP_COUNT ? table[op] : NULL;
}

size_t opcl_esize(const ir_tensor *t)
{
    return t->half && t->dtype == IR_DT_FLOAT ? 2 : ir_dtype_size(t->dtype);
}

/* Every OpenCL launch reads and writes float tensors through sfloat (the
 * kernels_cl files were converted as a whole, issue 18), so every op with a
 * kernel can run half; the fp16 cases of tests/py_ops*.py check each against
 * onnxruntime. An op whose kernel cannot (a future one) returns 0 here and
 * then runs fp32 between conversions. */
int opcl_half_ok(ir_op op)
{
    return opcl_get(op) != NULL;
}

int opcl_is_alias(ir_op op)
{
    const op_def *d = op_get(op);
    return d && d->cl == OP_CL_ALIAS;
}

/* The kernels_cl files, each with the options its ops ask for, that nearly
 * every network's plan needs (a 3x3 stem on wide rows, pointwise and 3x3
 * depthwise convs, a pool, the classifier): asked for with exactly these
 * options, a file is built as part of one shared program. POCL spends ~90 ms
 * per program on parsing opencl-c.h and linking its builtins before any kernel
 * code: the five as one program build in 0.30 s instead of 0.76 s (MobileNetV2
 * cold start 3.06 -> 2.61 s; test_shared_program in tests/test_api_profile.c
 * checks that the light families' plans still ask with these spellings). The
 * files define no common names; PW_OC is the same 8 in conv_pw.cl and
 * conv_dw.cl. Other options (5x5 taps, a GPU's 8-pixel depthwise tiles, a
 * fused prologue) build alone. */
static const struct {
    const char *program, *opts;
} shared_members[] = {
    {"conv_pw", "-DPW_OC=8 -DPW_PX=16"},
    {"conv_kxk", "-DKXK_K=3 -DKXK_OC=8 -DKXK_PX=16"},
    {"conv_dw", "-DDW_K=3 -DDW_PX=16 -DPW_OC=8"},
    {"pool", ""},
    {"gemm", ""},
};
#define SHARED_OPTS "-DPW_OC=8 -DPW_PX=16 -DKXK_K=3 -DKXK_OC=8 -DKXK_PX=16 -DDW_K=3 -DDW_PX=16"

static int shared_member(const char *program, const char *opts)
{
    for (size_t i = 0; i < sizeof shared_members / sizeof shared_members[0]; i++)
        if (strcmp(program, shared_members[i].program) == 0 &&
            strcmp(opts ? opts : "", shared_members[i].opts) == 0)
            return 1;
    return 0;
}

clcnn_status opcl_kernel(opcl_ctx *c, const char *program, const char *opts, const char *name,
                         cl_kernel *out, clcnn_err *err)
{
    char all[512];
    const int shared = shared_member(program, opts);
    /* A CPU device (POCL, Intel's runtime: clang compilers with
     * __builtin_prefetch) gets conv_pw's and conv_dwpw's software prefetch
     * (see conv_pw.cl, conv_dw.cl); GPUs and Oclgrind build without it. */
    const int prefetch = strcmp(rt_info(c->rt)->type, "cpu") == 0;
    snprintf(all, sizeof all, "-cl-std=CL1.2 %s%s%s %s", c->fp16 ? "-DCLCNN_FP16 " : "",
             prefetch ? "-DPW_PFD=16 " : "", shared ? SHARED_OPTS : opts ? opts : "",
             c->build_opts ? c->build_opts : "");
    cl_program prog;
    clcnn_status st;
    if (shared) {
        const char *names[sizeof shared_members / sizeof shared_members[0]];
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            names[i] = shared_members[i].program;
        st = rt_program_joined(c->rt, names, (int)(sizeof names / sizeof names[0]), all, &prog,
                               err);
    } else {
        st = rt_program(c->rt, program, all, &prog, err);
    }
    if (st)
        return st;
    cl_int rc;
    cl_kernel k = clCreateKernel(prog, name, &rc);
    if (rc != CL_SUCCESS)
        return err_set(err, CLCNN_ERR_CL, "clCreateKernel(%s.cl: %s) failed: %s (%d)", program,
                       name, rt_cl_error_name(rc), (int)rc);
    *out = k;
    return CLCNN_OK;
}

/* Sets argument i (CL_TRY with the call text in the message, then kernel and index). */
static clcnn_status set_arg(cl_kernel k, cl_uint i, size_t size, const void *value, clcnn_err *err)
{
    clcnn_status st = CLCNN_OK;
    CL_TRY(err, st, clSetKernelArg(k, i, size, value));
    return CLCNN_OK;
fail:
    if (err) {
        char name[64] = "?";
        clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, sizeof name, name, NULL);
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, " (kernel %s, argument %u)", name, i);
    }
    return st;
}

clcnn_status opcl_args(cl_kernel k, int n, const opcl_argval *a, clcnn_err *err)
{
    cl_uint want = 0;
    clcnn_status st = CLCNN_OK;
    CL_TRY(err, st, clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof want, &want, NULL));
    if ((cl_uint)n != want) {
        char name[64] = "?";
        clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, sizeof name, name, NULL);
        return err_set(err, CLCNN_ERR_INTERNAL, "kernel %s takes %u arguments; %d given (argument %d "
                       "is the first %s)", name, want, n, n < (int)want ? n : (int)want,
                       n < (int)want ? "missing" : "extra");
    }
    for (int i = 0; i < n; i++)
        if ((st = set_arg(k, (cl_uint)i, a[i].size, a[i].ptr, err)))
            return st;
    return CLCNN_OK;
fail:
    return st;
}

/* Smallest power of two >= v, capped. */
static size_t pow2_cap(size_t v, size_t cap)
{
    size_t p = 1;
    while (p < v && p < cap)
        p <<= 1;
    return p;
}

/* Work-group shape. GPUs: up to 64 items (a warp/wavefront or two), widest
 * along dim 0 (contiguous pixels), never wider than the extent needs. CPU
 * devices run a work-group as one task on one core, so what matters there is
 * enough groups to keep every core busy (a 7x7 conv_pw was 2-9 groups of 64
 * on 2 cores, one core idle up to a third of the launch) and few distinct
 * shapes: POCL compiles a kernel once per local size at its first launch,
 * ~0.1-0.2 s each in a cold start. So CPUs get one shape per dimension count,
 * 8 x 4 or 32, not fitted to the global size (items past it return at once). Against 4 x 4 it was 1-3% faster; fitting 8 to small extents cost a
 * second conv_pw compile (MobileNetV2 cold start 2.15 -> 2.35 s). */
#define CPU_LWS0 8 /* CPU work-group width along dim 0 (x 4 along dim 1; 32 in 1-D) */
static void pick_lws(cl_uint dim, const size_t *gws, size_t max_wg, int cpu, int simd,
                     size_t *lws)
{
    const size_t two_warps = 2 * (size_t)simd; /* 64 unless a plan profile says otherwise */
    size_t budget = max_wg < two_warps ? max_wg : two_warps;
    for (cl_uint d = 0; d < 3; d++)
        lws[d] = 1;
    if (cpu && budget >= 4 * CPU_LWS0) {
        lws[0] = dim > 1 ? CPU_LWS0 : 4 * CPU_LWS0; /* not fitted to gws: one shape */
        if (dim > 1)
            lws[1] = 4;
        return;
    }
    lws[0] = pow2_cap(gws[0], dim > 1 && budget > 16 ? 16 : budget);
    if (dim > 1)
        lws[1] = pow2_cap(gws[1], budget / lws[0]);
}

clcnn_status opcl_push(opcl_ctx *c, const ir_node *n, cl_kernel k, cl_uint dim, const size_t *gws,
                       const size_t *lws, const char *variant, clcnn_err *err)
{
    opcl_launch L = {0};
    L.k = k;
    L.dim = dim;
    L.node = (int)(n - c->g->nodes);
    L.variant = variant;
    size_t max_wg = 0;
    cl_int rc = clGetKernelWorkGroupInfo(k, rt_device(c->rt), CL_KERNEL_WORK_GROUP_SIZE,
                                         sizeof max_wg, &max_wg, NULL);
    if (rc != CL_SUCCESS || max_wg == 0)
        max_wg = 1;
    /* a plan profile (CLCNN_PLAN_PROFILE) declares a smaller device */
    const rt_plan_dev *pd = rt_plan_device(c->rt);
    if (pd->max_work_group_size && pd->max_work_group_size < max_wg)
        max_wg = pd->max_work_group_size;
    size_t g3[3] = {1, 1, 1};
    for (cl_uint d = 0; d < dim; d++)
        g3[d] = gws[d] ? gws[d] : 1;
    if (lws) {
        for (cl_uint d = 0; d < 3; d++)
            L.lws[d] = d < dim ? lws[d] : 1;
    } else {
        pick_lws(dim, g3, max_wg, opcl_on_cpu(c), pd->simd_width, L.lws);
    }
    for (cl_uint d = 0; d < 3; d++)
        L.gws[d] = (g3[d] + L.lws[d] - 1) / L.lws[d] * L.lws[d];
    /* A local size `clcnn tune` measured for this variant and (heuristically
     * padded) global size replaces the heuristic; the global size is re-padded. */
    size_t tuned[3] = {1, 1, 1};
    if (!lws && c->tune && tune_local_size(c->tune, variant, dim, L.gws, tuned) &&
        tuned[0] * tuned[1] * tuned[2] <= max_wg) {
        for (cl_uint d = 0; d < 3; d++) {
            L.lws[d] = d < dim && tuned[d] ? tuned[d] : 1;
            L.gws[d] = (g3[d] + L.lws[d] - 1) / L.lws[d] * L.lws[d];
        }
    }
    if (c->n_launches == c->cap_launches) {
        int cap = c->cap_launches ? 2 * c->cap_launches : 64;
        opcl_launch *p = realloc(c->launches, (size_t)cap * sizeof *p);
        if (!p) {
            clReleaseKernel(k);
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning node '%s'",
                           n->name);
        }
        c->launches = p;
        c->cap_launches = cap;
    }
    c->launches[c->n_launches++] = L;
    if (!c->variant)
        c->variant = variant;
    return CLCNN_OK;
}

clcnn_status opcl_push_custom(opcl_ctx *c, const ir_node *n,
                              clcnn_status (*fn)(void *, cl_command_queue, cl_event *, clcnn_err *),
                              void *data, void (*free_fn)(void *), const char *variant,
                              clcnn_err *err)
{
    if (c->n_launches == c->cap_launches) {
        int cap = c->cap_launches ? 2 * c->cap_launches : 64;
        opcl_launch *p = realloc(c->launches, (size_t)cap * sizeof *p);
        if (!p) {
            if (free_fn)
                free_fn(data);
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning node '%s'",
                           n->name);
        }
        c->launches = p;
        c->cap_launches = cap;
    }
    opcl_launch L = {0};
    L.node = (int)(n - c->g->nodes);
    L.variant = variant;
    L.custom = fn;
    L.custom_data = data;
    L.custom_free = free_fn;
    c->launches[c->n_launches++] = L;
    if (!c->variant)
        c->variant = variant;
    return CLCNN_OK;
}

/* The custom launch behind opcl_push_owned. */
typedef struct owned_launch {
    cl_kernel k;
    cl_mem buf;
    cl_uint dim;
    int has_lws;
    size_t gws[3], lws[3];
} owned_launch;

static clcnn_status owned_run(void *data, cl_command_queue q, cl_event *ev, clcnn_err *err)
{
    const owned_launch *o = data;
    clcnn_status st = CLCNN_OK;
    CL_TRY(err, st, clEnqueueNDRangeKernel(q, o->k, o->dim, NULL, o->gws,
                                           o->has_lws ? o->lws : NULL, 0, NULL, ev));
    return CLCNN_OK;
fail:
    return st;
}

static void owned_free(void *data)
{
    owned_launch *o = data;
    if (!o)
        return;
    if (o->k)
        clReleaseKernel(o->k);
    if (o->buf)
        clReleaseMemObject(o->buf);
    free(o);
}

clcnn_status opcl_push_owned(opcl_ctx *c, const ir_node *n, cl_kernel k, cl_uint dim,
                             const size_t *gws, const size_t *lws, cl_mem buf,
                             const char *variant, clcnn_err *err)
{
    owned_launch *o = calloc(1, sizeof *o);
    if (!o) {
        clReleaseKernel(k);
        if (buf)
            clReleaseMemObject(buf);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning node '%s'", n->name);
    }
    o->k = k, o->buf = buf, o->dim = dim, o->has_lws = lws != NULL;
    for (cl_uint d = 0; d < dim && d < 3; d++) {
        o->lws[d] = lws ? lws[d] : 1;
        o->gws[d] = (gws[d] + o->lws[d] - 1) / o->lws[d] * o->lws[d];
    }
    return opcl_push_custom(c, n, owned_run, o, owned_free, variant, err);
}

int opcl_on_cpu(const opcl_ctx *c)
{
    return !rt_plan_device(c->rt)->gpu_shaped; /* a plan profile makes a CPU plan as a GPU */
}

int opcl_eltwise_per(const opcl_ctx *c)
{
    return opcl_on_cpu(c) ? 16 : 1;
}

int opcl_forced_away(const opcl_ctx *c, const char *v)
{
    return c->force && c->force[0] && strcmp(c->force, v) != 0;
}

clcnn_status opcl_dims6(const ir_node *n, const ir_tensor *t, cl_int *d6, clcnn_err *err)
{
    if (t->ndim > 6)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "tensor '%s' has rank %d; kernels take up to 6",
                       t->name, t->ndim);
    int pad = 6 - t->ndim;
    for (int d = 0; d < 6; d++)
        d6[d] = d < pad ? 1 : (cl_int)t->dims[d - pad];
    return CLCNN_OK;
}

int opcl_any_dtype(ir_op op)
{
    switch (op) {
    case IR_OP_GATHER: case IR_OP_GATHERND: case IR_OP_CAST: case IR_OP_ARGMAX: case IR_OP_ARGMIN:
    case IR_OP_TRANSPOSE: case IR_OP_CONCAT: case IR_OP_SPLIT: case IR_OP_SLICE: case IR_OP_PAD:
    case IR_OP_ADD: case IR_OP_SUB: case IR_OP_MUL: case IR_OP_DIV:
    case IR_OP_EQUAL: case IR_OP_LESS: case IR_OP_GREATER: case IR_OP_LESSOREQUAL:
    case IR_OP_GREATEROREQUAL: case IR_OP_AND: case IR_OP_OR: case IR_OP_XOR: case IR_OP_NOT:
    case IR_OP_MOD: case IR_OP_WHERE: case IR_OP_EXPAND: case IR_OP_TILE: case IR_OP_SCATTERND:
    case IR_OP_TRILU: return 1;
    case IR_OP_POW: return 1; /* unary group: an integer exponent (input 1), float32 out */
    default: return 0;
    }
}

int opcl_any_dtype_input(ir_op op, int k)
{
    if (!opcl_any_dtype(op))
        return 0;
    switch (op) {
    case IR_OP_GATHER: case IR_OP_GATHERND: case IR_OP_SLICE: case IR_OP_PAD: case IR_OP_EXPAND: case IR_OP_TILE:
    case IR_OP_SPLIT: case IR_OP_TRILU: return k == 0;
    case IR_OP_POW: return k == 1;
    default: return 1;
    }
}

const char *opcl_elem_opt(int dtype)
{
    if (dtype == IR_DT_FLOAT)
        return NULL;
    switch (ir_dtype_size(dtype)) {
    case 1: return "-DELEM_T=uchar";
    case 2: return "-DELEM_T=ushort";
    case 4: return "-DELEM_T=uint";
    case 8: return "-DELEM_T=ulong";
    default: return NULL;
    }
}

clcnn_status opcl_need_elem(const ir_node *n, const ir_tensor *t, clcnn_err *err)
{
    if (t->dtype == IR_DT_FLOAT || opcl_elem_opt(t->dtype))
        return CLCNN_OK;
    return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "'%s' has dtype %s, which the OpenCL kernels do not "
                   "move", t->name, ir_dtype_name(t->dtype));
}
