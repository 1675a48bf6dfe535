/* img_jpeg.c — JPEG to 8-bit RGB with libjpeg-turbo, matching Pillow's
 * Image.open(...).convert('RGB') pixel for pixel. libjpeg's default error
 * manager calls exit(); ours longjmps back with the message, and treats the
 * "premature end of file" warning as an error (a truncated photo is refused,
 * as Pillow refuses it, rather than padded with grey). */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "image.h"

typedef struct jerr_mgr {
    struct jpeg_error_mgr pub; /* first: libjpeg casts cinfo->err to this */
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jerr_mgr;

static void on_error_exit(j_common_ptr cinfo)
{
    jerr_mgr *e = (jerr_mgr *)cinfo->err;
    e->pub.format_message(cinfo, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings are silent except a truncated stream, which must not pass. */
static void on_emit_message(j_common_ptr cinfo, int level)
{
    jerr_mgr *e = (jerr_mgr *)cinfo->err;
    if (level < 0) {
        e->pub.num_warnings++;
        if (e->pub.msg_code == JWRN_JPEG_EOF) {
            e->pub.format_message(cinfo, e->msg);
            longjmp(e->jump, 1);
        }
    }
}

static void on_output_message(j_common_ptr cinfo)
{
    (void)cinfo; /* the library never prints */
}

/* Pillow's CMYK -> RGB (Convert.c cmyk2rgb) after its "CMYK;I" unpacking,
 * which inverts libjpeg's Adobe-style samples: c = 255 - raw. */
static uint8_t cmyk_channel(int raw_c, int raw_k)
{
    int c = 255 - raw_c, nk = raw_k; /* nk = 255 - k = 255 - (255 - raw_k) */
    int tmp = c * nk + 128;
    int v = nk - (((tmp >> 8) + tmp) >> 8);
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static void cmyk_row_to_rgb(const uint8_t *cmyk, uint8_t *rgb, int w)
{
    for (int x = 0; x < w; x++) {
        rgb[3 * x + 0] = cmyk_channel(cmyk[4 * x + 0], cmyk[4 * x + 3]);
        rgb[3 * x + 1] = cmyk_channel(cmyk[4 * x + 1], cmyk[4 * x + 3]);
        rgb[3 * x + 2] = cmyk_channel(cmyk[4 * x + 2], cmyk[4 * x + 3]);
    }
}

clcnn_status img_decode_jpeg(const uint8_t *buf, size_t len, const char *name, img_rgb *out,
                             clcnn_err *err)
{
    struct jpeg_decompress_struct cinfo;
    jerr_mgr jerr;
    /* volatile: modified between setjmp and a possible longjmp */
    uint8_t *volatile px = NULL;
    uint8_t *volatile row = NULL;
    volatile clcnn_status fail = CLCNN_ERR_PARSE;

    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = on_error_exit;
    jerr.pub.emit_message = on_emit_message;
    jerr.pub.output_message = on_output_message;
    jerr.msg[0] = '\0';
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(px);
        free(row);
        if (fail == CLCNN_ERR_PARSE)
            return err_set(err, CLCNN_ERR_PARSE, "%s: bad or truncated JPEG: %s", name, jerr.msg);
        return err_set(err, fail, "%s: %s", name, jerr.msg);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, buf, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);

    unsigned long long npx = (unsigned long long)cinfo.image_width * cinfo.image_height;
    if (npx > IMG_MAX_PIXELS) {
        snprintf(jerr.msg, sizeof jerr.msg, "JPEG of %ux%u pixels exceeds the %llu-pixel limit",
                 cinfo.image_width, cinfo.image_height, IMG_MAX_PIXELS);
        fail = CLCNN_ERR_UNSUPPORTED;
        longjmp(jerr.jump, 1);
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_EXT_RGB;
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.do_fancy_upsampling = TRUE;
    jpeg_start_decompress(&cinfo);

    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    px = malloc((size_t)w * h * 3);
    if (cmyk)
        row = malloc((size_t)w * 4);
    if (!px || (cmyk && !row)) {
        snprintf(jerr.msg, sizeof jerr.msg, "out of memory for %dx%d pixels", w, h);
        fail = CLCNN_ERR_OUT_OF_MEMORY;
        longjmp(jerr.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        int y = (int)cinfo.output_scanline;
        JSAMPROW dst = cmyk ? row : px + (size_t)y * w * 3;
        jpeg_read_scanlines(&cinfo, &dst, 1);
        if (cmyk)
            cmyk_row_to_rgb(row, px + (size_t)y * w * 3, w);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    out->w = w;
    out->h = h;
    out->px = px;
    return CLCNN_OK;
}
