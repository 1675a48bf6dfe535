/* cmd_classify.c — `clcnn classify`: photos in, top-K ImageNet labels out, on
 * the public API only, so it is also the reference embedder: the model from
 * clcnn_model_find, its preprocessing from clcnn_model_preprocess (built-in
 * settings < sidecar < input shape) with the flags on top through
 * clcnn_preprocess_set, each image through clcnn_image_to_tensor, then run,
 * softmax (unless the model ends in Softmax), print. A bad image is named on
 * stderr and skipped; the exit code is 1 at the end if any image failed.
 * Timing is split into preprocessing (decode, resize, crop, mapping: one API
 * call) and inference, per image (--timing, and in JSON). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache_fill.h"
#include "prewarm.h"
#include "cli.h"

#define CMD "classify"
#define MAX_OVERRIDES 16

typedef struct cls_opts {
    const char *model, *device, *labels;
    int top, json, no_cache, timing;
    clcnn_precision precision;
    /* preprocessing flags, applied last, in order: key, value, flag name */
    const char *ov_key[MAX_OVERRIDES], *ov_val[MAX_OVERRIDES], *ov_flag[MAX_OVERRIDES];
    int n_ov;
    char **images;
    int n_images;
} cls_opts;

/* A --labels file: one name per line, a leading WordNet id dropped. */
typedef struct cls_labels {
    char **names;
    int n;
} cls_labels;

/* Per-image times and their running totals. */
typedef struct cls_times {
    double prep, infer;
} cls_times;

typedef struct cls_run {
    const cls_opts *o;
    clcnn_context *ctx;
    clcnn_model *m;           /* read through; the session owns it once made */
    int model_owned;          /* 1: clcnn_session_create_owning took m */
    clcnn_session *sess;
    cli_prewarm prewarm;      /* the helper compiling the cold session's last kernels */
    const cls_labels *labels; /* NULL: clcnn_model_label (beside the model, else ImageNet) */
    clcnn_preprocess prep;
    float *input, *output;
    size_t in_floats;
    int classes, apply_softmax;
    double *probs;
    int *top_idx;
    int top;
    int n_done, n_failed, first_json;
    int in_model_preprocess; /* set around clcnn_model_preprocess, for the log callback */
    cls_times total;
} cls_run;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clcnn classify [--model M] [--device D] [--top K] [--json] [--labels F]\n"
            "                      [--no-cache] [--timing] [--precision fp32|fp16|auto]\n"
            "                      [preprocessing flags] IMAGE|DIR...\n\n"
            "Prints the top-K classes (rank prob index label) of each JPEG/PNG photo. A directory\n"
            "means every file in it. A bad file is named on stderr, the rest are still classified,\n"
            "and the exit code is then 1.\n\n"
            "  --model M     ONNX file or name (default " CLCNN_DEFAULT_MODEL "), searched in:\n"
            "                the path as given, $CLCNN_MODEL_PATH (':'-separated dirs or files),\n"
            "                ./models, ./../shared/models, $XDG_DATA_HOME/clcnn/models\n"
            "                (~/.local/share/clcnn/models), <install prefix>/share/clcnn/models;\n"
            "                a name found nowhere may be a built-in architecture (clcnn list)\n"
            "  --device D    auto (default), gpu, cpu, ref, an index, or a name substring\n"
            "  --top K       rows per image (default 5)\n"
            "  --precision P fp32 (default); fp16: weights and activations stored as half\n"
            "                (a device with cl_khr_fp16); auto: fp16 where a calibration run\n"
            "                on a seeded input stays within 1e-3 of fp32\n"
            "  --json        one JSON document on stdout\n"
            "  --labels F    one label per line ('wnid name' lines show the name); default:\n"
            "                <model stem>.labels.txt beside the model, else built-in ImageNet\n"
            "  --timing      per-image preprocess/inference times on stderr\n\n"
            "preprocessing (defaults: built-in per shared model, else tf; then <model stem>.clcnn or\n"
            "<model>.clcnn, key=value lines with the same keys; then the model's input size and\n"
            "layout; then these flags):\n"
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

static int is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* ---- flags --------------------------------------------------------------- */

static const char *const prep_flags[] = {"mapping", "mean", "std", "scale", "resize", "crop", "bgr",
                                         "layout"};

/* Applies the preprocessing flags in order onto p; a bad value is a usage
 * error naming the flag. */
static int apply_flags(const cls_opts *o, clcnn_preprocess *p)
{
    char err[512];
    for (int i = 0; i < o->n_ov; i++)
        if (clcnn_preprocess_set(p, o->ov_key[i], o->ov_val[i], err, sizeof err) != CLCNN_OK)
            return cli_error(CLI_USAGE, CMD, "%s: %s", o->ov_flag[i], err);
    return 0;
}

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
        if (strcmp(a, "--precision") == 0) {
            if (cli_precision_flag(argc, argv, &i, CMD, &o->precision) < 0)
                return CLI_USAGE;
            continue;
        }
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
    /* Bad flag values are usage errors before any device or model work: try
     * them on default settings now; they are applied for real later. */
    clcnn_preprocess scratch;
    clcnn_preprocess_init(&scratch);
    return apply_flags(o, &scratch);
}

static int has_override(const cls_opts *o, const char *key)
{
    for (int i = 0; i < o->n_ov; i++)
        if (strcmp(o->ov_key[i], key) == 0)
            return 1;
    return 0;
}

/* ---- context, with classify's own log ------------------------------------------ */

/* The library's only message during clcnn_model_preprocess is its note that
 * it assumed 'tf' for an unknown model; a --mapping/--mean flag makes that
 * note moot, so it is dropped then. Everything else prints as other commands
 * print the library's log. */
static void classify_log(void *user, clcnn_log_level level, const char *msg)
{
    const cls_run *r = user;
    if (level < CLCNN_LOG_INFO)
        return;
    if (!r->in_model_preprocess)
        fprintf(stderr, "clcnn: %s\n", msg);
    else if (!has_override(r->o, "mapping") && !has_override(r->o, "mean"))
        fprintf(stderr, "clcnn classify: note: %s; write that sidecar or pass --mapping\n", msg);
}

static clcnn_context *open_context(cls_run *r)
{
    clcnn_context_options opt;
    clcnn_context_options_init(&opt);
    opt.device = r->o->device;
    opt.no_cache = r->o->no_cache;
    opt.cache_store = cli_fill_store_mode();
    cli_lean_options(&opt);
    opt.log = classify_log;
    opt.log_user = r;
    cli_prewarm_options(&opt, &r->prewarm);
    clcnn_context *ctx = NULL;
    char err[2048];
    if (clcnn_context_create(&opt, &ctx, err, sizeof err) != CLCNN_OK) {
        cli_error(CLI_FAIL, CMD, "%s", err);
        return NULL;
    }
    return ctx;
}

/* ---- labels ------------------------------------------------------------------------ */

static void labels_free(cls_labels *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = 0;
}

/* "n01440764 tench" -> "tench"; anything else unchanged (as the library's files). */
static const char *skip_wnid(const char *s)
{
    int i = 1;
    if (s[0] != 'n')
        return s;
    while (s[i] >= '0' && s[i] <= '9')
        i++;
    if (i != 9 || s[i] != ' ')
        return s;
    while (s[i] == ' ')
        i++;
    return s + i;
}

static int labels_load(const char *path, cls_labels *l)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cli_error(CLI_FAIL, CMD, "%s: cannot open labels: %s", path, strerror(errno));
    char line[1024];
    int cap = 0, ok = 1;
    while (ok && fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n == 0)
            continue; /* a trailing blank line is not a class */
        if (l->n == cap) {
            char **nn = realloc(l->names, sizeof(char *) * (size_t)(cap = cap ? 2 * cap : 1024));
            ok = nn != NULL;
            l->names = nn ? nn : l->names;
        }
        if (ok && !(l->names[l->n] = strdup(skip_wnid(line))))
            ok = 0;
        l->n += ok;
    }
    fclose(f);
    if (!ok)
        return cli_error(CLI_FAIL, CMD, "%s: out of memory reading labels", path);
    if (l->n == 0)
        return cli_error(CLI_FAIL, CMD, "%s: labels file has no lines", path);
    return 0;
}

/* With one more output than labels, index 0 is "background" (TF-slim). */
static const char *label_of(const cls_run *r, int index, char *buf, size_t len)
{
    if (!r->labels)
        return clcnn_model_label(r->m, index, buf, len);
    int i = r->classes == r->labels->n + 1 ? index - 1 : index;
    if (r->classes == r->labels->n + 1 && index == 0)
        snprintf(buf, len, "background");
    else if (i < 0 || i >= r->labels->n)
        snprintf(buf, len, "class %d", index);
    else
        snprintf(buf, len, "%s", r->labels->names[i]);
    return buf;
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
    char label[512], safe[2048];
    if (!r->o->json) {
        printf("%s\n", image);
        for (int k = 0; k < r->top; k++) {
            int i = r->top_idx[k];
            /* labels come from a file beside the model: no raw control bytes to the terminal */
            printf("%3d  %.6f  %4d  %s\n", k + 1, r->probs[i], i,
                   cli_safe(label_of(r, i, label, sizeof label), safe, sizeof safe));
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
        cli_json_str(label_of(r, i, label, sizeof label));
        putchar('}');
    }
    printf("], \"time_ms\": {\"preprocess\": %.3f, \"inference\": %.3f}}", t->prep, t->infer);
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
    char err[2048];
    double t0 = now_ms();
    /* the library's image messages name the file */
    clcnn_status st = clcnn_image_to_tensor(path, &r->prep, r->input, r->in_floats, err, sizeof err);
    double t1 = now_ms();
    if (st != CLCNN_OK) {
        fprintf(stderr, "clcnn classify: %s\n", err);
        print_error_json(r, path, err);
        r->n_failed++;
        return;
    }
    const float *ins[1] = {r->input};
    float *outs[1] = {r->output};
    st = clcnn_session_run(r->sess, ins, outs);
    double t2 = now_ms();
    if (st != CLCNN_OK) {
        const char *msg = clcnn_session_last_error(r->sess);
        fprintf(stderr, "clcnn classify: %s: inference failed: %s\n", path, msg);
        print_error_json(r, path, msg);
        r->n_failed++;
        return;
    }
    cls_times t = {t1 - t0, t2 - t1};
    softmax_or_copy(r->output, r->classes, r->apply_softmax, r->probs);
    top_k(r->probs, r->classes, r->top, r->top_idx);
    print_result(r, path, &t);
    r->total.prep += t.prep;
    r->total.infer += t.infer;
    r->n_done++;
    if (r->o->timing)
        fprintf(stderr, "%s: preprocess %.2f ms, inference %.2f ms\n", path, t.prep, t.infer);
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
               clcnn_mapping_str(r->prep.mapping), r->classes, r->apply_softmax ? "true" : "false");
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
        fprintf(stderr, "mean over %d image(s): preprocess %.2f ms, inference %.2f ms\n", r->n_done,
                r->total.prep / r->n_done, r->total.infer / r->n_done);
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

/* The model's settings, then the flags on top. */
static int setup_prep(cls_run *r)
{
    char err[2048];
    clcnn_preprocess_init(&r->prep);
    r->in_model_preprocess = 1;
    clcnn_status st = clcnn_model_preprocess(r->m, &r->prep, err, sizeof err);
    r->in_model_preprocess = 0;
    if (st != CLCNN_OK)
        return cli_error(CLI_FAIL, CMD, "%s", err);
    return apply_flags(r->o, &r->prep);
}

/* The model must take one RGB image of exactly the size the settings give. */
static int check_input(const clcnn_tensor_info *in, const clcnn_preprocess *p)
{
    if (in->ndim != 4 || in->dims[0] > 1)
        return cli_error(CLI_FAIL, CMD, "model input '%s' is not one image [1,3,H,W] or [1,H,W,3]",
                         in->name);
    int64_t h = p->nhwc ? in->dims[1] : in->dims[2];
    int64_t w = p->nhwc ? in->dims[2] : in->dims[3];
    int64_t c = p->nhwc ? in->dims[3] : in->dims[1];
    if (c != 3 || h != p->crop || w != p->crop)
        return cli_error(CLI_FAIL, CMD, "model input '%s' is [%lld,%lld,%lld,%lld] but the preprocessing "
                         "gives a %s %dx%d RGB crop (see --crop, --layout)", in->name,
                         (long long)in->dims[0], (long long)in->dims[1], (long long)in->dims[2],
                         (long long)in->dims[3], p->nhwc ? "NHWC" : "NCHW", p->crop, p->crop);
    return 0;
}

static int prepare_session(cls_run *r)
{
    clcnn_tensor_info in, out;
    if (clcnn_model_num_inputs(r->m) != 1 || clcnn_model_num_outputs(r->m) < 1)
        return cli_error(CLI_FAIL, CMD, "classify needs a model with one input, got %d",
                         clcnn_model_num_inputs(r->m));
    if (clcnn_model_input(r->m, 0, &in) != CLCNN_OK || clcnn_model_output(r->m, 0, &out) != CLCNN_OK)
        return cli_error(CLI_FAIL, CMD, "cannot read the model's input/output shapes");
    if (check_input(&in, &r->prep) != 0)
        return CLI_FAIL;
    int64_t classes = elem_count(&out);
    if (classes < 1 || classes > 1000000)
        return cli_error(CLI_FAIL, CMD, "model output '%s' has %lld values; not a classifier", out.name,
                         (long long)classes);
    r->classes = (int)classes;
    r->top = r->o->top < r->classes ? r->o->top : r->classes;
    r->apply_softmax = strcmp(clcnn_model_output_op(r->m, 0), "Softmax") != 0;
    r->in_floats = (size_t)elem_count(&in);
    r->input = malloc(sizeof(float) * r->in_floats);
    r->output = malloc(sizeof(float) * (size_t)classes);
    r->probs = malloc(sizeof(double) * (size_t)classes);
    r->top_idx = malloc(sizeof(int) * (size_t)r->top);
    if (!r->input || !r->output || !r->probs || !r->top_idx)
        return cli_error(CLI_FAIL, CMD, "out of memory");
    clcnn_session_options so;
    clcnn_session_options_init(&so);
    so.precision = r->o->precision;
    /* one session per model: it frees the weights its device copied (peak memory) */
    const clcnn_status st = clcnn_session_create_owning(r->ctx, r->m, &so, &r->sess);
    r->model_owned = 1;
    if (st != CLCNN_OK) {
        r->m = NULL; /* destroyed by the failed create */
        return cli_error(CLI_FAIL, CMD, "%s", clcnn_context_last_error(r->ctx));
    }
    cli_precision_report(CMD, r->sess);
    return 0;
}

/* The model file through the library's search path; a bare word found
 * nowhere goes to clcnn_model_load as a built-in architecture name. */
static int find_model(const cls_opts *o, char *model, size_t len)
{
    char err[4096];
    if (clcnn_model_find(o->model, model, len, err, sizeof err) == CLCNN_OK)
        return 0;
    const char *name = o->model ? o->model : CLCNN_DEFAULT_MODEL;
    if (o->model && !strchr(name, '/') && !strstr(name, ".onnx")) {
        snprintf(model, len, "%s", name);
        return 0;
    }
    return cli_error(CLI_FAIL, CMD, "%s; pass --model FILE, set CLCNN_MODEL_PATH, or put the ONNX file "
                     "in ./models or ~/.local/share/clcnn/models (the shared models live in "
                     "../shared/models)", err);
}

int cmd_classify(int argc, char **argv)
{
    cls_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        free(o.images);
        return rc < 0 ? CLI_OK : rc;
    }
    char model[4096];
    cls_run r = {.o = &o};
    cls_labels labels = {0};
    int lock = -1; /* the background fill's cache lock (cache_fill.h) */
    if ((rc = find_model(&o, model, sizeof model)) != 0 ||
        (o.labels && (rc = labels_load(o.labels, &labels)) != 0))
        goto done;
    rc = CLI_FAIL;
    r.labels = o.labels ? &labels : NULL;
    if (!(r.ctx = open_context(&r)))
        goto done;
    if (cli_fill_child() && (lock = cli_fill_begin(r.ctx)) < 0) {
        rc = CLI_OK; /* another fill runs, or there is no cache to fill */
        goto done;
    }
    if (clcnn_model_load(r.ctx, model, &r.m) != CLCNN_OK) {
        cli_error(CLI_FAIL, CMD, "%s", clcnn_context_last_error(r.ctx));
        goto done;
    }
    if ((rc = setup_prep(&r)) == 0 && (rc = prepare_session(&r)) == 0)
        cli_fill_warm(r.sess);
    if (rc != 0 || cli_fill_child() || cli_prewarm_run(r.sess))
        goto done; /* the background fill wants the session's programs and its
                      launches compiled (cli_fill_warm), the prewarm helper its
                      kernels compiled: nothing more */
    rc = run_all(&r, model);
    cli_fill_spawn(r.ctx); /* the programs are built whether or not every photo decoded */
done:
    clcnn_session_destroy(r.sess);
    if (!r.model_owned)
        clcnn_model_destroy(r.m);
    cli_prewarm_wait(&r.prewarm);
    clcnn_context_destroy(r.ctx);
    cli_fill_end(lock);
    labels_free(&labels);
    free(r.input);
    free(r.output);
    free(r.probs);
    free(r.top_idx);
    free(o.images);
    return rc;
}
