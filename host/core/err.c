/* err.c — filling clcnn_err records and naming status codes. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
    "CLCNN_OK",
    "CLCNN_ERR_INVALID_ARG",
    "CLCNN_ERR_OUT_OF_MEMORY",
    "CLCNN_ERR_IO",
    "CLCNN_ERR_PARSE",
    "CLCNN_ERR_UNSUPPORTED",
    "CLCNN_ERR_SHAPE",
    "CLCNN_ERR_GRAPH",
    "CLCNN_ERR_NO_DEVICE",
    "CLCNN_ERR_CL",
    "CLCNN_ERR_KERNEL_BUILD",
    "CLCNN_ERR_INTERNAL",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == CLCNN_STATUS_COUNT,
               "every clcnn_status needs a name");

const char *clcnn_status_str(clcnn_status s)
{
    if ((int)s < 0 || s >= CLCNN_STATUS_COUNT)
        return "CLCNN_STATUS_UNKNOWN";
    return status_names[s];
}

const char *clcnn_version(void) { return CLCNN_VERSION; }

clcnn_status err_set(clcnn_err *err, clcnn_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void err_set_detail(clcnn_err *err, char *detail)
{
    if (!err) {
        free(detail);
        return;
    }
    free(err->detail);
    err->detail = detail;
}

void err_clear(clcnn_err *err)
{
    if (!err)
        return;
    free(err->detail);
    err->detail = NULL;
    err->msg[0] = '\0';
    err->status = CLCNN_OK;
}

char *err_note_append(char *old, const char *msg)
{
    const size_t len = (old ? strlen(old) + 2 : 0) + strlen(msg) + 1;
    char *s = malloc(len);
    if (!s)
        return old;
    snprintf(s, len, "%s%s%s", old ? old : "", old ? "; " : "", msg);
    free(old);
    return s;
}
