/* builtin.c — the public face of models/: listing the built-in architectures,
 * building one into a model (then the same fold + shape pass an ONNX load
 * gets), and writing any model back out as ONNX. */
#include <stdio.h>
#include <string.h>

#include "api_internal.h"
#include "../onnx/onnx.h"
#include "../ops/op.h"
#include "../../models/builtin.h"

int clcnn_builtin_count(void)
{
    int n = 0;
    for (const builtin_arch *a = builtin_list(); a->name; a++)
        n++;
    return n;
}

clcnn_status clcnn_builtin_info(int i, clcnn_arch_info *out)
{
    if (!out || i < 0 || i >= clcnn_builtin_count())
        return CLCNN_ERR_INVALID_ARG;
    const builtin_arch *a = &builtin_list()[i];
    out->name = a->name;
    out->family = a->family;
    out->seed = a->seed;
    return CLCNN_OK;
}

/* "unknown architecture 'x' (known: a, b, ...)" */
static clcnn_status unknown_arch(clcnn_err *err, const char *arch)
{
    char names[CLCNN_ERR_MSG_LEN / 2];
    size_t pos = 0;
    names[0] = '\0';
    for (const builtin_arch *a = builtin_list(); a->name && pos < sizeof names; a++)
        pos += (size_t)snprintf(names + pos, sizeof names - pos, "%s%s", pos ? ", " : "", a->name);
    return err_set(err, CLCNN_ERR_INVALID_ARG, "unknown architecture '%s' (known: %s)", arch, names);
}

/* The builder parameters of opt, reading only the fields its struct_size covers. */
static void read_options(const clcnn_builtin_options *opt, builtin_params *p)
{
    if (!opt)
        return;
    if (OPT_HAS(opt, width))
        p->width = opt->width;
    if (OPT_HAS(opt, depth))
        p->depth = opt->depth;
    if (OPT_HAS(opt, classes))
        p->classes = opt->classes;
    if (OPT_HAS(opt, input_size))
        p->input_size = opt->input_size;
    if (OPT_HAS(opt, seed))
        p->seed = opt->seed;
}

clcnn_status clcnn_model_builtin(clcnn_context *ctx, const char *arch,
                                 const clcnn_builtin_options *opt, clcnn_model **out)
{
    clcnn_err err = {0};
    if (!ctx || !arch || !out)
        return api_fail(ctx, &(clcnn_err){CLCNN_ERR_INVALID_ARG,
                                          "clcnn_model_builtin: ctx, arch and out must not be NULL",
                                          NULL});
    *out = NULL;
    clcnn_status st = API_CHECK_OPT(opt, clcnn_builtin_options, &err);
    if (st != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    const builtin_arch *a = builtin_find(arch);
    if (!a) {
        unknown_arch(&err, arch);
        return api_fail_clear(ctx, &err);
    }
    builtin_params p = {0};
    read_options(opt, &p);
    ir_graph *g = NULL;
    st = a->build(&p, &g, &err);
    if (st == CLCNN_OK) {
        st = ops_fold_constants(g, &err);
        if (st != CLCNN_OK)
            ir_graph_free(g);
    }
    if (st != CLCNN_OK)
        return api_fail_clear(ctx, &err);
    return api_model_from_graph(ctx, g, out);
}

clcnn_status clcnn_model_export_onnx(const clcnn_model *m, const char *path, char *err_out,
                                     size_t err_len)
{
    clcnn_err err = {0};
    clcnn_status st = !m || !path
                          ? err_set(&err, CLCNN_ERR_INVALID_ARG,
                                    "clcnn_model_export_onnx: model and path must not be NULL")
                          : api_model_whole(m, "clcnn_model_export_onnx", &err)
                              ? err.status
                              : onnx_save(m->g, path, &err);
    if (st != CLCNN_OK && err_out && err_len)
        snprintf(err_out, err_len, "%s", err.msg);
    err_clear(&err);
    return st;
}
