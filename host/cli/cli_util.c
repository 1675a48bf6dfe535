/* cli_util.c — helpers shared by the commands: errors, flags, context. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_error(int code, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "clcnn %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
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
    if (level >= CLCNN_LOG_INFO)
        fprintf(stderr, "clcnn: %s\n", msg);
}

clcnn_context *cli_context(const char *cmd, const char *device, int no_cache)
{
    clcnn_context_options opt;
    clcnn_context_options_init(&opt);
    opt.device = device;
    opt.no_cache = no_cache;
    opt.log = log_to_stderr;
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
