/* cmd_run.c — `clcnn run MODEL --input IN.npy --output OUT.npy`: one
 * inference on NPY tensors through clcnn_session_run_tensors, each output
 * written atomically in its own dtype. A model whose batch is symbolic takes
 * any batch N in its inputs and writes batch-N outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_fill.h"
#include "prewarm.h"
#include "cli.h"
#include "npy.h"

static const char *const run_usage =
    "usage: clcnn run MODEL --input IN.npy [--input IN2.npy ...] --output OUT.npy [--output ...]\n"
    "                 [--device auto|gpu|cpu|ref|N|NAME] [--no-cache] [--precision fp32|fp16|auto]\n"
    "Runs MODEL (an .onnx file or a built-in architecture name) once. Inputs are float32\n"
    "C-order NPY files, one per model input in order, each of the input's exact shape (any\n"
    "batch in dim 0 where the model's batch is symbolic); none for a model without inputs.\n"
    "Outputs are written as NPY in their own dtype (float32, int64, float16, bool, ...),\n"
    "atomically (never half-written).\n"
    "--precision: fp16 stores weights and activations as half on a device with cl_khr_fp16;\n"
    "auto keeps fp32 where fp16 errs by more than 1e-3, calibrating on these inputs.\n";

typedef struct run_args {
    const char *model, *device;
    const char **in_paths, **out_paths; /* argc entries each: no fixed limit */
    int n_in, n_out, no_cache;
    clcnn_precision precision;
} run_args;

/* NumPy's descr for a dtype; NULL for one NPY cannot carry. */
static const char *npy_descr(clcnn_dtype t)
{
    switch (t) {
    case CLCNN_DTYPE_FLOAT32: return "<f4";
    case CLCNN_DTYPE_FLOAT64: return "<f8";
    case CLCNN_DTYPE_INT64: return "<i8";
    case CLCNN_DTYPE_INT32: return "<i4";
    case CLCNN_DTYPE_INT8: return "|i1";
    case CLCNN_DTYPE_UINT8: return "|u1";
    case CLCNN_DTYPE_BOOL: return "|b1";
    case CLCNN_DTYPE_FLOAT16: return "<f2";
    case CLCNN_DTYPE_INT16: return "<i2";
    case CLCNN_DTYPE_UINT16: return "<u2";
    case CLCNN_DTYPE_UINT32: return "<u4";
    case CLCNN_DTYPE_UINT64: return "<u8";
    default: return NULL;
    }
}

/* Rank and every dim equal; dim 0 may differ where the batch is dynamic. */
static int shape_matches(const npy_array *a, const clcnn_tensor_info *ti)
{
    if (a->ndim != ti->ndim)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->dims[d] != ti->dims[d] && !(d == 0 && ti->dynamic_batch && a->dims[0] >= 1))
            return 0;
    return 1;
}

static int parse_args(int argc, char **argv, run_args *a)
{
    const char *cmd = "run";
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (cli_is_help(s)) {
            fputs(run_usage, stdout);
            return -1;
        } else if (strcmp(s, "--input") == 0 || strcmp(s, "--output") == 0) {
            const char *v = cli_flag_value(argc, argv, &i, cmd);
            if (!v)
                return CLI_USAGE;
            if (s[2] == 'i')
                a->in_paths[a->n_in++] = v;
            else
                a->out_paths[a->n_out++] = v;
        } else if (strcmp(s, "--device") == 0) {
            if (!(a->device = cli_flag_value(argc, argv, &i, cmd)))
                return CLI_USAGE;
        } else if (strcmp(s, "--no-cache") == 0) {
            a->no_cache = 1;
        } else if (strcmp(s, "--precision") == 0) {
            if (cli_precision_flag(argc, argv, &i, cmd, &a->precision) < 0)
                return CLI_USAGE;
        } else if (s[0] == '-' && s[1]) {
            return cli_bad_flag(cmd, s);
        } else if (!a->model) {
            a->model = s;
        } else {
            return cli_error(CLI_USAGE, cmd, "unexpected argument '%s' (see 'clcnn run --help')", s);
        }
    }
    /* no --input is right for a model without inputs (its outputs are constants);
     * run_model checks the count against the model */
    if (!a->model || a->n_out == 0)
        return cli_error(CLI_USAGE, cmd, "needs MODEL, --input and --output (see 'clcnn run --help')");
    return 0;
}

/* Reads input file i into ins[i] and describes it as tensor t. */
static int read_input(const clcnn_model *m, const run_args *a, int i, npy_array *arr, clcnn_tensor *t)
{
    char err[1024];
    clcnn_tensor_info ti;
    clcnn_model_input(m, i, &ti);
    /* the model input's own dtype (float32 but for models fed integers or bools) */
    const char *descr = npy_descr(ti.dtype);
    if (!descr)
        return cli_error(CLI_FAIL, "run", "model input '%s' has dtype %s, which NPY cannot hold",
                         ti.name, clcnn_dtype_str(ti.dtype));
    if (npy_read(a->in_paths[i], descr, clcnn_dtype_str(ti.dtype), clcnn_dtype_size(ti.dtype), arr,
                 err, sizeof err))
        return cli_error(CLI_FAIL, "run", "%s", err);
    if (!shape_matches(arr, &ti)) {
        char got[96], want[96];
        cli_shape_str(arr->ndim, arr->dims, got, sizeof got);
        cli_shape_str(ti.ndim, ti.dims, want, sizeof want);
        return cli_error(CLI_FAIL, "run", "%s: shape %s does not match model input '%s' (%s%s)",
                         a->in_paths[i], got, ti.name, want,
                         ti.dynamic_batch ? ", any batch in dim 0" : "");
    }
    t->dtype = ti.dtype;
    t->ndim = arr->ndim;
    memcpy(t->dims, arr->dims, sizeof(int64_t) * (size_t)arr->ndim);
    t->data = arr->data;
    t->bytes = arr->count * clcnn_dtype_size(ti.dtype);
    return 0;
}

static int write_outputs(const run_args *a, const clcnn_tensor *outs)
{
    char err[1024];
    for (int i = 0; i < a->n_out; i++) {
        const char *descr = npy_descr(outs[i].dtype);
        if (!descr)
            return cli_error(CLI_FAIL, "run", "output %d has dtype %s, which NPY cannot hold", i,
                             clcnn_dtype_str(outs[i].dtype));
        if (npy_write(a->out_paths[i], outs[i].data, descr, clcnn_dtype_size(outs[i].dtype), outs[i].ndim,
                      outs[i].dims, err, sizeof err))
            return cli_error(CLI_FAIL, "run", "%s", err);
    }
    return 0;
}

/* Model loaded on ctx: checks the file counts, reads the inputs, runs, writes. */
/* Sets *taken once the session owns m (clcnn_session_create_owning: it frees
 * the weights its device copied); the caller destroys m only when not taken. */
static int run_model(clcnn_context *ctx, clcnn_model *m, const run_args *a, int *taken)
{
    const char *cmd = "run";
    int mi = clcnn_model_num_inputs(m), mo = clcnn_model_num_outputs(m);
    if (a->n_in != mi)
        return cli_error(CLI_FAIL, cmd, "%s: model has %d input(s), %d --input file(s) given", a->model, mi,
                         a->n_in);
    if (a->n_out > mo)
        return cli_error(CLI_FAIL, cmd, "%s: model has %d output(s), %d --output file(s) given", a->model,
                         mo, a->n_out);
    npy_array *arrs = calloc((size_t)mi + 1, sizeof *arrs);
    clcnn_tensor *ins = calloc((size_t)mi + 1, sizeof *ins), *outs = calloc((size_t)mo + 1, sizeof *outs);
    clcnn_session *sess = NULL;
    int rc = !arrs || !ins || !outs ? cli_error(CLI_FAIL, cmd, "out of memory") : 0;
    for (int i = 0; !rc && i < mi; i++)
        rc = read_input(m, a, i, &arrs[i], &ins[i]);
    clcnn_session_options so;
    clcnn_session_options_init(&so);
    so.precision = a->precision;
    /* auto calibrates on the user's own inputs when they are float32 at the
     * model's shapes (else on the documented default input) */
    const float **calib = calloc((size_t)mi + 1, sizeof *calib);
    int own = calib != NULL;
    for (int i = 0; !rc && own && i < mi; i++) {
        clcnn_tensor_info ti;
        clcnn_model_input(m, i, &ti);
        own = ins[i].dtype == CLCNN_DTYPE_FLOAT32 && ins[i].ndim == ti.ndim &&
              memcmp(ins[i].dims, ti.dims, sizeof(int64_t) * (size_t)ti.ndim) == 0;
        calib[i] = ins[i].data;
    }
    so.calibration = own ? (const float *const *)calib : NULL;
    if (!rc) {
        *taken = 1;
        if (clcnn_session_create_owning(ctx, m, &so, &sess) != CLCNN_OK)
            rc = cli_error(CLI_FAIL, cmd, "%s", clcnn_context_last_error(ctx));
    }
    free(calib);
    if (!rc)
        cli_precision_report(cmd, sess);
    /* the background cache fill wants the session's programs and its launches
     * compiled (cli_fill_warm), the prewarm helper its kernels compiled:
     * nothing more */
    if (!rc)
        cli_fill_warm(sess);
    const int run = !rc && !cli_fill_child() && !cli_prewarm_run(sess);
    /* outputs[].data NULL: the library allocates each at its run-time shape */
    if (run && clcnn_session_run_tensors(sess, ins, mi, outs, mo) != CLCNN_OK)
        rc = cli_error(CLI_FAIL, cmd, "%s", clcnn_session_last_error(sess));
    if (run && !rc)
        rc = write_outputs(a, outs);
    for (int i = 0; arrs && i < mi; i++)
        npy_free(&arrs[i]);
    for (int i = 0; outs && i < mo; i++)
        clcnn_free(outs[i].data);
    clcnn_session_destroy(sess);
    free(arrs), free(ins), free(outs);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_run(int argc, char **argv)
{
    run_args a = {0};
    a.in_paths = calloc((size_t)argc + 1, sizeof *a.in_paths);
    a.out_paths = calloc((size_t)argc + 1, sizeof *a.out_paths);
    int rc = !a.in_paths || !a.out_paths ? cli_error(CLI_FAIL, "run", "out of memory")
                                         : parse_args(argc, argv, &a);
    if (rc == 0) {
        clcnn_model *model = NULL;
        int taken = 0;
        cli_prewarm pw = {0};
        clcnn_context *ctx = cli_context_store("run", a.device, a.no_cache, cli_fill_store_mode(), &pw);
        int lock = -1;
        if (!ctx)
            rc = CLI_FAIL;
        else if (cli_fill_child() && (lock = cli_fill_begin(ctx)) < 0)
            rc = CLI_OK; /* another fill runs, or there is no cache to fill */
        else if (clcnn_model_load(ctx, a.model, &model) != CLCNN_OK)
            rc = cli_error(CLI_FAIL, "run", "%s", clcnn_context_last_error(ctx));
        else if ((rc = run_model(ctx, model, &a, &taken)) == CLI_OK)
            cli_fill_spawn(ctx);
        if (!taken)
            clcnn_model_destroy(model);
        cli_prewarm_wait(&pw);
        clcnn_context_destroy(ctx);
        cli_fill_end(lock);
    } else if (rc < 0) {
        rc = CLI_OK; /* --help */
    }
    free(a.in_paths);
    free(a.out_paths);
    return rc;
}
