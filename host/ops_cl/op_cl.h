/* op_cl.h — the OpenCL side of each op family (host/ops_cl/<family>_cl.c): given a
 * node whose tensors already have device buffers, pick a kernel variant from
 * explicit preconditions, build it, set every argument once, and append the
 * launches the executor replays each run. The plan (host/plan/) decides buffers
 * and fusion; these files decide kernels. */
#ifndef CLCNN_OPS_OP_CL_H
#define CLCNN_OPS_OP_CL_H

#include "../core/ir.h"
#include "../ops/op.h"
#include "../runtime/rt.h"

/* Activation codes shared with kernels_cl/act.cl (ACT_*), which every program includes. */
enum { OPCL_ACT_NONE, OPCL_ACT_RELU, OPCL_ACT_CLIP, OPCL_ACT_LEAKY, OPCL_ACT_HSIGMOID,
       OPCL_ACT_HSWISH, OPCL_ACT_SIGMOID, OPCL_ACT_SILU /* x*sigmoid(x), plan-fused */,
       OPCL_ACT_XHSIG /* x*hardsigmoid(x; a, b), plan-fused */,
       /* unary */
       OPCL_ACT_ABS,
       OPCL_ACT_ERF, OPCL_ACT_TANH, OPCL_ACT_EXP, OPCL_ACT_LOG, OPCL_ACT_SQRT, OPCL_ACT_NEG,
       OPCL_ACT_RECIP,
       OPCL_ACT_GELU, OPCL_ACT_GELU_TANH,
       OPCL_ACT_ELU, OPCL_ACT_SELU, OPCL_ACT_CELU,
       OPCL_ACT_SOFTPLUS, OPCL_ACT_SOFTSIGN, OPCL_ACT_MISH,
       OPCL_ACT_POW /* x^a: Pow by a constant scalar a */ };
/* The last code a kernel epilogue applies (act.cl's act_epi): the plan fuses
 * only RELU .. ABS into a producer; the others run as a unary launch. */
enum { OPCL_ACT_EPI_LAST = OPCL_ACT_ABS };

typedef struct opcl_act {
    int code;
    float a, b; /* Clip: min, max; LeakyRelu: alpha; HardSigmoid: alpha, beta */
} opcl_act;

/* One kernel enqueue, arguments already set. */
typedef struct opcl_launch {
    cl_kernel k;          /* owned by the plan */
    cl_uint dim;
    size_t gws[3], lws[3];
    int node;
    const char *variant;  /* static name, e.g. "conv_dw" */
    /* A launch that is not one of our kernels (CLBlast SGEMM): when set, the
     * executor calls it instead of clEnqueueNDRangeKernel (k is then NULL). It
     * must enqueue on q only, and return its last command's event in *ev when
     * ev is non-NULL (profiling). custom_free releases custom_data with the plan. */
    clcnn_status (*custom)(void *data, cl_command_queue q, cl_event *ev, clcnn_err *err);
    void *custom_data;
    void (*custom_free)(void *data);
} opcl_launch;

typedef struct tune_db tune_db; /* host/runtime/tune.h */

typedef struct opcl_ctx {
    rt_ctx *rt;
    const tune_db *tune;      /* stored measurements (CLBlast choice, local sizes), or NULL */
    const ir_graph *g;
    cl_mem *mem;              /* device buffer per tensor index (NULL: none) */
    const char *build_opts;   /* extra build options for this node (test hook), or "" */
    const char *force;        /* tests: a variant name to use when its preconditions hold */
    opcl_act act;             /* activation fused into this node (Conv, BatchNormalization) */
    int out;                  /* tensor this node's first output is written to */
    opcl_launch *launches;    /* appended to by opcl_push */
    int n_launches, cap_launches;
    const char *variant;      /* set by the op: the variant it chose (first launch) */
    char fallback[160];       /* set by the op: why a faster variant was refused ("" none),
                                 shown by bench and summary --plan */
    cl_mem res;               /* Conv: buffer added to its output before the activation
                                 (a residual Add the plan fused in, same shape), NULL: none */
    cl_mem in0;               /* Conv: buffer read as input 0 in place of n->in[0]'s (the
                                 SE gate's Mul fused in), NULL: n->in[0]'s own */
    cl_mem gate;              /* Conv: N x C_in factors scaling input 0 per (image, channel)
                                 (SE gate fused; only where conv_cl_gate_ok), NULL: none */
    const ir_node *dw;        /* Conv (pointwise): a depthwise Conv the plan fused in before
                                 it (only where conv_cl_sep_ok): input 0 is then dw's input,
                                 dw's output computed on the fly; NULL: none */
    opcl_act dw_act;          /* the activation fused into dw */
    const ir_node *fc2;       /* Conv (1x1 on a 1x1 plane): the SE block's second FC the
                                 plan fused in after it (only where conv_cl_se_fc_refusal
                                 is NULL): c->out is then fc2's output; NULL: none */
    opcl_act fc2_act;         /* the activation fused into fc2 */
    cl_mem sq;                /* Conv (depthwise): N x C buffer its launch also fills with
                                 the per-channel means of its output (an SE squeeze fused in;
                                 only where conv_cl_squeeze_refusal is NULL), NULL: none */
    int w_packed;             /* Conv: its weights (input 1) are on the device in
                                 conv_cl_pack_weights's layout (the plan asked conv_cl_packs_weights) */
    int fp16;                 /* 1: this node runs in fp16: every float32 tensor it reads or
                                 writes is stored half on the device (ir_tensor.half), and
                                 opcl_kernel builds its programs with -DCLCNN_FP16 (sfloat =
                                 half, kernels_cl/act.cl). Scratch a launch allocates for
                                 float partial sums stays float. Set by the plan. */
    const unsigned char *in_place; /* Concat: per input, 1 when the plan already placed it
                                 in its slice of the output (a sub-buffer of the output's
                                 memory, host/plan/plan_inplace.h) or it is empty: concat_cl
                                 copies only the others. NULL: copy every input. */
    cl_mem pro;               /* Conv (conv_pw only: the plan asks conv_cl_gate_ok): C scales
                                 then C shifts, float32 even in an fp16 plan; input channel c
                                 is read as pro_act(x * pro[c] + pro[C + c]): a
                                 BatchNormalization (+ activation) the plan fused in before it,
                                 input 0 then c->in0 (the BN's input). NULL: none */
    opcl_act pro_act;         /* the activation applied after pro's affine */
    cl_mem scratch;           /* one buffer the plan shares between launches that need a
                                 temporary (conv_im2col's unfolded input; the in-order
                                 queue runs each user's pair of launches before the next
                                 writes it), scratch_bytes long; NULL: none */
    size_t scratch_bytes;
} opcl_ctx;

/* Plans node n: builds its kernel(s) and pushes launches. */
typedef clcnn_status (*opcl_plan_fn)(opcl_ctx *c, const ir_node *n, clcnn_err *err);

/* The plan function of op, NULL when no OpenCL kernel exists for it. */
opcl_plan_fn opcl_get(ir_op op);
/* 1 for ops that are zero-copy views of their first input (Reshape, Flatten,
 * Squeeze, Unsqueeze, Identity, Dropout): op_get(op)->cl == OP_CL_ALIAS. */
int opcl_is_alias(ir_op op);
/* 1 when node n is a unary activation that can fold into its producer; fills act. */
int opcl_act_of(const ir_graph *g, const ir_node *n, opcl_act *act);

/* ---- helpers for the *_cl.c files ---- */

/* Builds kernels_cl/<program>.cl with `opts` + the node's build_opts and creates
 * kernel `name` (owned by the caller until pushed). */
clcnn_status opcl_kernel(opcl_ctx *c, const char *program, const char *opts, const char *name,
                         cl_kernel *out, clcnn_err *err);
/* Appends a launch; global sizes are padded up to the work-group size (POCL has
 * no non-uniform work-groups). lws NULL: chosen from the extents. Takes k even on failure. */
clcnn_status opcl_push(opcl_ctx *c, const ir_node *n, cl_kernel k, cl_uint dim, const size_t *gws,
                       const size_t *lws, const char *variant, clcnn_err *err);
/* Appends a non-kernel launch (see opcl_launch.custom); takes data even on failure. */
clcnn_status opcl_push_custom(opcl_ctx *c, const ir_node *n,
                              clcnn_status (*fn)(void *, cl_command_queue, cl_event *, clcnn_err *),
                              void *data, void (*free_fn)(void *), const char *variant,
                              clcnn_err *err);
/* Appends a launch of k that owns buf, a buffer k reads or writes that the plan
 * does not allocate (constant indices in another type, scratch outside the
 * memory planner): both are released with the plan. lws NULL: the runtime
 * picks the local size; else global sizes are padded to it. Takes k and buf
 * even on failure. */
clcnn_status opcl_push_owned(opcl_ctx *c, const ir_node *n, cl_kernel k, cl_uint dim,
                             const size_t *gws, const size_t *lws, cl_mem buf,
                             const char *variant, clcnn_err *err);
/* One kernel argument by value: size bytes at ptr (ptr NULL: __local of size bytes). */
typedef struct opcl_argval { size_t size; const void *ptr; } opcl_argval;
/* v must be an lvalue (its address is taken): a local, a field, an array. Not a
 * pointer parameter standing for an array: write (opcl_argval){bytes, p} there. */
#define OPCL_ARG(v) ((opcl_argval){sizeof(v), &(v)})
#define OPCL_LOCAL(bytes) ((opcl_argval){(bytes), NULL})
/* Sets arguments 0..n-1 of k in order; fails (naming kernel and argument) when n differs from the kernel's CL_KERNEL_NUM_ARGS. */
clcnn_status opcl_args(cl_kernel k, int n, const opcl_argval *a, clcnn_err *err);
/* Every argument of a kernel in one call, in the kernel's order: the count is
 * checked against the kernel, so an argument added to a .cl file and not here
 * (or the reverse) fails at plan time instead of running with a stale value. */
#define OPCL_ARGS(k, err, ...) opcl_args((k), (int)(sizeof((opcl_argval[]){__VA_ARGS__}) / sizeof(opcl_argval)), (opcl_argval[]){__VA_ARGS__}, (err))
/* 1 when the plan's device is a CPU (POCL): work-group shapes are chosen for
 * cores there, not for warps. */
int opcl_on_cpu(const opcl_ctx *c);
/* Consecutive elements an element-wise work-item takes (eltwise.cl's unary and
 * binary_same): 16 on a CPU, where a whole run is one vector load, operation
 * and store (one element a work-item ran an unfusable Relu at ~7 GB/s:
 * Xception's 728 x 19 x 19 Relus 0.30-0.32 -> 0.044-0.048 ms, 128 x 75 x 75
 * 0.81 -> 0.11; the network 70.2-71.7 -> 63.8-68.3 ms, 3 alternated rounds);
 * 1 on a GPU, where neighbouring work-items' loads coalesce. */
int opcl_eltwise_per(const opcl_ctx *c);
/* 1 when c->force names a variant other than v (tests forcing a path). */
int opcl_forced_away(const opcl_ctx *c, const char *v);
/* Dims of t left-padded with 1 to 6 entries (CLCNN_ERR_UNSUPPORTED above rank 6). */
clcnn_status opcl_dims6(const ir_node *n, const ir_tensor *t, cl_int *d6, clcnn_err *err);

/* ---- family entry points, gathered by optab_cl.c ---- */
clcnn_status conv_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* 1 when conv_cl can take c->gate or c->pro for n (it will run conv_pw: 1x1, no pads,
 * group 1, equal strides, not forced away). */
int conv_cl_gate_ok(const opcl_ctx *c, const ir_node *n);
/* 1 when conv_cl can run depthwise Conv dw and pointwise Conv pw (which reads
 * dw's output) as one conv_dwpw launch: dw group == C == C_out with a square
 * 3/5/7 kernel, pw 1x1 stride 1 no pads group 1, float32, not forced away. */
int conv_cl_sep_ok(const opcl_ctx *c, const ir_node *dw, const ir_node *pw);
/* Why conv_cl_sep_ok refuses (a static phrase), NULL when it does not. */
const char *conv_cl_sep_refusal(const opcl_ctx *c, const ir_node *dw, const ir_node *pw);
/* 1 when conv_dwpw could run depthwise dw with its pointwise Conv pw but this
 * device runs them faster as two launches (a CPU: wide planes, or narrow
 * strided rows before a wide pointwise Conv; not forced). */
int conv_cl_sep_declined(const opcl_ctx *c, const ir_node *dw, const ir_node *pw);
/* NULL when depthwise Conv dw runs conv_dwc over whole planes, whose launch can
 * then also write its output's per-channel means (c->sq), else why not (a
 * static phrase). */
const char *conv_cl_squeeze_refusal(const opcl_ctx *c, const ir_node *dw);
/* NULL when Convs fc1 and fc2 (fc2 reading fc1's output alone) can run as one
 * se_fc launch (conv_se_cl.c): 1x1 kernels on 1x1 planes (N x C -> N x R -> N x
 * C2), group 1, one storage precision, fc1's R outputs in half the device's local
 * memory, not forced away; else why not (a static phrase). */
const char *conv_cl_se_fc_refusal(const opcl_ctx *c, const ir_node *fc1, const ir_node *fc2);
/* 1 when se_fc could run fc1 and fc2 but this device runs them faster as two
 * launches (a CPU plan with several compute units and fc1's weights over
 * 512 KiB, each group reading them all; not forced). */
int conv_cl_se_fc_declined(const opcl_ctx *c, const ir_node *fc1, const ir_node *fc2);
/* Conv n and c->fc2 (with c->act and c->fc2_act) as one se_fc launch into c->out. */
clcnn_status conv_cl_se_fc(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* The -D options conv_pw.cl's program is built with (its kernels share one build). */
void conv_cl_pw_opts(char *buf, size_t n);
/* 1 when Conv n will run conv_pw (or, with fused_dw, conv_dwpw), conv_kxk or conv_im2col and
 * so wants its weights packed; has_gate: an SE gate (or a BatchNormalization
 * prologue, c->pro) is fused into it. The plan
 * packs only constant weights that n alone reads, and fuses a gate or a
 * depthwise only into Convs whose weights it packs; a Conv with weights left as
 * they are runs conv_tiled. */
int conv_cl_packs_weights(const opcl_ctx *c, const ir_node *n, int fused_dw, int has_gate);
/* Bytes of c->scratch Conv n needs when it runs (conv_im2col's unfolded input),
 * 0 for none; c->w_packed and c->fp16 as the node will have them. The plan
 * sizes one scratch buffer from the largest. */
size_t conv_cl_scratch_bytes(const opcl_ctx *c, const ir_node *n);
/* Conv weights w (OC x C x KH x KW) in conv_pw's / conv_kxk's layout: per block
 * of PW_OC output channels, C*KH*KW rows of PW_OC interleaved weights, zeros
 * past OC, so the kernel reads a tile's weights for one tap from one address.
 * Malloc'd (NULL: out of memory); *bytes its size. */
float *conv_cl_pack_weights(const ir_tensor *w, size_t *bytes);
clcnn_status bn_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status act_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* One launch of eltwise.cl's unary: y = act(x) over n's output's elements
 * (code an OPCL_ACT_*; OPCL_ACT_NONE copies). */
clcnn_status opcl_unary(opcl_ctx *c, const ir_node *n, cl_mem x, cl_int code, float a, float b,
                        clcnn_err *err);
clcnn_status eltwise_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* The binary kernel code (eltwise.cl BIN_*) of op; -1 for an op without one. */
int eltwise_cl_code(ir_op op);
/* One launch y = a (code) b, numpy-broadcast to y's shape (binary_same,
 * binary_plane or binary_bcast), float32; ma may be my (a = y, in place). */
clcnn_status eltwise_cl_binary(opcl_ctx *c, const ir_node *n, int code, cl_mem ma,
                               const ir_tensor *a, cl_mem mb, const ir_tensor *b, cl_mem my,
                               const ir_tensor *y, clcnn_err *err);
/* Max, Min, Sum, Mean: N-1 eltwise_cl_binary launches into the output (then a scale for Mean). */
clcnn_status variadic_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status pool_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status global_pool_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status reduce_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status gemm_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status softmax_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status transpose_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status concat_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status split_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status slice_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status pad_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status gather_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status gathernd_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* y[b,m,n] = sum_k A[b,m,k] B[b,k,n] of n's inputs 0 and 1 through element strides
 * (sz: M, N, K, batch; st: a_sb, a_sm, a_sk, b_sb, b_sk, b_sn, 0, 0) on gemm.cl's
 * best variant: Einsum's batched-matmul equations run here. */
clcnn_status gemm_strided_cl(opcl_ctx *c, const ir_node *n, const cl_int sz[4], const cl_int st[8],
                             clcnn_err *err);
/* A 1x1 Conv on 1x1 images, x read as N x C, its weights OC x C as they are,
 * + bias and c->act, on gemm.cl's gemm_smallm_nt ("conv_smallm"): 1 <= N <=
 * 4 and no residual (c->res), else CLCNN_ERR_INTERNAL. */
clcnn_status gemm_conv1x1_cl(opcl_ctx *c, const ir_node *n, cl_mem x, int N, int C, int OC,
                             clcnn_err *err);
clcnn_status cast_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* spatial */
clcnn_status resize_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status conv_transpose_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status depth_space_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);

/* norm group: LayerNormalization, InstanceNormalization, GroupNormalization (norm_cl),
 * LRN, ArgMax/ArgMin (the Reduce* ops share reduce_cl above), Einsum */
clcnn_status norm_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status lrn_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status arg_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status einsum_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);

/* shape group: comparisons, And/Or/Xor/Not, Mod and integer Add/Sub/Mul/Div
 * (binop_cl, any integer/bool/float32 element type), Where/Expand/Tile
 * (select_cl, any element type) */
clcnn_status binop_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status where_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status expand_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status tile_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status scatternd_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
clcnn_status trilu_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err);
/* 1 for ops whose kernels take element types other than float32 (Gather, Cast,
 * ArgMax/ArgMin, the shape group's, integer Add/Sub/Mul/Div): the plan gives
 * their non-float32 outputs device buffers and uploads the non-float32
 * constants they read (Gather converts and uploads its own indices). */
int opcl_any_dtype(ir_op op);
/* 1 when op's kernel reads input k from a device buffer whatever its dtype
 * (so the plan uploads it when it is a non-float32 constant): every input of
 * the ops above but Gather's indices, Slice's/Pad's/Expand's/Tile's shape-like ones. */
int opcl_any_dtype_input(ir_op op, int k);
/* Build option for kernels that move elements without interpreting them
 * (slice.cl, concat.cl, pad.cl): NULL for float32 (the kernels' default, so
 * float programs are unchanged), else -DELEM_T=uchar/ushort/uint/ulong. */
const char *opcl_elem_opt(int dtype);
/* Bytes of one element of t in its device buffer: 2 for a float32 tensor stored
 * half (t->half), else ir_dtype_size. */
size_t opcl_esize(const ir_tensor *t);
/* 1 when op's OpenCL launch handles opcl_ctx.fp16 (its kernels read and write
 * float tensors through sfloat); the precision pass keeps the other ops fp32,
 * with conversions around them. */
int opcl_half_ok(ir_op op);
/* CLCNN_ERR_UNSUPPORTED naming node and tensor when t's dtype has no such word. */
clcnn_status opcl_need_elem(const ir_node *n, const ir_tensor *t, clcnn_err *err);

#endif
