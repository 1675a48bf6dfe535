/* test_image.c — host/image/: the photo -> 224x224 crop path must equal the
 * crops Pillow made (shared/models/inputs/, every pixel); PNG colour types and
 * JPEG flavours written here with libpng/libjpeg decode to the right pixels;
 * bad files give the right status with the file named; the resize matches an
 * independent double-precision triangle filter on tiny images; the value
 * mapping, sidecar settings and labels follow their documented rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "image/image.h"

static const char *const photos[] = {"dog", "eagle", "giraffe", "horses", "kite", "person", "scream"};

static char tmpdir[256];

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/clcnn_test_image_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static uint8_t *read_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)sz);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)sz, f), (size_t)sz);
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static void load_ok(const char *path, img_rgb *im)
{
    clcnn_err err = {0};
    clcnn_status st = img_load(path, im, &err);
    if (st != CLCNN_OK)
        fail_msg("img_load(%s): %s", path, err.msg);
}

/* ---- the bit-exact crops ------------------------------------------------- */

static void test_crops_match_pillow(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++) {
        char jpg[512], png[512];
        snprintf(jpg, sizeof jpg, "%s/data/images/%s.jpg", CLCNN_SHARED_DIR, photos[i]);
        snprintf(png, sizeof png, "%s/models/inputs/%s_224.png", CLCNN_SHARED_DIR, photos[i]);
        img_rgb photo = {0}, crop = {0}, want = {0};
        clcnn_err err = {0};
        load_ok(jpg, &photo);
        load_ok(png, &want);
        assert_int_equal(img_resize_crop(&photo, 256, 224, &crop, &err), CLCNN_OK);
        assert_int_equal(crop.w, 224);
        assert_int_equal(crop.h, 224);
        assert_int_equal(want.w, 224);
        assert_int_equal(want.h, 224);
        int differ = 0, maxd = 0, first = -1;
        for (int k = 0; k < 224 * 224 * 3; k++) {
            int d = abs((int)crop.px[k] - (int)want.px[k]);
            if (d) {
                differ++;
                if (first < 0)
                    first = k;
            }
            if (d > maxd)
                maxd = d;
        }
        if (differ)
            fail_msg("%s: %d of %d samples differ from Pillow (max %d, first at x=%d y=%d c=%d)",
                     photos[i], differ, 224 * 224 * 3, maxd, first / 3 % 224, first / 3 / 224, first % 3);
        img_free(&photo);
        img_free(&crop);
        img_free(&want);
    }
}

static void test_shorter_side_sizes(void **state)
{
    (void)state;
    /* sizes from shared/models/MODELS.md ("Sizes after step 2") */
    static const int cases[][4] = {{768, 576, 341, 256}, {773, 512, 387, 256}, {500, 500, 256, 256},
                                   {1352, 900, 385, 256}, {640, 424, 386, 256}, {352, 448, 256, 326}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int w, h;
        img_shorter_side_size(cases[i][0], cases[i][1], 256, &w, &h);
        assert_int_equal(w, cases[i][2]);
        assert_int_equal(h, cases[i][3]);
    }
    int w, h;
    img_shorter_side_size(1, 1, 256, &w, &h);
    assert_int_equal(w, 256);
    assert_int_equal(h, 256);
}

/* ---- PNG colour types ------------------------------------------------------ */

typedef struct png_case {
    const char *name;
    int color_type, depth, w, h;
    const uint8_t *rows;  /* packed rows as libpng wants them */
    const uint8_t *want;  /* expected RGB */
} png_case;

static void write_png(const char *path, int w, int h, int ct, int depth, const uint8_t *data,
                      const png_color *pal, int npal, const uint8_t *trns, int ntrns, int interlace)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng failed writing %s", path);
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, depth, ct, interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (pal)
        png_set_PLTE(png, info, pal, npal);
    if (trns)
        png_set_tRNS(png, info, trns, ntrns, NULL);
    png_write_info(png, info);
    int channels = ct == PNG_COLOR_TYPE_RGB ? 3 : ct == PNG_COLOR_TYPE_RGBA ? 4
                 : ct == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : 1;
    size_t rowbytes = ((size_t)w * channels * depth + 7) / 8;
    png_bytep *rows = malloc(sizeof(png_bytep) * h);
    for (int y = 0; y < h; y++)
        rows[y] = (png_bytep)data + y * rowbytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    fclose(f);
}

static void expect_pixels(const char *what, const img_rgb *im, int w, int h, const uint8_t *want)
{
    assert_int_equal(im->w, w);
    assert_int_equal(im->h, h);
    for (int k = 0; k < w * h * 3; k++)
        if (im->px[k] != want[k])
            fail_msg("%s: sample %d (x=%d y=%d c=%d) is %d, want %d", what, k, k / 3 % w, k / 3 / w, k % 3,
                     im->px[k], want[k]);
}

/* white compositing as documented: (a*c + (255-a)*255 + 127) / 255 */
static uint8_t on_white(int c, int a)
{
    return (uint8_t)((a * c + (255 - a) * 255 + 127) / 255);
}

static void test_png_color_types(void **state)
{
    (void)state;
    char path[512];
    img_rgb im = {0};

    /* gray 8-bit, 3x2 */
    const uint8_t gray[] = {0, 50, 100, 150, 200, 255};
    uint8_t gray_want[18];
    for (int i = 0; i < 6; i++)
        gray_want[3 * i] = gray_want[3 * i + 1] = gray_want[3 * i + 2] = gray[i];
    tmp_path(path, sizeof path, "gray8.png");
    write_png(path, 3, 2, PNG_COLOR_TYPE_GRAY, 8, gray, NULL, 0, NULL, 0, 0);
    load_ok(path, &im);
    expect_pixels("gray8", &im, 3, 2, gray_want);
    img_free(&im);

    /* gray 1-bit, 5x1: bits 10110 -> 255,0,255,255,0 */
    const uint8_t bits[] = {0xB0};
    const uint8_t bits_want[] = {255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0};
    tmp_path(path, sizeof path, "gray1.png");
    write_png(path, 5, 1, PNG_COLOR_TYPE_GRAY, 1, bits, NULL, 0, NULL, 0, 0);
    load_ok(path, &im);
    expect_pixels("gray1", &im, 5, 1, bits_want);
    img_free(&im);

    /* gray+alpha 2x1: (100, a=0) -> white, (100, a=128) -> blend */
    const uint8_t ga[] = {100, 0, 100, 128};
    uint8_t ga_want[6] = {255, 255, 255};
    ga_want[3] = ga_want[4] = ga_want[5] = on_white(100, 128);
    tmp_path(path, sizeof path, "gray_alpha.png");
    write_png(path, 2, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, ga, NULL, 0, NULL, 0, 0);
    load_ok(path, &im);
    expect_pixels("gray+alpha", &im, 2, 1, ga_want);
    img_free(&im);

    /* RGB 8-bit 2x2, interlaced */
    const uint8_t rgb[] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
    tmp_path(path, sizeof path, "rgb8_adam7.png");
    write_png(path, 2, 2, PNG_COLOR_TYPE_RGB, 8, rgb, NULL, 0, NULL, 0, 1);
    load_ok(path, &im);
    expect_pixels("rgb8 interlaced", &im, 2, 2, rgb);
    img_free(&im);

    /* RGBA 8-bit 3x1: opaque, transparent, half */
    const uint8_t rgba[] = {10, 20, 30, 255, 10, 20, 30, 0, 200, 100, 0, 77};
    const uint8_t rgba_want[] = {10, 20, 30, 255, 255, 255, on_white(200, 77), on_white(100, 77),
                                 on_white(0, 77)};
    tmp_path(path, sizeof path, "rgba8.png");
    write_png(path, 3, 1, PNG_COLOR_TYPE_RGBA, 8, rgba, NULL, 0, NULL, 0, 0);
    load_ok(path, &im);
    expect_pixels("rgba8", &im, 3, 1, rgba_want);
    img_free(&im);

    /* RGB 16-bit 2x1 (big-endian samples): 0xFFFF -> 255, 0x0000 -> 0,
     * 0x8080 -> 128 (v*255/65535 rounded), 0x1234 -> 18 */
    const uint8_t rgb16[] = {0xFF, 0xFF, 0x00, 0x00, 0x80, 0x80, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34};
    const uint8_t rgb16_want[] = {255, 0, 128, 18, 18, 18};
    tmp_path(path, sizeof path, "rgb16.png");
    write_png(path, 2, 1, PNG_COLOR_TYPE_RGB, 16, rgb16, NULL, 0, NULL, 0, 0);
    load_ok(path, &im);
    expect_pixels("rgb16", &im, 2, 1, rgb16_want);
    img_free(&im);

    /* palette 4-bit 3x1 with tRNS: entry 1 half transparent, entry 2 clear */
    const png_color pal[3] = {{1, 2, 3}, {200, 150, 100}, {9, 9, 9}};
    const uint8_t trns[3] = {255, 128, 0};
    const uint8_t idx[] = {0x01, 0x20}; /* 0,1,2 packed as nibbles */
    const uint8_t pal_want[] = {1, 2, 3, on_white(200, 128), on_white(150, 128), on_white(100, 128),
                                255, 255, 255};
    tmp_path(path, sizeof path, "palette4.png");
    write_png(path, 3, 1, PNG_COLOR_TYPE_PALETTE, 4, idx, pal, 3, trns, 3, 0);
    load_ok(path, &im);
    expect_pixels("palette4+tRNS", &im, 3, 1, pal_want);
    img_free(&im);

    /* 1x1 works */
    const uint8_t one[] = {7, 8, 9};
    tmp_path(path, sizeof path, "one.png");
    write_png(path, 1, 1, PNG_COLOR_TYPE_RGB, 8, one, NULL, 0, NULL, 0, 0);
    load_ok(path, &im);
    expect_pixels("1x1", &im, 1, 1, one);
    img_free(&im);
}

/* ---- JPEG flavours --------------------------------------------------------- */

static void write_jpeg(const char *path, int w, int h, int comps, J_COLOR_SPACE cs, int progressive,
                       const uint8_t *data)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = cs;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    if (progressive)
        jpeg_simple_progression(&c);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(data + (size_t)c.next_scanline * w * comps);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static void test_jpeg_gray_progressive_cmyk(void **state)
{
    (void)state;
    char path[512];
    img_rgb im = {0};
    enum { W = 17, H = 9 };
    uint8_t gray[W * H], rgb[W * H * 3], cmyk[W * H * 4];
    for (int i = 0; i < W * H; i++) {
        gray[i] = (uint8_t)(i * 7);
        rgb[3 * i] = (uint8_t)(i % W * 15);
        rgb[3 * i + 1] = (uint8_t)(i / W * 28);
        rgb[3 * i + 2] = 90;
        /* Adobe-style (inverted) CMYK as Photoshop writes it: 255 = no ink */
        cmyk[4 * i] = 255;      /* no cyan */
        cmyk[4 * i + 1] = 55;   /* much magenta */
        cmyk[4 * i + 2] = 255;  /* no yellow */
        cmyk[4 * i + 3] = 255;  /* no black */
    }

    tmp_path(path, sizeof path, "gray.jpg");
    write_jpeg(path, W, H, 1, JCS_GRAYSCALE, 0, gray);
    load_ok(path, &im);
    assert_int_equal(im.w, W);
    assert_int_equal(im.h, H);
    for (int i = 0; i < W * H; i++) {
        assert_int_equal(im.px[3 * i], im.px[3 * i + 1]);
        assert_int_equal(im.px[3 * i], im.px[3 * i + 2]);
        assert_true(abs(im.px[3 * i] - gray[i]) <= 12); /* lossy, quality 95 */
    }
    img_free(&im);

    tmp_path(path, sizeof path, "progressive.jpg");
    write_jpeg(path, W, H, 3, JCS_RGB, 1, rgb);
    load_ok(path, &im);
    assert_int_equal(im.w, W);
    assert_int_equal(im.h, H);
    double sum = 0;
    for (int k = 0; k < W * H * 3; k++)
        sum += abs(im.px[k] - rgb[k]);
    assert_true(sum / (W * H * 3) < 8.0); /* same picture, not noise */
    img_free(&im);

    /* CMYK: magenta ink on white paper must come out magenta-ish (R,B high, G low) */
    tmp_path(path, sizeof path, "cmyk.jpg");
    write_jpeg(path, W, H, 4, JCS_CMYK, 0, cmyk);
    load_ok(path, &im);
    assert_int_equal(im.w, W);
    int r = im.px[3 * 40], g = im.px[3 * 40 + 1], b = im.px[3 * 40 + 2];
    if (!(r > 230 && b > 230 && g > 40 && g < 70))
        fail_msg("CMYK magenta decoded as (%d,%d,%d), want about (255,55,255)", r, g, b);
    img_free(&im);

    uint8_t one[3] = {200, 30, 60};
    tmp_path(path, sizeof path, "one.jpg");
    write_jpeg(path, 1, 1, 3, JCS_RGB, 0, one);
    load_ok(path, &im);
    assert_int_equal(im.w, 1);
    assert_int_equal(im.h, 1);
    img_free(&im);
}

/* ---- bad files --------------------------------------------------------------- */

static void expect_fail(const char *path, clcnn_status want, const char *needle)
{
    img_rgb im = {0};
    clcnn_err err = {0};
    clcnn_status st = img_load(path, &im, &err);
    if (st != want)
        fail_msg("%s: got %s (%s), want %s", path, clcnn_status_str(st), err.msg, clcnn_status_str(want));
    assert_null(im.px);
    if (!strstr(err.msg, path))
        fail_msg("message does not name the file: %s", err.msg);
    if (needle && !strstr(err.msg, needle))
        fail_msg("message lacks '%s': %s", needle, err.msg);
    if (strchr(err.msg, '\n'))
        fail_msg("message is not one line: %s", err.msg);
}

static void test_bad_files(void **state)
{
    (void)state;
    char path[512], src[512];
    tmp_path(path, sizeof path, "missing.jpg");
    expect_fail(path, CLCNN_ERR_IO, "cannot open");

    tmp_path(path, sizeof path, "empty.jpg");
    write_bytes(path, "", 0);
    expect_fail(path, CLCNN_ERR_PARSE, "empty");

    tmp_path(path, sizeof path, "text.jpg");
    write_bytes(path, "hello, not an image\n", 20);
    expect_fail(path, CLCNN_ERR_PARSE, "not a JPEG or PNG");

    uint8_t noise[4096];
    uint32_t s = 12345;
    for (size_t i = 0; i < sizeof noise; i++) {
        s = s * 1103515245u + 12345u;
        noise[i] = (uint8_t)(s >> 16);
    }
    tmp_path(path, sizeof path, "noise.png");
    write_bytes(path, noise, sizeof noise);
    expect_fail(path, CLCNN_ERR_PARSE, NULL);

    /* a real JPEG header followed by noise */
    noise[0] = 0xFF, noise[1] = 0xD8, noise[2] = 0xFF;
    tmp_path(path, sizeof path, "noise.jpg");
    write_bytes(path, noise, sizeof noise);
    expect_fail(path, CLCNN_ERR_PARSE, NULL);

    tmp_path(path, sizeof path, "");
    expect_fail(path, CLCNN_ERR_IO, "directory");

    /* the dog photo cut in half, and cut inside its headers */
    size_t n;
    snprintf(src, sizeof src, "%s/data/images/dog.jpg", CLCNN_SHARED_DIR);
    uint8_t *dog = read_file(src, &n);
    tmp_path(path, sizeof path, "half_dog.jpg");
    write_bytes(path, dog, n / 2);
    expect_fail(path, CLCNN_ERR_PARSE, "truncated");
    tmp_path(path, sizeof path, "head_dog.jpg");
    write_bytes(path, dog, 100);
    expect_fail(path, CLCNN_ERR_PARSE, NULL);
    free(dog);

    snprintf(src, sizeof src, "%s/models/inputs/dog_224.png", CLCNN_SHARED_DIR);
    uint8_t *png = read_file(src, &n);
    tmp_path(path, sizeof path, "half_dog.png");
    write_bytes(path, png, n / 2);
    expect_fail(path, CLCNN_ERR_PARSE, "truncated");
    tmp_path(path, sizeof path, "sig_only.png");
    write_bytes(path, png, 8);
    expect_fail(path, CLCNN_ERR_PARSE, NULL);
    free(png);
}

/* A header claiming 20000x20000 (400 Mpx) is refused before any pixel buffer
 * exists: the PNG has no image data at all, and the JPEG's data is 8x8, so a
 * decoder that tried to decode would fail differently (PARSE, not UNSUPPORTED). */
static void test_huge_headers_refused(void **state)
{
    (void)state;
    char path[512];
    tmp_path(path, sizeof path, "huge.png");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png)))
        fail_msg("libpng failed writing %s", path);
    png_init_io(png, f);
    png_set_IHDR(png, info, 20000, 20000, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info); /* header only: no IDAT, no IEND */
    png_destroy_write_struct(&png, &info);
    fclose(f);
    expect_fail(path, CLCNN_ERR_UNSUPPORTED, "pixel limit");

    /* an 8x8 JPEG whose SOF0 is patched to say 20000x20000 */
    uint8_t px[8 * 8 * 3];
    memset(px, 128, sizeof px);
    tmp_path(path, sizeof path, "small.jpg");
    write_jpeg(path, 8, 8, 3, JCS_RGB, 0, px);
    size_t n;
    uint8_t *j = read_file(path, &n);
    size_t sof = 0;
    for (size_t i = 2; i + 9 < n; i++)
        if (j[i] == 0xFF && j[i + 1] == 0xC0) {
            sof = i;
            break;
        }
    assert_true(sof > 0);
    /* FF C0 len(2) precision(1) height(2) width(2) */
    j[sof + 5] = 0x4E, j[sof + 6] = 0x20, j[sof + 7] = 0x4E, j[sof + 8] = 0x20;
    tmp_path(path, sizeof path, "huge.jpg");
    write_bytes(path, j, n);
    free(j);
    expect_fail(path, CLCNN_ERR_UNSUPPORTED, "pixel limit");
}

/* ---- resize vs an independent double-precision filter ------------------------ */

/* Antialiased triangle filter written from its definition, one output sample
 * along one axis: weights tri((i + 0.5 - centre) / fs) over every source index. */
static void ref_resize_1d(const double *in, int n_in, int stride, double *out, int n_out, int ostride)
{
    double scale = (double)n_in / n_out, fs = scale > 1.0 ? scale : 1.0;
    for (int o = 0; o < n_out; o++) {
        double centre = (o + 0.5) * scale, acc = 0, wsum = 0;
        for (int i = 0; i < n_in; i++) {
            double d = fabs((i + 0.5 - centre) / fs), w = d < 1.0 ? 1.0 - d : 0.0;
            acc += w * in[i * stride];
            wsum += w;
        }
        out[o * ostride] = acc / wsum;
    }
}

static void check_resize_against_ref(const img_rgb *in, int ow, int oh)
{
    double *src = malloc(sizeof(double) * in->w * in->h * 3);
    double *mid = malloc(sizeof(double) * ow * in->h * 3);
    double *dst = malloc(sizeof(double) * ow * oh * 3);
    for (int k = 0; k < in->w * in->h * 3; k++)
        src[k] = in->px[k];
    for (int y = 0; y < in->h; y++)
        for (int c = 0; c < 3; c++)
            ref_resize_1d(src + (size_t)y * in->w * 3 + c, in->w, 3, mid + (size_t)y * ow * 3 + c, ow, 3);
    for (int x = 0; x < ow; x++)
        for (int c = 0; c < 3; c++)
            ref_resize_1d(mid + x * 3 + c, in->h, ow * 3, dst + x * 3 + c, oh, ow * 3);
    img_rgb got = {0};
    clcnn_err err = {0};
    assert_int_equal(img_resize_bilinear(in, ow, oh, &got, &err), CLCNN_OK);
    assert_int_equal(got.w, ow);
    assert_int_equal(got.h, oh);
    for (int k = 0; k < ow * oh * 3; k++)
        if (fabs(got.px[k] - dst[k]) > 1.0)
            fail_msg("resize %dx%d -> %dx%d: sample %d (x=%d y=%d c=%d) is %d, reference %.3f", in->w,
                     in->h, ow, oh, k, k / 3 % ow, k / 3 / ow, k % 3, got.px[k], dst[k]);
    img_free(&got);
    free(src);
    free(mid);
    free(dst);
}

static void test_resize_small(void **state)
{
    (void)state;
    uint8_t one_px[3] = {17, 128, 250};
    img_rgb one = {1, 1, one_px};
    static const int sizes1[][2] = {{1, 1}, {3, 2}, {256, 256}, {7, 1}};
    for (size_t i = 0; i < sizeof sizes1 / sizeof sizes1[0]; i++) {
        img_rgb got = {0};
        clcnn_err err = {0};
        assert_int_equal(img_resize_bilinear(&one, sizes1[i][0], sizes1[i][1], &got, &err), CLCNN_OK);
        for (int k = 0; k < got.w * got.h; k++) /* a constant image stays constant, exactly */
            assert_memory_equal(got.px + 3 * k, one_px, 3);
        img_free(&got);
    }
    uint8_t px35[3 * 5 * 3];
    for (int k = 0; k < 45; k++)
        px35[k] = (uint8_t)((k * 97 + 13) % 256);
    img_rgb im35 = {3, 5, px35};
    static const int sizes[][2] = {{3, 5}, {2, 3}, {1, 1}, {7, 4}, {6, 10}, {1, 5}, {3, 2}, {256, 427}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_resize_against_ref(&im35, sizes[i][0], sizes[i][1]);
    /* a big downscale, where the filter support is many pixels wide */
    uint8_t *big = malloc(61 * 37 * 3);
    for (int k = 0; k < 61 * 37 * 3; k++)
        big[k] = (uint8_t)((k * 31 + (k / 183) * 7) % 256);
    img_rgb imb = {61, 37, big};
    check_resize_against_ref(&imb, 5, 3);
    check_resize_against_ref(&imb, 17, 11);
    free(big);

    /* 1x1 through the whole classify geometry */
    img_rgb out = {0};
    clcnn_err err = {0};
    assert_int_equal(img_resize_crop(&one, 256, 224, &out, &err), CLCNN_OK);
    assert_int_equal(out.w, 224);
    assert_memory_equal(out.px + 3 * 1000, one_px, 3);
    img_free(&out);
    /* a crop larger than the image is an error, not a read past the end */
    assert_int_equal(img_resize_crop(&one, 0, 2, &out, &err), CLCNN_ERR_INVALID_ARG);
    assert_int_equal(img_crop(&im35, 2, 0, 2, 1, &out, &err), CLCNN_ERR_INVALID_ARG);
}

/* A tall shrink where Pillow 13 runs the vertical pass first: the pass order
 * changes 10 of these 60 samples, so this pins the order rule. Expected values
 * are Pillow 13.0.0's Image.fromarray(x).resize((4, 5), Image.BILINEAR) on the
 * 5x17 image x[k] = (k*97 + 13) % 256 (k = flat RGB index). */
static void test_resize_matches_pillow_vertical_first(void **state)
{
    (void)state;
    static const uint8_t want[4 * 5 * 3] = {
        114, 116, 147, 115, 129, 148, 100, 131, 133, 141, 142, 103, 127, 139, 140,
        132, 144, 129, 123, 135, 134, 113, 112, 118, 134, 136, 141, 131, 111, 121,
        141, 146, 114, 113, 126, 120, 135, 134, 111, 112, 124, 136, 142, 128, 126,
        125, 126, 131, 146, 106, 108, 116, 147, 126, 118, 132, 111, 131, 133, 135};
    uint8_t px[5 * 17 * 3];
    for (int k = 0; k < 5 * 17 * 3; k++)
        px[k] = (uint8_t)((k * 97 + 13) % 256);
    img_rgb in = {5, 17, px}, got = {0};
    clcnn_err err = {0};
    assert_int_equal(img_resize_bilinear(&in, 4, 5, &got, &err), CLCNN_OK);
    expect_pixels("5x17 -> 4x5 (vertical pass first)", &got, 4, 5, want);
    img_free(&got);
}

/* ---- value mapping, channel order, layout ------------------------------------ */

static void test_to_tensor(void **state)
{
    (void)state;
    uint8_t px[6] = {0, 128, 255, 51, 102, 204}; /* 2x1: (0,128,255), (51,102,204) */
    img_rgb im = {2, 1, px};
    img_prep p;
    float out[6];
    clcnn_err err = {0};

    img_prep_default(&p);
    assert_int_equal(p.resize, 256);
    assert_int_equal(p.crop, 224);
    img_to_tensor(&im, &p, out); /* tf, NCHW: [R0 R1 G0 G1 B0 B1] */
    const float tf[6] = {-1.0f, 51 / 127.5f - 1, 128 / 127.5f - 1, 102 / 127.5f - 1, 1.0f, 204 / 127.5f - 1};
    for (int i = 0; i < 6; i++)
        assert_float_equal(out[i], tf[i], 1e-6);

    assert_int_equal(img_prep_set_mapping(&p, "torch", &err), CLCNN_OK);
    p.layout = IMG_NHWC;
    img_to_tensor(&im, &p, out); /* NHWC: [R0 G0 B0 R1 G1 B1] */
    const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
    for (int i = 0; i < 6; i++)
        assert_float_equal(out[i], (px[i] / 255.0 - mean[i % 3]) / sd[i % 3], 1e-5);

    assert_int_equal(img_prep_set_mapping(&p, "unit", &err), CLCNN_OK);
    p.bgr = 1;
    img_to_tensor(&im, &p, out); /* NHWC BGR: [B0 G0 R0 B1 G1 R1] */
    const float bgr[6] = {1.0f, 128 / 255.0f, 0.0f, 204 / 255.0f, 102 / 255.0f, 51 / 255.0f};
    for (int i = 0; i < 6; i++)
        assert_float_equal(out[i], bgr[i], 1e-6);

    assert_int_equal(img_prep_set_mapping(&p, "caffe", &err), CLCNN_ERR_INVALID_ARG);
}

/* ---- sidecar settings --------------------------------------------------------- */

static void test_prep_settings(void **state)
{
    (void)state;
    img_prep p;
    clcnn_err err = {0};
    img_prep_default(&p);
    assert_int_equal(img_prep_builtin("/x/y/squeezenet1.1.onnx", &p), 1);
    assert_int_equal(p.mapping, IMG_MAP_TORCH);
    assert_int_equal(img_prep_builtin("darknet_tiny.onnx", &p), 1);
    assert_int_equal(p.mapping, IMG_MAP_UNIT);
    assert_int_equal(img_prep_builtin("/a/mystery.onnx", &p), 0);

    char path[512];
    tmp_path(path, sizeof path, "m.clcnn");
    const char *good = "# preprocessing for m\nmapping = torch\n\nresize=300\ncrop=288\nbgr=1\n"
                       "layout=nhwc\nmean=0.5,0.25,0.125\nstd=2\n";
    write_bytes(path, good, strlen(good));
    img_prep_default(&p);
    assert_int_equal(img_prep_load_file(&p, path, &err), CLCNN_OK);
    assert_int_equal(p.resize, 300);
    assert_int_equal(p.crop, 288);
    assert_int_equal(p.bgr, 1);
    assert_int_equal(p.layout, IMG_NHWC);
    assert_int_equal(p.mapping, IMG_MAP_CUSTOM);
    assert_float_equal(p.scale, 1 / 255.0f, 1e-9); /* kept from torch */
    assert_float_equal(p.mean[2], 0.125f, 0);
    assert_float_equal(p.std[1], 2.0f, 0);
    uint8_t px[3] = {255, 0, 0};
    img_rgb im = {1, 1, px};
    float out[3];
    img_to_tensor(&im, &p, out); /* BGR: B=(0-0.125)/2, G=(0-0.25)/2, R=(1-0.5)/2 */
    assert_float_equal(out[0], -0.0625f, 1e-6);
    assert_float_equal(out[1], -0.125f, 1e-6);
    assert_float_equal(out[2], 0.25f, 1e-6);

    static const char *const bad[] = {"mapping=caffe\n", "resize=-3\n", "bgr=2\n", "layout=chw\n",
                                      "colour=1\n", "std=0\n", "mean=1,2\n", "just words\n", "scale=x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_bytes(path, bad[i], strlen(bad[i]));
        img_prep_default(&p);
        clcnn_status st = img_prep_load_file(&p, path, &err);
        if (st == CLCNN_OK)
            fail_msg("sidecar '%s' was accepted", bad[i]);
        char where[600];
        snprintf(where, sizeof where, "%s:1", path);
        if (!strstr(err.msg, where))
            fail_msg("message does not name %s: %s", where, err.msg);
    }
}

/* ---- labels ----------------------------------------------------------------------- */

static void test_labels(void **state)
{
    (void)state;
    char buf[256];
    if (img_imagenet_count() == 0) {
        /* built without the labels file: the documented fallback */
        assert_string_equal(img_label_for(NULL, 1000, 21, buf, sizeof buf), "class 21");
    } else {
        assert_int_equal(img_imagenet_count(), 1000);
        /* shared/data/imagenet_labels.txt lines 1, 22, 1000 */
        assert_string_equal(img_label_for(NULL, 1000, 0, buf, sizeof buf), "tench");
        assert_string_equal(img_label_for(NULL, 1000, 21, buf, sizeof buf), "kite");
        assert_string_equal(img_label_for(NULL, 1000, 999, buf, sizeof buf), "toilet tissue");
        /* 1001 classes: background first, then shifted by one */
        assert_string_equal(img_label_for(NULL, 1001, 0, buf, sizeof buf), "background");
        assert_string_equal(img_label_for(NULL, 1001, 22, buf, sizeof buf), "kite");
        assert_string_equal(img_label_for(NULL, 1000, 1000, buf, sizeof buf), "class 1000");
    }
    char path[512];
    tmp_path(path, sizeof path, "few.labels.txt");
    const char *txt = "n02119789 kit fox\nplain name\r\nn123 not a wnid\n\n";
    write_bytes(path, txt, strlen(txt));
    img_labels l = {0};
    clcnn_err err = {0};
    assert_int_equal(img_labels_load(path, &l, &err), CLCNN_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(img_label_for(&l, 3, 0, buf, sizeof buf), "kit fox");
    assert_string_equal(img_label_for(&l, 3, 1, buf, sizeof buf), "plain name");
    assert_string_equal(img_label_for(&l, 3, 2, buf, sizeof buf), "n123 not a wnid");
    assert_string_equal(img_label_for(&l, 5, 4, buf, sizeof buf), "class 4");
    img_labels_free(&l);
    tmp_path(path, sizeof path, "nope.txt");
    assert_int_equal(img_labels_load(path, &l, &err), CLCNN_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crops_match_pillow),
        cmocka_unit_test(test_shorter_side_sizes),
        cmocka_unit_test(test_png_color_types),
        cmocka_unit_test(test_jpeg_gray_progressive_cmyk),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_huge_headers_refused),
        cmocka_unit_test(test_resize_small),
        cmocka_unit_test(test_resize_matches_pillow_vertical_first),
        cmocka_unit_test(test_to_tensor),
        cmocka_unit_test(test_prep_settings),
        cmocka_unit_test(test_labels),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
