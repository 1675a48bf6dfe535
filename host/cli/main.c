/* main.c — `clcnn` entry: the command table and global flags. Each command
 * lives in its own cmd_*.c and parses its own flags. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "npy.h"

typedef struct cli_cmd {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} cli_cmd;

static const cli_cmd commands[] = {
    {"classify", cmd_classify, "top-K ImageNet labels for photos"},
    {"run", cmd_run, "run a model on an NPY input, write the NPY output"},
    {"compare", cmd_compare, "OpenCL vs the reference backend, layer by layer"},
    {"bench", cmd_bench, "latency and a per-layer profile"},
    {"tune", cmd_tune, "measure kernel choices (CLBlast, work-group sizes) and store them"},
    {"summary", cmd_summary, "Keras-like table of a model: shapes, params, MACs"},
    {"list", cmd_list, "the built-in architectures"},
    {"export", cmd_export, "write a built-in architecture as ONNX"},
    {"devices", cmd_devices, "list OpenCL platforms and devices"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: clcnn COMMAND [ARGS] (clcnn COMMAND --help for its flags)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-10s %s\n", "help", "this text");
    fprintf(f, "\nglobal: clcnn --version | clcnn --help\n");
}

int main(int argc, char **argv)
{
    npy_install_cleanup();
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("clcnn %s\n", clcnn_version());
        return CLI_OK;
    }
    if (strcmp(name, "help") == 0 || cli_is_help(name)) {
        if (argc > 2 && strcmp(name, "help") == 0) {
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(commands[i].name, argv[2]) == 0) {
                    char *sub[] = {argv[2], "--help", NULL};
                    return commands[i].fn(2, sub);
                }
            return cli_error(CLI_USAGE, "help", "unknown command '%s'", argv[2]);
        }
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "clcnn: unknown command '%s' (see 'clcnn --help')\n", name);
    return CLI_USAGE;
}
