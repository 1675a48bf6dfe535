/* image.h — what `classify` puts in front of the model: decode a JPEG or PNG
 * to 8-bit RGB, resize it exactly as Pillow's BILINEAR does, centre-crop it,
 * map the bytes to a float tensor, and name the classes. Internal to libclcnn:
 * host/api/preprocess.c is its public face (clcnn_image_*, clcnn_preprocess_*,
 * clcnn_model_label). Every call reports failure as a clcnn_status plus a
 * one-line message in a clcnn_err; nothing here prints. */
#ifndef CLCNN_IMAGE_H
#define CLCNN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* Refused from the header, before any pixel buffer is allocated: 100 million
 * pixels is ~300 MB of RGB, far beyond any photo a classifier needs. */
#define IMG_MAX_PIXELS 100000000ULL
/* Files larger than this are not read into memory at all. */
#define IMG_MAX_FILE_BYTES (512ULL * 1024 * 1024)

/* 8-bit RGB, interleaved, rows top to bottom, no padding. px is owned. */
typedef struct img_rgb {
    int w, h;
    uint8_t *px;
} img_rgb;

void img_free(img_rgb *im); /* accepts NULL and an empty image */

/* ---- decoding (img_load.c, img_jpeg.c, img_png.c) ------------------------- */

/* Reads `path`, sniffs JPEG/PNG by magic bytes, decodes to RGB. Errors name
 * the file: unreadable, empty, truncated, not an image, over IMG_MAX_PIXELS. */
clcnn_status img_load(const char *path, img_rgb *out, clcnn_err *err);

/* The same from memory: JPEG or PNG by magic bytes; `name` is only used in
 * messages. */
clcnn_status img_decode_mem(const uint8_t *buf, size_t len, const char *name, img_rgb *out,
                            clcnn_err *err);

/* JPEG from memory: baseline, progressive, grayscale, CMYK/YCCK. Decoded with
 * libjpeg-turbo's defaults (JDCT_ISLOW, fancy upsampling), which is what
 * Pillow does, so pixels match Pillow's Image.open().convert('RGB'). CMYK is
 * converted with Pillow's formula (Adobe-inverted storage assumed, as Pillow
 * does). EXIF orientation is NOT applied, again as Pillow's open() does not.
 * `name` is only used in messages. */
clcnn_status img_decode_jpeg(const uint8_t *buf, size_t len, const char *name, img_rgb *out,
                             clcnn_err *err);

/* PNG from memory: palette, gray, gray+alpha, RGB, RGBA, 1/2/4/8/16-bit.
 * 16-bit samples are reduced to 8 bits with libpng's rounding (png_set_scale_16).
 * Alpha (incl. tRNS) is composited on white: c' = (a*c + (255-a)*255 + 127)/255. */
clcnn_status img_decode_png(const uint8_t *buf, size_t len, const char *name, img_rgb *out,
                            clcnn_err *err);

/* ---- geometry (img_resize.c, img_geom.c) ----------------------------------- */

/* Pillow's Image.resize(size, BILINEAR) for 8-bit RGB: antialiased triangle
 * filter whose support grows with the downscale factor, 22-bit fixed-point
 * coefficients, horizontal pass then vertical (vertical first when the
 * height loses more than twice as many pixels as the width, as Pillow 13
 * does), rounding to 8 bits after each pass. */
clcnn_status img_resize_bilinear(const img_rgb *in, int out_w, int out_h, img_rgb *out,
                                 clcnn_err *err);

/* Size after "shorter side -> `shorter`": the long side becomes
 * floor(long * shorter / short + 0.5), computed in integers. */
void img_shorter_side_size(int w, int h, int shorter, int *out_w, int *out_h);

/* Copies the w x h window at (left, top); it must lie inside `in`. */
clcnn_status img_crop(const img_rgb *in, int left, int top, int w, int h, img_rgb *out,
                      clcnn_err *err);

/* Resize shorter side to `resize` (0: no resize), then centre crop `crop` x
 * `crop` with left = (W-crop)//2, top = (H-crop)//2 (0: no crop). */
clcnn_status img_resize_crop(const img_rgb *in, int resize, int crop, img_rgb *out,
                             clcnn_err *err);

/* ---- value mapping (img_norm.c) -------------------------------------------- */

typedef enum img_mapping {
    IMG_MAP_TF,     /* x/127.5 - 1 */
    IMG_MAP_TORCH,  /* (x/255 - mean[c]) / std[c], ImageNet mean/std */
    IMG_MAP_UNIT,   /* x/255 */
    IMG_MAP_CUSTOM  /* (x*scale - mean[c]) / std[c] */
} img_mapping;

typedef enum img_layout { IMG_NCHW, IMG_NHWC } img_layout;

/* Everything between the decoded photo and the model's input tensor. */
typedef struct img_prep {
    int resize;        /* shorter side, 0 = keep */
    int crop;          /* centre square, 0 = keep */
    img_mapping mapping;
    float scale;       /* IMG_MAP_CUSTOM only */
    float mean[3];     /* per channel, in R,G,B order */
    float std[3];
    int bgr;           /* 1: channel order B,G,R in the tensor */
    img_layout layout;
} img_prep;

/* resize 256, crop 224, tf mapping, RGB, NCHW. */
void img_prep_default(img_prep *p);
/* Sets mapping and its mean/std/scale ("tf", "torch", "unit"). */
clcnn_status img_prep_set_mapping(img_prep *p, const char *name, clcnn_err *err);
const char *img_mapping_name(img_mapping m);

/* out holds 3*w*h floats: [3,h,w] for NCHW, [h,w,3] for NHWC. */
void img_to_tensor(const img_rgb *im, const img_prep *p, float *out);

/* ---- preprocessing settings (img_prep_cfg.c) -------------------------------- */

/* Built-in defaults for the known shared models, keyed by file name (the
 * part after the last '/'). Returns 1 and sets p's mapping when known. */
int img_prep_builtin(const char *model_path, img_prep *p);

/* Applies one "key=value" setting (mapping, mean, std, scale, resize, crop,
 * bgr, layout); `where` names the source in messages ("m.clcnn:3", "--mean"),
 * NULL for none. On failure p may be partly changed: apply to a copy when
 * that matters. */
clcnn_status img_prep_apply(img_prep *p, const char *key, const char *value, const char *where,
                            clcnn_err *err);

/* Reads a sidecar file of key=value lines ('#' comments, blank lines ok).
 * CLCNN_ERR_IO when it cannot be opened; any bad line is CLCNN_ERR_PARSE
 * with "file:line" in the message. */
clcnn_status img_prep_load_file(img_prep *p, const char *path, clcnn_err *err);

/* ---- labels (img_labels.c + the generated table) ---------------------------- */

typedef struct img_labels {
    char **names;   /* owned; names[i] for i in [0, n) */
    int n;
} img_labels;

/* Reads one label per line; a leading WordNet id ("n01440764 tench") is
 * dropped so only the name is shown. */
clcnn_status img_labels_load(const char *path, img_labels *out, clcnn_err *err);
/* The 1000 ImageNet names compiled into the binary (0 when the build had no
 * labels file). */
int img_imagenet_count(void);
/* Name of ImageNet class i (wnid dropped) into buf, or "class i". */
const char *img_imagenet_name(int i, char *buf, size_t len);
void img_labels_free(img_labels *l);

/* The label of output `index` of a model with `classes` outputs: from
 * `custom` when non-NULL, else the built-in table. With one more output than
 * labels, index 0 is "background" and index i is label i-1 (TF-slim 1001
 * class models). Falls back to "class N". */
const char *img_label_for(const img_labels *custom, int classes, int index, char *buf,
                          size_t len);

#endif
