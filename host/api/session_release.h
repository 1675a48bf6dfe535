/* session_release.h — an owning session frees its model's host weights once the
 * device holds its own copies (session_release.c). */
#ifndef CLCNN_API_SESSION_RELEASE_H
#define CLCNN_API_SESSION_RELEASE_H

#include <stddef.h>

#include "../core/err.h"
#include "../core/ir.h"

typedef struct model_release {
    ir_graph *mg;             /* the owned model's graph, whose payloads are freed */
    ir_graph *pg;             /* the plan graph borrowing them */
    int *of;                  /* per plan tensor: the model tensor it borrows, or -1 */
    int *live;                /* per model tensor: borrowers the plan reads, not yet copied */
    unsigned char *done;      /* per plan tensor: model_release_copied has seen it */
    size_t released_bytes;
    int n_released;
} model_release;

/* Maps pg's borrowed payloads to mg's tensors and frees at once the ones no
 * live plan tensor reads. */
clcnn_status model_release_begin(model_release *r, ir_graph *mg, ir_graph *pg, clcnn_err *err);
/* Plan tensor t's bytes are now on the device in a copy of its own: frees the
 * model's payload when t was its last reader. A no-op after _end or a failed _begin. */
void model_release_copied(model_release *r, int t);
void model_release_end(model_release *r);

#endif
