/* bn.cl — standalone BatchNormalization (inference), NCHW float32, with a fused
 * activation. Variant: bn (no preconditions; C*HW per batch item, HW = product of
 * the dims after C, 1 for N,C inputs). NDRange (ceil(HW), N*C). */

/* ACT_* codes and act_apply() come from act.cl (prepended by the runtime). */

__kernel void bn(__global const float *x, __global const float *scale, __global const float *shift,
                 __global const float *mean, __global const float *var, __global float *y, int C,
                 int HW, int NC, float eps, int act, float a, float b)
{
    const int p = get_global_id(0), z = get_global_id(1);
    if (p >= HW || z >= NC)
        return;
    const int c = z % C;
    const float inv = rsqrt(var[c] + eps);
    const size_t i = (size_t)z * HW + p;
    y[i] = FAULT(act_apply((x[i] - mean[c]) * inv * scale[c] + shift[c], act, a, b));
}
