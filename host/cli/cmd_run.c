/* cmd_run.c — `clcnn run MODEL --input IN.npy --output OUT.npy`: one
 * inference on NPY tensors, the output written atomically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "npy.h"

#define RUN_MAX_IO 8

static const char *const run_usage =
    "usage: clcnn run MODEL --input IN.npy [--input IN2.npy ...] --output OUT.npy [--output ...]\n"
    "                 [--device auto|gpu|cpu|ref|N|NAME] [--no-cache]\n"
    "Runs MODEL (an .onnx file or a built-in architecture name) once. Inputs are float32\n"
    "C-order NPY files, one per model input in order, each of the input's exact shape.\n"
    "Outputs are written as float32 NPY, atomically (never half-written).\n";

static int shape_matches(const npy_array *a, const clcnn_tensor_info *ti)
{
    if (a->ndim != ti->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->dims[d] != ti->dims[d])
            return 0;
    return 1;
}

int cmd_run(int argc, char **argv)
{
    const char *cmd = "run", *model_path = NULL, *device = NULL;
    const char *in_paths[RUN_MAX_IO], *out_paths[RUN_MAX_IO];
    int n_in = 0, n_out = 0, no_cache = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            fputs(run_usage, stdout);
            return CLI_OK;
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "--output") == 0) {
            const char *v = cli_flag_value(argc, argv, &i, cmd);
            if (!v)
                return CLI_USAGE;
            int is_in = a[2] == 'i';
            if ((is_in ? n_in : n_out) >= RUN_MAX_IO)
                return cli_error(CLI_USAGE, cmd, "at most %d %s files", RUN_MAX_IO, a);
            if (is_in)
                in_paths[n_in++] = v;
            else
                out_paths[n_out++] = v;
        } else if (strcmp(a, "--device") == 0) {
            if (!(device = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(a, "--no-cache") == 0) {
            no_cache = 1;
        } else if (a[0] == '-' && a[1]) {
            return cli_bad_flag(cmd, a);
        } else if (!model_path) {
            model_path = a;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn run --help')", a);
        }
    }
    if (!model_path || n_in == 0 || n_out == 0)
        return cli_error(CLI_USAGE, cmd, "needs MODEL, --input and --output (see 'clcnn run --help')");

    int rc = CLI_FAIL;
    npy_array ins[RUN_MAX_IO] = {{0}};
    float *outs[RUN_MAX_IO] = {0};
    clcnn_model *model = NULL;
    clcnn_session *sess = NULL;
    char err[1024];
    clcnn_context *ctx = cli_context(cmd, device, no_cache);
    if (!ctx)
        return CLI_FAIL;
    if (clcnn_model_load(ctx, model_path, &model) != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        goto out;
    }
    int mi = clcnn_model_num_inputs(model), mo = clcnn_model_num_outputs(model);
    if (n_in != mi) {
        cli_error(CLI_FAIL, cmd, "%s: model has %d input(s), %d --input file(s) given", model_path, mi, n_in);
        goto out;
    }
    if (n_out > mo) {
        cli_error(CLI_FAIL, cmd, "%s: model has %d output(s), %d --output file(s) given", model_path, mo, n_out);
        goto out;
    }
    for (int i = 0; i < n_in; i++) {
        clcnn_tensor_info ti;
        clcnn_model_input(model, i, &ti);
        if (npy_read_f32(in_paths[i], &ins[i], err, sizeof err)) {
            cli_error(CLI_FAIL, cmd, "%s", err);
            goto out;
        }
        if (!shape_matches(&ins[i], &ti)) {
            char a[96], b[96];
            cli_shape_str(ins[i].ndim, ins[i].dims, a, sizeof a);
            cli_shape_str(ti.ndim, ti.dims, b, sizeof b);
            cli_error(CLI_FAIL, cmd, "%s: shape %s does not match model input '%s' (%s)", in_paths[i],
                      a, ti.name, b);
            goto out;
        }
    }
    for (int i = 0; i < mo; i++) {
        clcnn_tensor_info ti;
        clcnn_model_output(model, i, &ti);
        outs[i] = malloc(cli_numel(&ti) * sizeof(float) + 1);
        if (!outs[i]) {
            cli_error(CLI_FAIL, cmd, "out of memory");
            goto out;
        }
    }
    if (clcnn_session_create(ctx, model, NULL, &sess) != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        goto out;
    }
    const float *in_ptrs[RUN_MAX_IO];
    for (int i = 0; i < n_in; i++)
        in_ptrs[i] = ins[i].data;
    if (clcnn_session_run(sess, in_ptrs, outs) != CLCNN_OK) {
        cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
        goto out;
    }
    for (int i = 0; i < n_out; i++) {
        clcnn_tensor_info ti;
        clcnn_model_output(model, i, &ti);
        if (npy_write_f32(out_paths[i], outs[i], ti.ndim, ti.dims, err, sizeof err)) {
            cli_error(CLI_FAIL, cmd, "%s", err);
            goto out;
        }
    }
    rc = CLI_OK;
out:
    for (int i = 0; i < RUN_MAX_IO; i++) {
        npy_free(&ins[i]);
        free(outs[i]);
    }
    clcnn_session_destroy(sess);
    clcnn_model_destroy(model);
    clcnn_context_destroy(ctx);
    return rc;
}
