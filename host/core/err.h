/* err.h — the error record every internal call fills on failure.
 * One fixed line for the message (what the CLI prints) plus an optional heap
 * detail (a kernel build log) so a long log never truncates the one-liner. */
#ifndef CLCNN_CORE_ERR_H
#define CLCNN_CORE_ERR_H

#include "clcnn.h"

#define CLCNN_ERR_MSG_LEN 1024

typedef struct clcnn_err {
    clcnn_status status;
    char msg[CLCNN_ERR_MSG_LEN];
    char *detail; /* owned, may be NULL: e.g. the OpenCL build log */
} clcnn_err;

/* Formats msg, stores status, returns status so call sites can `return err_set(...)`.
 * err may be NULL (the message is then dropped). */
clcnn_status err_set(clcnn_err *err, clcnn_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Takes ownership of a heap string as the detail (replacing any earlier one). */
void err_set_detail(clcnn_err *err, char *detail);
void err_clear(clcnn_err *err);
/* old with "; " and msg appended (old freed), or msg alone when old is NULL: the
 * plan's per-node notes ("why this fusion was refused"). Out of memory returns
 * old unchanged: a note is lost, never the plan. */
char *err_note_append(char *old, const char *msg);

#endif
