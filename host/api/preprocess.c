/* preprocess.c — the image -> tensor path of `clcnn classify`, in the API:
 * the settings (clcnn_model_preprocess: defaults < the shared models' built-in
 * table < the sidecar < the model's input shape; clcnn_preprocess_set: one
 * key=value as the CLI's flags), decoding + Pillow-exact resize + centre crop
 * + value mapping into the caller's buffer, and class labels. host/image does
 * the work; this file converts the public struct (read only as far as its
 * struct_size reaches), validates it, and keeps every message one line that
 * names the file or argument. Nothing here keeps state: a model stays
 * immutable, so all of it is callable from any thread. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api_internal.h"
#include "../image/image.h"

#define PREP_MAX_SIDE 16384 /* the largest resize/crop the sidecar and flags accept */


/* ---- the public struct <-> host/image's img_prep ----------------------------- */

/* The caller's struct into a full one: fields past its struct_size (a program
 * built against an older, smaller struct) keep clcnn_preprocess_init's values. */
static clcnn_status pp_read(const clcnn_preprocess *user, const char *fn, clcnn_preprocess *full,
                            char *err, size_t err_len)
{
    if (!user)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: preprocess settings are NULL", fn);
    if (user->struct_size == 0)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG,
                    "%s: clcnn_preprocess.struct_size is 0 (initialise it with clcnn_preprocess_init)", fn);
    clcnn_preprocess_init(full);
    size_t n = user->struct_size < sizeof *full ? user->struct_size : sizeof *full;
    memcpy(full, user, n);
    full->struct_size = sizeof *full;
    return CLCNN_OK;
}

/* Writes back only the bytes the caller's struct has, never its struct_size. */
static void pp_write(clcnn_preprocess *user, const clcnn_preprocess *full)
{
    size_t n = user->struct_size < sizeof *full ? user->struct_size : sizeof *full;
    size_t skip = sizeof user->struct_size;
    if (n > skip)
        memcpy((char *)user + skip, (const char *)full + skip, n - skip);
}

const char *clcnn_mapping_str(clcnn_mapping m)
{
    switch (m) {
    case CLCNN_MAP_TF: return "tf";
    case CLCNN_MAP_TORCH: return "torch";
    case CLCNN_MAP_UNIT: return "unit";
    case CLCNN_MAP_CUSTOM: return "custom";
    }
    return "unknown";
}

/* Named mappings get their fixed formula (TORCH: ImageNet mean/std whatever
 * the struct holds); CUSTOM takes scale/mean/std, which must be finite with
 * scale and std non-zero. */
static clcnn_status to_img(const clcnn_preprocess *p, const char *fn, img_prep *ip, char *err,
                           size_t err_len)
{
    img_prep_default(ip);
    if (p->resize < 0 || p->resize > PREP_MAX_SIDE || p->crop < 0 || p->crop > PREP_MAX_SIDE)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: resize %d / crop %d outside [0, %d]", fn,
                    p->resize, p->crop, PREP_MAX_SIDE);
    if ((p->bgr != 0 && p->bgr != 1) || (p->nhwc != 0 && p->nhwc != 1))
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: bgr %d / nhwc %d must be 0 or 1", fn, p->bgr,
                    p->nhwc);
    if ((int)p->mapping < (int)CLCNN_MAP_TF || (int)p->mapping > (int)CLCNN_MAP_CUSTOM)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: mapping %d is not a clcnn_mapping", fn,
                    (int)p->mapping);
    if (p->mapping != CLCNN_MAP_CUSTOM) {
        img_prep_set_mapping(ip, clcnn_mapping_str(p->mapping), NULL);
    } else {
        int ok = isfinite(p->scale) && p->scale != 0.0f;
        for (int c = 0; c < 3; c++)
            ok = ok && isfinite(p->mean[c]) && isfinite(p->std[c]) && p->std[c] != 0.0f;
        if (!ok)
            return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG,
                        "%s: custom mapping needs finite scale/mean/std with scale and std non-zero", fn);
        ip->mapping = IMG_MAP_CUSTOM;
        ip->scale = p->scale;
        memcpy(ip->mean, p->mean, sizeof ip->mean);
        memcpy(ip->std, p->std, sizeof ip->std);
    }
    ip->resize = p->resize;
    ip->crop = p->crop;
    ip->bgr = p->bgr;
    ip->layout = p->nhwc ? IMG_NHWC : IMG_NCHW;
    return CLCNN_OK;
}

/* A named mapping's implied scale/mean/std come along, so a later "mean=..."
 * turns it into CUSTOM with the rest of its formula kept, as the CLI does. */
static void from_img(const img_prep *ip, clcnn_preprocess *p)
{
    static const clcnn_mapping map[] = {[IMG_MAP_TF] = CLCNN_MAP_TF, [IMG_MAP_TORCH] = CLCNN_MAP_TORCH,
                                        [IMG_MAP_UNIT] = CLCNN_MAP_UNIT, [IMG_MAP_CUSTOM] = CLCNN_MAP_CUSTOM};
    p->mapping = map[ip->mapping];
    p->scale = ip->scale;
    memcpy(p->mean, ip->mean, sizeof p->mean);
    memcpy(p->std, ip->std, sizeof p->std);
    p->resize = ip->resize;
    p->crop = ip->crop;
    p->bgr = ip->bgr;
    p->nhwc = ip->layout == IMG_NHWC;
}

/* ---- settings ---------------------------------------------------------------- */

clcnn_status clcnn_preprocess_set(clcnn_preprocess *p, const char *key, const char *value, char *err,
                                  size_t err_len)
{
    static const char fn[] = "clcnn_preprocess_set";
    if (!key || !value)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, key ? "value" : "key");
    clcnn_preprocess full;
    img_prep ip;
    clcnn_status st = pp_read(p, fn, &full, err, err_len);
    if (st == CLCNN_OK)
        st = to_img(&full, fn, &ip, err, err_len);
    if (st != CLCNN_OK)
        return st;
    clcnn_err e = {0};
    if ((st = img_prep_apply(&ip, key, value, NULL, &e)) != CLCNN_OK) /* p unchanged on failure */
        return api_err_buf(err, err_len, st, "%s", e.msg);
    from_img(&ip, &full);
    pp_write(p, &full);
    return CLCNN_OK;
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* "<dir>/<stem><suffix>", stem = the file name without its extension. */
static void beside_model(const char *model, const char *suffix, char *out, size_t len)
{
    snprintf(out, len, "%s", model);
    char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    if (dot && (!slash || dot > slash))
        *dot = '\0';
    size_t l = strlen(out);
    snprintf(out + l, len - l, "%s", suffix);
}

/* Crop = the input's square spatial size and layout from where its 3 channels
 * are. When the size moves off the 224 default and resize is still the
 * default 256, resize follows to keep the 256/224 ratio (299 -> 342). */
static void fit_input_shape(const clcnn_model *m, img_prep *ip)
{
    clcnn_tensor_info in;
    if (clcnn_model_num_inputs(m) < 1 || clcnn_model_input(m, 0, &in) != CLCNN_OK || in.ndim != 4)
        return;
    int nchw = in.dims[1] == 3, nhwc = in.dims[3] == 3;
    if (nchw || nhwc)
        ip->layout = nchw ? IMG_NCHW : IMG_NHWC;
    int64_t h = ip->layout == IMG_NCHW ? in.dims[2] : in.dims[1];
    int64_t w = ip->layout == IMG_NCHW ? in.dims[3] : in.dims[2];
    if (h != w || h <= 0 || h > PREP_MAX_SIDE || h == ip->crop)
        return;
    if (ip->resize == 256 && ip->crop == 224)
        ip->resize = (int)((h * 256 * 2 + 224) / (2 * 224));
    ip->crop = (int)h;
}

clcnn_status clcnn_model_preprocess(const clcnn_model *m, clcnn_preprocess *out, char *err,
                                    size_t err_len)
{
    static const char fn[] = "clcnn_model_preprocess";
    if (!m)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: model is NULL", fn);
    clcnn_preprocess full;
    clcnn_status st = pp_read(out, fn, &full, err, err_len);
    if (st != CLCNN_OK)
        return st;
    img_prep ip;
    img_prep_default(&ip);
    const char *path = clcnn_model_path(m);
    if (path) { /* a built-in architecture has no file name and no sidecar */
        int known = img_prep_builtin(path, &ip);
        char side[4200];
        beside_model(path, ".clcnn", side, sizeof side);
        if (!is_file(side))
            snprintf(side, sizeof side, "%s.clcnn", path);
        int have_side = is_file(side);
        clcnn_err e = {0};
        if (have_side && (st = img_prep_load_file(&ip, side, &e)) != CLCNN_OK)
            return api_err_buf(err, err_len, st, "%s", e.msg);
        if (!known && !have_side)
            api_log(m->ctx, CLCNN_LOG_WARN,
                    "no preprocessing known for %s (no built-in settings, no %s sidecar); assuming "
                    "'tf' (x/127.5-1)", path, side);
    }
    fit_input_shape(m, &ip);
    from_img(&ip, &full);
    pp_write(out, &full);
    return CLCNN_OK;
}

/* ---- image -> tensor ------------------------------------------------------------ */

size_t clcnn_image_tensor_size(const clcnn_preprocess *p, int w, int h)
{
    clcnn_preprocess full;
    if (pp_read(p, "clcnn_image_tensor_size", &full, NULL, 0) != CLCNN_OK || full.crop < 0 ||
        full.resize < 0)
        return 0;
    if (full.crop > 0)
        return 3 * (size_t)full.crop * (size_t)full.crop;
    if (w <= 0 || h <= 0)
        return 0;
    if (full.resize > 0)
        img_shorter_side_size(w, h, full.resize, &w, &h);
    return 3 * (size_t)w * (size_t)h;
}

/* Resize + crop + mapping of a decoded photo into out. Messages name `name`
 * (the decoders' do already; geometry's do not). */
static clcnn_status photo_to_tensor(const img_rgb *photo, const char *name, const img_prep *ip,
                                    float *out, size_t out_floats, char *err, size_t err_len)
{
    img_rgb im = {0};
    clcnn_err e = {0};
    clcnn_status st = img_resize_crop(photo, ip->resize, ip->crop, &im, &e);
    if (st != CLCNN_OK)
        return api_err_buf(err, err_len, st, "%s%s%s", strstr(e.msg, name) ? "" : name,
                    strstr(e.msg, name) ? "" : ": ", e.msg);
    size_t need = 3 * (size_t)im.w * (size_t)im.h;
    if (need > out_floats) {
        st = api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG,
                  "%s: the tensor needs %zu floats (3x%dx%d) but out holds %zu", name, need, im.h, im.w,
                  out_floats);
        img_free(&im);
        return st;
    }
    img_to_tensor(&im, ip, out);
    img_free(&im);
    return CLCNN_OK;
}

/* Checks shared by the two entry points; fills ip. */
static clcnn_status tensor_args(const char *fn, const void *src, const clcnn_preprocess *p,
                                const float *out, img_prep *ip, char *err, size_t err_len)
{
    if (!src || !out)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, src ? "out" : "the image");
    clcnn_preprocess full;
    clcnn_status st = pp_read(p, fn, &full, err, err_len);
    return st != CLCNN_OK ? st : to_img(&full, fn, ip, err, err_len);
}

clcnn_status clcnn_image_to_tensor(const char *path, const clcnn_preprocess *p, float *out,
                                   size_t out_floats, char *err, size_t err_len)
{
    img_prep ip;
    clcnn_status st = tensor_args("clcnn_image_to_tensor", path, p, out, &ip, err, err_len);
    if (st != CLCNN_OK)
        return st;
    img_rgb photo = {0};
    clcnn_err e = {0};
    if ((st = img_load(path, &photo, &e)) != CLCNN_OK) /* names the file */
        return api_err_buf(err, err_len, st, "%s", e.msg);
    st = photo_to_tensor(&photo, path, &ip, out, out_floats, err, err_len);
    img_free(&photo);
    return st;
}

clcnn_status clcnn_image_to_tensor_mem(const void *buf, size_t len, const char *name,
                                       const clcnn_preprocess *p, float *out, size_t out_floats,
                                       char *err, size_t err_len)
{
    img_prep ip;
    clcnn_status st = tensor_args("clcnn_image_to_tensor_mem", buf, p, out, &ip, err, err_len);
    if (st != CLCNN_OK)
        return st;
    if (!name)
        name = "<memory>";
    img_rgb photo = {0};
    clcnn_err e = {0};
    if ((st = img_decode_mem(buf, len, name, &photo, &e)) != CLCNN_OK)
        return api_err_buf(err, err_len, st, "%s", e.msg);
    st = photo_to_tensor(&photo, name, &ip, out, out_floats, err, err_len);
    img_free(&photo);
    return st;
}

/* ---- labels ----------------------------------------------------------------------- */

/* Output 0's element count (the class count the 1001-output rule needs); 0
 * when unknown. */
static int model_classes(const clcnn_model *m)
{
    clcnn_tensor_info o;
    if (clcnn_model_num_outputs(m) < 1 || clcnn_model_output(m, 0, &o) != CLCNN_OK)
        return 0;
    int64_t n = 1;
    for (int d = 0; d < o.ndim; d++)
        n = o.dims[d] > 0 && n <= INT32_MAX / o.dims[d] ? n * o.dims[d] : 0;
    return (int)n;
}

/* The labels file is read on every call rather than cached in the model: a
 * model is immutable and shared between threads, and a top-5 reads a ~20 KB
 * file five times per image, which costs far less than the inference. */
const char *clcnn_model_label(const clcnn_model *m, int index, char *buf, size_t len)
{
    if (!buf || !len)
        return buf;
    if (!m) {
        snprintf(buf, len, "class %d", index);
        return buf;
    }
    int classes = model_classes(m);
    const char *path = clcnn_model_path(m);
    char file[4200];
    if (path) {
        beside_model(path, ".labels.txt", file, sizeof file);
        if (is_file(file)) {
            img_labels l = {0};
            clcnn_err e = {0};
            if (img_labels_load(file, &l, &e) == CLCNN_OK) {
                img_label_for(&l, classes, index, buf, len);
                img_labels_free(&l);
                return buf;
            }
            api_log(m->ctx, CLCNN_LOG_WARN, "%s; using the built-in ImageNet names", e.msg);
        }
    }
    return img_label_for(NULL, classes, index, buf, len);
}
