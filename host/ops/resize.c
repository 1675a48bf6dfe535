/* resize.c — Resize (opsets 10-19) and Upsample (7-9): reading scales or sizes
 * (constant inputs, or Upsample-7's attribute), the output shape, and where each
 * output position samples the input (resize_axis_map, resize_cubic_taps).
 * Modes nearest, linear and cubic (linear, cubic: only the last two dims may
 * change, as in onnxruntime); antialias (linear, cubic: the filter stretched by
 * 1/scale on a shrinking dim, taps past the edge repeating it, weights
 * normalised to sum 1, as onnx's reference and onnxruntime) and
 * tf_crop_and_resize (roi; outputs sampled off the input get extrapolation_value)
 * on any mode (resize_taps). Coordinates are computed in float32 as onnxruntime
 * does, so nearest ties (x.5) round alike.
 * Reference: resize_ref.c. */
#include <math.h>
#include <string.h>

#include "ops_impl.h"

static const char *const coord_names[] = {"half_pixel", "align_corners", "asymmetric",
                                          "pytorch_half_pixel", "tf_half_pixel_for_nn",
                                          "half_pixel_symmetric", "tf_crop_and_resize"};
static const char *const round_names[] = {"round_prefer_floor", "round_prefer_ceil", "floor",
                                          "ceil"};

/* Index of s in names[0..n), -1 when absent. */
static int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

/* The forms before Resize-11 (Resize-10, Upsample): asymmetric coordinates and
 * onnxruntime's "simple" nearest (truncate, or ceil when downsampling). */
static int legacy_form(const ir_graph *g, const ir_node *n)
{
    return n->op == IR_OP_UPSAMPLE || g->opset < 11;
}

static clcnn_status read_modes(const ir_graph *g, const ir_node *n, resize_params *p,
                               clcnn_err *err)
{
    const char *mode = op_attr_str(n, "mode", "nearest");
    if (!strcmp(mode, "nearest"))
        p->mode = RESIZE_NEAREST;
    else if (!strcmp(mode, "linear") || (n->op == IR_OP_UPSAMPLE && !strcmp(mode, "bilinear")))
        p->mode = RESIZE_LINEAR;
    else if (!strcmp(mode, "cubic") && n->op == IR_OP_RESIZE && g->opset >= 11)
        p->mode = RESIZE_CUBIC;
    else
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute mode '%s' is not supported "
                       "(nearest, linear and, from Resize-11, cubic are)", mode);
    p->cubic_a = ir_attr_float(n, "cubic_coeff_a", -0.75f);
    p->exclude_outside = (int)ir_attr_int(n, "exclude_outside", 0);
    if (p->exclude_outside != 0 && p->exclude_outside != 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute exclude_outside = %d is not 0 or 1",
                       p->exclude_outside);
    if (legacy_form(g, n)) {
        p->coord = RESIZE_ASYMMETRIC;
        p->round = RESIZE_SIMPLE;
        return CLCNN_OK;
    }
    const char *ct = op_attr_str(n, "coordinate_transformation_mode", "half_pixel");
    int c = pick(ct, coord_names, (int)(sizeof coord_names / sizeof *coord_names));
    if (c < 0)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute coordinate_transformation_mode "
                       "'%s' is not supported", ct);
    if (c == RESIZE_HALF_PIXEL_SYMMETRIC && g->opset < 19)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "coordinate_transformation_mode "
                       "half_pixel_symmetric needs opset 19, the model has %d", g->opset);
    p->coord = (resize_coord)c;
    const char *nm = op_attr_str(n, "nearest_mode", "round_prefer_floor");
    int r = pick(nm, round_names, (int)(sizeof round_names / sizeof *round_names));
    if (r < 0)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute nearest_mode '%s' is not supported", nm);
    p->round = (resize_round)r;
    const int64_t aa = ir_attr_int(n, "antialias", 0);
    if (aa != 0 && aa != 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute antialias = %lld is not 0 or 1",
                       (long long)aa);
    p->antialias = (int)aa && p->mode != RESIZE_NEAREST; /* nearest has no filter to widen */
    p->extrapolation = ir_attr_float(n, "extrapolation_value", 0.0f);
    const char *kp = op_attr_str(n, "keep_aspect_ratio_policy", "stretch");
    if (!strcmp(kp, "stretch"))
        p->keep = RESIZE_STRETCH;
    else if (!strcmp(kp, "not_larger"))
        p->keep = RESIZE_NOT_LARGER;
    else if (!strcmp(kp, "not_smaller"))
        p->keep = RESIZE_NOT_SMALLER;
    else
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "attribute keep_aspect_ratio_policy '%s' "
                       "is not supported", kp);
    return CLCNN_OK;
}

/* Resize-18's axes (default: every dim), checked and made non-negative. */
static clcnn_status read_axes(const ir_node *n, int rank, int *axes, int *naxes, clcnn_err *err)
{
    int len;
    const int64_t *a = ir_attr_ints(n, "axes", &len);
    int seen[IR_MAX_DIMS] = {0};
    *naxes = a ? len : rank;
    if (*naxes < 1)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute axes is empty");
    if (*naxes > rank)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute axes has %d values for rank %d", len, rank);
    for (int i = 0; i < *naxes; i++) {
        clcnn_status st;
        if (!a)
            axes[i] = i;
        else if ((st = op_axis(n, a[i], rank, "axes", &axes[i], err)))
            return st;
        if (seen[axes[i]]++)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute axes repeats axis %d", axes[i]);
    }
    return CLCNN_OK;
}

/* The scales input (k) or Upsample-7's attribute: *cnt = -1 when absent or empty. */
static clcnn_status read_scales(const ir_graph *g, const ir_node *n, int k, float *s, int *cnt,
                                clcnn_err *err)
{
    *cnt = -1;
    if (n->op == IR_OP_UPSAMPLE && g->opset < 9) {
        const ir_attr *a = ir_attr_find(n, "scales");
        if (!a || a->type != IR_ATTR_FLOATS)
            return op_fail(err, CLCNN_ERR_GRAPH, n, "attribute scales is required");
        if (a->n > IR_MAX_DIMS)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "attribute scales has %d values", a->n);
        memcpy(s, a->floats, (size_t)a->n * sizeof *s);
        *cnt = a->n;
        return CLCNN_OK;
    }
    const ir_tensor *t = ir_in(g, n, k);
    if (!t || ir_numel(t) == 0)
        return CLCNN_OK;
    if (!t->data)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n,
                       "input '%s' (scales) must be a constant: it decides the output shape", t->name);
    if (t->dtype != IR_DT_FLOAT)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "input '%s' (scales) must be float32", t->name);
    if (ir_numel(t) > IR_MAX_DIMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' (scales) has %lld values", t->name,
                       (long long)ir_numel(t));
    *cnt = (int)ir_numel(t);
    memcpy(s, t->data, (size_t)*cnt * sizeof *s);
    return CLCNN_OK;
}

/* out = round_half_up(scale * in) on the axes, as keep_aspect_ratio_policy asks. */
static void keep_aspect(resize_params *p, const int *axes, int naxes)
{
    float s = p->scale[axes[0]];
    for (int i = 1; i < naxes; i++) {
        float v = p->scale[axes[i]];
        s = p->keep == RESIZE_NOT_LARGER ? (v < s ? v : s) : (v > s ? v : s);
    }
    for (int i = 0; i < naxes; i++) {
        p->scale[axes[i]] = s;
        p->out[axes[i]] = (int64_t)floorf(s * (float)p->in[axes[i]] + 0.5f);
    }
}

void resize_set_roi(resize_params *p, const float *roi)
{
    for (int i = 0; i < p->naxes; i++) {
        p->roi_start[p->axes[i]] = roi[i];
        p->roi_end[p->axes[i]] = roi[p->naxes + i];
    }
}

/* tf_crop_and_resize's roi (input 1): a constant is read now; another float32 tensor
 * of the right size sets roi_runtime (resize_ref and resize_cl's table launch read
 * it from its buffer at run time). */
static clcnn_status read_roi(const ir_graph *g, const ir_node *n, resize_params *p, clcnn_err *err)
{
    for (int d = 0; d < IR_MAX_DIMS; d++)
        p->roi_start[d] = 0.0f, p->roi_end[d] = 1.0f;
    if (p->coord != RESIZE_TF_CROP_AND_RESIZE)
        return CLCNN_OK; /* roi is ignored */
    const ir_tensor *t = ir_in(g, n, 1);
    if (!t || ir_numel(t) == 0)
        return op_fail(err, CLCNN_ERR_GRAPH, n, "coordinate_transformation_mode tf_crop_and_resize "
                       "needs input 1 (roi)");
    if (t->dtype != IR_DT_FLOAT)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "tf_crop_and_resize: input '%s' (roi) must "
                       "be float32", t->name);
    if (ir_numel(t) != 2 * p->naxes)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "tf_crop_and_resize: input '%s' (roi) has %lld "
                       "values, expected %d", t->name, (long long)ir_numel(t), 2 * p->naxes);
    if (t->data)
        resize_set_roi(p, t->data);
    else
        p->roi_runtime = 1;
    return CLCNN_OK;
}

clcnn_status resize_params_get(const ir_graph *g, const ir_node *n, resize_params *p,
                               clcnn_err *err)
{
    const ir_tensor *x = ir_in(g, n, 0);
    clcnn_status st;
    memset(p, 0, sizeof *p);
    if ((st = read_modes(g, n, p, err)))
        return st;
    p->ndim = x->ndim;
    int *axes = p->axes, naxes;
    if ((st = read_axes(n, x->ndim, axes, &naxes, err)))
        return st;
    p->naxes = naxes;
    if (!legacy_form(g, n) && (st = read_roi(g, n, p, err)))
        return st;
    for (int d = 0; d < x->ndim; d++)
        p->in[d] = p->out[d] = x->dims[d], p->scale[d] = 1.0f;
    /* Resize-10 and Upsample-9: X, scales; Resize-11+: X, roi, scales, sizes */
    const int k_scales = legacy_form(g, n) ? 1 : 2;
    float s[IR_MAX_DIMS];
    int64_t sz[IR_MAX_DIMS];
    int ns, nsz = -1;
    if ((st = read_scales(g, n, k_scales, s, &ns, err)))
        return st;
    if (!legacy_form(g, n) && (st = op_const_ints(g, n, 3, sz, IR_MAX_DIMS, &nsz, err)))
        return st;
    if ((ns < 0) == (nsz < 0))
        return op_fail(err, CLCNN_ERR_GRAPH, n, "exactly one of scales and sizes must be given");
    if ((ns >= 0 ? ns : nsz) != naxes)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "%s has %d values, expected %d",
                       ns >= 0 ? "scales" : "sizes", ns >= 0 ? ns : nsz, naxes);
    for (int i = 0; i < naxes; i++) {
        const int d = axes[i];
        if (ns >= 0 && p->coord == RESIZE_TF_CROP_AND_RESIZE)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "tf_crop_and_resize with scales is not "
                           "supported (only with sizes)");
        if (ns >= 0) {
            /* onnxruntime: out = (int64)(scale * in) in float */
            float o = s[i] * (float)p->in[d];
            if (!(s[i] > 0.0f) || !(o < (float)IR_MAX_ELEMS))
                return op_fail(err, CLCNN_ERR_SHAPE, n, "scale %g on axis %d is not positive or absurd",
                               (double)s[i], d);
            if (n->op == IR_OP_UPSAMPLE && s[i] < 1.0f)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "Upsample scale %g on axis %d is below 1",
                               (double)s[i], d);
            p->scale[d] = s[i];
            p->out[d] = (int64_t)o;
        } else {
            if (sz[i] < 1 || sz[i] > IR_MAX_ELEMS)
                return op_fail(err, CLCNN_ERR_SHAPE, n, "sizes[%d] = %lld is not positive or absurd",
                               i, (long long)sz[i]);
            p->out[d] = sz[i];
            p->scale[d] = (float)sz[i] / (float)p->in[d];
        }
    }
    if (nsz >= 0 && p->keep != RESIZE_STRETCH)
        keep_aspect(p, axes, naxes);
    int64_t total = 1;
    for (int d = 0; d < p->ndim; d++) {
        if (p->out[d] < 1)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "output dim %d would be %lld; empty outputs "
                           "are not supported", d, (long long)p->out[d]);
        if (p->in[d] < 1)
            return op_fail(err, CLCNN_ERR_SHAPE, n, "input '%s' is empty", x->name);
        total = total > IR_MAX_ELEMS / p->out[d] ? IR_MAX_ELEMS + 1 : total * p->out[d];
        /* linear and cubic interpolate only the last two dims (as onnxruntime) */
        if (p->mode != RESIZE_NEAREST && d < p->ndim - 2 &&
            (p->out[d] != p->in[d] || p->scale[d] != 1.0f ||
             (p->coord == RESIZE_TF_CROP_AND_RESIZE && (p->roi_start[d] != 0.0f ||
                                                        p->roi_end[d] != 1.0f))))
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "%s mode resizes only the last two "
                           "dims; dim %d changes", p->mode == RESIZE_CUBIC ? "cubic" : "linear", d);
    }
    if (total > IR_MAX_ELEMS)
        return op_fail(err, CLCNN_ERR_SHAPE, n, "the output would have more than %lld elements",
                       (long long)IR_MAX_ELEMS);
    return CLCNN_OK;
}

/* Output coordinate o on axis d -> input coordinate, float32 like onnxruntime. */
static float src_coord(const resize_params *p, int d, int64_t o)
{
    const float x = (float)o, s = p->scale[d];
    const int64_t in = p->in[d], out = p->out[d];
    switch (p->coord) {
    case RESIZE_ALIGN_CORNERS:
        return out == 1 ? 0.0f : x * (float)(in - 1) / (float)(out - 1);
    case RESIZE_ASYMMETRIC:
        return x / s;
    case RESIZE_PYTORCH_HALF_PIXEL:
        return out > 1 ? (x + 0.5f) / s - 0.5f : 0.0f;
    case RESIZE_TF_HALF_PIXEL_NN:
        return (x + 0.5f) / s;
    case RESIZE_TF_CROP_AND_RESIZE: {
        const float a = p->roi_start[d], b = p->roi_end[d], last = (float)(in - 1);
        return out > 1 ? a * last + x * (b - a) * last / (float)(out - 1) : 0.5f * (a + b) * last;
    }
    case RESIZE_HALF_PIXEL_SYMMETRIC: {
        const float adj = (float)out / (s * (float)in), center = (float)in / 2.0f;
        return center * (1.0f - adj) + (x + 0.5f) / s - 0.5f;
    }
    default: /* half_pixel */
        return (x + 0.5f) / s - 0.5f;
    }
}

static int64_t clamp_idx(int64_t i, int64_t in)
{
    return i < 0 ? 0 : i >= in ? in - 1 : i;
}

/* Dim d is copied unchanged: scale 1, same size and (tf_crop_and_resize) roi [0, 1]. */
static int copied(const resize_params *p, int d)
{
    return p->scale[d] == 1.0f && p->out[d] == p->in[d] &&
           (p->coord != RESIZE_TF_CROP_AND_RESIZE || (!p->roi_runtime && p->roi_start[d] == 0.0f &&
                                                      p->roi_end[d] == 1.0f));
}

void resize_axis_map(const resize_params *p, int d, int64_t o, int64_t *i0, int64_t *i1, float *w1)
{
    const int64_t in = p->in[d];
    if (copied(p, d)) { /* an unchanged dim is copied (every mode) */
        *i0 = *i1 = o;
        *w1 = 0.0f;
        return;
    }
    float x = src_coord(p, d, o);
    if (p->mode == RESIZE_LINEAR) {
        x = x < 0.0f ? 0.0f : x > (float)(in - 1) ? (float)(in - 1) : x;
        *i0 = (int64_t)x;
        *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
        *w1 = *i1 == *i0 ? 0.0f : x - (float)*i0;
        return;
    }
    float r;
    const float f = floorf(x);
    switch (p->round) {
    case RESIZE_PREFER_FLOOR:
        r = x - f == 0.5f ? f : roundf(x);
        break;
    case RESIZE_PREFER_CEIL:
        r = x - f == 0.5f ? f + 1.0f : roundf(x);
        break;
    case RESIZE_FLOOR:
        r = f;
        break;
    case RESIZE_CEIL:
        r = ceilf(x);
        break;
    default: /* simple: truncate, ceil when this axis shrinks */
        r = p->scale[d] < 1.0f ? ceilf(x) : truncf(x);
        break;
    }
    *i0 = *i1 = clamp_idx((int64_t)r, in);
    *w1 = 0.0f;
}

/* Keys' cubic convolution weight of a tap at distance t (|t| < 2), coefficient a. */
static float keys(float t, float a)
{
    t = fabsf(t);
    if (t <= 1.0f)
        return ((a + 2.0f) * t - (a + 3.0f)) * t * t + 1.0f;
    return t < 2.0f ? ((a * t - 5.0f * a) * t + 8.0f * a) * t - 4.0f * a : 0.0f;
}

void resize_cubic_taps(const resize_params *p, int d, int64_t o, int64_t *idx, float *w)
{
    const int64_t in = p->in[d];
    if (copied(p, d)) { /* an unchanged dim is copied */
        for (int k = 0; k < 4; k++)
            idx[k] = o, w[k] = k == 1 ? 1.0f : 0.0f;
        return;
    }
    const float x = src_coord(p, d, o), f = floorf(x), r = x - f;
    float sum = 0.0f;
    for (int k = 0; k < 4; k++) {
        const int64_t t = (int64_t)f - 1 + k; /* taps at floor(x) - 1 .. floor(x) + 2 */
        w[k] = keys(r + 1.0f - (float)k, p->cubic_a);
        if (p->exclude_outside && (t < 0 || t >= in))
            w[k] = 0.0f;
        idx[k] = clamp_idx(t, in);
        sum += w[k];
    }
    if (p->exclude_outside && sum != 0.0f)
        for (int k = 0; k < 4; k++)
            w[k] /= sum;
}

/* Antialias: the scale that stretches the filter (1 when the dim grows). */
static float aa_scale(const resize_params *p, int d)
{
    return p->scale[d] < 1.0f ? p->scale[d] : 1.0f;
}

int resize_max_taps(const resize_params *p, int d)
{
    if (copied(p, d) || p->mode == RESIZE_NEAREST)
        return 1;
    if (!p->antialias)
        return p->mode == RESIZE_CUBIC ? 4 : 2;
    /* onnx's reference: taps start at floor(-support/scale) + 1 and are symmetric */
    const float support = p->mode == RESIZE_CUBIC ? 2.0f : 1.0f;
    const int64_t start = (int64_t)floorf(-support / aa_scale(p, d)) + 1;
    return (int)(2 - 2 * start); /* at most ~4 in + 2: out >= 1 bounds 1/scale by ~in */
}

/* Antialias taps of o on dim d: filter(scale * (t - x)) at the n integers t nearest
 * x (the left one on a tie), clamped to the input, normalised. */
static int aa_taps(const resize_params *p, int d, int64_t o, int64_t *idx, float *w)
{
    const float s = aa_scale(p, d), x = src_coord(p, d, o), f = floorf(x);
    const float base = x == f ? f - 1.0f : f; /* ratio x - base in (0, 1] */
    const int64_t in = p->in[d];
    int n = resize_max_taps(p, d);
    const float support = p->mode == RESIZE_CUBIC ? 2.0f : 1.0f;
    const int64_t start = (int64_t)floorf(-support / s) + 1;
    float sum = 0.0f;
    for (int k = 0; k < n; k++) {
        const int64_t t = (int64_t)base + start + k;
        const float arg = s * ((float)(start + k) - (x - base));
        float v = p->mode == RESIZE_CUBIC ? keys(arg, p->cubic_a) : 1.0f - fabsf(arg);
        if (v < 0.0f && p->mode != RESIZE_CUBIC)
            v = 0.0f;
        if (p->exclude_outside && (t < 0 || t >= in))
            v = 0.0f;
        idx[k] = clamp_idx(t, in);
        w[k] = v;
        sum += v;
    }
    for (int k = 0; k < n && sum != 0.0f; k++)
        w[k] /= sum;
    return n;
}

int resize_taps(const resize_params *p, int d, int64_t o, int64_t *idx, float *w)
{
    if (copied(p, d)) {
        idx[0] = o, w[0] = 1.0f;
        return 1;
    }
    if (p->coord == RESIZE_TF_CROP_AND_RESIZE) {
        const float x = src_coord(p, d, o);
        if (!(x >= 0.0f && x <= (float)(p->in[d] - 1)))
            return 0;
    }
    if (p->mode == RESIZE_CUBIC && !p->antialias) {
        resize_cubic_taps(p, d, o, idx, w);
        return 4;
    }
    if (p->antialias)
        return aa_taps(p, d, o, idx, w);
    int64_t i1;
    float w1;
    resize_axis_map(p, d, o, &idx[0], &i1, &w1);
    if (p->mode == RESIZE_NEAREST) { /* room for 1 tap only (resize_max_taps) */
        w[0] = 1.0f;
        return 1;
    }
    idx[1] = i1, w[0] = 1.0f - w1, w[1] = w1;
    return 2;
}

static clcnn_status resize_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    resize_params p;
    if ((st = op_check_arity(n, 1, 4, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = resize_params_get(g, n, &p, err)))
        return st;
    op_set_out(g, n, 0, IR_DT_FLOAT, p.ndim, p.out);
    return CLCNN_OK;
}

static clcnn_status upsample_infer(ir_graph *g, ir_node *n, clcnn_err *err)
{
    clcnn_status st;
    resize_params p;
    const int n_in = g->opset < 9 ? 1 : 2;
    if ((st = op_check_arity(n, n_in, n_in, 1, 1, err)) || (st = op_need_float(g, n, 0, err)) ||
        (st = resize_params_get(g, n, &p, err)))
        return st;
    op_set_out(g, n, 0, IR_DT_FLOAT, p.ndim, p.out);
    return CLCNN_OK;
}

const op_def op_def_RESIZE = {
    .opset_min = 10, .opset_max = OP_OPSET_LATEST,
    .attrs = OP_ATTRS({"antialias", OP_A_INT}, {"axes", OP_A_INTS},
                      {"coordinate_transformation_mode", OP_A_STRING}, {"cubic_coeff_a", OP_A_FLOAT},
                      {"exclude_outside", OP_A_INT}, {"extrapolation_value", OP_A_FLOAT},
                      {"keep_aspect_ratio_policy", OP_A_STRING}, {"mode", OP_A_STRING},
                      {"nearest_mode", OP_A_STRING}),
    .infer = resize_infer, .ref = resize_ref,
    .cl = OP_CL_KERNEL,
};

/* Upsample-7 (scales attribute) and -9 (scales input); deprecated at 10 by Resize. */
const op_def op_def_UPSAMPLE = {
    .opset_min = 7, .opset_max = 9,
    .attrs = OP_ATTRS({"mode", OP_A_STRING}, {"scales", OP_A_FLOATS}),
    .infer = upsample_infer, .ref = resize_ref,
    .cl = OP_CL_KERNEL,
};
