/* conv_cl.c — OpenCL side of Conv: picks conv_smallm or conv_mv (1x1 on a 1x1
 * image: an SE block's FCs), conv_pw (1x1, no pads, group 1), conv_dwc (depthwise on a
 * CPU, 16 channels a vector, planes whose padded tile fits local memory), conv_dwf (depthwise, stride
 * 1, small planes kept their size, over the flattened plane), conv_dwl (depthwise,
 * stride 1/2, its padded plane in local memory), conv_dw (group == C_in == C_out,
 * square 3/5/7 kernel), conv_tiled (group 1 or channel tiles inside one group) or conv_general (always valid), sets its
 * arguments once, residual Add (c->res) and activation fused; conv_pw also
 * takes a fused SE gate (c->gate scaling input channels); a depthwise Conv the
 * plan fused before a pointwise one (c->dw) runs with it as conv_dwpw, and a
 * BatchNormalization fused before one (c->pro) as conv_pw's input prologue. A 3-D
 * Conv (rank 5) runs on conv3d, with the same epilogue. */
#include <stdio.h>
#include <string.h>

#include "op_cl.h"
#include "conv_clblast.h"
#include "../runtime/tune.h"
#include "../ops/ops_impl.h"

#define PW_OC 8   /* pointwise tile, passed to conv_pw.cl with -D: 8 channels x one float16 */
#define PW_PX 16  /* of pixels measured best on POCL (AVX-512) among 4/8/16 x 8/16 (float8: */
                  /* MobileNetV2 pointwise 32 -> 20 ms, float16: -> 16.5 ms, alternating runs) */
/* conv_tiled register tile, passed with -D. On POCL what pays is reuse per load:
 * CT channels x PX pixels per work-item took GoogLeNet from 1.7 s (4x1) to
 * ~0.1 s (16x8) on 2 cores. Narrow layers take a smaller CT so the channel
 * tail does not waste most of the tile. */
static const int conv_ct_choices[] = {16, 8, 4};
#define CONV_PX 8 /* conv_tiled pixels per work-item, passed with -D */
/* conv_dwpw keeps a C x DW_PX depthwise tile per work-item in local memory:
 * at most this many bytes (C <= 1024), within any OpenCL device's 32 KiB minimum;
 * on a CPU, where local memory is cached RAM, twice that: a 16-pixel tile of
 * MobileNetV2's 576 channels (36 KiB) ran its 14x14 blocks in 0.20 ms against
 * 0.25 ms in 8-pixel halves (bench, alternated) */
#define DWPW_LOCAL_MAX 32768
#define DWPW_LOCAL_MAX_CPU 65536
/* conv_dw's row tile and conv_dwpw's narrow-row tile (DW_PX, passed with -D):
 * explicit vectors, masked edge tiles, vector epilogue (MobileNetV2 dw ~11 ->
 * ~2.6 ms device with 8). A CPU takes 16, the width conv_dwpw's row tiles use
 * on rows 12 wide or more (dwpw_px), so that every 3x3 depthwise kernel comes
 * from one build of conv_dw.cl, the shared program's (optab_cl.c): with 8,
 * conv_dwpw's 16-pixel tiles were a program of their own (~0.2 s to build)
 * and a second first-launch compile of conv_dwpw. `clcnn bench` cold start,
 * 3 alternated rounds (POCL, Intel Xeon): MobileNetV2 2.73-2.85 -> 2.28-2.36
 * s, MobileNetV1 2.92-2.97 -> 2.51-2.52, ShuffleNetV2 2.66-2.75 -> 2.21-2.31;
 * latency (4 rounds) MobileNetV1 +1.8% (its 7-wide stride-2 rows fill 7 of 16
 * lanes), MobileNetV2 and ShuffleNetV2 unchanged. GPUs keep 8 (registers; not
 * measured there) and build conv_dw apart. */
#define DW_PX_GPU 8
static int dw_px(const opcl_ctx *c)
{
    return opcl_on_cpu(c) ? 16 : DW_PX_GPU;
}

/* conv_pw's PW_PX-pixel tiles per work-item (its `tiles` argument): two on a
 * CPU, where 2 x PW_OC vector accumulators keep both FMA ports of an AVX-512
 * core busy (see conv_pw.cl); one on a GPU, where they would cost registers. */
static cl_int pw_tiles(const opcl_ctx *c)
{
    return opcl_on_cpu(c) ? 2 : 1;
}

/* conv_im2col's conv_pw on a CPU takes a pixel tile's channel tiles one after
 * another (oc_first, see conv_pw.cl) when the unfolded input is deep: in the
 * default order a work-group's 8 pixel tiles x K unfolded channels (590 KiB
 * for ResNet-50's K = 576 at 56x56, more deeper in) leave the cache before the
 * next channel tile reads them again. Where there are at least 8 channel tiles
 * to share it (OC >= 64): clcnn bench --no-cold, 3 alternated rounds (Intel
 * Xeon AVX-512, POCL 3.1) ResNet-50 75.4 -> 65.6 ms, GoogLeNet 30.5 -> 26.2;
 * DenseNet-121 (OC 32: left as is) and the light families unchanged. Applied
 * to every deep conv_pw instead, EfficientNet-B0 lost ~3%. */
#define IM2COL_OC_FIRST_K 256
#define IM2COL_OC_FIRST_OC 64

/* Build options of each conv program carry only what that file reads, so
 * layers that differ elsewhere share one compiled program (each distinct
 * string is a separate compile on a cold start, ~0.2-0.5 s on POCL). */
void conv_cl_pw_opts(char *buf, size_t n)
{
    snprintf(buf, n, "-DPW_OC=%d -DPW_PX=%d", PW_OC, PW_PX);
}
#define pw_opts conv_cl_pw_opts
static void dw_opts(char *buf, size_t n, int k, int px)
{
    snprintf(buf, n, "-DDW_K=%d -DDW_PX=%d -DPW_OC=%d", k, px, PW_OC);
}

/* conv_dwpw's local tile limit: DWPW_LOCAL_MAX (DWPW_LOCAL_MAX_CPU on a CPU), or
 * less where the device (or the plan profile) declares less local memory. */
static int64_t dwpw_local_max(const opcl_ctx *c)
{
    if (!c->rt) /* a plan analysed without a device (slot tests) */
        return DWPW_LOCAL_MAX;
    const uint64_t dev = rt_plan_device(c->rt)->local_mem_bytes;
    const uint64_t cap = opcl_on_cpu(c) ? DWPW_LOCAL_MAX_CPU : DWPW_LOCAL_MAX;
    return (int64_t)(dev < cap ? dev : cap);
}

/* conv_dwpw's row tile: 16 pixels (one float16: half the instructions per
 * pointwise MAC of a float8) where the C x 16 local tile fits and rows are
 * wide enough to fill it, else dw_px (8 on a GPU; on a CPU 16 too, see
 * dw_px): MobileNetV2's 112..28-wide blocks went 0.45 -> 0.35 ms (block 1). */
static int dwpw_px(const opcl_ctx *c, int64_t C, int64_t OW)
{
    return OW >= 12 && C * 16 * (int64_t)sizeof(float) <= dwpw_local_max(c) ? 16 : dw_px(c);
}

/* Pushes pw_subsample of x (N x C x H x W) at stride s and returns in *out the
 * subsampled copy (N x C x OH x OW) conv_pw then reads at stride 1. The copy
 * is stored as x is (half in an fp16 node): esize bytes an element. */
static clcnn_status push_subsample(opcl_ctx *c, const ir_node *n, cl_mem x, size_t esize,
                                   const cl_int d[4], cl_int s, cl_int NC, cl_mem *out,
                                   clcnn_err *err)
{
    /* the subsampled copy lives outside the memory planner, as long as the plan */
    cl_int rc;
    clcnn_status st;
    cl_mem buf = clCreateBuffer(rt_cl_context(c->rt), CL_MEM_READ_WRITE,
                                (size_t)NC * d[2] * d[3] * esize, NULL, &rc);
    if (rc != CL_SUCCESS)
        return op_fail(err, CLCNN_ERR_CL, n, "clCreateBuffer (subsampled input) failed: %s (%d)",
                       rt_cl_error_name(rc), (int)rc);
    char opts[128];
    pw_opts(opts, sizeof opts);
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "conv_pw", opts, "pw_subsample", &k, err))) {
        clReleaseMemObject(buf);
        return st;
    }
    /* d is a parameter (a pointer), so its bytes are spelt out */
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(x), OPCL_ARG(buf), ((opcl_argval){4 * sizeof(cl_int), d}),
                        OPCL_ARG(s), OPCL_ARG(NC)))) {
        clReleaseKernel(k);
        clReleaseMemObject(buf);
        return st;
    }
    const size_t g[3] = {(size_t)d[3], (size_t)d[2], (size_t)NC}, l[3] = {8, 4, 1};
    *out = buf;
    return opcl_push_owned(c, n, k, 3, g, l, buf, "pw_subsample", err);
}

typedef struct conv_args {
    cl_mem in, wt, bias, out;
    cl_int has_bias;
    cl_int g[8], k[8];
    cl_int act_code, has_res; /* the epilogue: activation, fused residual */
    float act_a, act_b;
    cl_mem res;
} conv_args;

/* Arguments every variant takes first (in, weights, bias, has_bias, out) and
 * its epilogue (activation code, a, b, residual, has_residual), as
 * OPCL_ARGS items; `a` is a conv_args lvalue. */
#define CONV_COMMON(a) OPCL_ARG((a).in), OPCL_ARG((a).wt), OPCL_ARG((a).bias), \
    OPCL_ARG((a).has_bias), OPCL_ARG((a).out)
#define CONV_EPILOGUE(a) OPCL_ARG((a).act_code), OPCL_ARG((a).act_a), OPCL_ARG((a).act_b), \
    OPCL_ARG((a).res), OPCL_ARG((a).has_res)

/* conv_pw's preconditions: 1x1, no pads, group 1, equal strides. */
static int is_pointwise(const op_win *w, int group)
{
    const int no_pad = !w->pad_begin[0] && !w->pad_begin[1] && !w->pad_end[0] && !w->pad_end[1];
    return w->k[0] == 1 && w->k[1] == 1 && no_pad && group == 1 && w->stride[0] == w->stride[1];
}

/* conv_dw's preconditions: group == C_in == C_out, square 3/5/7 kernel. */
static int is_depthwise(const op_win *w, int group, int64_t c, int64_t oc)
{
    return group == c && oc == c && w->k[0] == w->k[1] &&
           (w->k[0] == 3 || w->k[0] == 5 || w->k[0] == 7);
}

/* CLBlast's SGEMM reads and writes float32: an fp16 node (c->fp16, or its input
 * already marked half when the plan asks before setting c->fp16) never takes it. */
static int clblast_ok(const opcl_ctx *c, const ir_node *n)
{
    return !c->fp16 && !ir_in(c->g, n, 0)->half && convpw_clblast_applicable(c->g, n);
}

int conv_cl_gate_ok(const opcl_ctx *c, const ir_node *n)
{
    op_win w;
    clcnn_err err = {0};
    if (n->op != IR_OP_CONV || conv_geometry(c->g, n, &w, &err) != CLCNN_OK) {
        err_clear(&err);
        return 0;
    }
    if (ir_in(c->g, n, 0)->ndim != 4) /* conv_pw is 2-D only */
        return 0;
    return is_pointwise(&w, (int)ir_attr_int(n, "group", 1)) && !opcl_forced_away(c, "conv_pw");
}

/* conv_kxk's output channels per work-item: KXK_OC in conv_kxk.cl, equal to
 * PW_OC since both read weights packed by conv_cl_pack_weights. */
#define CONV_KXK_OC 8
_Static_assert(CONV_KXK_OC == PW_OC, "conv_kxk and conv_pw share the packed layout");

/* conv_kxk's pixels per work-item (KXK_PX): one float16 on rows wider than 8,
 * else one float8 (a 7-wide row would leave 9 of 16 lanes empty). With float8
 * the FMAs ran at half the vector width: per-layer minima on POCL (bench, 2-3
 * alternated rounds, ms, 8 -> 16) MobileNetV2's stem 0.386 -> 0.312,
 * MnasNet's 0.316 -> 0.234, ResNet-50's 7x7 stem 1.74 -> 1.26, GoogLeNet's
 * 1.80 -> 1.26, Xception's conv2 6.33 -> 4.71, DenseNet-121's 3x3 convs (58
 * layers) 21.4 -> 15.3 in all. */
static int kxk_px(int OW)
{
    return OW > 8 ? 16 : 8;
}

/* conv_kxk's preconditions (group 1, square 3/5/7 kernel, dilation 1; any
 * stride and pads), and where it beats conv_tiled on its own (at least one
 * full tile of output channels: a network's stem, GoogLeNet 68 -> 37 ms on
 * POCL). A test forcing conv_kxk gets it whenever the preconditions hold. */
/* The convs conv_kxk and conv_im2col take: group 1, square 3/5/7, dilation 1. */
static int kxk_shape(const op_win *w, int G)
{
    return G == 1 && w->k[0] == w->k[1] && (w->k[0] == 3 || w->k[0] == 5 || w->k[0] == 7) &&
           w->dil[0] == 1 && w->dil[1] == 1;
}

static int kxk_ok(const opcl_ctx *c, const op_win *w, int G, int C, int OC)
{
    (void)C;
    if (!kxk_shape(w, G) || opcl_forced_away(c, "conv_kxk"))
        return 0;
    if (c->force && strcmp(c->force, "conv_kxk") == 0)
        return 1;
    return OC >= CONV_KXK_OC;
}

/* conv_im2col (im2col, then conv_pw over C*K*K channels) in place of conv_kxk:
 * conv_kxk gathers lane by lane in every tile that touches the padding, which
 * on narrow planes is most of them, while the unfolded input costs a write and
 * a read of C*K*K*OH*OW elements, repaid only with enough output channels.
 * Layer by layer on POCL (2-core EPYC, bench's per-layer medians), im2col won
 * all of ResNet-50's 3x3 convs (14x14: 1.66 vs 5.98 ms; 56x56, C = OC = 64:
 * 2.03 vs 2.28) and GoogLeNet's with OC >= 48, and lost DenseNet-121's
 * (OC = 32: 0.90 vs 0.70 ms), the 3-channel stems (ResNet 3.0 vs 2.3 ms) and
 * Xception's 147-wide conv2 (10.1 vs 6.9 ms): hence OC >= 48, C >= 16 and
 * OW <= 64. */
#define IM2COL_MIN_OC 48
#define IM2COL_MIN_C 16
#define IM2COL_MAX_OW 64
/* 1 when a KxK Conv is to run conv_im2col, once its weights are packed. */
static int im2col_wanted(const opcl_ctx *c, const op_win *w, int G, int C, int OC)
{
    if (!kxk_shape(w, G) || (opcl_forced_away(c, "conv_im2col") && opcl_forced_away(c, "conv_pwu")))
        return 0;
    if (c->force && (strcmp(c->force, "conv_im2col") == 0 || strcmp(c->force, "conv_pwu") == 0))
        return 1;
    return OC >= IM2COL_MIN_OC && C >= IM2COL_MIN_C && w->out[1] <= IM2COL_MAX_OW;
}

static int im2col_ok(const opcl_ctx *c, const op_win *w, int G, int C, int OC)
{
    return c->w_packed && im2col_wanted(c, w, G, C, OC);
}

/* conv_im2col on a CPU unfolds into pixel pairs (im2col_pairs, read by
 * conv_pwp): each channel step of conv_pw's 2 x PW_PX tile then reads the
 * next 128 bytes instead of jumping a plane, which a CPU's prefetcher does
 * not follow past ~2 KiB (perf annotate: the FMAs waited on those loads).
 * clcnn bench --no-cold, alternated with the plane layout (Intel Xeon
 * AVX-512, POCL 3.1): ResNet-50 65.2-65.5 -> 59.5-60.5 ms, GoogLeNet
 * 25.8-26.0 -> 23.6-24.2. GPU-shaped plans (one tile a work-item) keep the
 * plane layout: measured on CPUs only. */
static int im2col_paired(const opcl_ctx *c)
{
    return pw_tiles(c) == 2;
}
#define PAIR_PX (2 * PW_PX)

/* conv_pwu (conv_im2col in one launch, a work-group unfolding one pixel pair
 * into local memory) where the pairs are used (a CPU plan) and a pair's
 * C*k*k x PAIR_PX floats fit half the device's local memory (POCL: 2 MiB,
 * K = C*k*k up to 8192). Forcing "conv_im2col" keeps the two launches. */
#define PWU_WG 8 /* conv_pwu's work-group: one size, so POCL compiles it once */
#define PWU_LOCAL_MAX (512 * 1024)
static int im2col_fused(const opcl_ctx *c, const op_win *w, int C)
{
    if (!c->rt || !im2col_paired(c) || opcl_forced_away(c, "conv_pwu"))
        return 0;
    const uint64_t ckk = (uint64_t)C * (uint64_t)(w->k[0] * w->k[1]);
    const uint64_t bytes = ckk * PAIR_PX * sizeof(float);
    return bytes <= PWU_LOCAL_MAX && bytes <= rt_plan_device(c->rt)->local_mem_bytes / 2;
}

/* conv_im2col's unfolded input: N x C*KH*KW x OH*OW elements of the node's
 * storage, OH*OW rounded up to whole pairs when paired. */
static size_t im2col_bytes(const opcl_ctx *c, const ir_node *n, const op_win *w)
{
    const ir_tensor *x = ir_in(c->g, n, 0);
    size_t hw = (size_t)(w->out[0] * w->out[1]);
    if (im2col_paired(c))
        hw = (hw + PAIR_PX - 1) / PAIR_PX * PAIR_PX;
    return (size_t)x->dims[0] * (size_t)x->dims[1] * (size_t)(w->k[0] * w->k[1]) * hw *
           opcl_esize(x);
}

/* A 2-D float32 Conv's window, group and channel counts (what the plan's
 * questions about it start from); 0 for anything else. */
static int conv2d_shape(const opcl_ctx *c, const ir_node *n, op_win *w, int *G, int *C, int *OC)
{
    clcnn_err err = {0};
    if (n->op != IR_OP_CONV || n->n_in < 2 || conv_geometry(c->g, n, w, &err) != CLCNN_OK) {
        err_clear(&err);
        return 0;
    }
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    if (x->ndim != 4 || y->ndim != 4 || x->dtype != IR_DT_FLOAT)
        return 0;
    *G = (int)ir_attr_int(n, "group", 1), *C = (int)x->dims[1], *OC = (int)y->dims[1];
    return 1;
}

size_t conv_cl_scratch_bytes(const opcl_ctx *c, const ir_node *n)
{
    op_win w;
    int G, C, OC;
    if (!conv2d_shape(c, n, &w, &G, &C, &OC))
        return 0;
    if (is_pointwise(&w, G) || is_depthwise(&w, G, C, OC) || !im2col_ok(c, &w, G, C, OC) ||
        im2col_fused(c, &w, C))
        return 0;
    return im2col_bytes(c, n, &w);
}

/* The unfolding kernels' (im2col, im2col_pairs, conv_pwu) arguments g (the
 * conv's geometry as conv_args holds it) and k (KH, KW, SH, SW, PT, PL, -, -). */
static void unfold_args(const conv_args *a, const op_win *w, cl_int g[8], cl_int k[8])
{
    const cl_int kv[8] = {(cl_int)w->k[0], (cl_int)w->k[1], (cl_int)w->stride[0],
                          (cl_int)w->stride[1], (cl_int)w->pad_begin[0], (cl_int)w->pad_begin[1],
                          0, 0};
    memcpy(g, a->g, 8 * sizeof *g);
    memcpy(k, kv, sizeof kv);
}

/* conv_pwu: conv_im2col in one launch (im2col_fused). Work-groups of PWU_WG
 * items, one per pixel pair and image, or per pair and group of channel tiles
 * where there are fewer pairs than two per compute unit (7x7 and 14x14 planes
 * at batch 1 would leave a core idle; each group unfolds the pair again). */
static clcnn_status pwu_push(opcl_ctx *c, const ir_node *n, conv_args *a, const op_win *w,
                             clcnn_err *err)
{
    const cl_int C = a->g[0], OH = a->g[4], OW = a->g[5], N = a->g[7], OC = a->g[3];
    const size_t ckk = (size_t)C * (size_t)(w->k[0] * w->k[1]);
    const size_t pairs = ((size_t)OH * OW + PAIR_PX - 1) / PAIR_PX, oc_tiles = (OC + PW_OC - 1) / PW_OC;
    const unsigned cu = rt_info(c->rt)->compute_units;
    const size_t want = 2 * (size_t)(cu ? cu : 1); /* work-groups: two per compute unit */
    size_t groups = (want + pairs * N - 1) / (pairs * N); /* >= 1 */
    if (groups > oc_tiles)
        groups = oc_tiles;
    const cl_int ocg = (cl_int)((oc_tiles + groups - 1) / groups);
    groups = (oc_tiles + (size_t)ocg - 1) / (size_t)ocg; /* no group left without a tile */
    char opts[128];
    pw_opts(opts, sizeof opts);
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "conv_pw", opts, "conv_pwu", &k, err);
    if (st)
        return st;
    cl_int kv[8], g8[8];
    unfold_args(a, w, g8, kv);
    if ((st = OPCL_ARGS(k, err, CONV_COMMON(*a), ((opcl_argval){sizeof g8, g8}),
                        ((opcl_argval){sizeof kv, kv}), OPCL_ARG(a->act_code), OPCL_ARG(a->act_a),
                        OPCL_ARG(a->act_b), OPCL_ARG(a->res), OPCL_ARG(a->has_res), OPCL_ARG(ocg),
                        OPCL_LOCAL(ckk * PAIR_PX * sizeof(float))))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[3] = {PWU_WG * groups, pairs, (size_t)N}, lws[3] = {PWU_WG, 1, 1};
    if ((st = opcl_push(c, n, k, 3, gws, lws, "conv_pwu", err)))
        return st;
    c->variant = "conv_pwu";
    return CLCNN_OK;
}

/* conv_im2col: unfolds the input into c->scratch (im2col), then conv_pw reads it
 * as an input of C*KH*KW channels on an OH x OW plane, stride 1, with the KxK
 * weights packed as they are (conv_cl_pack_weights treats them as OC rows of
 * C*KH*KW). */
static clcnn_status im2col_push(opcl_ctx *c, const ir_node *n, conv_args *a, const op_win *w,
                                clcnn_err *err)
{
    const cl_int C = a->g[0], OH = a->g[4], OW = a->g[5], N = a->g[7], OC = a->g[3];
    const cl_int KK = (cl_int)(w->k[0] * w->k[1]);
    if (im2col_fused(c, w, C))
        return pwu_push(c, n, a, w, err);
    if (!c->scratch || im2col_bytes(c, n, w) > c->scratch_bytes)
        return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': conv_im2col without scratch room "
                       "(the plan must size it with conv_cl_scratch_bytes)", n->name);
    char opts[128];
    pw_opts(opts, sizeof opts);
    const int paired = im2col_paired(c);
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "conv_pw", opts, paired ? "im2col_pairs" : "im2col", &k, err);
    if (st)
        return st;
    cl_int kv[8], g8[8];
    unfold_args(a, w, g8, kv);
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(a->in), OPCL_ARG(c->scratch),
                        ((opcl_argval){sizeof g8, g8}), ((opcl_argval){sizeof kv, kv})))) {
        clReleaseKernel(k);
        return st;
    }
    const cl_int ck = C * KK, hw = OH * OW, has_gate = 0, tiles = pw_tiles(c);
    /* conv_pw's pixel tiles of `tiles` vectors: the pairs im2col_pairs fills when paired */
    const size_t px_tiles = (size_t)(hw + tiles * PW_PX - 1) / (tiles * PW_PX);
    const size_t g1[3] = {paired ? (size_t)ck : (size_t)(OW + 7) / 8,
                          paired ? px_tiles : (size_t)OH, paired ? (size_t)N : (size_t)N * ck};
    if ((st = opcl_push(c, n, k, 3, g1, NULL, paired ? "im2col_pairs" : "im2col", err)))
        return st;
    if ((st = opcl_kernel(c, "conv_pw", opts, paired ? "conv_pwp" : "conv_pw", &k, err)))
        return st;
    const cl_int oc_first = tiles == 2 && ck >= IM2COL_OC_FIRST_K && OC >= IM2COL_OC_FIRST_OC;
    const cl_int sd[4] = {OW, OW, 1, OH * OW};
    a->in = c->scratch;
    if (paired)
        st = OPCL_ARGS(k, err, CONV_COMMON(*a), OPCL_ARG(ck), OPCL_ARG(OC), OPCL_ARG(hw),
                       CONV_EPILOGUE(*a), OPCL_ARG(oc_first));
    else
        st = OPCL_ARGS(k, err, CONV_COMMON(*a), OPCL_ARG(ck), OPCL_ARG(OC), OPCL_ARG(hw),
                       ((opcl_argval){sizeof sd, sd}), CONV_EPILOGUE(*a), OPCL_ARG(a->wt),
                       OPCL_ARG(has_gate), OPCL_ARG(tiles), OPCL_ARG(oc_first));
    if (st) {
        clReleaseKernel(k);
        return st;
    }
    const size_t oc_tiles = (size_t)(OC + PW_OC - 1) / PW_OC;
    const size_t g2[3] = {oc_first ? oc_tiles : px_tiles, oc_first ? px_tiles : oc_tiles,
                          (size_t)N};
    if ((st = opcl_push(c, n, k, 3, g2, NULL, paired ? "conv_pwp" : "conv_pw", err)))
        return st;
    c->variant = "conv_im2col";
    return CLCNN_OK;
}

static int dwc_ok(const opcl_ctx *c, const op_win *w, int OH, int OW, int *tw, int *rb, int *nb);
static int dw_apart_dwl(const opcl_ctx *c, const ir_node *dw);

int conv_cl_packs_weights(const opcl_ctx *c, const ir_node *n, int fused_dw, int has_gate)
{
    if (fused_dw)
        return 1; /* the plan fused it only where conv_cl_sep_ok: conv_dwpw */
    op_win w;
    int G, C, OC;
    if (!conv2d_shape(c, n, &w, &G, &C, &OC))
        return 0;
    const ir_tensor *x = ir_in(c->g, n, 0);
    if (!is_pointwise(&w, G)) { /* conv_cl's order: depthwise variants before conv_kxk */
        const ir_tensor *y = ir_out(c->g, n, 0);
        int tw, rb, nb;
        if (is_depthwise(&w, G, C, OC) && y->ndim == 4 && !dw_apart_dwl(c, n) &&
            dwc_ok(c, &w, (int)y->dims[2], (int)y->dims[3], &tw, &rb, &nb))
            return 1; /* conv_dwc reads them packed */
        return !(is_depthwise(&w, G, C, OC) &&
                 (!opcl_forced_away(c, "conv_dwl") || !opcl_forced_away(c, "conv_dw") ||
                  !opcl_forced_away(c, "conv_dwf"))) &&
               (kxk_ok(c, &w, G, C, OC) || im2col_wanted(c, &w, G, C, OC));
    }
    if (opcl_forced_away(c, "conv_pw"))
        return 0;
    if (has_gate)
        return 1;
    if (x->dims[2] * x->dims[3] == 1 &&
        (!opcl_forced_away(c, "conv_mv") || !opcl_forced_away(c, "conv_smallm")))
        return 0; /* conv_mv and conv_smallm read the weights as they are */
    if (c->tune && clblast_ok(c, n)) {
        int64_t gm, gn, gk;
        convpw_clblast_shape(c->g, n, &gm, &gn, &gk);
        if (tune_use_clblast(c->tune, gm, gn, gk))
            return 0;
    }
    return 1;
}

float *conv_cl_pack_weights(const ir_tensor *w, size_t *bytes)
{
    const int64_t OC = w->dims[0], C = OC ? ir_numel(w) / OC : 0;
    const int64_t blocks = (OC + PW_OC - 1) / PW_OC;
    *bytes = (size_t)(blocks * C * PW_OC) * sizeof(float);
    const size_t n = (size_t)(blocks * C * PW_OC) + 1;
    float *q = ir_data_alloc(n * sizeof(float)); /* a CPU device uses it in place */
    if (!q)
        return NULL;
    memset(q, 0, n * sizeof(float));
    const float *src = w->data;
    for (int64_t oc = 0; oc < OC; oc++)
        for (int64_t ic = 0; ic < C; ic++)
            q[((oc / PW_OC) * C + ic) * PW_OC + oc % PW_OC] = src[oc * C + ic];
    return q;
}

/* A 1x1 Conv on a 1x1 image (an SE block's FCs) runs the classifier's kernel,
 * gemm.cl's gemm_smallm_nt (conv_smallm), for one image and no residual: one
 * kernel fewer for POCL to compile at an SE network's cold start (conv_mv's
 * ~0.12 s). Its one-row path is conv_mv's dot_contig + bias, the same bits;
 * at 2..4 rows it sums in another order, so a batch, or a residual, takes
 * conv_mv (an image's result must not depend on the batch it came in). */
#define CONV_SMALLM_MAX_N 1

/* conv_dwl keeps a (n, c) plane with its padding in local memory: at most half
 * the device's local memory, and at most DWL_LOCAL_MAX (on POCL, where local
 * memory is 1 MiB of ordinary RAM, 64 KiB tiles took EfficientNet-B0's 112-wide
 * depthwise layers from conv_dw's 0.40 to 0.22 ms; a GPU's 48 KiB gives 24). */
#define DWL_LOCAL_MAX 65536

/* conv_dwl's tile (see conv_dw.cl): TS floats a row, TH rows; 0 when the
 * stride is not 1 or 2 both ways or the tile is over the limit above. */
static int dwl_tile(const opcl_ctx *c, const op_win *w, int OH, int OW, int *ts, int *th)
{
    const int S = (int)w->stride[0], K = (int)w->k[0];
    if (w->stride[1] != S || (S != 1 && S != 2))
        return 0;
    *ts = 16 * S * ((OW + 15) / 16) + (K - 1) * (int)w->dil[1];
    *th = (OH - 1) * S + (K - 1) * (int)w->dil[0] + 1;
    const uint64_t dev = rt_plan_device(c->rt)->local_mem_bytes / 2;
    const uint64_t cap = dev < DWL_LOCAL_MAX ? dev : DWL_LOCAL_MAX;
    return (uint64_t)*ts * (uint64_t)*th * sizeof(float) <= cap;
}

/* A depthwise Conv whose taps are shifts of the flattened plane (conv_dwf,
 * conv_dwpw_flat): stride 1 both ways, the output plane the input's size. */
static int keeps_plane(const op_win *w, int H, int W, int OH, int OW)
{
    return w->stride[0] == 1 && w->stride[1] == 1 && OH == H && OW == W;
}

/* conv_dwf (see conv_dw.cl) needs keeps_plane. It runs
 * where its whole-plane vectors beat conv_dwl's rows: planes up to 16 wide
 * with 3x3 taps, up to 8 wide with 5x5 and 7x7 (each tap a masked load, 25 of
 * them over a 14-wide plane's 13 vectors cost more than conv_dwl's 14 unmasked
 * rows). Per-layer minima on POCL (bench, 3 alternated rounds, ms, dwl -> dwf):
 * EfficientNet-B0 7x7 k3 0.119 -> 0.074, 14x14 k3 0.133 -> 0.097, 7x7 k5
 * 0.150 -> 0.117, but 14x14 k5 0.19 -> 0.21 and 28..112 wide 0.19-0.24 ->
 * 0.27-0.35; MnasNet 14x14 k3 0.124 -> 0.085, 7x7 k5 0.107 -> 0.079. Since
 * a work-item sets its masks up once for DWF_PER_CPU planes, 14x14 k5 wins too
 * (EfficientNet-B0's three: 0.129-0.182 -> 0.124-0.160 ms, 3 alternated rounds)
 * and 28 wide still loses (0.083-0.241 -> 0.096-0.317); 7x7 taps stay at 8
 * (no network here has them on wider planes to measure). */
#define DWF_MAX_W3 16
#define DWF_MAX_W5 16
#define DWF_MAX_W7 8
static int dwf_ok(const opcl_ctx *c, const op_win *w, int H, int W, int OH, int OW)
{
    if (!keeps_plane(w, H, W, OH, OW) || opcl_forced_away(c, "conv_dwf"))
        return 0;
    if (c->force && strcmp(c->force, "conv_dwf") == 0)
        return 1;
    return W <= (w->k[0] == 3 ? DWF_MAX_W3 : w->k[0] == 5 ? DWF_MAX_W5 : DWF_MAX_W7);
}

/* conv_dwf's planes per work-item. A tile's masks depend only on its place in
 * the plane, and setting them up cost as much as a 3x3 tile's taps; on a CPU
 * one work-item takes DWF_PER_CPU planes of the same tile and sets them up
 * once (per-layer minima, 3 alternated rounds: conv_dwf on EfficientNet-B0
 * 0.80 -> 0.49 ms, MobileNetV3-Large 0.46 -> 0.27, MnasNet 0.44 -> 0.25; 8 and
 * 32 within noise of 16), halved while that leaves fewer than DWF_MIN_ITEMS
 * work-items for the cores. A GPU keeps one plane a work-item: its lanes are
 * the parallelism. */
#define DWF_PER_CPU 16
#define DWF_MIN_ITEMS 64

static clcnn_status dwf_push(opcl_ctx *c, const ir_node *n, const conv_args *a, const op_win *w,
                             clcnn_err *err)
{
    const cl_int C = a->g[0], H = a->g[1], W = a->g[2], N = a->g[7];
    if ((int64_t)N * C * H * W > INT32_MAX - 16)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "a depthwise Conv of more than 2^31 "
                       "elements is not supported on OpenCL");
    const cl_int tiles = (H * W + 15) / 16;
    cl_int per = opcl_on_cpu(c) ? DWF_PER_CPU : 1;
    while (per > 1 && ((int64_t)N * C + per - 1) / per * tiles < DWF_MIN_ITEMS)
        per /= 2;
    const cl_int gd[8] = {C, H, W, per, 0, 0, N, tiles};
    char opts[128];
    dw_opts(opts, sizeof opts, (int)w->k[0], dw_px(c));
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "conv_dw", opts, "conv_dwf", &k, err);
    if (st)
        return st;
    conv_args v = *a; /* OPCL_ARG takes lvalues */
    if ((st = OPCL_ARGS(k, err, CONV_COMMON(v), OPCL_ARG(gd), OPCL_ARG(v.k), CONV_EPILOGUE(v)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)(N * C + per - 1) / per * tiles};
    return opcl_push(c, n, k, 1, gws, NULL, "conv_dwf", err);
}

/* conv_dwc (see conv_dw.cl): 16 channels a vector, the planes copied
 * pixel-major into a zero-padded local tile TW pixels wide, whole or in bands
 * of *rb output rows (*nb bands a plane) so a tile stays within
 * DWC_LOCAL_MAX. On a CPU it takes the depthwise Convs (dilation 1, square
 * kernel) whose output rows are at most DWC_MAX_OW wide: there the row
 * variants leave lanes empty or pay masks. Per-layer minima on POCL (bench,
 * 3-4 alternated rounds, ms, conv_dwl/conv_dwf -> conv_dwc): MobileNetV3-Large
 * 14->7 5x5 stride 2 0.14-0.18 -> 0.055-0.068, 14x14 5x5 0.080-0.110 ->
 * 0.072, 7x7 0.061-0.083 -> 0.056-0.058, 28x28 5x5 0.083-0.104 -> 0.064-0.085,
 * the network's eight 0.85 -> 0.55 ms; EfficientNet-B0's 14->7 0.169 -> 0.060;
 * wider rows stay (EfficientNet-B0 112x112 0.21 -> 0.26, 56x56 0.25 -> 0.27
 * in 64 KiB bands: its rows fill conv_dwl's vectors already). A GPU keeps the
 * per-plane variants (one work-item a 16-channel block is too little
 * parallelism there). */
#define DWC_LOCAL_MAX 65536
#define DWC_MAX_OW 28
static int dwc_ok(const opcl_ctx *c, const op_win *w, int OH, int OW, int *tw, int *rb, int *nb)
{
    if (w->dil[0] != 1 || w->dil[1] != 1 || w->k[0] != w->k[1] || opcl_forced_away(c, "conv_dwc"))
        return 0;
    const int forced = c->force && strcmp(c->force, "conv_dwc") == 0;
    if (!c->rt || (!forced && (!opcl_on_cpu(c) || OW > DWC_MAX_OW)) || OH < 1 || OW < 1)
        return 0;
    const int64_t K = w->k[0], SH = w->stride[0];
    *tw = (OW - 1) * (int)w->stride[1] + (int)K;
    const uint64_t dev = rt_plan_device(c->rt)->local_mem_bytes / 2;
    const uint64_t cap = dev < DWC_LOCAL_MAX ? dev : DWC_LOCAL_MAX;
    const uint64_t row = (uint64_t)*tw * 16 * sizeof(float); /* a tile row */
    if (row * (uint64_t)K > cap)
        return 0;
    const int64_t fit = ((int64_t)(cap / row) - K) / SH + 1; /* output rows a tile holds */
    *nb = (int)((OH + fit - 1) / fit);
    *rb = (OH + *nb - 1) / *nb; /* bands of equal height */
    return 1;
}

const char *conv_cl_squeeze_refusal(const opcl_ctx *c, const ir_node *dw)
{
    op_win w;
    clcnn_err err = {0};
    if (dw->op != IR_OP_CONV || conv_geometry(c->g, dw, &w, &err)) {
        err_clear(&err);
        return "not a 2-D Conv";
    }
    const ir_tensor *x = ir_in(c->g, dw, 0), *y = ir_out(c->g, dw, 0);
    const int G = (int)ir_attr_int(dw, "group", 1);
    if (x->ndim != 4 || y->ndim != 4 ||
        !is_depthwise(&w, G, (int)x->dims[1], (int)y->dims[1]))
        return "not a depthwise Conv";
    int tw, rb, nb;
    if (!dwc_ok(c, &w, (int)y->dims[2], (int)y->dims[3], &tw, &rb, &nb))
        return "it does not run conv_dwc (a GPU-shaped plan, dilation, or output rows over "
               "28 wide)";
    return nb == 1 ? NULL : "its planes do not fit one conv_dwc tile";
}

static clcnn_status dwc_push(opcl_ctx *c, const ir_node *n, const conv_args *a, const op_win *w,
                             int tw, int rb, int nb, clcnn_err *err)
{
    const cl_int C = a->g[0], H = a->g[1], W = a->g[2], OH = a->g[4], OW = a->g[5], N = a->g[7];
    const cl_int gd[8] = {C, H, W, OH, OW, N, tw, 0}, band[2] = {rb, nb};
    const size_t th = (size_t)(rb - 1) * (size_t)w->stride[0] + (size_t)w->k[0];
    char opts[128];
    dw_opts(opts, sizeof opts, (int)w->k[0], dw_px(c));
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "conv_dw", opts, "conv_dwc", &k, err);
    if (st)
        return st;
    conv_args v = *a; /* OPCL_ARG takes lvalues */
    cl_int has_sq = c->sq != NULL;
    cl_mem sq = has_sq ? c->sq : v.out; /* any valid buffer; not written */
    if ((st = OPCL_ARGS(k, err, CONV_COMMON(v), OPCL_ARG(gd), OPCL_ARG(v.k), OPCL_ARG(band),
                        CONV_EPILOGUE(v), OPCL_ARG(sq), OPCL_ARG(has_sq),
                        OPCL_LOCAL((size_t)tw * th * 16 * sizeof(float))))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[1] = {(size_t)N * ((C + 15) / 16) * (size_t)nb}, lws[1] = {1};
    return opcl_push(c, n, k, 1, gws, lws, "conv_dwc", err);
}

const char *conv_cl_sep_refusal(const opcl_ctx *c, const ir_node *dw, const ir_node *pw)
{
    op_win wd, wp;
    clcnn_err err = {0};
    if (dw->op != IR_OP_CONV || pw->op != IR_OP_CONV || conv_geometry(c->g, dw, &wd, &err) ||
        conv_geometry(c->g, pw, &wp, &err)) {
        err_clear(&err);
        return "not two 2-D Convs";
    }
    const ir_tensor *x = ir_in(c->g, dw, 0), *y = ir_out(c->g, pw, 0);
    if (x->ndim != 4 || y->ndim != 4 || x->dtype != IR_DT_FLOAT || y->dtype != IR_DT_FLOAT)
        return "not 4-D float tensors";
    if (!is_depthwise(&wd, (int)ir_attr_int(dw, "group", 1), x->dims[1], ir_out(c->g, dw, 0)->dims[1]))
        return "the first is not a depthwise Conv with a square 3/5/7 kernel";
    if (!is_pointwise(&wp, (int)ir_attr_int(pw, "group", 1)) || wp.stride[0] != 1)
        return "the second is not a 1x1 stride-1 unpadded group-1 Conv";
    if (x->dims[1] * dw_px(c) * (int64_t)sizeof(float) > dwpw_local_max(c))
        return "its channels' tile does not fit the device's local memory";
    if (opcl_forced_away(c, "conv_dwpw") && opcl_forced_away(c, "conv_dwpw_flat"))
        return "forced away (test)";
    return NULL;
}

/* On a CPU a depthwise Conv writing planes of 56x56 or more runs faster as
 * its own launch (conv_dwl: row tiles in local memory, each tap an unmasked
 * vector load) and conv_pw than fused as conv_dwpw, whose depthwise half takes
 * a masked or gathered load per tap and whose tile of all C channels per
 * work-item leaves conv_pw's register tile unused. Per-layer medians on POCL
 * (Intel Xeon with AVX-512, 2026-12-06, fused -> dw + pw): MobileNetV2 112x112
 * stride 2 C 96 0.735 -> 0.338 + 0.147 ms, 56x56 C 144 0.615 -> 0.213 +
 * 0.237; whole networks (3 alternated rounds) MobileNetV2 ~7.4 -> ~7.0 ms,
 * MnasNet ~8.8 -> ~8.2, MobileNetV1 ~9.0 -> ~8.7, EfficientNet-B0 unchanged.
 * Output planes, not input: a stride-2 depthwise from 56x56 (28x28 out) runs
 * alone as conv_dwc and gained nothing there, while its kernel's first-launch
 * compile cost cold starts ~0.5 s (MobileNetV2 cold start 3.8 -> 3.25 s with
 * this rule against the input-plane one, 2.8 s with no declining; latency the
 * same). 28x28 planes were a wash, so they stay fused (one launch fewer).
 * GPU-shaped plans keep the fusion: not measured there. */
#define DWPW_CPU_APART_HW (56 * 56)
/* Nor, on a CPU, a strided depthwise writing rows of 8 pixels or fewer before
 * a wide pointwise Conv (C x OC >= 2^17 multiply-adds a pixel): conv_dwpw's
 * 16-pixel row tiles are more than half empty there and its pointwise half
 * computes every empty lane. MobileNetV1's 14x14 -> 7x7 pair (C 512, OC 1024;
 * bench profile, Intel Xeon, 2026-12-07) 0.409 -> 0.069 + 0.188 ms; the
 * network 5.08-5.11 -> 4.89-4.94 ms, the default model (MobileNetV1 0.75)
 * 3.13-3.16 -> 3.04-3.10 (5 alternated rounds). The depthwise runs conv_dwl (see
 * conv_cl's dispatch), not conv_dwc: the networks with such a pair (the
 * MobileNetV1s) compile conv_dwl for their wide planes anyway, and conv_dwc's
 * own first-launch compile cost their cold starts 0.37 s for 0.03 ms. A
 * narrow pointwise half (MobileNetV2's C 576 -> 160, ShuffleNetV2's 232 ->
 * 232) gained nothing apart and stays fused. */
#define DWPW_CPU_APART_OW 8
#define DWPW_CPU_APART_MACS_PX (1 << 17)
static int narrow_wide_pair(const opcl_ctx *c, const ir_node *dw, const ir_node *pw)
{
    const ir_tensor *y = ir_out(c->g, dw, 0), *wt = pw->n_in > 1 ? ir_in(c->g, pw, 1) : NULL;
    op_win w;
    clcnn_err err = {0};
    if (!opcl_on_cpu(c) || y->ndim != 4 || !wt || wt->ndim != 4 || y->dims[3] > DWPW_CPU_APART_OW)
        return 0;
    if (conv_geometry(c->g, dw, &w, &err)) {
        err_clear(&err);
        return 0; /* conv_cl_sep_refusal says why */
    }
    return (w.stride[0] > 1 || w.stride[1] > 1) &&
           wt->dims[0] * wt->dims[1] >= DWPW_CPU_APART_MACS_PX;
}

int conv_cl_sep_declined(const opcl_ctx *c, const ir_node *dw, const ir_node *pw)
{
    if (!opcl_on_cpu(c) || (c->force && strncmp(c->force, "conv_dwpw", 9) == 0))
        return 0;
    const ir_tensor *y = ir_out(c->g, dw, 0);
    return y->ndim == 4 &&
           (y->dims[2] * y->dims[3] >= DWPW_CPU_APART_HW || narrow_wide_pair(c, dw, pw));
}

/* The 1x1 Conv that alone reads tensor t as its input, else NULL. */
static const ir_node *sole_pointwise_reader(const ir_graph *g, int t)
{
    if (t < 0 || t >= g->n_tensors || ir_consumers(g, t) != 1)
        return NULL;
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->op == IR_OP_CONV && n->n_in > 1 && n->in[0] == t) {
            const ir_tensor *wt = ir_in(g, n, 1);
            return wt->ndim == 4 && wt->dims[2] == 1 && wt->dims[3] == 1 ? n : NULL;
        }
    }
    return NULL;
}

/* 1 when depthwise dw, writing c->out (its group's output), is a declined
 * narrow wide pair's: it runs conv_dwl (unpacked weights), not conv_dwc. The
 * plan's packing choice and conv_cl's dispatch both ask, so they agree. */
static int dw_apart_dwl(const opcl_ctx *c, const ir_node *dw)
{
    const ir_node *pw = c->force ? NULL : sole_pointwise_reader(c->g, c->out);
    return pw && narrow_wide_pair(c, dw, pw);
}

int conv_cl_sep_ok(const opcl_ctx *c, const ir_node *dw, const ir_node *pw)
{
    return conv_cl_sep_refusal(c, dw, pw) == NULL;
}

/* Depthwise c->dw then pointwise n as one conv_dwpw launch (see conv_dw.cl). */
static clcnn_status dwpw_push(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    const ir_graph *g = c->g;
    const ir_node *dw = c->dw;
    op_win w;
    clcnn_status st = conv_geometry(g, dw, &w, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, dw, 0), *y = ir_out(g, n, 0);
    const int C = (int)x->dims[1], H = (int)x->dims[2], W = (int)x->dims[3], N = (int)x->dims[0];
    const int OC = (int)y->dims[1], OH = (int)y->dims[2], OW = (int)y->dims[3];
    cl_mem in = c->mem[dw->in[0]], dwt = c->mem[dw->in[1]], pwt = c->mem[n->in[1]];
    cl_int has_dwb = dw->n_in > 2 && dw->in[2] >= 0, has_pwb = n->n_in > 2 && n->in[2] >= 0;
    cl_mem dwb = has_dwb ? c->mem[dw->in[2]] : dwt, pwb = has_pwb ? c->mem[n->in[2]] : pwt;
    cl_mem out = c->mem[c->out];
    cl_int has_res = c->res != NULL;
    cl_mem res = has_res ? c->res : out; /* any valid buffer; not read */
    const cl_int kd[8] = {(cl_int)w.k[0], (cl_int)w.k[1], (cl_int)w.stride[0],
                          (cl_int)w.stride[1], (cl_int)w.pad_begin[0], (cl_int)w.pad_begin[1],
                          (cl_int)w.dil[0], (cl_int)w.dil[1]};
    const cl_int acts[2] = {c->dw_act.code, c->act.code};
    const cl_float af[4] = {c->dw_act.a, c->dw_act.b, c->act.a, c->act.b};
    /* Flat tiles (16 pixels of the flattened plane, see conv_dw.cl) wherever the
     * depthwise keeps the plane's size at stride 1 and a 16-pixel tile fits:
     * per-layer minima (5 alternated rounds) MobileNetV2 7x7 0.183 -> 0.130 ms,
     * 14x14 0.20 -> 0.17, 28x28 0.15 -> 0.115, 56x56 0.357 -> 0.307, 112x112
     * 0.303 -> 0.284; MobileNetV1 7x7 (C = 1024) 0.92 -> 0.75. Strided
     * depthwise rows do not shift with the flattened index: row tiles. */
    const int flat = keeps_plane(&w, H, W, OH, OW) &&
                     C * 16 * (int64_t)sizeof(float) <= dwpw_local_max(c) &&
                     !opcl_forced_away(c, "conv_dwpw_flat");
    const int px = flat ? 16 : dwpw_px(c, C, OW);
    char opts[128];
    dw_opts(opts, sizeof opts, (int)w.k[0], px);
    const cl_int gd[8] = {C, H, W, OC, OH, OW, N, flat};
    const cl_int blocks = pw_tiles(c); /* pointwise blocks a pass: as conv_pw's tiles */
    cl_kernel k = NULL;
    if ((st = opcl_kernel(c, "conv_dw", opts, "conv_dwpw", &k, err)))
        return st;
    const size_t lws[3] = {1, 1, 1}; /* one row tile per work-group: its own C x px slice */
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(in), OPCL_ARG(dwt), OPCL_ARG(dwb), OPCL_ARG(has_dwb),
                        OPCL_ARG(out), OPCL_ARG(pwt), OPCL_ARG(pwb), OPCL_ARG(has_pwb), OPCL_ARG(gd),
                        OPCL_ARG(kd), OPCL_ARG(acts), OPCL_ARG(af), OPCL_ARG(res), OPCL_ARG(has_res),
                        OPCL_ARG(blocks), OPCL_LOCAL(lws[0] * (size_t)C * px * sizeof(float))))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[3] = {flat ? (size_t)(OH * OW + 15) / 16 : (size_t)(OW + px - 1) / px,
                           flat ? 1 : (size_t)OH, (size_t)N};
    return opcl_push(c, n, k, 3, gws, lws, flat ? "conv_dwpw_flat" : "conv_dwpw", err);
}

/* conv3d: a 3-D Conv (N,C,D,H,W), its bias / residual / activation epilogue
 * in a; g and k hold the height and width as for conv_general. */
static clcnn_status conv3d_push(opcl_ctx *c, const ir_node *n, const conv_args *a, const op_win *w,
                                clcnn_err *err)
{
    const ir_tensor *x = ir_in(c->g, n, 0), *y = ir_out(c->g, n, 0);
    const int dd = OP_WIN_D;
    if (ir_numel(x) > INT32_MAX || ir_numel(y) > INT32_MAX)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "a 3-D Conv of more than 2^31 elements is "
                       "not supported on OpenCL");
    const cl_int d8[8] = {(cl_int)x->dims[2], (cl_int)w->out[dd], (cl_int)w->k[dd],
                          (cl_int)w->stride[dd], (cl_int)w->pad_begin[dd], (cl_int)w->dil[dd], 0, 0};
    conv_args v = *a; /* OPCL_ARG takes lvalues */
    cl_kernel k = NULL;
    clcnn_status st;
    if ((st = opcl_kernel(c, "conv", NULL, "conv3d", &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, CONV_COMMON(v), OPCL_ARG(v.g), OPCL_ARG(v.k), OPCL_ARG(d8),
                        CONV_EPILOGUE(v)))) {
        clReleaseKernel(k);
        return st;
    }
    const size_t gws[3] = {(size_t)w->out[1], (size_t)w->out[0],
                           (size_t)(y->dims[0] * y->dims[1] * w->out[dd])};
    return opcl_push(c, n, k, 3, gws, NULL, "conv3d", err);
}

clcnn_status conv_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    if (c->fc2) {
        if (c->dw || c->gate || c->in0 || c->res || c->w_packed || conv_cl_se_fc_refusal(c, n, c->fc2))
            return err_set(err, CLCNN_ERR_INTERNAL, "an SE FC pair was fused that se_fc cannot "
                           "run (the plan must ask conv_cl_se_fc_refusal)");
        return conv_cl_se_fc(c, n, err);
    }
    if (c->dw) {
        if (c->gate || c->in0 || !c->w_packed || !conv_cl_sep_ok(c, c->dw, n))
            return err_set(err, CLCNN_ERR_INTERNAL, "a depthwise Conv was fused into a Conv "
                           "conv_dwpw cannot run (the plan must ask conv_cl_sep_ok)");
        return dwpw_push(c, n, err);
    }
    const ir_graph *g = c->g;
    op_win w;
    clcnn_status st = conv_geometry(g, n, &w, err);
    if (st)
        return st;
    const ir_tensor *x = ir_in(g, n, 0), *y = ir_out(g, n, 0);
    conv_args a = {0};
    a.in = c->in0 ? c->in0 : c->mem[n->in[0]];
    a.wt = c->mem[n->in[1]];
    a.has_bias = n->n_in > 2 && n->in[2] >= 0;
    a.bias = a.has_bias ? c->mem[n->in[2]] : a.wt; /* any valid buffer; not read */
    a.out = c->mem[c->out];
    a.act_code = c->act.code, a.act_a = c->act.a, a.act_b = c->act.b;
    a.has_res = c->res != NULL;
    a.res = a.has_res ? c->res : a.out; /* any valid buffer; not read */
    /* a 1-D Conv (N,C,W) runs as 2-D with height 1, as conv_geometry holds it: it
     * reaches only conv_mv, conv_tiled and conv_general (the others ask for rank 4) */
    const int C = (int)x->dims[1], N = (int)x->dims[0];
    const int r = x->ndim, H = r >= 4 ? (int)x->dims[r - 2] : 1, W = (int)x->dims[r - 1];
    const int OC = (int)y->dims[1], OH = (int)w.out[0], OW = (int)w.out[1];
    const int G = (int)ir_attr_int(n, "group", 1);
    const cl_int gv[8] = {C, H, W, OC, OH, OW, G, N};
    const cl_int kv[8] = {(cl_int)w.k[0], (cl_int)w.k[1], (cl_int)w.stride[0], (cl_int)w.stride[1],
                          (cl_int)w.pad_begin[0], (cl_int)w.pad_begin[1], (cl_int)w.dil[0],
                          (cl_int)w.dil[1]};
    for (int i = 0; i < 8; i++) {
        a.g[i] = gv[i];
        a.k[i] = kv[i];
    }
    if (r == 5) /* the plan fuses only the epilogue into a 3-D Conv (its gates ask rank 4) */
        return conv3d_push(c, n, &a, &w, err);
    const int is_pw = is_pointwise(&w, G);
    int ct = 0; /* conv_tiled's tile, 0 when no tile fits */
    for (size_t i = 0; i < sizeof conv_ct_choices / sizeof conv_ct_choices[0] && !ct; i++) {
        const int t = conv_ct_choices[i];
        if ((G == 1 && (OC >= t || t == 4)) || (G > 1 && (OC / G) % t == 0))
            ct = t;
    }
    const int is_dw = is_depthwise(&w, G, C, OC);
    cl_kernel k = NULL;
    /* CLBlast only where `clcnn tune` stored a measurement saying it wins: a
     * plain run never pays CLBlast's first-call compile. */
    if (is_pw && !c->w_packed && c->tune && !c->gate && !c->in0 && !c->pro && clblast_ok(c, n)) {
        int64_t gm, gn, gk;
        convpw_clblast_shape(g, n, &gm, &gn, &gk);
        if (tune_use_clblast(c->tune, gm, gn, gk)) {
            if ((st = convpw_clblast_push(c, n, err)) != CLCNN_ERR_UNSUPPORTED)
                return st;
            /* CLBlast is loaded at run time and is not there: our kernels, saying so */
            snprintf(c->fallback, sizeof c->fallback, "%.150s", err->msg);
            err_clear(err);
        }
    }
    if (is_pw && !c->w_packed && H * W == 1 && !c->gate && !c->pro && N <= CONV_SMALLM_MAX_N &&
        !c->res && !opcl_forced_away(c, "conv_smallm"))
        return gemm_conv1x1_cl(c, n, a.in, N, C, OC, err);
    if (is_pw && !c->w_packed && H * W == 1 && !c->gate && !c->pro &&
        !opcl_forced_away(c, "conv_mv")) {
        char opts[128];
        pw_opts(opts, sizeof opts);
        if ((st = opcl_kernel(c, "conv_pw", opts, "conv_mv", &k, err)))
            return st;
        if ((st = OPCL_ARGS(k, err, CONV_COMMON(a), OPCL_ARG(a.g[0]), OPCL_ARG(a.g[3]),
                            OPCL_ARG(a.g[7]), CONV_EPILOGUE(a))))
            goto fail;
        size_t gws[3] = {(size_t)OC, (size_t)N, 1};
        return opcl_push(c, n, k, 2, gws, NULL, "conv_mv", err);
    }
    if (is_pw && c->w_packed) {
        char opts[128];
        pw_opts(opts, sizeof opts);
        if (c->pro) /* the fused BatchNormalization's activation, a constant of the build */
            snprintf(opts + strlen(opts), sizeof opts - strlen(opts), " -DPROLOGUE=%d",
                     c->pro_act.code);
        if ((st = opcl_kernel(c, "conv_pw", opts, "conv_pw", &k, err)))
            return st;
        cl_int hw = OH * OW, has_gate = c->gate != NULL, tiles = pw_tiles(c), oc_first = 0;
        cl_mem gate = has_gate ? c->gate : a.wt; /* any valid buffer; not read */
        /* 1x1, no pads: stride alone maps output (oh, ow) to input (oh*s, ow*s);
         * strided, the pixels read are first copied together (pw_subsample) */
        cl_int sd[4] = {W, OW, (cl_int)w.stride[0], H * W};
        if (w.stride[0] > 1) {
            const cl_int d[4] = {H, W, OH, OW};
            if ((st = push_subsample(c, n, a.in, opcl_esize(x), d, (cl_int)w.stride[0], N * C,
                                     &a.in, err)))
                goto fail;
            const cl_int sd1[4] = {OW, OW, 1, OH * OW};
            memcpy(sd, sd1, sizeof sd);
        }
        if (c->pro)
            st = OPCL_ARGS(k, err, CONV_COMMON(a), OPCL_ARG(a.g[0]), OPCL_ARG(a.g[3]),
                           OPCL_ARG(hw), OPCL_ARG(sd), CONV_EPILOGUE(a), OPCL_ARG(gate),
                           OPCL_ARG(has_gate), OPCL_ARG(tiles), OPCL_ARG(oc_first), OPCL_ARG(c->pro),
                           OPCL_ARG(c->pro_act.a),
                           OPCL_ARG(c->pro_act.b));
        else
            st = OPCL_ARGS(k, err, CONV_COMMON(a), OPCL_ARG(a.g[0]), OPCL_ARG(a.g[3]),
                           OPCL_ARG(hw), OPCL_ARG(sd), CONV_EPILOGUE(a), OPCL_ARG(gate),
                           OPCL_ARG(has_gate), OPCL_ARG(tiles), OPCL_ARG(oc_first));
        if (st)
            goto fail;
        size_t gws[3] = {(size_t)(hw + tiles * PW_PX - 1) / (tiles * PW_PX),
                         (size_t)(OC + PW_OC - 1) / PW_OC,
                         (size_t)N};
        if ((st = opcl_push(c, n, k, 3, gws, NULL, "conv_pw", err)))
            return st;
        c->variant = "conv_pw"; /* the node's variant, also after a pw_subsample */
        return CLCNN_OK;
    }
    if (c->gate || c->pro)
        return err_set(err, CLCNN_ERR_INTERNAL, "an SE gate or BatchNormalization was fused into "
                       "a Conv that does not run conv_pw (the plan must ask conv_cl_gate_ok)");
    if (!is_dw && im2col_ok(c, &w, G, C, OC))
        return im2col_push(c, n, &a, &w, err);
    const char *variant = "conv_general", *prog = "conv";
    char opts[128];
    snprintf(opts, sizeof opts, "-DCONV_CT=%d -DCONV_PX=%d", conv_ct_choices[0], CONV_PX);
    size_t gws[3] = {(size_t)OW, (size_t)OH, (size_t)N * OC};
    int ts = 0, th = 0;
    int tw = 0, rb = 0, nb = 0;
    const int dwc =
        is_dw && c->w_packed && !dw_apart_dwl(c, n) && dwc_ok(c, &w, OH, OW, &tw, &rb, &nb);
    if (c->sq && (!(dwc && nb == 1) || c->res))
        return err_set(err, CLCNN_ERR_INTERNAL, "node '%s': an SE squeeze was fused into a Conv "
                       "that does not run conv_dwc over whole planes, or with a residual (the "
                       "plan must ask conv_cl_squeeze_refusal)", n->name);
    if (dwc)
        return dwc_push(c, n, &a, &w, tw, rb, nb, err);
    if (is_dw && dwf_ok(c, &w, H, W, OH, OW))
        return dwf_push(c, n, &a, &w, err);
    if (is_dw && dwl_tile(c, &w, OH, OW, &ts, &th) && !opcl_forced_away(c, "conv_dwl")) {
        dw_opts(opts, sizeof opts, (int)w.k[0], dw_px(c));
        if ((st = opcl_kernel(c, "conv_dw", opts, "conv_dwl", &k, err)))
            return st;
        const cl_int gd[8] = {C, H, W, OH, OW, 0, ts, th};
        /* rows per plane, one work-item each (up to 16); on a CPU always 16, one
         * compiled shape (items past OH find no row) */
        size_t lx = opcl_on_cpu(c) ? 16 : 1;
        while (lx < (size_t)OH && lx < 16)
            lx <<= 1;
        const size_t lws[3] = {lx, 1, 1}, gws2[3] = {lx, 1, (size_t)N * C};
        if ((st = OPCL_ARGS(k, err, CONV_COMMON(a), OPCL_ARG(gd), OPCL_ARG(a.k), CONV_EPILOGUE(a),
                            OPCL_LOCAL((size_t)ts * th * sizeof(float)))))
            goto fail;
        return opcl_push(c, n, k, 3, gws2, lws, "conv_dwl", err);
    }
    if (is_dw && !opcl_forced_away(c, "conv_dw")) {
        variant = "conv_dw", prog = "conv_dw";
        const int px = dw_px(c);
        dw_opts(opts, sizeof opts, (int)w.k[0], px);
        gws[0] = (size_t)(OW + px - 1) / px;
    } else if (c->w_packed && kxk_ok(c, &w, G, C, OC)) {
        variant = "conv_kxk", prog = "conv_kxk";
        const int px = kxk_px(OW);
        snprintf(opts, sizeof opts, "-DKXK_K=%d -DKXK_OC=%d -DKXK_PX=%d", (int)w.k[0],
                 CONV_KXK_OC, px);
        gws[0] = (size_t)(OW + px - 1) / px;
        gws[2] = (size_t)N * ((OC + CONV_KXK_OC - 1) / CONV_KXK_OC);
    } else if (ct && !opcl_forced_away(c, "conv_tiled")) {
        variant = "conv_tiled";
        if (!c->w_packed && !c->force && (is_pw || kxk_ok(c, &w, G, C, OC)))
            snprintf(c->fallback, sizeof c->fallback,
                     "conv_tiled for %s: its weights are not packed (not a constant, or "
                     "another node reads them too)", is_pw ? "conv_pw" : "conv_kxk");
        snprintf(opts, sizeof opts, "-DCONV_CT=%d -DCONV_PX=%d", ct, CONV_PX);
        gws[0] = (size_t)(OW + CONV_PX - 1) / CONV_PX;
        gws[2] = (size_t)N * ((OC + ct - 1) / ct);
    } else {
        /* the general kernel: correct everywhere, slowest */
        if (!c->force)
            snprintf(c->fallback, sizeof c->fallback,
                     "conv_general: group %d with %d output channels per group fits no "
                     "conv_tiled tile", G, G > 0 ? OC / G : OC);
    }
    if ((st = opcl_kernel(c, prog, opts, variant, &k, err)))
        return st;
    if ((st = OPCL_ARGS(k, err, CONV_COMMON(a), OPCL_ARG(a.g), OPCL_ARG(a.k), CONV_EPILOGUE(a))))
        goto fail;
    return opcl_push(c, n, k, 3, gws, NULL, variant, err);
fail:
    clReleaseKernel(k);
    return st;
}
