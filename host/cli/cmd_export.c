/* cmd_export.c — `clcnn export ARCH OUT.onnx`: writes a built-in architecture
 * (or re-writes an ONNX model) as a standard ONNX file, weights inline,
 * atomically. Runs on the reference context: no OpenCL needed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const export_usage =
    "usage: clcnn export ARCH|MODEL OUT.onnx [--width W] [--depth D] [--classes N]\n"
    "                    [--input-size S] [--seed N]\n"
    "Writes a built-in architecture (see 'clcnn list') with deterministic random\n"
    "weights as an ONNX file (opset 14, weights inline). OUT.onnx appears whole or\n"
    "not at all.\n";

int cmd_export(int argc, char **argv)
{
    const char *cmd = "export", *what = NULL, *out_path = NULL;
    clcnn_builtin_options opt;
    clcnn_builtin_options_init(&opt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (cli_is_help(a)) {
            fputs(export_usage, stdout);
            return CLI_OK;
        } else if ((r = cli_builtin_flag(argc, argv, &i, cmd, &opt)) != 0) {
            if (r < 0)
                return CLI_USAGE;
        } else if (a[0] == '-' && a[1]) {
            return cli_bad_flag(cmd, a);
        } else if (!what) {
            what = a;
        } else if (!out_path) {
            out_path = a;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn export --help')", a);
        }
    }
    if (!what || !out_path)
        return cli_error(CLI_USAGE, cmd, "needs ARCH and OUT.onnx (see 'clcnn export --help')");
    clcnn_context *ctx = cli_context(cmd, "ref", 1);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    char err[1024];
    clcnn_model *m = cli_model_open(ctx, cmd, what, &opt);
    if (!m)
        rc = CLI_FAIL;
    else if (clcnn_model_export_onnx(m, out_path, err, sizeof err) != CLCNN_OK)
        rc = cli_error(CLI_FAIL, cmd, "%s", err);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}
