/* session_release.c — what a session that owns its model (clcnn_session_create_owning)
 * frees of the model's weights, and when.
 *
 * A plan graph borrows the model's weight payloads (ir_clone_shared). Where the
 * device holds its own copy of one (packed, converted to half, or uploaded to a
 * GPU), the model's bytes are a second copy nobody reads again: no other session
 * may be made from an owned model, and a static batch never re-plans. Freeing
 * each as soon as its copy exists keeps the process's peak at one copy plus a
 * tensor, not two copies of every weight. Payloads the plan stopped reading
 * (BatchNormalization folded into a new Conv weight) go before the upload. */
#include <stdint.h>
#include <stdlib.h>

#include "session_release.h"

typedef struct by_data {
    uintptr_t data;
    int t;
} by_data;

static int cmp_data(const void *a, const void *b)
{
    const uintptr_t x = ((const by_data *)a)->data, y = ((const by_data *)b)->data;
    return x < y ? -1 : x > y;
}

static int is_output(const ir_graph *g, int t)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

/* Small constants stay: shape and axis operands that host code reads, and too
 * few bytes to matter (the same floor as the plan's own releases). */
static int releasable(const ir_graph *mg, int mt)
{
    const ir_tensor *x = &mg->tensors[mt];
    return x->data && !x->borrowed && !x->released && ir_nbytes(x) >= IR_PAGE && !is_output(mg, mt);
}

/* Frees model tensor mt and points every plan tensor that borrowed it at the
 * released placeholder (none of them is read again). */
static void release_model_tensor(model_release *r, int mt)
{
    ir_tensor *x = &r->mg->tensors[mt];
    ir_tensor_release(x);
    for (int t = 0; t < r->pg->n_tensors; t++)
        if (r->of[t] == mt) {
            r->pg->tensors[t].data = x->data;
            r->pg->tensors[t].released = 1;
            r->of[t] = -1;
        }
    r->released_bytes += ir_nbytes(x);
    r->n_released++;
}

clcnn_status model_release_begin(model_release *r, ir_graph *mg, ir_graph *pg, clcnn_err *err)
{
    *r = (model_release){.mg = mg, .pg = pg};
    const int nm = mg->n_tensors, np = pg->n_tensors;
    by_data *idx = malloc(sizeof *idx * (size_t)(nm + 1));
    r->of = malloc(sizeof(int) * (size_t)(np + 1));
    r->live = calloc((size_t)nm + 1, sizeof(int));
    r->done = calloc((size_t)np + 1, 1);
    if (!idx || !r->of || !r->live || !r->done) {
        free(idx);
        model_release_end(r);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning the weights' release");
    }
    int n = 0;
    for (int t = 0; t < nm; t++)
        if (releasable(mg, t))
            idx[n++] = (by_data){(uintptr_t)mg->tensors[t].data, t};
    qsort(idx, (size_t)n, sizeof *idx, cmp_data);
    for (int t = 0; t < np; t++) {
        const ir_tensor *x = &pg->tensors[t];
        const by_data key = {(uintptr_t)x->data, 0};
        const by_data *hit = x->borrowed && !x->released && n
                                 ? bsearch(&key, idx, (size_t)n, sizeof *idx, cmp_data)
                                 : NULL;
        r->of[t] = hit ? hit->t : -1;
        /* a borrower the plan never reads (a dead tensor the passes left) does
         * not keep the payload; one the plan reads keeps it until copied */
        if (hit && ir_consumers(pg, t) > 0) /* graph outputs count */
            r->live[hit->t]++;
    }
    /* what no live plan tensor borrows (the passes replaced it) goes now */
    for (int i = 0; i < n; i++)
        if (!r->live[idx[i].t])
            release_model_tensor(r, idx[i].t);
    free(idx);
    return CLCNN_OK;
}

void model_release_copied(model_release *r, int t)
{
    if (!r->of || t < 0 || t >= r->pg->n_tensors || r->done[t])
        return;
    r->done[t] = 1;
    const int mt = r->of[t];
    /* a constant graph output is copied from its host bytes at each run: it
     * keeps them (its count never falls to 0) */
    if (mt >= 0 && ir_consumers(r->pg, t) > 0 && !is_output(r->pg, t) && --r->live[mt] == 0)
        release_model_tensor(r, mt);
}

void model_release_end(model_release *r)
{
    free(r->of);
    free(r->live);
    free(r->done);
    r->of = NULL;
    r->live = NULL;
    r->done = NULL;
}
