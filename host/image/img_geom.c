/* img_geom.c — the geometry around the resize: the "shorter side to N" size
 * rule, the centre-crop window, and a plain crop. The rounding rules are the
 * ones in shared/models/MODELS.md (integer arithmetic, no float surprises). */
#include <stdlib.h>
#include <string.h>

#include "image.h"

void img_shorter_side_size(int w, int h, int shorter, int *out_w, int *out_h)
{
    /* floor(long * shorter / short + 0.5) == (2 * long * shorter + short) div (2 * short) */
    long long s = w < h ? w : h, l = w < h ? h : w;
    long long nl = (2 * l * shorter + s) / (2 * s);
    if (nl < 1)
        nl = 1;
    *out_w = w < h ? shorter : (int)nl;
    *out_h = w < h ? (int)nl : shorter;
}

clcnn_status img_crop(const img_rgb *in, int left, int top, int w, int h, img_rgb *out,
                      clcnn_err *err)
{
    if (!in || !in->px || !out || w <= 0 || h <= 0 || left < 0 || top < 0 || left + w > in->w ||
        top + h > in->h)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "crop %dx%d at (%d,%d) does not fit a %dx%d image",
                       w, h, left, top, in ? in->w : 0, in ? in->h : 0);
    uint8_t *px = malloc((size_t)w * h * 3);
    if (!px)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory for a %dx%d crop", w, h);
    for (int y = 0; y < h; y++)
        memcpy(px + (size_t)y * w * 3, in->px + ((size_t)(top + y) * in->w + left) * 3, (size_t)w * 3);
    out->w = w;
    out->h = h;
    out->px = px;
    return CLCNN_OK;
}

clcnn_status img_resize_crop(const img_rgb *in, int resize, int crop, img_rgb *out, clcnn_err *err)
{
    img_rgb r = {0};
    clcnn_status st;
    if (resize > 0) {
        int rw, rh;
        img_shorter_side_size(in->w, in->h, resize, &rw, &rh);
        st = img_resize_bilinear(in, rw, rh, &r, err);
    } else {
        st = img_crop(in, 0, 0, in->w, in->h, &r, err); /* a copy, so ownership is uniform */
    }
    if (st != CLCNN_OK)
        return st;
    if (crop <= 0) {
        *out = r;
        return CLCNN_OK;
    }
    if (crop > r.w || crop > r.h) {
        int w = r.w, h = r.h;
        img_free(&r);
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       "crop %d is larger than the resized image (%dx%d); raise resize or lower crop",
                       crop, w, h);
    }
    st = img_crop(&r, (r.w - crop) / 2, (r.h - crop) / 2, crop, crop, out, err);
    img_free(&r);
    return st;
}
