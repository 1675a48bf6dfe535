/* einsum_ref.c — reference Einsum: for every output element (an odometer
 * over the output letters), the sum over every combination of the summed
 * letters of the product of the inputs, in double. einsum.h has the strides. */
#include "einsum.h"
#include "ops_impl.h"

clcnn_status einsum_ref(const ir_graph *g, const ir_node *n, void *const *bufs, clcnn_err *err)
{
    einsum_spec s;
    clcnn_status st = einsum_parse(g, n, &s, err);
    if (st)
        return st;
    const float *a = bufs[n->in[0]], *b = s.n_in > 1 ? bufs[n->in[1]] : NULL;
    float *y = bufs[n->out[0]];
    const int64_t ny = ir_numel(ir_out(g, n, 0));
    int64_t total_sum = 1;
    for (int k = 0; k < s.n_sum; k++)
        total_sum *= s.sum_ext[k];
    int64_t oi[EINSUM_MAX] = {0}, oa = 0, ob = 0; /* output odometer and its input offsets */
    for (int64_t i = 0; i < ny; i++) {
        int64_t si[EINSUM_MAX] = {0}, pa = oa, pb = ob;
        double acc = 0;
        for (int64_t q = 0; q < total_sum; q++) {
            acc += b ? (double)a[pa] * b[pb] : a[pa];
            for (int k = s.n_sum - 1; k >= 0; k--) { /* next combination */
                pa += s.sum_st[0][k], pb += s.sum_st[1][k];
                if (++si[k] < s.sum_ext[k])
                    break;
                pa -= s.sum_st[0][k] * si[k], pb -= s.sum_st[1][k] * si[k];
                si[k] = 0;
            }
        }
        y[i] = (float)acc;
        for (int k = s.n_out - 1; k >= 0; k--) {
            oa += s.out_st[0][k], ob += s.out_st[1][k];
            if (++oi[k] < s.out_ext[k])
                break;
            oa -= s.out_st[0][k] * oi[k], ob -= s.out_st[1][k] * oi[k];
            oi[k] = 0;
        }
    }
    return CLCNN_OK;
}
