/* ops_impl.h — what the op family files in host/ops/ share with each other
 * and with op_table.c: one op_def per op (op_def_<ENUM>), each family's
 * reference functions, and the geometry/parameter helpers (conv_geometry,
 * slice_params...) that the OpenCL launches in host/ops_cl/ (and the plan's
 * channel-shuffle matcher) read too, so every backend resolves an op's
 * attributes one way. Everyone else goes through op.h. */
#ifndef CLCNN_OPS_IMPL_H
#define CLCNN_OPS_IMPL_H

#include "op_util.h"

#define OPS_DECL_DEF(e, s) extern const op_def op_def_##e;
IR_OP_LIST(OPS_DECL_DEF)
#undef OPS_DECL_DEF

/* conv */
clcnn_status conv_geometry(const ir_graph *g, const ir_node *n, op_win *w, clcnn_err *err);
clcnn_status conv_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* bn */
clcnn_status bn_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* act: Relu, LeakyRelu, Clip, HardSigmoid, HardSwish, Sigmoid share one ref */
clcnn_status act_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* Clip bounds from attributes (opset < 11) or inputs 1, 2 (opset >= 11); absent = +-inf.
 * A bound input that is not a constant sets bit 0 (min) or 1 (max) of *runtime: its
 * value is in the input's buffer at run time (*lo / *hi keep the attribute default). */
clcnn_status act_clip_bounds(const ir_graph *g, const ir_node *n, float *lo, float *hi, int *runtime,
                             clcnn_err *err);
/* Gelu's approximate attribute: *is_tanh = 1 for "tanh", 0 for "none";
 * CLCNN_ERR_UNSUPPORTED naming node and attribute for anything else. */
clcnn_status act_gelu_tanh(const ir_node *n, int *is_tanh, clcnn_err *err);
/* ONNX's default Selu constants (the float32 values of the spec's decimals). */
#define ACT_SELU_ALPHA 1.67326319217681884765625f
#define ACT_SELU_GAMMA 1.05070102214813232421875f
/* variadic: Max, Min, Sum, Mean (1..N float32 inputs, broadcasting) */
clcnn_status variadic_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* eltwise: Add, Sub, Mul, Div (float32 and int64, numpy broadcasting) */
clcnn_status eltwise_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* pool */
clcnn_status pool_geometry(const ir_graph *g, const ir_node *n, op_win *w, clcnn_err *err);
clcnn_status pool_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status global_pool_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                             clcnn_err *err);
/* reduce: which axes a Reduce op reduces (mask[d] = 1); *none = 1 when it reduces nothing */
clcnn_status reduce_axes(const ir_graph *g, const ir_node *n, int *mask, int *none,
                         clcnn_err *err);
/* gemm */
clcnn_status gemm_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status matmul_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* softmax */
clcnn_status softmax_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* shape_ops: ops that only reinterpret bytes (Reshape ...), Constant, Shape */
clcnn_status copy_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status constant_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status shape_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* dropout (dropout.c): y = x, mask all true; training only with ratio 0 */
clcnn_status dropout_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* 1 when Dropout node n trains (constant true training_mode) with a ratio fed at
 * run time: the node must stay in the graph so dropout_ref checks the ratio is 0. */
int dropout_runtime_ratio(const ir_graph *g, const ir_node *n);
/* cast */
clcnn_status cast_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* Shape's [start, end) window of the input's dims (opset 15 attributes). */
void shape_range(const ir_graph *g, const ir_node *n, int *start, int *end);
/* movement: Transpose, Concat, Split, Slice, Gather, Pad */
clcnn_status transpose_perm(const ir_graph *g, const ir_node *n, int *perm, clcnn_err *err);
clcnn_status transpose_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status concat_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status split_sizes(const ir_graph *g, const ir_node *n, int *axis, int64_t *sizes,
                         clcnn_err *err);
clcnn_status split_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* Slice's resolved per-axis start and step over every input dim (step 1, start 0 on untouched). */
clcnn_status slice_params(const ir_graph *g, const ir_node *n, int64_t *start, int64_t *step,
                          int64_t *count, clcnn_err *err);
clcnn_status slice_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status gather_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* GatherND's layout: batch = prod(data[:b]), ntup = index tuples per batch, k = tuple
 * length, slice = elements each tuple selects (prod(data[b+k:])). */
typedef struct gathernd_geom {
    int b, k;
    int64_t batch, ntup, slice;
} gathernd_geom;
clcnn_status gathernd_geometry(const ir_graph *g, const ir_node *n, gathernd_geom *geo,
                               clcnn_err *err);
clcnn_status gathernd_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* Pad's begin/end per dim (2*rank values), mode and constant. A constant_value input
 * that is not a constant (a graph input or computed tensor: one element of x's dtype)
 * sets *value_runtime: the constant is then in that input's buffer at run time. */
typedef enum pad_mode { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } pad_mode;
clcnn_status pad_params(const ir_graph *g, const ir_node *n, int64_t *pads, pad_mode *mode,
                        double *value, int *value_runtime, clcnn_err *err);
clcnn_status pad_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* spatial: Resize / Upsample */
typedef enum resize_mode { RESIZE_NEAREST, RESIZE_LINEAR, RESIZE_CUBIC } resize_mode;
typedef enum resize_coord { /* order of coord_names in resize.c */
    RESIZE_HALF_PIXEL, RESIZE_ALIGN_CORNERS, RESIZE_ASYMMETRIC, RESIZE_PYTORCH_HALF_PIXEL,
    RESIZE_TF_HALF_PIXEL_NN, RESIZE_HALF_PIXEL_SYMMETRIC, RESIZE_TF_CROP_AND_RESIZE
} resize_coord;
typedef enum resize_round { /* nearest_mode; SIMPLE: Resize-10 / Upsample (onnxruntime) */
    RESIZE_PREFER_FLOOR, RESIZE_PREFER_CEIL, RESIZE_FLOOR, RESIZE_CEIL, RESIZE_SIMPLE
} resize_round;
typedef enum resize_keep { RESIZE_STRETCH, RESIZE_NOT_LARGER, RESIZE_NOT_SMALLER } resize_keep;
typedef struct resize_params {
    int ndim;
    int64_t in[IR_MAX_DIMS], out[IR_MAX_DIMS];
    float scale[IR_MAX_DIMS]; /* per dim, as the coordinate transform uses it */
    resize_mode mode;
    resize_coord coord;
    resize_round round;
    resize_keep keep;
    float cubic_a;            /* cubic_coeff_a (-0.75) */
    int exclude_outside;      /* cubic: taps outside the input get weight 0, the rest renormalised */
    int antialias;            /* linear, cubic: the filter widened by 1/scale on shrinking dims */
    float roi_start[IR_MAX_DIMS], roi_end[IR_MAX_DIMS]; /* tf_crop_and_resize, per dim */
    float extrapolation;      /* tf_crop_and_resize: the value of outputs sampled off the input */
    int roi_runtime;          /* roi is no constant: resize_set_roi from its buffer at run time */
    int axes[IR_MAX_DIMS], naxes;
} resize_params;
/* Modes, scales and output shape of Resize / Upsample node n, every value checked. */
clcnn_status resize_params_get(const ir_graph *g, const ir_node *n, resize_params *p,
                               clcnn_err *err);
/* Where output position o of dim d samples the input: linear blends i0 and i1
 * (weight w1 on i1), nearest reads i0 (= i1, w1 = 0); both clamped to the input. */
void resize_axis_map(const resize_params *p, int d, int64_t o, int64_t *i0, int64_t *i1, float *w1);
/* Cubic mode: the 4 taps of output position o of dim d (clamped to the input) and
 * their weights (Keys' kernel with cubic_coeff_a; exclude_outside applied). */
void resize_cubic_taps(const resize_params *p, int d, int64_t o, int64_t *idx, float *w);
/* Any mode: the taps of output position o of dim d (at most resize_max_taps, clamped
 * indices, weights); returns their count, or 0 when tf_crop_and_resize puts o off
 * the input (the output is then extrapolation_value). */
int resize_max_taps(const resize_params *p, int d);
int resize_taps(const resize_params *p, int d, int64_t o, int64_t *idx, float *w);
/* tf_crop_and_resize: roi (2 * naxes values: starts, then ends) into p. */
void resize_set_roi(resize_params *p, const float *roi);
clcnn_status resize_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* spatial: ConvTranspose; 1-D is held as 2-D with height 1 (index 0) */
clcnn_status convt_geometry(const ir_graph *g, const ir_node *n, op_win *w, clcnn_err *err);
clcnn_status conv_transpose_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                                clcnn_err *err);
/* spatial: DepthToSpace / SpaceToDepth; the modes match kernels_cl/depth_space.cl */
enum { DS_DCR, DS_CRD, DS_SPACE_TO_DEPTH, DS_SPACE_TO_DEPTH_CRD };
clcnn_status depth_space_params(const ir_graph *g, const ir_node *n, int64_t *b, int *mode,
                                clcnn_err *err);
clcnn_status depth_space_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                             clcnn_err *err);

/* norm group: Reduce* (one reference for all), ArgMax/ArgMin, the normalisations
 * (geometry in norm.h), LRN, Einsum (equation parsed by einsum.h) */
clcnn_status reduce_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* ArgMax/ArgMin's axis in [0, rank) */
clcnn_status arg_axis(const ir_graph *g, const ir_node *n, int *axis, clcnn_err *err);
clcnn_status arg_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status norm_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status lrn_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status einsum_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);

/* shape group: generate (ConstantOfShape, Range: always folded at load), binop
 * (comparisons, And/Or/Xor/Not, Mod; also Add/Sub/Mul/Div on dtypes other
 * than float32), select (Where, Expand, Tile) */
clcnn_status cos_value(const ir_graph *g, const ir_node *n, int *t, clcnn_err *err);
clcnn_status constant_of_shape_ref(const ir_graph *g, const ir_node *n, void *const *bufs,
                                   clcnn_err *err);
clcnn_status range_count(const ir_graph *g, const ir_node *n, int64_t *cnt, clcnn_err *err);
clcnn_status range_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status binop_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status tile_repeats(const ir_graph *g, const ir_node *n, int64_t *rep, clcnn_err *err);
clcnn_status where_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status expand_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status tile_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
/* ScatterND: k = indices' last dim, slice = elements per index tuple, red 0 none 1 add 2 mul 3 max 4 min */
clcnn_status scatternd_geometry(const ir_graph *g, const ir_node *n, int *k, int64_t *slice,
                                int *red, clcnn_err *err);
clcnn_status scatternd_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);
clcnn_status trilu_k(const ir_graph *g, const ir_node *n, int64_t *k, clcnn_err *err);
clcnn_status trilu_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err);

#endif
