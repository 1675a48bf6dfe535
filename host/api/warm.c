/* warm.c — clcnn_session_warm_kernels: the session's kernels compiled by a
 * launch each, for a helper process (see clcnn_tools.h). */
#include "session_internal.h"

#include "clcnn_tools.h"

clcnn_status clcnn_session_warm_kernels(clcnn_session *s, int reverse)
{
    if (!s)
        return CLCNN_ERR_INVALID_ARG;
    exec_cl *cl = session_cl(s);
    if (!cl)
        return CLCNN_OK; /* the reference backend compiles nothing */
    clcnn_err err = {0};
    clcnn_status st = exec_cl_warm_kernels(cl, reverse != 0, NULL, &err);
    return st != CLCNN_OK ? session_fail(s, &err) : CLCNN_OK;
}
