/* img_png.c — PNG to 8-bit RGB with libpng: every colour type and bit depth
 * is expanded to RGBA8 by libpng's transforms, then alpha is composited on a
 * white background (the usual "paper" a classifier's photos were taken on;
 * black would invent dark borders around cut-out objects). libpng's errors
 * longjmp back here with the message; nothing is printed. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "image.h"

typedef struct png_mem {
    const uint8_t *buf;
    size_t len, pos;
    char msg[256];
} png_mem;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_mem *m = png_get_error_ptr(png);
    snprintf(m->msg, sizeof m->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* the library never prints */
}

static void read_mem(png_structp png, png_bytep dst, png_size_t n)
{
    png_mem *m = png_get_io_ptr(png);
    if (n > m->len - m->pos)
        png_error(png, "unexpected end of file (truncated)");
    memcpy(dst, m->buf + m->pos, n);
    m->pos += n;
}

/* Turns the expanded RGBA rows into RGB over white, in place (the RGB pixel
 * i is written at 3i <= 4i, so no byte is overwritten before it is read). */
static void composite_on_white(uint8_t *px, size_t npx)
{
    for (size_t i = 0; i < npx; i++) {
        const uint8_t *s = px + 4 * i;
        int a = s[3];
        uint8_t r = s[0], g = s[1], b = s[2];
        if (a != 255) {
            r = (uint8_t)((a * r + (255 - a) * 255 + 127) / 255);
            g = (uint8_t)((a * g + (255 - a) * 255 + 127) / 255);
            b = (uint8_t)((a * b + (255 - a) * 255 + 127) / 255);
        }
        px[3 * i + 0] = r;
        px[3 * i + 1] = g;
        px[3 * i + 2] = b;
    }
}

static void set_transforms(png_structp png, png_infop info)
{
    int ct = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    if (ct == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (ct == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_tRNS_to_alpha(png);
    if (depth == 16)
        png_set_scale_16(png);
    if (ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    if (!(ct & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

clcnn_status img_decode_png(const uint8_t *buf, size_t len, const char *name, img_rgb *out,
                            clcnn_err *err)
{
    /* IHDR is always the first chunk (signature 8, length 4, type 4, then
     * width and height): refuse a huge image before libpng reads further. */
    if (len >= 24 && memcmp(buf + 12, "IHDR", 4) == 0 &&
        (unsigned long long)be32(buf + 16) * be32(buf + 20) > IMG_MAX_PIXELS)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "%s: PNG of %ux%u pixels exceeds the %llu-pixel limit",
                       name, (unsigned)be32(buf + 16), (unsigned)be32(buf + 20), IMG_MAX_PIXELS);
    png_mem m = {buf, len, 0, ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &m, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "%s: out of memory starting the PNG decoder", name);
    }
    uint8_t *volatile px = NULL;
    png_bytep *volatile rows = NULL;
    volatile clcnn_status fail = CLCNN_ERR_PARSE;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(px);
        free(rows);
        if (fail == CLCNN_ERR_PARSE)
            return err_set(err, fail, "%s: bad or truncated PNG: %s", name, m.msg);
        return err_set(err, fail, "%s: %s", name, m.msg);
    }
    png_set_read_fn(png, &m, read_mem);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if ((unsigned long long)w * h > IMG_MAX_PIXELS) {
        snprintf(m.msg, sizeof m.msg, "PNG of %ux%u pixels exceeds the %llu-pixel limit",
                 (unsigned)w, (unsigned)h, IMG_MAX_PIXELS);
        fail = CLCNN_ERR_UNSUPPORTED;
        png_longjmp(png, 1);
    }
    set_transforms(png, info);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 4)
        png_error(png, "unexpected row size after expansion to RGBA"); /* a libpng surprise */
    px = malloc((size_t)w * h * 4);
    rows = malloc(sizeof(png_bytep) * h);
    if (!px || !rows) {
        snprintf(m.msg, sizeof m.msg, "out of memory for %ux%u pixels", (unsigned)w, (unsigned)h);
        fail = CLCNN_ERR_OUT_OF_MEMORY;
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = px + (size_t)y * w * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    composite_on_white(px, (size_t)w * h);
    uint8_t *shrunk = realloc(px, (size_t)w * h * 3);
    out->w = (int)w;
    out->h = (int)h;
    out->px = shrunk ? shrunk : px;
    return CLCNN_OK;
}
