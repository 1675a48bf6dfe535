/* img_resize.c — Pillow's Image.resize(size, Image.BILINEAR) for 8-bit RGB,
 * reproduced bit for bit (Pillow's libImaging/Resample.c): per output pixel a
 * triangle filter whose support is scale * 1.0 when shrinking (antialiasing),
 * weights normalised in double, then converted to 22-bit fixed point; a
 * horizontal pass over only the source rows the vertical pass will read, then
 * a vertical pass (the other order when the height loses more than twice as
 * many pixels as the width, as Pillow 13 does); each pass rounds (bias
 * 1 << 21) and clamps to 0..255. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

#define PRECISION_BITS (32 - 8 - 2) /* Pillow's choice: 8-bit input * coeff fits in int32 */
#define FILTER_SUPPORT 1.0          /* triangle (bilinear) filter radius at scale 1 */

/* Per output pixel: first source index, count, and ksize fixed-point weights. */
typedef struct coeffs {
    int ksize;
    int *bounds; /* [out][2]: xmin, count */
    int32_t *k;  /* [out][ksize] */
} coeffs;

static double triangle(double x)
{
    if (x < 0.0)
        x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

static void coeffs_free(coeffs *c)
{
    free(c->bounds);
    free(c->k);
    c->bounds = NULL;
    c->k = NULL;
}

/* Pillow's precompute_coeffs + normalize_coeffs_8bpc for the box [0, in_size). */
static int coeffs_make(int in_size, int out_size, coeffs *c)
{
    double scale = (double)in_size / out_size;
    double filterscale = scale < 1.0 ? 1.0 : scale;
    double support = filterscale * FILTER_SUPPORT;
    int ksize = (int)ceil(support) * 2 + 1;
    double *w = malloc(sizeof(double) * ksize);
    c->ksize = ksize;
    c->bounds = malloc(sizeof(int) * 2 * out_size);
    c->k = calloc((size_t)out_size * ksize, sizeof(int32_t));
    if (!w || !c->bounds || !c->k) {
        free(w);
        coeffs_free(c);
        return 0;
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
        if (xmin < 0)
            xmin = 0;
        if (xmax > in_size)
            xmax = in_size;
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
            w[x] = triangle((x + xmin - center + 0.5) * ss);
            ww += w[x];
        }
        int32_t *k = c->k + (size_t)xx * ksize;
        for (int x = 0; x < xmax; x++) {
            double v = ww != 0.0 ? w[x] / ww : w[x];
            k[x] = (int32_t)(v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
        }
        c->bounds[2 * xx] = xmin;
        c->bounds[2 * xx + 1] = xmax;
    }
    free(w);
    return 1;
}

static uint8_t clip8(int32_t v)
{
    if (v >= (1 << PRECISION_BITS << 8))
        return 255;
    if (v <= 0)
        return 0;
    return (uint8_t)(v >> PRECISION_BITS);
}

/* in: rows [row0, row0 + out_h) of a w_in-wide image; out: out_h x out_w. */
static void pass_horizontal(const uint8_t *in, int w_in, int row0, const coeffs *c, uint8_t *out,
                            int out_w, int out_h)
{
    for (int y = 0; y < out_h; y++) {
        const uint8_t *src = in + (size_t)(y + row0) * w_in * 3;
        uint8_t *dst = out + (size_t)y * out_w * 3;
        for (int xx = 0; xx < out_w; xx++) {
            int xmin = c->bounds[2 * xx], n = c->bounds[2 * xx + 1];
            const int32_t *k = c->k + (size_t)xx * c->ksize;
            int32_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
            for (int x = 0; x < n; x++) {
                const uint8_t *p = src + (size_t)(x + xmin) * 3;
                s0 += p[0] * k[x];
                s1 += p[1] * k[x];
                s2 += p[2] * k[x];
            }
            dst[3 * xx + 0] = clip8(s0);
            dst[3 * xx + 1] = clip8(s1);
            dst[3 * xx + 2] = clip8(s2);
        }
    }
}

/* bounds in c are relative to row `row0` of `in`. */
static void pass_vertical(const uint8_t *in, int w, int row0, const coeffs *c, uint8_t *out,
                          int out_h)
{
    for (int yy = 0; yy < out_h; yy++) {
        int ymin = c->bounds[2 * yy] - row0, n = c->bounds[2 * yy + 1];
        const int32_t *k = c->k + (size_t)yy * c->ksize;
        uint8_t *dst = out + (size_t)yy * w * 3;
        for (int x = 0; x < w * 3; x++) {
            int32_t s = 1 << (PRECISION_BITS - 1);
            for (int y = 0; y < n; y++)
                s += in[(size_t)(y + ymin) * w * 3 + x] * k[y];
            dst[x] = clip8(s);
        }
    }
}

clcnn_status img_resize_bilinear(const img_rgb *in, int out_w, int out_h, img_rgb *out,
                                 clcnn_err *err)
{
    if (!in || !in->px || !out || out_w <= 0 || out_h <= 0 || in->w <= 0 || in->h <= 0)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "img_resize_bilinear: bad arguments (%dx%d)",
                       out_w, out_h);
    if ((unsigned long long)out_w * out_h > IMG_MAX_PIXELS)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "resize to %dx%d exceeds the pixel limit", out_w, out_h);
    int need_h = out_w != in->w, need_v = out_h != in->h;
    coeffs ch = {0}, cv = {0};
    uint8_t *tmp = NULL, *dst = malloc((size_t)out_w * out_h * 3);
    if (!dst || !coeffs_make(in->w, out_w, &ch) || !coeffs_make(in->h, out_h, &cv)) {
        free(dst);
        coeffs_free(&ch);
        coeffs_free(&cv);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory resizing to %dx%d", out_w, out_h);
    }
    /* Only source rows [first, last) feed the vertical pass (Pillow's ybox). */
    int first = cv.bounds[0];
    int last = cv.bounds[2 * out_h - 2] + cv.bounds[2 * out_h - 1];
    if (need_h && need_v && out_h < in->h && (in->h - out_h) > 2 * (in->w - out_w)) {
        /* Pillow >= 13 (python-pillow/Pillow#9549) runs the vertical pass
         * first when the height shrinks, by more than twice as many pixels as the
         * width; the 8-bit rounding between passes makes the order visible. */
        tmp = malloc((size_t)in->w * out_h * 3);
        if (!tmp) {
            free(dst);
            coeffs_free(&ch);
            coeffs_free(&cv);
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory resizing to %dx%d", out_w, out_h);
        }
        pass_vertical(in->px, in->w, 0, &cv, tmp, out_h);
        pass_horizontal(tmp, in->w, 0, &ch, dst, out_w, out_h);
    } else if (need_h && need_v) {
        tmp = malloc((size_t)out_w * (last - first) * 3);
        if (!tmp) {
            free(dst);
            coeffs_free(&ch);
            coeffs_free(&cv);
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory resizing to %dx%d", out_w, out_h);
        }
        pass_horizontal(in->px, in->w, first, &ch, tmp, out_w, last - first);
        pass_vertical(tmp, out_w, first, &cv, dst, out_h);
    } else if (need_h) {
        pass_horizontal(in->px, in->w, 0, &ch, dst, out_w, out_h);
    } else if (need_v) {
        pass_vertical(in->px, in->w, 0, &cv, dst, out_h);
    } else {
        memcpy(dst, in->px, (size_t)out_w * out_h * 3);
    }
    free(tmp);
    coeffs_free(&ch);
    coeffs_free(&cv);
    out->w = out_w;
    out->h = out_h;
    out->px = dst;
    return CLCNN_OK;
}
