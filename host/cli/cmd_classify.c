/* cmd_classify.c — `clcnn classify`: photos in, top-K ImageNet labels out.
 * Finds the model (flag, $CLCNN_MODEL_PATH, project and shared folders), works
 * out its preprocessing (built-in defaults < `<model>.clcnn` sidecar < flags),
 * then per image: decode, resize+crop, map values, run, softmax (unless the
 * model ends in Softmax), print. A bad image is named on stderr and skipped;
 * the exit code is 1 at the end if any image failed. Timing is split into
 * decode / preprocess / inference per image (shown with --timing and in JSON). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../image/image.h"
#include "cli.h"

#define CMD "classify"
#define DEFAULT_MODEL "mobilenet_v1_0.75_224.onnx"
#define MAX_OVERRIDES 16

typedef struct cls_opts {
    const char *model, *device, *labels;
    int top, json, no_cache, timing;
    /* preprocessing flags, applied last, in order: key, value, flag name */
    const char *ov_key[MAX_OVERRIDES], *ov_val[MAX_OVERRIDES], *ov_flag[MAX_OVERRIDES];
    int n_ov;
    char **images;
    int n_images;
} cls_opts;

/* Per-image results and the running totals of the timing split. */
typedef struct cls_times {
    double decode, prep, infer;
} cls_times;

typedef struct cls_run {
    const cls_opts *o;
    clcnn_session *sess;
    clcnn_context *ctx;
    const img_labels *labels; /* NULL: built-in ImageNet table */
    img_prep prep;
    float *input, *output;
    int classes, apply_softmax;
    double *probs;
    int *top_idx;
    int top;
    int n_done, n_failed, first_json;
    cls_times total;
} cls_run;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clcnn classify [--model M] [--device D] [--top K] [--json] [--labels F]\n"
            "                      [--no-cache] [--timing] [preprocessing flags] IMAGE|DIR...\n\n"
            "Prints the top-K classes (rank prob index label) of each JPEG/PNG photo. A directory\n"
            "means every file in it. A bad file is named on stderr, the rest are still classified,\n"
            "and the exit code is then 1.\n\n"
            "  --model M     ONNX file or name (default " DEFAULT_MODEL "), searched in:\n"
            "                the path as given, $CLCNN_MODEL_PATH (':'-separated dirs or files),\n"
            "                <source>/models, <source>/../shared/models, ./../shared/models\n"
            "  --device D    auto (default), gpu, cpu, ref, an index, or a name substring\n"
            "  --top K       rows per image (default 5)\n"
            "  --json        one JSON document on stdout\n"
            "  --labels F    one label per line ('wnid name' lines show the name); default:\n"
            "                <model stem>.labels.txt beside the model, else built-in ImageNet\n"
            "  --timing      per-image decode/preprocess/inference times on stderr\n\n"
            "preprocessing (defaults: built-in per shared model, else tf; then <model>.clcnn or\n"
            "<model stem>.clcnn, key=value lines with the same keys; then these flags):\n"
            "  --mapping tf|torch|unit   x/127.5-1 | ImageNet mean/std | x/255\n"
            "  --mean A[,B,C] --std A[,B,C] --scale S   value = (x*S - mean) / std\n"
            "  --resize N    shorter side to N with Pillow's BILINEAR (default 256, 0 = none)\n"
            "  --crop N      centre N x N crop (default: the model's input size)\n"
            "  --bgr 0|1     channel order   --layout nchw|nhwc  (default: from the model input)\n");
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int is_file(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* ---- flags --------------------------------------------------------------- */

static const char *const prep_flags[] = {"mapping", "mean", "std", "scale", "resize", "crop", "bgr",
                                         "layout"};

static int parse_args(int argc, char **argv, cls_opts *o)
{
    memset(o, 0, sizeof *o);
    o->top = 5;
    o->images = calloc((size_t)argc, sizeof(char *));
    if (!o->images)
        return cli_error(CLI_FAIL, CMD, "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            usage(stdout);
            return -1;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            o->images[o->n_images++] = argv[i];
            continue;
        }
        if (strcmp(a, "--json") == 0) { o->json = 1; continue; }
        if (strcmp(a, "--no-cache") == 0) { o->no_cache = 1; continue; }
        if (strcmp(a, "--timing") == 0) { o->timing = 1; continue; }
        const char **slot = strcmp(a, "--model") == 0    ? &o->model
                            : strcmp(a, "--device") == 0 ? &o->device
                            : strcmp(a, "--labels") == 0 ? &o->labels
                                                         : NULL;
        int is_prep = -1;
        for (size_t k = 0; k < sizeof prep_flags / sizeof prep_flags[0]; k++)
            if (strncmp(a, "--", 2) == 0 && strcmp(a + 2, prep_flags[k]) == 0)
                is_prep = (int)k;
        if (!slot && is_prep < 0 && strcmp(a, "--top") != 0)
            return cli_bad_flag(CMD, a);
        const char *v = cli_flag_value(argc, argv, &i, CMD);
        if (!v)
            return CLI_USAGE;
        if (slot) {
            *slot = v;
        } else if (is_prep >= 0) {
            if (o->n_ov == MAX_OVERRIDES)
                return cli_error(CLI_USAGE, CMD, "too many preprocessing flags");
            o->ov_key[o->n_ov] = prep_flags[is_prep];
            o->ov_flag[o->n_ov] = a;
            o->ov_val[o->n_ov++] = v;
        } else {
            char *end;
            long k = strtol(v, &end, 10);
            if (*end || k < 1 || k > 100000)
                return cli_error(CLI_USAGE, CMD, "--top needs a positive integer, got '%s'", v);
            o->top = (int)k;
        }
    }
    if (o->n_images == 0)
        return cli_error(CLI_USAGE, CMD, "no image given (see 'clcnn classify --help')");
    return 0;
}

static int has_override(const cls_opts *o, const char *key)
{
    for (int i = 0; i < o->n_ov; i++)
        if (strcmp(o->ov_key[i], key) == 0)
            return 1;
    return 0;
}

/* ---- finding the model ------------------------------------------------------ */

static int try_dir(const char *dir, const char *name, char *out, size_t len, char *looked, size_t llen)
{
    snprintf(out, len, "%s/%s", dir, name);
    if (is_file(out))
        return 1;
    size_t l = strlen(looked);
    snprintf(looked + l, llen - l, "%s%s", l ? ", " : "", dir);
    return 0;
}

/* 1 and the path in out when found; otherwise `looked` lists where. */
static int find_model(const char *flag, char *out, size_t len, char *looked, size_t llen)
{
    const char *name = flag ? flag : DEFAULT_MODEL;
    looked[0] = '\0';
    if (is_file(name)) {
        snprintf(out, len, "%s", name);
        return 1;
    }
    if (strchr(name, '/')) { /* an explicit path that does not exist: no search */
        snprintf(looked, llen, "%s", name);
        return 0;
    }
    const char *env = getenv("CLCNN_MODEL_PATH");
    if (env && *env) {
        char *copy = strdup(env), *save = NULL;
        int found = 0;
        for (char *e = copy ? strtok_r(copy, ":", &save) : NULL; e && !found; e = strtok_r(NULL, ":", &save)) {
            const char *base = strrchr(e, '/') ? strrchr(e, '/') + 1 : e;
            if (is_file(e) && (!flag || strcmp(base, name) == 0)) {
                snprintf(out, len, "%s", e); /* a file entry is the model itself */
                found = 1;
            } else if (is_dir(e)) {
                found = try_dir(e, name, out, len, looked, llen);
            }
        }
        free(copy);
        if (found)
            return 1;
    }
    const char *dirs[] = {CLCNN_SOURCE_DIR "/models", CLCNN_SOURCE_DIR "/../shared/models",
                          "../shared/models"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (try_dir(dirs[i], name, out, len, looked, llen))
            return 1;
    return 0;
}

/* ---- preprocessing and labels for this model ---------------------------------- */

/* "<dir>/<stem><suffix>" where stem is the file name without its extension. */
static void beside_model(const char *model, const char *suffix, char *out, size_t len)
{
    snprintf(out, len, "%s", model);
    char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
    if (dot && (!slash || dot > slash))
        *dot = '\0';
    size_t l = strlen(out);
    snprintf(out + l, len - l, "%s", suffix);
}

static int setup_prep(const cls_opts *o, const char *model, img_prep *p)
{
    clcnn_err err = {0};
    img_prep_default(p);
    int known = img_prep_builtin(model, p);
    char side[4200];
    beside_model(model, ".clcnn", side, sizeof side);
    if (!is_file(side))
        snprintf(side, sizeof side, "%s.clcnn", model);
    int have_side = is_file(side);
    if (have_side && img_prep_load_file(p, side, &err) != CLCNN_OK)
        return cli_error(CLI_FAIL, CMD, "%s", err.msg);
    for (int i = 0; i < o->n_ov; i++)
        if (img_prep_apply(p, o->ov_key[i], o->ov_val[i], o->ov_flag[i], &err) != CLCNN_OK)
            return cli_error(CLI_USAGE, CMD, "%s", err.msg);
    if (!known && !have_side && !has_override(o, "mapping") && !has_override(o, "mean"))
        fprintf(stderr, "clcnn classify: note: no preprocessing known for %s; assuming 'tf' "
                        "(x/127.5-1); write a %s sidecar or pass --mapping\n", model, side);
    return 0;
}

/* Fits crop/layout to the model's input when the user did not fix them. */
static int fit_input(const cls_opts *o, const clcnn_tensor_info *in, img_prep *p)
{
    if (in->ndim != 4 || in->dims[0] > 1)
        return cli_error(CLI_FAIL, CMD, "model input '%s' is not one image [1,3,H,W] or [1,H,W,3]",
                         in->name);
    int nchw = in->dims[1] == 3, nhwc = in->dims[3] == 3;
    if (!has_override(o, "layout") && (nchw || nhwc))
        p->layout = nchw ? IMG_NCHW : IMG_NHWC;
    int64_t h = p->layout == IMG_NCHW ? in->dims[2] : in->dims[1];
    int64_t w = p->layout == IMG_NCHW ? in->dims[3] : in->dims[2];
    int64_t c = p->layout == IMG_NCHW ? in->dims[1] : in->dims[3];
    if (!has_override(o, "crop") && h == w && h > 0 && h != p->crop) {
        if (!has_override(o, "resize") && p->resize == 256 && p->crop == 224)
            p->resize = (int)((h * 256 * 2 + 224) / (2 * 224)); /* keep the 256/224 ratio */
        p->crop = (int)h;
    }
    if (c != 3 || h != p->crop || w != p->crop)
        return cli_error(CLI_FAIL, CMD, "model input '%s' is [%lld,%lld,%lld,%lld] but the preprocessing "
                         "gives a %s %dx%d RGB crop (see --crop, --layout)", in->name,
                         (long long)in->dims[0], (long long)in->dims[1], (long long)in->dims[2],
                         (long long)in->dims[3], p->layout == IMG_NCHW ? "NCHW" : "NHWC", p->crop, p->crop);
    return 0;
}

static int load_labels(const cls_opts *o, const char *model, img_labels *l, int *have)
{
    clcnn_err err = {0};
    char path[4096];
    *have = 0;
    if (o->labels)
        snprintf(path, sizeof path, "%s", o->labels);
    else
        beside_model(model, ".labels.txt", path, sizeof path);
    if (!o->labels && !is_file(path))
        return 0;
    if (img_labels_load(path, l, &err) != CLCNN_OK)
        return cli_error(CLI_FAIL, CMD, "%s", err.msg);
    *have = 1;
    return 0;
}

/* ---- output ---------------------------------------------------------------------- */

static void softmax_or_copy(const float *x, int n, int apply, double *p)
{
    double mx = -INFINITY, sum = 0;
    for (int i = 0; i < n; i++)
        p[i] = x[i];
    if (!apply)
        return;
    for (int i = 0; i < n; i++)
        if (p[i] > mx)
            mx = p[i];
    for (int i = 0; i < n; i++)
        sum += p[i] = exp(p[i] - mx);
    for (int i = 0; i < n; i++)
        p[i] /= sum;
}

/* Indices of the k largest, best first; ties keep the lower index first. */
static void top_k(const double *p, int n, int k, int *idx)
{
    for (int r = 0; r < k; r++) {
        int best = -1;
        for (int i = 0; i < n; i++) {
            int taken = 0;
            for (int q = 0; q < r && !taken; q++)
                taken = idx[q] == i;
            if (!taken && (best < 0 || p[i] > p[best]))
                best = i;
        }
        idx[r] = best;
    }
}

static void print_result(cls_run *r, const char *image, const cls_times *t)
{
    char label[512];
    if (!r->o->json) {
        printf("%s\n", image);
        for (int k = 0; k < r->top; k++) {
            int i = r->top_idx[k];
            printf("%3d  %.6f  %4d  %s\n", k + 1, r->probs[i], i,
                   img_label_for(r->labels, r->classes, i, label, sizeof label));
        }
        return;
    }
    printf("%s\n    {\"image\": ", r->first_json ? "" : ",");
    r->first_json = 0;
    cli_json_str(image);
    printf(", \"top\": [");
    for (int k = 0; k < r->top; k++) {
        int i = r->top_idx[k];
        printf("%s{\"rank\": %d, \"index\": %d, \"prob\": %.8g, \"label\": ", k ? ", " : "", k + 1, i,
               r->probs[i]);
        cli_json_str(img_label_for(r->labels, r->classes, i, label, sizeof label));
        putchar('}');
    }
    printf("], \"time_ms\": {\"decode\": %.3f, \"preprocess\": %.3f, \"inference\": %.3f}}", t->decode,
           t->prep, t->infer);
}

static void print_error_json(cls_run *r, const char *image, const char *msg)
{
    if (!r->o->json)
        return;
    printf("%s\n    {\"image\": ", r->first_json ? "" : ",");
    r->first_json = 0;
    cli_json_str(image);
    printf(", \"error\": ");
    cli_json_str(msg);
    putchar('}');
}

/* ---- per image ---------------------------------------------------------------------- */

static void classify_one(cls_run *r, const char *path)
{
    clcnn_err err = {0};
    img_rgb photo = {0}, crop = {0};
    cls_times t = {0};
    double t0 = now_ms();
    clcnn_status st = img_load(path, &photo, &err);
    double t1 = now_ms();
    if (st == CLCNN_OK)
        st = img_resize_crop(&photo, r->prep.resize, r->prep.crop, &crop, &err);
    if (st == CLCNN_OK)
        img_to_tensor(&crop, &r->prep, r->input);
    double t2 = now_ms();
    img_free(&photo);
    img_free(&crop);
    if (st != CLCNN_OK) {
        /* image errors already name the file; geometry errors do not */
        int named = strstr(err.msg, path) != NULL;
        fprintf(stderr, "clcnn classify: %s%s%s\n", named ? "" : path, named ? "" : ": ", err.msg);
        print_error_json(r, path, err.msg);
        r->n_failed++;
        return;
    }
    const float *ins[1] = {r->input};
    float *outs[1] = {r->output};
    st = clcnn_session_run(r->sess, ins, outs);
    double t3 = now_ms();
    if (st != CLCNN_OK) {
        const char *msg = clcnn_context_last_error(r->ctx);
        fprintf(stderr, "clcnn classify: %s: inference failed: %s\n", path, msg);
        print_error_json(r, path, msg);
        r->n_failed++;
        return;
    }
    t = (cls_times){t1 - t0, t2 - t1, t3 - t2};
    softmax_or_copy(r->output, r->classes, r->apply_softmax, r->probs);
    top_k(r->probs, r->classes, r->top, r->top_idx);
    print_result(r, path, &t);
    r->total.decode += t.decode;
    r->total.prep += t.prep;
    r->total.infer += t.infer;
    r->n_done++;
    if (r->o->timing)
        fprintf(stderr, "%s: decode %.2f ms, preprocess %.2f ms, inference %.2f ms\n", path, t.decode,
                t.prep, t.infer);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends p (owned) to the growing list; 0 on out of memory (p freed). */
static int push_path(char ***l, int *n, int *cap, char *p)
{
    if (!p)
        return 0;
    if (*n == *cap) {
        char **nl = realloc(*l, sizeof(char *) * (size_t)(*cap * 2));
        if (!nl) {
            free(p);
            return 0;
        }
        *l = nl;
        *cap *= 2;
    }
    (*l)[(*n)++] = p;
    return 1;
}

/* Adds the files of directory `dir`, sorted, hidden files and subdirs skipped. */
static int push_dir(const char *dir, DIR *d, char ***l, int *n, int *cap)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--; /* "imgs/" lists as "imgs/a.jpg", not "imgs//a.jpg" */
    int start = *n, ok = 1;
    for (struct dirent *e; ok && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *p = malloc(dl + strlen(e->d_name) + 2);
        if (p)
            sprintf(p, "%.*s/%s", (int)dl, dir, e->d_name);
        if (p && is_dir(p)) {
            free(p);
            continue;
        }
        ok = push_path(l, n, cap, p);
    }
    qsort(*l + start, (size_t)(*n - start), sizeof(char *), cmp_str);
    return ok;
}

/* Expands directories into *list (owned strings). */
static int expand_inputs(const cls_opts *o, char ***list, int *n)
{
    int cap = o->n_images + 16, ok = 1;
    char **l = malloc(sizeof(char *) * (size_t)cap);
    *n = 0;
    for (int i = 0; l && ok && i < o->n_images; i++) {
        DIR *d = is_dir(o->images[i]) ? opendir(o->images[i]) : NULL;
        if (d) {
            ok = push_dir(o->images[i], d, &l, n, &cap);
            closedir(d);
        } else {
            ok = push_path(&l, n, &cap, strdup(o->images[i]));
        }
    }
    if (!l || !ok) {
        for (int i = 0; l && i < *n; i++)
            free(l[i]);
        free(l);
        return cli_error(CLI_FAIL, CMD, "out of memory listing the images");
    }
    *list = l;
    return 0;
}

static void progress(int done, int n)
{
    enum { BAR = 30 };
    int fill = n ? done * BAR / n : BAR;
    fprintf(stderr, "\r[%.*s%*s] %d/%d", fill, "##############################", BAR - fill, "", done, n);
    if (done == n)
        fputc('\n', stderr);
    fflush(stderr);
}

static int run_all(cls_run *r, const char *model)
{
    char **list = NULL;
    int n = 0;
    if (expand_inputs(r->o, &list, &n) != 0)
        return CLI_FAIL;
    /* The bar is for watching a long batch whose results go to a file or
     * pipe; when results scroll on the same terminal they are the progress. */
    int bar = n > 1 && isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) && !r->o->timing;
    if (r->o->json) {
        printf("{\"model\": ");
        cli_json_str(model);
        printf(", \"device\": ");
        cli_json_str(clcnn_context_device_name(r->ctx));
        printf(", \"mapping\": \"%s\", \"classes\": %d, \"softmax_applied\": %s, \"results\": [",
               img_mapping_name(r->prep.mapping), r->classes, r->apply_softmax ? "true" : "false");
    }
    r->first_json = 1;
    for (int i = 0; i < n; i++) {
        if (bar)
            progress(i, n);
        classify_one(r, list[i]);
        free(list[i]);
    }
    if (bar)
        progress(n, n);
    free(list);
    if (r->o->json)
        printf("\n  ], \"ok\": %d, \"failed\": %d}\n", r->n_done, r->n_failed);
    if (r->o->timing && r->n_done)
        fprintf(stderr, "mean over %d image(s): decode %.2f ms, preprocess %.2f ms, inference %.2f ms\n",
                r->n_done, r->total.decode / r->n_done, r->total.prep / r->n_done,
                r->total.infer / r->n_done);
    if (r->n_failed)
        fprintf(stderr, "clcnn classify: %d of %d image(s) failed\n", r->n_failed, n);
    return r->n_failed ? CLI_FAIL : CLI_OK;
}

/* ---- the command ------------------------------------------------------------------------ */

static int64_t elem_count(const clcnn_tensor_info *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= t->dims[d];
    return n;
}

static int prepare_session(cls_run *r, const clcnn_model *m)
{
    clcnn_tensor_info in, out;
    if (clcnn_model_num_inputs(m) != 1 || clcnn_model_num_outputs(m) < 1)
        return cli_error(CLI_FAIL, CMD, "classify needs a model with one input, got %d",
                         clcnn_model_num_inputs(m));
    if (clcnn_model_input(m, 0, &in) != CLCNN_OK || clcnn_model_output(m, 0, &out) != CLCNN_OK)
        return cli_error(CLI_FAIL, CMD, "cannot read the model's input/output shapes");
    if (fit_input(r->o, &in, &r->prep) != 0)
        return CLI_FAIL;
    int64_t classes = elem_count(&out);
    if (classes < 1 || classes > 1000000)
        return cli_error(CLI_FAIL, CMD, "model output '%s' has %lld values; not a classifier", out.name,
                         (long long)classes);
    r->classes = (int)classes;
    r->top = r->o->top < r->classes ? r->o->top : r->classes;
    r->apply_softmax = strcmp(clcnn_model_output_op(m, 0), "Softmax") != 0;
    r->input = malloc(sizeof(float) * (size_t)elem_count(&in));
    r->output = malloc(sizeof(float) * (size_t)classes);
    r->probs = malloc(sizeof(double) * (size_t)classes);
    r->top_idx = malloc(sizeof(int) * (size_t)r->top);
    if (!r->input || !r->output || !r->probs || !r->top_idx)
        return cli_error(CLI_FAIL, CMD, "out of memory");
    if (clcnn_session_create(r->ctx, m, NULL, &r->sess) != CLCNN_OK)
        return cli_error(CLI_FAIL, CMD, "%s", clcnn_context_last_error(r->ctx));
    return 0;
}

int cmd_classify(int argc, char **argv)
{
    cls_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        free(o.images);
        return rc < 0 ? CLI_OK : rc;
    }
    char model[4096], looked[8192];
    if (!find_model(o.model, model, sizeof model, looked, sizeof looked)) {
        const char *name = o.model ? o.model : DEFAULT_MODEL;
        int builtin = o.model && !strchr(name, '/') && !strstr(name, ".onnx");
        if (!builtin) {
            free(o.images);
            return cli_error(CLI_FAIL, CMD, "model '%s' not found (looked in: %s); pass --model FILE, "
                             "set CLCNN_MODEL_PATH, or put the ONNX file in %s/models (the shared "
                             "models live in ../shared/models)", name, looked, CLCNN_SOURCE_DIR);
        }
        snprintf(model, sizeof model, "%s", name); /* a built-in architecture name */
    }
    cls_run r = {.o = &o};
    img_labels labels = {0};
    int have_labels = 0;
    clcnn_model *m = NULL;
    if ((rc = setup_prep(&o, model, &r.prep)) != 0 || (rc = load_labels(&o, model, &labels, &have_labels)) != 0)
        goto done;
    rc = CLI_FAIL;
    r.labels = have_labels ? &labels : NULL;
    r.ctx = cli_context(CMD, o.device, o.no_cache);
    if (!r.ctx)
        goto done;
    if (clcnn_model_load(r.ctx, model, &m) != CLCNN_OK) {
        cli_error(CLI_FAIL, CMD, "%s", clcnn_context_last_error(r.ctx));
        goto done;
    }
    if (prepare_session(&r, m) != 0)
        goto done;
    rc = run_all(&r, model);
done:
    clcnn_session_destroy(r.sess);
    clcnn_model_destroy(m);
    clcnn_context_destroy(r.ctx);
    img_labels_free(&labels);
    free(r.input);
    free(r.output);
    free(r.probs);
    free(r.top_idx);
    free(o.images);
    return rc;
}
