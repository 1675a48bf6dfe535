/* cli_model.c — how commands turn a MODEL argument into a model: an existing
 * file is ONNX, anything else a built-in architecture with the --width/--depth/
 * --classes/--input-size/--seed flags. Flag values are checked strictly here;
 * their meaning (valid multipliers, minimum sizes) is the library's to judge. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int parse_float(const char *cmd, const char *flag, const char *v, float *out)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || d != d)
        return cli_error(CLI_USAGE, cmd, "%s needs a number, got '%s'", flag, v), -1;
    *out = (float)d;
    return 0;
}

static int parse_int(const char *cmd, const char *flag, const char *v, long long lo, long long hi,
                     long long *out)
{
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi)
        return cli_error(CLI_USAGE, cmd, "%s needs an integer in [%lld, %lld], got '%s'", flag, lo, hi, v), -1;
    *out = n;
    return 0;
}

int cli_builtin_flag(int argc, char **argv, int *i, const char *cmd, clcnn_builtin_options *opt)
{
    const char *a = argv[*i];
    int is_w = strcmp(a, "--width") == 0, is_d = strcmp(a, "--depth") == 0;
    int is_c = strcmp(a, "--classes") == 0, is_s = strcmp(a, "--input-size") == 0;
    int is_seed = strcmp(a, "--seed") == 0;
    if (!is_w && !is_d && !is_c && !is_s && !is_seed)
        return 0;
    const char *v = cli_flag_value(argc, argv, i, cmd);
    if (!v)
        return -1;
    long long n = 0;
    if (is_w)
        return parse_float(cmd, a, v, &opt->width) ? -1 : 1;
    if (is_d)
        return parse_float(cmd, a, v, &opt->depth) ? -1 : 1;
    if (is_seed) {
        if (parse_int(cmd, a, v, 0, (long long)(~0ull >> 1), &n))
            return -1;
        opt->seed = (uint64_t)n;
        return 1;
    }
    if (parse_int(cmd, a, v, 1, 1 << 20, &n))
        return -1;
    if (is_c)
        opt->classes = (int)n;
    else
        opt->input_size = (int)n;
    return 1;
}

clcnn_model *cli_model_open(clcnn_context *ctx, const char *cmd, const char *what,
                            const clcnn_builtin_options *opt)
{
    struct stat sb;
    clcnn_model *m = NULL;
    clcnn_status st;
    if (stat(what, &sb) == 0) {
        clcnn_builtin_options none;
        clcnn_builtin_options_init(&none);
        if (memcmp(opt, &none, sizeof none) != 0) {
            cli_error(CLI_USAGE, cmd, "--width/--depth/--classes/--input-size/--seed apply to built-in "
                      "architectures, but '%s' is a file", what);
            return NULL;
        }
        st = clcnn_model_load(ctx, what, &m);
    } else {
        st = clcnn_model_builtin(ctx, what, opt, &m);
    }
    if (st != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        return NULL;
    }
    return m;
}
