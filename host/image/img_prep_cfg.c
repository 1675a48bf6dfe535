/* img_prep_cfg.c — where a model's preprocessing comes from: built-in
 * defaults for the shared models (by file name, from MODELS.md), a sidecar
 * `<model>.clcnn` of key=value lines, and CLI flags, each later source
 * overriding the earlier. Values are validated here so every source reports
 * a bad value the same way, naming where it came from. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

typedef struct known_model {
    const char *file;
    const char *mapping;
} known_model;

/* shared/models/MODELS.md, "Input: ... normalization" of each model. */
static const known_model known_models[] = {
    {"mobilenet_v1_0.75_224.onnx", "tf"},
    {"squeezenet1.1.onnx", "torch"},
    {"squeezenet1.0_tflite.onnx", "tf"},
    {"darknet_tiny.onnx", "unit"},
};

int img_prep_builtin(const char *model_path, img_prep *p)
{
    const char *slash = strrchr(model_path, '/');
    const char *base = slash ? slash + 1 : model_path;
    for (size_t i = 0; i < sizeof known_models / sizeof known_models[0]; i++)
        if (strcmp(base, known_models[i].file) == 0) {
            img_prep_set_mapping(p, known_models[i].mapping, NULL);
            return 1;
        }
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = (int)v;
    return 1;
}

static int parse_float(const char *s, float *out)
{
    char *end;
    errno = 0;
    float v = strtof(s, &end);
    if (errno || end == s || *end)
        return 0;
    *out = v;
    return 1;
}

/* "0.5" (all channels) or "0.485,0.456,0.406". */
static int parse_triple(const char *s, float out[3])
{
    char buf[128];
    if (strlen(s) >= sizeof buf)
        return 0;
    strcpy(buf, s);
    char *parts[3], *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (n < 3)
            parts[n++] = tok;
        else
            return 0;
    if (n != 1 && n != 3)
        return 0;
    float v[3];
    for (int i = 0; i < n; i++)
        if (!parse_float(parts[i], &v[i]))
            return 0;
    for (int i = 0; i < 3; i++)
        out[i] = v[n == 1 ? 0 : i];
    return 1;
}

clcnn_status img_prep_apply(img_prep *p, const char *key, const char *value, const char *where,
                            clcnn_err *err)
{
    /* "m.clcnn:3: " or "--mean: " before the message; nothing for an API call,
     * whose message already names the key */
    char pre[1200] = "";
    if (where)
        snprintf(pre, sizeof pre, "%s: ", where);
    int ok = 1;
    if (strcmp(key, "mapping") == 0) {
        if (img_prep_set_mapping(p, value, NULL) != CLCNN_OK)
            return err_set(err, CLCNN_ERR_INVALID_ARG, "%smapping '%s' is not tf, torch or unit", pre,
                           value);
    } else if (strcmp(key, "mean") == 0 || strcmp(key, "std") == 0 || strcmp(key, "scale") == 0) {
        /* Any explicit number turns the named mapping into the general formula,
         * keeping the values the named mapping implied for the other two. */
        p->mapping = IMG_MAP_CUSTOM;
        if (strcmp(key, "scale") == 0)
            ok = parse_float(value, &p->scale) && p->scale != 0.0f;
        else
            ok = parse_triple(value, strcmp(key, "mean") == 0 ? p->mean : p->std);
        if (ok && strcmp(key, "std") == 0)
            ok = p->std[0] != 0.0f && p->std[1] != 0.0f && p->std[2] != 0.0f;
        if (!ok)
            return err_set(err, CLCNN_ERR_INVALID_ARG,
                           "%sbad %s '%s' (a number%s, std non-zero)", pre, key, value,
                           strcmp(key, "scale") ? " or three comma-separated numbers" : "");
    } else if (strcmp(key, "resize") == 0) {
        ok = parse_int(value, 0, 16384, &p->resize);
    } else if (strcmp(key, "crop") == 0) {
        ok = parse_int(value, 0, 16384, &p->crop);
    } else if (strcmp(key, "bgr") == 0) {
        ok = parse_int(value, 0, 1, &p->bgr);
    } else if (strcmp(key, "layout") == 0) {
        if (strcmp(value, "nchw") == 0)
            p->layout = IMG_NCHW;
        else if (strcmp(value, "nhwc") == 0)
            p->layout = IMG_NHWC;
        else
            return err_set(err, CLCNN_ERR_INVALID_ARG, "%slayout '%s' is not nchw or nhwc", pre, value);
    } else {
        return err_set(err, CLCNN_ERR_INVALID_ARG,
                       "%sunknown key '%s' (mapping, mean, std, scale, resize, crop, bgr, layout)",
                       pre, key);
    }
    if (!ok)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "%sbad %s value '%s'", pre, key, value);
    return CLCNN_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

clcnn_status img_prep_load_file(img_prep *p, const char *path, clcnn_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, CLCNN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    char line[512], where[1100];
    int lineno = 0;
    clcnn_status st = CLCNN_OK;
    while (st == CLCNN_OK && fgets(line, sizeof line, f)) {
        lineno++;
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            st = err_set(err, CLCNN_ERR_PARSE, "%s: expected key=value, got '%s'", where, s);
            break;
        }
        *eq = '\0';
        /* a bad value in a file is that file's parse error, whatever the key */
        if (img_prep_apply(p, trim(s), trim(eq + 1), where, err) != CLCNN_OK) {
            st = CLCNN_ERR_PARSE;
            if (err)
                err->status = st;
        }
    }
    fclose(f);
    return st;
}
