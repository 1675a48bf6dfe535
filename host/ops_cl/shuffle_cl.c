/* shuffle_cl.c — sets up the one shuffle2_cat launch that replaces ShuffleNet's
 * Concat -> Reshape -> Transpose -> Reshape (-> Split) chain. Which chains qualify
 * is the plan's call (host/plan/plan_shuffle.c); this file only checks the sizes
 * fit the kernel's 32-bit indices and sets the arguments. */
#include <stdint.h>

#include "shuffle_cl.h"

clcnn_status shuffle_cl(opcl_ctx *c, const ir_node *n, cl_mem a, cl_mem b, cl_mem y0, cl_mem y1,
                        int64_t batch, int64_t ch, int64_t hw, const int64_t off[2],
                        const int64_t cnt[2], clcnn_err *err)
{
    if (batch <= 0 || ch <= 0 || hw <= 0 || off[0] < 0 || cnt[0] < 0 || off[1] < 0 || cnt[1] < 0 ||
        off[0] + cnt[0] > 2 * ch || off[1] + cnt[1] > 2 * ch || !a || !b || !y0 || (cnt[1] && !y1))
        return err_set(err, CLCNN_ERR_INTERNAL, "shuffle: bad geometry (batch %lld, ch %lld, hw "
                       "%lld, [%lld,+%lld) [%lld,+%lld)) or missing buffer", (long long)batch,
                       (long long)ch, (long long)hw, (long long)off[0], (long long)cnt[0],
                       (long long)off[1], (long long)cnt[1]);
    if (batch * 2 * ch * hw > INT32_MAX)
        return err_set(err, CLCNN_ERR_UNSUPPORTED, "shuffle: %lld elements; the kernel indexes "
                       "with 32-bit ints", (long long)(batch * 2 * ch * hw));
    if (cnt[0] + cnt[1] == 0)
        return CLCNN_OK;
    const cl_int v[7] = {(cl_int)hw, (cl_int)ch, (cl_int)batch, (cl_int)off[0], (cl_int)cnt[0],
                         (cl_int)off[1], (cl_int)cnt[1]};
    const cl_mem m[4] = {a, b, y0, cnt[1] ? y1 : y0};
    cl_kernel k = NULL;
    clcnn_status st = opcl_kernel(c, "shuffle", NULL, "shuffle2_cat", &k, err);
    if (st)
        return st;
    if ((st = OPCL_ARGS(k, err, OPCL_ARG(m[0]), OPCL_ARG(m[1]), OPCL_ARG(m[2]), OPCL_ARG(m[3]),
                        OPCL_ARG(v[0]), OPCL_ARG(v[1]), OPCL_ARG(v[2]), OPCL_ARG(v[3]), OPCL_ARG(v[4]),
                        OPCL_ARG(v[5]), OPCL_ARG(v[6])))) {
        clReleaseKernel(k);
        return st;
    }
    size_t gws[3] = {(size_t)hw, (size_t)(cnt[0] + cnt[1]), (size_t)batch};
    return opcl_push(c, n, k, 3, gws, NULL, "shuffle2_cat", err);
}
