/* classify.c — a whole libclcnn program: find and load a model, preprocess a
 * photo exactly as `clcnn classify` does, run it, print the top 5 in that
 * command's text format (so the two can be diffed).
 *   usage: classify IMAGE [DEVICE [MODEL]]   DEVICE: auto, gpu, cpu, ref, N
 *   build: cc classify.c $(pkg-config --cflags --libs clcnn) -lm
 * MODEL defaults to CLCNN_DEFAULT_MODEL, searched as clcnn.h describes. */
#include <clcnn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4)
        return fprintf(stderr, "usage: %s IMAGE [DEVICE [MODEL]]\n", argv[0]), 2;
    clcnn_context_options opt;
    clcnn_context_options_init(&opt);
    opt.device = argc > 2 ? argv[2] : NULL; /* NULL: auto */
    clcnn_context *ctx = NULL;
    clcnn_model *m = NULL;
    clcnn_session *s = NULL;
    clcnn_preprocess pp;
    clcnn_preprocess_init(&pp);
    clcnn_tensor_info out;
    char err[2048] = "", model[4096], label[256];
    float *in = NULL, *logit = NULL;
    double *p = NULL, sum = 0, mx = -INFINITY;
    size_t n_in, classes = 1;
    int rc = 1;
    if (clcnn_context_create(&opt, &ctx, err, sizeof err) ||
        clcnn_model_find(argc > 3 ? argv[3] : NULL, model, sizeof model, err, sizeof err))
        goto done;
    if (clcnn_model_load(ctx, model, &m) || clcnn_session_create(ctx, m, NULL, &s)) {
        snprintf(err, sizeof err, "%s", clcnn_context_last_error(ctx));
        goto done;
    }
    if (clcnn_model_preprocess(m, &pp, err, sizeof err) || clcnn_model_output(m, 0, &out))
        goto done;
    n_in = clcnn_image_tensor_size(&pp, 0, 0); /* crop is set: 3 x crop x crop */
    for (int d = 0; d < out.ndim; d++)
        classes *= (size_t)out.dims[d];
    in = malloc(n_in * sizeof *in);
    logit = malloc(classes * sizeof *logit);
    p = malloc(classes * sizeof *p);
    if (!in || !logit || !p || clcnn_image_to_tensor(argv[1], &pp, in, n_in, err, sizeof err) ||
        clcnn_session_run(s, (const float *const[]){in}, (float *const[]){logit})) {
        if (!err[0])
            snprintf(err, sizeof err, "%s", in && logit && p ? clcnn_session_last_error(s) : "out of memory");
        goto done;
    }
    /* probabilities as `clcnn classify` computes them: softmax in double,
     * unless the model already ends in Softmax */
    const char *op = clcnn_model_output_op(m, 0);
    int softmax = !op || strcmp(op, "Softmax") != 0;
    for (size_t i = 0; i < classes; i++)
        mx = logit[i] > mx ? logit[i] : mx;
    for (size_t i = 0; i < classes; i++)
        sum += p[i] = softmax ? exp(logit[i] - mx) : logit[i];
    printf("%s\n", argv[1]);
    for (int k = 1; k <= 5 && (size_t)k <= classes; k++) {
        size_t best = 0; /* the largest left; ties keep the lower index, as classify */
        for (size_t i = 1; i < classes; i++)
            best = p[i] > p[best] ? i : best;
        printf("%3d  %.6f  %4zu  %s\n", k, softmax ? p[best] / sum : p[best], best,
               clcnn_model_label(m, (int)best, label, sizeof label));
        p[best] = -INFINITY;
    }
    rc = 0;
done:
    if (rc)
        fprintf(stderr, "classify: %s\n", err);
    free(in);
    free(logit);
    free(p);
    clcnn_session_destroy(s);
    clcnn_model_destroy(m);
    clcnn_context_destroy(ctx);
    return rc;
}
