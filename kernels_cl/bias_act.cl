/* bias_act.cl — the epilogue after a GEMM that computed a pointwise Conv
 * (CLBlast SGEMM, host/ops_cl/conv_clblast.c): adds the per-channel bias and
 * applies the fused activation in place, on NCHW data.
 * Variants:
 *   bias_act: y[i] = act(y[i] + bias[c] + res[i]), c = (i / HW) % C, res a
 *             residual Add the plan fused into the Conv. Preconditions:
 *             none; the global size may be rounded up (POCL has no non-uniform
 *             work-groups), the guard drops the tail. */

#ifndef BA_PX
#define BA_PX 4 /* consecutive elements per work-item: fewer items, same channel mostly */
#endif

/* ACT_* codes and act_epi() come from act.cl (prepended by the runtime). */

__kernel void bias_act(__global sfloat *y, __global const sfloat *bias, int has_bias, int C,
                       int HW, int total, int act, float a, float b, __global const sfloat *res,
                       int has_res)
{
    const int i0 = (int)get_global_id(0) * BA_PX;
    for (int j = 0; j < BA_PX; j++) {
        const int i = i0 + j;
        if (i >= total)
            return;
        float v = LD(y, i);
        if (has_bias)
            v += LD(bias, (i / HW) % C);
        if (has_res)
            v += LD(res, i);
        ST(y, i, FAULT(act_epi(v, act, a, b)));
    }
}
