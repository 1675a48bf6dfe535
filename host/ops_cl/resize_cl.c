/* resize_cl.c — OpenCL side of Resize / Upsample (kernels_cl/resize.cl):
 * resize_bilinear for linear mode and resize_bicubic for cubic (only H, W
 * change), resize_taps for both when antialias widens the filter or
 * tf_crop_and_resize may extrapolate, resize_nearest for
 * nearest at any rank up to 6. The source positions of every output position
 * are computed here once (resize_axis_map, float32 like onnxruntime) and
 * uploaded as one int table that the launch owns; a tf_crop_and_resize roi fed at
 * run time has the table rebuilt on the host before each run (roi_table_run),
 * from a roi stored half when the node runs in fp16. */
#include <stdlib.h>
#include <string.h>

#include "op_cl.h"
#include "../ops/ops_impl.h"

/* Uploads tab[0..cnt) as a read-only device buffer. */
static clcnn_status upload(opcl_ctx *c, const ir_node *n, const cl_int *tab, size_t cnt,
                           cl_mem *out, clcnn_err *err)
{
    cl_int rc;
    *out = clCreateBuffer(rt_cl_context(c->rt), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                          cnt * sizeof *tab, (void *)tab, &rc);
    if (rc != CL_SUCCESS)
        return op_fail(err, CLCNN_ERR_CL, n, "clCreateBuffer (Resize table) failed: %s (%d)",
                       rt_cl_error_name(rc), (int)rc);
    return CLCNN_OK;
}

/* Fills tab with i0 of each output position of dim d (-1: off the input, the
 * output is extrapolation_value). */
static void nearest_part(const resize_params *p, int d, cl_int *tab)
{
    for (int64_t o = 0; o < p->out[d]; o++) {
        int64_t i0;
        float w;
        tab[o] = resize_taps(p, d, o, &i0, &w) ? (cl_int)i0 : -1;
    }
}

/* idx[K*out] then w[K*out] (float bits) of dim d, K taps per position (unused
 * ones: index 0, weight 0; off the input: index -1 first); absent dim: one row
 * of weight 1. idx and w are scratch for K taps. */
static void taps_part(const resize_params *p, int d, int K, cl_int *tab, int64_t *idx, float *w)
{
    const int64_t out = d >= 0 ? p->out[d] : 1;
    for (int64_t o = 0; o < out; o++) {
        int cnt = 1;
        idx[0] = 0, w[0] = 1.0f;
        if (d >= 0)
            cnt = resize_taps(p, d, o, idx, w);
        for (int k = 0; k < K; k++) {
            const float v = k < cnt ? w[k] : 0.0f;
            tab[K * o + k] = k < cnt ? (cl_int)idx[k] : cnt == 0 && k == 0 ? -1 : 0;
            memcpy(&tab[K * out + K * o + k], &v, sizeof v);
        }
    }
}

/* i0[out] i1[out] w1[out] (float bits) of dim d (absent dim: one entry, 0, 0, 0). */
static void linear_part(const resize_params *p, int d, cl_int *tab)
{
    const int64_t out = d >= 0 ? p->out[d] : 1;
    for (int64_t o = 0; o < out; o++) {
        int64_t i0 = 0, i1 = 0;
        float w = 0.0f;
        if (d >= 0)
            resize_axis_map(p, d, o, &i0, &i1, &w);
        tab[o] = (cl_int)i0;
        tab[out + o] = (cl_int)i1;
        memcpy(&tab[2 * out + o], &w, sizeof w);
    }
}

/* idx[4*out] then w[4*out] (float bits) of dim d (absent dim: one row of weight 1). */
static void cubic_part(const resize_params *p, int d, cl_int *tab)
{
    const int64_t out = d >= 0 ? p->out[d] : 1;
    for (int64_t o = 0; o < out; o++) {
        int64_t idx[4] = {0, 0, 0, 0};
        float w[4] = {0.0f, 1.0f, 0.0f, 0.0f};
        if (d >= 0)
            resize_cubic_taps(p, d, o, idx, w);
        for (int k = 0; k < 4; k++) {
            tab[4 * o + k] = (cl_int)idx[k];
            memcpy(&tab[4 * out + 4 * o + k], &w[k], sizeof w[k]);
        }
    }
}

/* Table, kernel and launch geometry of one variant. */
typedef struct resize_launch {
    cl_int *tab;
    size_t cnt, gws[3];
    const char *variant;
    cl_int8 a, b, off; /* bilinear, bicubic, taps use a only */
} resize_launch;

static clcnn_status plan_nearest(const resize_params *p, const ir_node *n, resize_launch *L,
                                 clcnn_err *err)
{
    if (p->ndim > 6)
        return op_fail(err, CLCNN_ERR_UNSUPPORTED, n, "Resize of rank %d on OpenCL (up to 6)", p->ndim);
    const int pad = 6 - p->ndim;
    resize_params q = *p; /* 6-D view: leading dims of 1 map 0 -> 0 */
    for (int d = 0; d < 6; d++) {
        q.in[d] = d < pad ? 1 : p->in[d - pad];
        q.out[d] = d < pad ? 1 : p->out[d - pad];
        q.scale[d] = d < pad ? 1.0f : p->scale[d - pad];
        q.roi_start[d] = d < pad ? 0.0f : p->roi_start[d - pad];
        q.roi_end[d] = d < pad ? 1.0f : p->roi_end[d - pad];
    }
    q.ndim = 6;
    L->cnt = 0;
    for (int d = 0; d < 6; d++) {
        L->off.s[d] = (cl_int)L->cnt;
        L->a.s[d] = (cl_int)q.in[d];
        L->b.s[d] = (cl_int)q.out[d];
        L->cnt += (size_t)q.out[d];
    }
    if (!(L->tab = malloc(L->cnt * sizeof *L->tab)))
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for the Resize table");
    for (int d = 0; d < 6; d++)
        nearest_part(&q, d, L->tab + L->off.s[d]);
    L->gws[0] = (size_t)q.out[5];
    L->gws[1] = (size_t)q.out[4];
    L->gws[2] = (size_t)(q.out[0] * q.out[1] * q.out[2] * q.out[3]);
    L->variant = "resize_nearest";
    return CLCNN_OK;
}

static clcnn_status plan_bilinear(const resize_params *p, const ir_node *n, resize_launch *L,
                                  clcnn_err *err)
{
    const int dh = p->ndim - 2, dw = p->ndim - 1; /* dh < 0: a rank-1 input, H = 1 */
    const int64_t H = dh >= 0 ? p->in[dh] : 1, OH = dh >= 0 ? p->out[dh] : 1;
    const int64_t W = p->in[dw], OW = p->out[dw];
    const int cubic = p->mode == RESIZE_CUBIC, per = cubic ? 8 : 3; /* table ints per position */
    int64_t P = 1;
    for (int d = 0; d < dh; d++)
        P *= p->in[d];
    L->cnt = (size_t)(per * OH + per * OW);
    if (!(L->tab = malloc(L->cnt * sizeof *L->tab)))
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for the Resize table");
    if (cubic) {
        cubic_part(p, dh, L->tab);
        cubic_part(p, dw, L->tab + 8 * OH);
    } else {
        linear_part(p, dh, L->tab);
        linear_part(p, dw, L->tab + 3 * OH);
    }
    memset(&L->a, 0, sizeof L->a);
    L->a.s[0] = (cl_int)H, L->a.s[1] = (cl_int)W, L->a.s[2] = (cl_int)OH, L->a.s[3] = (cl_int)OW;
    L->a.s[4] = (cl_int)P;
    L->gws[0] = (size_t)OW, L->gws[1] = (size_t)OH, L->gws[2] = (size_t)P;
    L->variant = cubic ? "resize_bicubic" : "resize_bilinear";
    return CLCNN_OK;
}

/* Antialias or tf_crop_and_resize, linear or cubic: K taps per row / column. */
static clcnn_status plan_taps(const resize_params *p, const ir_node *n, resize_launch *L,
                              clcnn_err *err)
{
    const int dh = p->ndim - 2, dw = p->ndim - 1; /* dh < 0: a rank-1 input, H = 1 */
    const int64_t H = dh >= 0 ? p->in[dh] : 1, OH = dh >= 0 ? p->out[dh] : 1;
    const int64_t W = p->in[dw], OW = p->out[dw];
    const int KH = dh >= 0 ? resize_max_taps(p, dh) : 1, KW = resize_max_taps(p, dw);
    const int K = KH > KW ? KH : KW;
    int64_t P = 1;
    for (int d = 0; d < dh; d++)
        P *= p->in[d];
    L->cnt = (size_t)(2 * KH * OH + 2 * KW * OW);
    int64_t *idx = malloc((size_t)K * sizeof *idx);
    float *w = malloc((size_t)K * sizeof *w);
    L->tab = malloc(L->cnt * sizeof *L->tab);
    if (!idx || !w || !L->tab) {
        free(idx);
        free(w);
        free(L->tab);
        L->tab = NULL;
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory for the Resize table");
    }
    taps_part(p, dh, KH, L->tab, idx, w);
    taps_part(p, dw, KW, L->tab + 2 * KH * OH, idx, w);
    free(idx);
    free(w);
    memset(&L->a, 0, sizeof L->a);
    L->a.s[0] = (cl_int)H, L->a.s[1] = (cl_int)W, L->a.s[2] = (cl_int)OH, L->a.s[3] = (cl_int)OW;
    L->a.s[4] = (cl_int)P, L->a.s[5] = KH, L->a.s[6] = KW;
    L->gws[0] = (size_t)OW, L->gws[1] = (size_t)OH, L->gws[2] = (size_t)P;
    L->variant = "resize_taps";
    return CLCNN_OK;
}

/* The table of p (nearest: any rank; taps: linear / cubic on the last two dims). */
static clcnn_status plan_table(const resize_params *p, const ir_node *n, int taps,
                               resize_launch *L, clcnn_err *err)
{
    return taps ? plan_taps(p, n, L, err)
           : p->mode != RESIZE_NEAREST ? plan_bilinear(p, n, L, err) : plan_nearest(p, n, L, err);
}

/* tf_crop_and_resize with a roi that is not a constant: before each run, a custom
 * launch reads roi from its buffer and rebuilds the table on the host (the same
 * float32 coordinates as the reference and onnxruntime; the table's size depends
 * on the shapes only) into the kernel's table buffer. */
typedef struct roi_table {
    resize_params p;   /* roi_runtime stays set: no dim is taken as copied */
    const ir_node *n;  /* the graph outlives the plan */
    cl_mem roi, tab;   /* not owned: the node's input and the kernel launch's table */
    size_t cnt;
    int taps;
    int roi_half;      /* roi's device buffer holds halves (fp16 plan, ir_tensor.half) */
} roi_table;

static clcnn_status roi_table_run(void *data, cl_command_queue q, cl_event *ev, clcnn_err *err)
{
    const roi_table *r = data;
    resize_params p = r->p;
    resize_launch L = {0};
    float roi[2 * IR_MAX_DIMS];
    uint16_t roi_h[2 * IR_MAX_DIMS];
    const size_t nroi = 2 * (size_t)p.naxes;
    clcnn_status st = CLCNN_OK;
    if (r->roi_half) {
        CL_TRY(err, st, clEnqueueReadBuffer(q, r->roi, CL_TRUE, 0, nroi * sizeof *roi_h, roi_h, 0,
                                            NULL, NULL));
        for (size_t i = 0; i < nroi; i++)
            roi[i] = ir_half_to_float(roi_h[i]);
    } else {
        CL_TRY(err, st, clEnqueueReadBuffer(q, r->roi, CL_TRUE, 0, nroi * sizeof *roi, roi, 0, NULL,
                                            NULL));
    }
    resize_set_roi(&p, roi);
    for (int d = 0; r->taps && d < p.ndim - 2; d++) /* resize_taps keeps those dims as they are */
        if (p.roi_start[d] != 0.0f || p.roi_end[d] != 1.0f)
            return op_fail(err, CLCNN_ERR_UNSUPPORTED, r->n, "tf_crop_and_resize: roi crops dim %d, "
                           "which linear and cubic do not resize on OpenCL", d);
    if ((st = plan_table(&p, r->n, r->taps, &L, err)))
        return st;
    if (L.cnt != r->cnt) { /* cannot happen: the size follows the shapes */
        free(L.tab);
        return op_fail(err, CLCNN_ERR_INTERNAL, r->n, "Resize table size changed");
    }
    CL_TRY(err, st, clEnqueueWriteBuffer(q, r->tab, CL_TRUE, 0, L.cnt * sizeof *L.tab, L.tab, 0,
                                         NULL, ev));
    free(L.tab);
    return CLCNN_OK;
fail:
    free(L.tab);
    return st;
}

static clcnn_status push_roi_table(opcl_ctx *c, const ir_node *n, const resize_params *p, int taps,
                                   cl_mem tab, size_t cnt, clcnn_err *err)
{
    roi_table *r = malloc(sizeof *r);
    if (!r)
        return op_fail(err, CLCNN_ERR_OUT_OF_MEMORY, n, "out of memory planning Resize");
    r->p = *p, r->n = n, r->roi = c->mem[n->in[1]], r->tab = tab, r->cnt = cnt, r->taps = taps;
    r->roi_half = opcl_esize(ir_in(c->g, n, 1)) == 2;
    return opcl_push_custom(c, n, roi_table_run, r, free, "resize_roi_table", err);
}

clcnn_status resize_cl(opcl_ctx *c, const ir_node *n, clcnn_err *err)
{
    resize_params p;
    resize_launch L = {0};
    cl_mem tab = NULL;
    cl_kernel k = NULL;
    clcnn_status st = resize_params_get(c->g, n, &p, err);
    if (st)
        return st;
    const int taps = p.mode != RESIZE_NEAREST &&
                     (p.antialias || p.coord == RESIZE_TF_CROP_AND_RESIZE);
    if ((st = plan_table(&p, n, taps, &L, err)))
        return st;
    st = upload(c, n, L.tab, L.cnt, &tab, err);
    free(L.tab);
    if (st)
        return st;
    if ((st = opcl_kernel(c, "resize", NULL, L.variant, &k, err)))
        goto fail;
    const cl_float ev = p.extrapolation;
    st = taps ? OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]),
                          OPCL_ARG(tab), OPCL_ARG(L.a), OPCL_ARG(ev))
         : p.mode != RESIZE_NEAREST
             ? OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(tab),
                         OPCL_ARG(L.a))
             : OPCL_ARGS(k, err, OPCL_ARG(c->mem[n->in[0]]), OPCL_ARG(c->mem[c->out]), OPCL_ARG(tab),
                         OPCL_ARG(L.a), OPCL_ARG(L.b), OPCL_ARG(L.off), OPCL_ARG(ev));
    if (st)
        goto fail;
    if (p.roi_runtime && (st = push_roi_table(c, n, &p, taps, tab, L.cnt, err)))
        goto fail;
    return opcl_push_owned(c, n, k, 3, L.gws, NULL, tab, L.variant, err);
fail:
    if (k)
        clReleaseKernel(k);
    clReleaseMemObject(tab);
    return st;
}
