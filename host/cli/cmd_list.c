/* cmd_list.c — `clcnn list`: one line per built-in architecture with its
 * family, source document, parameters and MACs at the default options (each
 * is built once on the reference context to count them). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const list_usage =
    "usage: clcnn list [--names]\n"
    "Lists the built-in architectures (name, family, seed document, params, MACs at\n"
    "the defaults: width 1, 1000 classes, 224x224 or 299x299 for xception).\n"
    "  --names  only the names, one per line\n";

int cmd_list(int argc, char **argv)
{
    const char *cmd = "list";
    int names_only = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(list_usage, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--names") == 0) {
            names_only = 1;
        } else {
            return argv[i][0] == '-' ? cli_bad_flag(cmd, argv[i])
                                     : cli_error(CLI_USAGE, cmd, "takes no arguments (got '%s')", argv[i]);
        }
    }
    clcnn_arch_info info;
    if (names_only) {
        for (int i = 0; clcnn_builtin_info(i, &info) == CLCNN_OK; i++)
            printf("%s\n", info.name);
        return CLI_OK;
    }
    clcnn_context *ctx = cli_context(cmd, "ref", 1);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    printf("%-28s %-14s %-5s %14s %16s\n", "name", "family", "seed", "params", "MACs");
    for (int i = 0; clcnn_builtin_info(i, &info) == CLCNN_OK; i++) {
        clcnn_model *m = NULL;
        if (clcnn_model_builtin(ctx, info.name, NULL, &m) != CLCNN_OK) {
            rc = cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
            continue;
        }
        long long params = 0, macs = 0;
        clcnn_layer_info L;
        for (int l = 0; l < clcnn_model_num_layers(m); l++)
            if (clcnn_model_layer(m, l, &L) == CLCNN_OK) {
                params += L.params;
                macs += L.macs;
            }
        char p[32], mc[32];
        printf("%-28s %-14s %-5s %14s %16s\n", info.name, info.family, info.seed,
               cli_thousands(params, p, sizeof p), cli_thousands(macs, mc, sizeof mc));
        clcnn_model_destroy(m);
    }
    clcnn_context_destroy(ctx);
    return rc;
}
