/* cli_util.c — helpers shared by the commands: errors, flags, context. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cache_fill.h"
#include "prewarm.h"
#include "clcnn_tools.h"

void cli_fput_safe(const char *s, int keep_newlines, FILE *f)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\n' && keep_newlines)
            fputc('\n', f);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
}

const char *cli_safe(const char *s, char *buf, size_t len)
{
    size_t o = 0;
    if (!len)
        return "";
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o + 5 < len; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(buf + o, len - o, "\\x%02x", *p);
        else
            buf[o++] = (char)*p;
    }
    buf[o] = '\0';
    return buf;
}

int cli_error(int code, const char *cmd, const char *fmt, ...)
{
    /* Messages carry names from the model file (nodes, tensors, paths): a
     * newline or an escape sequence in one must not reach the terminal raw or
     * split the one-line error. */
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "clcnn %s: ", cmd);
    cli_fput_safe(msg, 0, stderr);
    fputc('\n', stderr);
    return code;
}

int cli_bad_flag(const char *cmd, const char *flag)
{
    return cli_error(CLI_USAGE, cmd, "unknown flag '%s' (see 'clcnn %s --help')", flag, cmd);
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

const char *cli_flag_value(int argc, char **argv, int *i, const char *cmd)
{
    if (*i + 1 >= argc) {
        cli_error(CLI_USAGE, cmd, "flag '%s' needs a value (see 'clcnn %s --help')", argv[*i], cmd);
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

static void log_to_stderr(void *user, clcnn_log_level level, const char *msg)
{
    (void)user;
    if (level >= CLCNN_LOG_INFO) { /* build logs span lines; other controls escaped */
        fputs("clcnn: ", stderr);
        cli_fput_safe(msg, 1, stderr);
        fputc('\n', stderr);
    }
}

clcnn_context *cli_context(const char *cmd, const char *device, int no_cache)
{
    return cli_context_store(cmd, device, no_cache, CLCNN_CACHE_STORE_AUTO, NULL);
}

clcnn_context *cli_context_store(const char *cmd, const char *device, int no_cache,
                                 clcnn_cache_store store, cli_prewarm *pw)
{
    clcnn_context_options opt;
    clcnn_context_options_init(&opt);
    opt.device = device;
    opt.no_cache = no_cache;
    opt.cache_store = store;
    opt.log = log_to_stderr;
    if (pw) { /* run: one model, one workload */
        cli_lean_options(&opt);
        cli_prewarm_options(&opt, pw);
    }
    clcnn_context *ctx = NULL;
    char err[2048];
    clcnn_status st = clcnn_context_create(&opt, &ctx, err, sizeof err);
    if (st != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", err);
        return NULL;
    }
    return ctx;
}

const char *cli_thousands(long long v, char *buf, size_t len)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", v < 0 ? -v : v);
    size_t n = strlen(raw), pos = 0;
    if (v < 0 && pos + 1 < len)
        buf[pos++] = '-';
    for (size_t i = 0; i < n && pos + 2 < len; i++) {
        if (i && (n - i) % 3 == 0)
            buf[pos++] = ',';
        buf[pos++] = raw[i];
    }
    buf[pos] = '\0';
    return buf;
}

void cli_json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

void cli_json_num(double v)
{
    if (isfinite(v))
        printf("%.6g", v);
    else
        printf("null");
}

size_t cli_numel(const clcnn_tensor_info *t)
{
    size_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= (size_t)t->dims[d];
    return n;
}

void cli_shape_str(int ndim, const int64_t *dims, char *buf, size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (int d = 0; d < ndim && pos < len; d++)
        pos += (size_t)snprintf(buf + pos, len - pos, d ? "x%lld" : "%lld", (long long)dims[d]);
}

int cli_precision_flag(int argc, char **argv, int *i, const char *cmd, clcnn_precision *p)
{
    if (strcmp(argv[*i], "--precision") != 0)
        return 0;
    const char *v = cli_flag_value(argc, argv, i, cmd);
    if (!v)
        return -1;
    if (clcnn_precision_parse(v, p) != CLCNN_OK) {
        cli_error(CLI_USAGE, cmd, "--precision '%s': expected fp32, fp16 or auto", v);
        return -1;
    }
    return 1;
}

void cli_precision_report(const char *cmd, const clcnn_session *s)
{
    clcnn_precision_info pi;
    if (!s || clcnn_session_precision(s, &pi) != CLCNN_OK || pi.requested == CLCNN_PRECISION_FP32)
        return;
    if (pi.note[0])
        fprintf(stderr, "clcnn %s: %s\n", cmd, pi.note);
    fprintf(stderr, "clcnn %s: precision %s: %d layers fp16, %d fp32, %d conversions", cmd,
            clcnn_precision_str(pi.requested), pi.half_layers, pi.float_layers, pi.conversions);
    if (pi.calib_error >= 0)
        fprintf(stderr, "; calibration error %.2g", pi.calib_error);
    fputc('\n', stderr);
}

void cli_precision_table(const clcnn_session *s)
{
    clcnn_layer_precision *rows = NULL;
    int n = 0;
    clcnn_precision_info pi;
    if (clcnn_session_precision(s, &pi) != CLCNN_OK ||
        clcnn_session_layer_precision(s, &rows, &n) != CLCNN_OK)
        return;
    printf("\nprecision    %s requested: %d layers fp16, %d fp32, %d conversions",
           clcnn_precision_str(pi.requested), pi.half_layers, pi.float_layers, pi.conversions);
    if (pi.calib_error >= 0)
        printf("; outputs within %.2g of fp32 on the calibration input", pi.calib_error);
    printf("\n%s%s", pi.note, pi.note[0] ? "\n" : "");
    printf("%-48s %-20s %-7s %s\n", "layer", "op", "storage", "fp16 error (all-fp16 calibration run)");
    for (int i = 0; i < n; i++) {
        char name[49];
        cli_safe(rows[i].name ? rows[i].name : "", name, sizeof name);
        printf("%-48s %-20s %-7s", name, rows[i].op, rows[i].half ? "fp16" : "fp32");
        if (rows[i].fp16_error >= 0)
            printf(" %.2e", rows[i].fp16_error);
        putchar('\n');
    }
    clcnn_free(rows);
    clcnn_memory_info m;
    if (clcnn_session_memory(s, &m) == CLCNN_OK)
        printf("memory       weights %.3f MiB + activations %.3f MiB (after reuse) = %.3f MiB\n",
               m.weight_bytes / 1048576.0, m.act_bytes / 1048576.0,
               (m.weight_bytes + m.act_bytes) / 1048576.0);
}
