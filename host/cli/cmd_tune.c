/* cmd_tune.c — `clcnn tune MODEL|ARCH`: measures, per distinct pointwise-conv
 * GEMM shape, our conv_pw against CLBlast SGEMM and a few conv_pw work-group
 * sizes, stores the decisions for this device beside the program cache, and
 * prints what it measured and decided. */
#include <stdlib.h>
#include <string.h>

#include "clcnn_tools.h"
#include "cli.h"

static const char *const tune_usage =
    "usage: clcnn tune MODEL|ARCH [--device auto|gpu|cpu|N|NAME] [--runs N] [--no-lws] [--json]\n"
    "                  [builtin flags: --width --depth --classes --input-size --seed]\n"
    "For each distinct pointwise (1x1) conv shape of the model, times clcnn's conv_pw and\n"
    "CLBlast SGEMM + bias epilogue (alternating, best of 3 rounds of --runs back-to-back\n"
    "calls, default 20), and a few conv_pw work-group sizes. CLBlast is chosen only when\n"
    "it takes < 90% of conv_pw's time; a work-group size likewise. Decisions are stored\n"
    "per device in the program cache folder; later sessions read them, never measure.\n";

static void print_lws(const size_t *l, char *buf, size_t len)
{
    snprintf(buf, len, "%zux%zux%zu", l[0], l[1], l[2]);
}

static void print_table(const clcnn_tune_row *r, int n, const char *store)
{
    for (int i = 0; i < n; i++)
        if (r[i].kind == CLCNN_TUNE_CLBLAST_WARMUP)
            printf("CLBlast first call (kernel compile): %.0f ms\n", r[i].clblast_ms);
    printf("%-26s %10s %11s  %s\n", "GEMM M x N x K (batch)", "ours ms", "CLBlast ms", "decision");
    for (int i = 0; i < n; i++) {
        char shape[64];
        snprintf(shape, sizeof shape, "%lld x %lld x %lld (%lld)", (long long)r[i].m,
                 (long long)r[i].n, (long long)r[i].k, (long long)r[i].batch);
        if (r[i].kind == CLCNN_TUNE_CLBLAST) {
            if (r[i].clblast_ms < 0)
                printf("%-26s %10.3f %11s  conv_pw (no CLBlast in this build)\n", shape,
                       r[i].ours_ms, "-");
            else
                printf("%-26s %10.3f %11.3f  %s (ratio %.2f)\n", shape, r[i].ours_ms,
                       r[i].clblast_ms, r[i].use ? "CLBlast" : "conv_pw",
                       r[i].clblast_ms / r[i].ours_ms);
        } else if (r[i].kind == CLCNN_TUNE_LWS) {
            char a[48], b[48];
            print_lws(r[i].lws, a, sizeof a);
            print_lws(r[i].tuned_lws, b, sizeof b);
            printf("  conv_pw lws %-12s %8.3f   best %-10s %.3f ms  %s\n", a, r[i].ours_ms, b,
                   r[i].tuned_ms, r[i].use ? "stored" : "keep heuristic");
        }
    }
    printf("store: %s\n", store[0] ? store : "(no cache folder: nothing stored)");
}

static void print_json(const char *model, const char *device, const clcnn_tune_row *r, int n,
                       const char *store)
{
    double warm = -1;
    for (int i = 0; i < n; i++)
        if (r[i].kind == CLCNN_TUNE_CLBLAST_WARMUP)
            warm = r[i].clblast_ms;
    /* model/device/store are paths and device names: no quotes or control characters expected,
     * but escape the two that would break the document anyway */
    printf("{\"model\": \"");
    for (const char *s = model; *s; s++)
        printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    printf("\", \"device\": \"");
    for (const char *s = device ? device : ""; *s; s++)
        printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    printf("\", \"store\": \"");
    for (const char *s = store; *s; s++)
        printf(*s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
    printf("\", \"clblast_first_call_ms\": ");
    if (warm >= 0)
        printf("%.1f", warm);
    else
        printf("null");
    printf(", \"shapes\": [");
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (r[i].kind == CLCNN_TUNE_CLBLAST_WARMUP)
            continue;
        printf("%s\n  {\"kind\": \"%s\", \"m\": %lld, \"n\": %lld, \"k\": %lld, \"batch\": %lld, "
               "\"ours_ms\": %.4f, ",
               first ? "" : ",", r[i].kind == CLCNN_TUNE_CLBLAST ? "clblast" : "lws",
               (long long)r[i].m, (long long)r[i].n, (long long)r[i].k, (long long)r[i].batch,
               r[i].ours_ms);
        if (r[i].kind == CLCNN_TUNE_CLBLAST) {
            if (r[i].clblast_ms < 0)
                printf("\"clblast_ms\": null, \"decision\": \"conv_pw\"}");
            else
                printf("\"clblast_ms\": %.4f, \"decision\": \"%s\"}", r[i].clblast_ms,
                       r[i].use ? "clblast" : "conv_pw");
        } else {
            printf("\"lws\": [%zu, %zu, %zu], \"tuned_lws\": [%zu, %zu, %zu], \"tuned_ms\": %.4f, "
                   "\"stored\": %s}",
                   r[i].lws[0], r[i].lws[1], r[i].lws[2], r[i].tuned_lws[0], r[i].tuned_lws[1],
                   r[i].tuned_lws[2], r[i].tuned_ms, r[i].use ? "true" : "false");
        }
        first = 0;
    }
    printf("\n]}\n");
}

int cmd_tune(int argc, char **argv)
{
    const char *cmd = "tune";
    const char *model = NULL, *device = NULL;
    int json = 0;
    clcnn_tune_options topt;
    clcnn_builtin_options bopt;
    clcnn_tune_options_init(&topt);
    clcnn_builtin_options_init(&bopt);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v;
        int b;
        if (cli_is_help(s)) {
            fputs(tune_usage, stdout);
            return CLI_OK;
        } else if (strcmp(s, "--json") == 0) {
            json = 1;
        } else if (strcmp(s, "--no-lws") == 0) {
            topt.no_lws = 1;
        } else if (strcmp(s, "--device") == 0 || strcmp(s, "--runs") == 0) {
            if (!(v = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
            if (s[2] == 'd') {
                device = v;
            } else {
                char *end;
                long r = strtol(v, &end, 10);
                if (end == v || *end || r < 1 || r > 100000)
                    return cli_error(CLI_USAGE, cmd, "--runs '%s' is not an integer in 1..100000", v);
                topt.runs = (int)r;
            }
        } else if ((b = cli_builtin_flag(argc, argv, &i, cmd, &bopt)) != 0) {
            if (b < 0)
                return CLI_USAGE;
        } else if (s[0] == '-' && s[1]) {
            return cli_bad_flag(cmd, s);
        } else if (!model) {
            model = s;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn tune --help')", s);
        }
    }
    if (!model)
        return cli_error(CLI_USAGE, cmd, "needs MODEL or ARCH (see 'clcnn tune --help')");
    if (device && strcmp(device, "ref") == 0)
        return cli_error(CLI_USAGE, cmd, "--device ref: tuning needs an OpenCL device");
    clcnn_context *ctx = cli_context(cmd, device, 0);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_FAIL;
    clcnn_model *m = NULL;
    clcnn_tune_row *rows = NULL;
    int n = 0;
    char store[1024] = "";
    if (clcnn_context_is_reference(ctx)) {
        cli_error(CLI_FAIL, cmd, "no OpenCL device: nothing to tune");
        goto out;
    }
    if (!(m = cli_model_open(ctx, cmd, model, &bopt)))
        goto out;
    if (clcnn_tune(ctx, m, &topt, &rows, &n) != CLCNN_OK ||
        clcnn_tune_store_path(ctx, store, sizeof store) != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        goto out;
    }
    if (json)
        print_json(model, clcnn_context_device_name(ctx), rows, n, store);
    else
        print_table(rows, n, store);
    rc = CLI_OK;
out:
    clcnn_tune_free(rows);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}
