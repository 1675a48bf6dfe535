/* cmd_summary.c — `clcnn summary ARCH|MODEL`: a Keras-style table (layer,
 * output shape, params, MACs) with Keras's totals, or --json, plus a Graphviz
 * drawing with --dot/--svg (summary_dot.c). Reads the model only: it runs on
 * the reference context and never needs OpenCL, except with --precision, which
 * plans the model on a device to show where it stores half (issue 18). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "summary_dot.h"

static const char *const summary_usage =
    "usage: clcnn summary ARCH|MODEL [--json] [--dot FILE] [--svg FILE] [--precision P [--device D]]\n"
    "                     [--width W] [--depth D] [--classes N] [--input-size S] [--seed N]\n"
    "Prints every layer of MODEL (an .onnx file) or of a built-in architecture (see\n"
    "'clcnn list') with its output shape, parameters and multiply-accumulates, then\n"
    "Keras-style totals (non-trainable = BatchNorm running mean/variance).\n"
    "  --json      the same as JSON on stdout\n"
    "  --dot FILE  write a Graphviz graph (blocks clustered by name prefix)\n"
    "  --svg FILE  render it to SVG with Graphviz's 'dot' (must be on PATH)\n"
    "  --precision P [--device D]  also plan MODEL on OpenCL device D (default auto) in\n"
    "              precision P (fp32, fp16, auto) and list each layer's storage, its fp16\n"
    "              error from auto's calibration, and the plan's device memory\n";

typedef struct totals {
    long long params, non_trainable, macs;
} totals;

static totals sum_layers(const clcnn_model *m)
{
    totals t = {0, 0, 0};
    clcnn_layer_info L;
    for (int i = 0; i < clcnn_model_num_layers(m); i++)
        if (clcnn_model_layer(m, i, &L) == CLCNN_OK) {
            t.params += L.params;
            t.non_trainable += L.non_trainable;
            t.macs += L.macs;
        }
    return t;
}

static void shape_tuple(int ndim, const int64_t *dims, char *buf, size_t len)
{
    size_t pos = (size_t)snprintf(buf, len, "(");
    for (int d = 0; d < ndim && pos < len; d++)
        pos += (size_t)snprintf(buf + pos, len - pos, d ? ", %lld" : "%lld", (long long)dims[d]);
    if (pos < len)
        snprintf(buf + pos, len - pos, ")");
}

static void rule(char c, int width)
{
    for (int i = 0; i < width; i++)
        putchar(c);
    putchar('\n');
}

static void print_table(const clcnn_model *m, const char *title)
{
    int n = clcnn_model_num_layers(m), name_w = 24;
    clcnn_layer_info L;
    for (int i = 0; i < n; i++)
        if (clcnn_model_layer(m, i, &L) == CLCNN_OK) {
            int w = (int)(strlen(L.name) + strlen(L.op) + 3);
            if (w > name_w)
                name_w = w < 64 ? w : 64;
        }
    int width = name_w + 2 + 24 + 14 + 18;
    char shape[128], p[32], mac[32], label[256];
    char safe_title[512];
    printf("Model: \"%s\"\n", cli_safe(title, safe_title, sizeof safe_title));
    rule('_', width);
    printf("%-*s  %-24s%14s%18s\n", name_w, "Layer (type)", "Output Shape", "Param #", "MACs");
    rule('=', width);
    for (int i = 0; i < n; i++) {
        if (clcnn_model_layer(m, i, &L) != CLCNN_OK)
            continue;
        char safe[200];
        snprintf(label, sizeof label, "%s (%s)", cli_safe(L.name, safe, sizeof safe), L.op);
        shape_tuple(L.ndim, L.dims, shape, sizeof shape);
        printf("%-*s  %-24s%14s%18s\n", name_w, label, shape, cli_thousands(L.params, p, sizeof p),
               cli_thousands(L.macs, mac, sizeof mac));
    }
    rule('=', width);
    totals t = sum_layers(m);
    printf("Total params: %s\n", cli_thousands(t.params, p, sizeof p));
    printf("Trainable params: %s\n", cli_thousands(t.params - t.non_trainable, p, sizeof p));
    printf("Non-trainable params: %s\n", cli_thousands(t.non_trainable, p, sizeof p));
    printf("Total MACs: %s\n", cli_thousands(t.macs, p, sizeof p));
    rule('_', width);
}

static void print_json(const clcnn_model *m, const char *title)
{
    clcnn_layer_info L;
    printf("{\"model\": ");
    cli_json_str(title);
    printf(", \"layers\": [");
    for (int i = 0, first = 1; i < clcnn_model_num_layers(m); i++) {
        if (clcnn_model_layer(m, i, &L) != CLCNN_OK)
            continue;
        printf("%s\n  {\"name\": ", first ? "" : ",");
        first = 0;
        cli_json_str(L.name);
        printf(", \"op\": ");
        cli_json_str(L.op);
        printf(", \"shape\": [");
        for (int d = 0; d < L.ndim; d++)
            printf(d ? ", %lld" : "%lld", (long long)L.dims[d]);
        printf("], \"params\": %lld, \"non_trainable\": %lld, \"macs\": %lld, \"inputs\": [",
               (long long)L.params, (long long)L.non_trainable, (long long)L.macs);
        for (int k = 0; k < L.n_inputs; k++)
            printf(k ? ", %d" : "%d", L.inputs[k]);
        printf("]}");
    }
    totals t = sum_layers(m);
    printf("\n],\n\"total_params\": %lld, \"trainable_params\": %lld, \"non_trainable_params\": %lld, "
           "\"total_macs\": %lld}\n",
           t.params, t.params - t.non_trainable, t.non_trainable, t.macs);
}

/* --precision: MODEL planned on `device` in precision p, its layers' storage listed. */
static int show_precision(const char *cmd, const char *what, const char *device, clcnn_precision p,
                          const clcnn_builtin_options *opt)
{
    clcnn_context *ctx = cli_context(cmd, device, 0);
    if (!ctx)
        return 1;
    int rc = 0;
    clcnn_session *s = NULL;
    clcnn_model *m = cli_model_open(ctx, cmd, what, opt);
    clcnn_session_options so;
    clcnn_session_options_init(&so);
    so.precision = p;
    if (!m) {
        rc = 1;
    } else if (clcnn_session_create(ctx, m, &so, &s) != CLCNN_OK) {
        rc = cli_error(1, cmd, "%s", clcnn_context_last_error(ctx));
    } else {
        cli_precision_table(s);
    }
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}

int cmd_summary(int argc, char **argv)
{
    const char *cmd = "summary", *what = NULL, *dot_path = NULL, *svg_path = NULL;
    int json = 0, want_prec = 0;
    clcnn_precision prec = CLCNN_PRECISION_FP32;
    const char *device = "auto";
    clcnn_builtin_options opt;
    clcnn_builtin_options_init(&opt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (cli_is_help(a)) {
            fputs(summary_usage, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--dot") == 0) {
            if (!(dot_path = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(a, "--svg") == 0) {
            if (!(svg_path = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(a, "--precision") == 0) {
            if (cli_precision_flag(argc, argv, &i, cmd, &prec) < 0)
                return CLI_USAGE;
            want_prec = 1;
        } else if (strcmp(a, "--device") == 0) {
            if (!(device = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if ((r = cli_builtin_flag(argc, argv, &i, cmd, &opt)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return cli_bad_flag(cmd, a);
        } else if (!what) {
            what = a;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn summary --help')", a);
        }
    }
    if (!what)
        return cli_error(CLI_USAGE, cmd, "needs ARCH or MODEL (see 'clcnn summary --help')");
    /* Refuse before any work when the SVG cannot be made. */
    if (svg_path && !summary_have_dot())
        return cli_error(CLI_FAIL, cmd, "--svg needs Graphviz's 'dot' on PATH, which was not found "
                         "(install graphviz, or use --dot FILE)");
    clcnn_context *ctx = cli_context(cmd, "ref", 1);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    clcnn_model *m = cli_model_open(ctx, cmd, what, &opt);
    if (!m) {
        rc = CLI_FAIL;
        goto out;
    }
    if (json)
        print_json(m, what);
    else
        print_table(m, what);
    if (dot_path && summary_write_dot(m, what, dot_path, cmd) != 0)
        rc = CLI_FAIL;
    if (svg_path && summary_write_svg(m, what, svg_path, cmd) != 0)
        rc = CLI_FAIL;
    if (want_prec && rc == CLI_OK && show_precision(cmd, what, device, prec, &opt) != 0)
        rc = CLI_FAIL;
out:
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}
