/* builder.h — a small layer-by-layer API over the graph IR for models/<arch>.c.
 * Values are tensor indices whose N,C,H,W the builder fills as it goes, so
 * parameter counts and layer shapes exist without shape inference. Errors are
 * sticky: after the first failure every helper returns -1 and does nothing,
 * so an architecture file reads as straight-line code checked once at the end.
 * Weights are deterministic random (seeded splitmix64). Each conv/gemm is
 * scaled by the estimated mean square of its input (tracked per tensor), so
 * with BN stats in a fixed sane range the random network's activations stay
 * O(1) through residual adds and deep stacks instead of growing per block. */
#ifndef CLCNN_MODELS_BUILDER_H
#define CLCNN_MODELS_BUILDER_H

#include "builtin.h"

/* Padding request for conv/pool: a value >= 0 is PyTorch-style symmetric
 * padding; BLD_SAME is Keras/TF 'same' (asymmetric, extra row at the end). */
#define BLD_SAME (-1)
#define BLD_SCOPE_MAX 192
#define BLD_MIN_INPUT 32   /* total stride of every family */
#define BLD_MAX_INPUT 4096

typedef enum bld_act {
    BLD_ACT_NONE,
    BLD_ACT_RELU,
    BLD_ACT_RELU6,    /* Clip(0, 6) */
    BLD_ACT_HSWISH,   /* HardSwish: x * relu6(x + 3) / 6 */
    BLD_ACT_HSIGMOID, /* HardSigmoid alpha 1/6, beta 0.5 (PyTorch's) */
    BLD_ACT_SIGMOID,
    BLD_ACT_SWISH,    /* Sigmoid + Mul (SiLU) */
} bld_act;

typedef struct bld {
    ir_graph *g;
    clcnn_err *err;
    clcnn_status st;        /* first failure, sticky */
    const char *arch;       /* for error messages */
    uint64_t rng;
    int input_size;
    float bn_eps;           /* 1e-5 PyTorch, 1e-3 Keras */
    char scope[BLD_SCOPE_MAX];
    int scope_len[16], depth;
    int t_zero, t_six;      /* shared Clip bounds, created on first use */
    double *m2;             /* per tensor: estimated mean square of its values */
    int m2_cap;
} bld;

/* Starts a graph with input "input" 1x3xSxS. Returns the input tensor or -1. */
int bld_begin(bld *b, const char *arch, const builtin_params *p, int default_size,
              float bn_eps, clcnn_err *err);
/* Marks `out` as the graph output "output", sorts; on success *g gets the
 * graph, on failure the graph is freed and the first error is returned. */
clcnn_status bld_finish(bld *b, int out, ir_graph **g);
/* Fails the build with CLCNN_ERR_INVALID_ARG; returns -1 for chaining. */
int bld_invalid(bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Node names are "<scope>.<name>"; scopes nest ("block3" then "expand"). */
void bld_push(bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bld_pop(bld *b);

int bld_channels(const bld *b, int x);
int bld_height(const bld *b, int x);

/* Layers. name is the node's own name under the current scope. */
int bld_conv(bld *b, int x, const char *name, int cout, int k, int stride, int pad, int groups,
             int bias);
int bld_bn(bld *b, int x, const char *name);
int bld_act_apply(bld *b, int x, const char *name, bld_act act);
/* "<name>.conv" + "<name>.bn" + "<name>.act" in a scope called name. */
int bld_cba(bld *b, int x, const char *name, int cout, int k, int stride, int pad, int groups,
            bld_act act);
int bld_dw(bld *b, int x, const char *name, int k, int stride, int pad, bld_act act);
int bld_pw(bld *b, int x, const char *name, int cout, bld_act act);
/* Squeeze-excite: GAP, 1x1 conv(bias) to `squeeze`, inner act, 1x1 conv(bias)
 * back, gate act, Mul with x. Same params as Keras's two Dense layers. */
int bld_se(bld *b, int x, const char *name, int squeeze, bld_act inner, bld_act gate);
/* Channel shuffle as ONNX exporters write it: Reshape, Transpose, Reshape. */
int bld_shuffle(bld *b, int x, const char *name, int groups);
/* Split on channels into two halves. */
int bld_split2(bld *b, int x, const char *name, int *second);
int bld_concat(bld *b, const char *name, const int *xs, int n);
int bld_add(bld *b, const char *name, int x, int y);
int bld_mul(bld *b, const char *name, int x, int y);
/* ceil: PyTorch ceil_mode, written as extra end padding (max ignores it). */
int bld_maxpool(bld *b, int x, const char *name, int k, int stride, int pad, int ceil);
int bld_avgpool(bld *b, int x, const char *name, int k, int stride);
int bld_gap(bld *b, int x, const char *name);
int bld_flatten(bld *b, int x, const char *name);
/* x: N x C (2-D). Dense/Linear with bias. */
int bld_gemm(bld *b, int x, const char *name, int nout);
int bld_softmax(bld *b, int x, const char *name);
/* Reshape to N x C (drops 1x1 spatial dims). */
int bld_to_2d(bld *b, int x, const char *name);

static inline int bld_classes(const builtin_params *p) { return p && p->classes ? p->classes : 1000; }
static inline float bld_width(const builtin_params *p) { return p && p->width ? p->width : 1.0f; }
static inline float bld_depth(const builtin_params *p) { return p && p->depth ? p->depth : 1.0f; }

/* PyTorch/TF _make_divisible: round to a multiple of `div`, never below 90%. */
int bld_make_divisible(double v, int div);
/* Width/depth/classes checks shared by the families. */
int bld_check_width(bld *b, float width, int has_width);
int bld_check_depth(bld *b, float depth, int has_depth);

#endif
