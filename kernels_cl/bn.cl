/* bn.cl — standalone BatchNormalization (inference), NCHW float (stored as
 * sfloat: float, or half in an fp16 plan, act.cl), with a fused activation.
 * Variant: bn (no preconditions; C*HW per batch item, HW = product of the dims
 * after C, 1 for N,C inputs). NDRange (ceil(HW), N*C). */

/* ACT_* codes and act_epi() come from act.cl (prepended by the runtime). */

__kernel void bn(__global const sfloat *x, __global const sfloat *scale,
                 __global const sfloat *shift, __global const sfloat *mean,
                 __global const sfloat *var, __global sfloat *y, int C, int HW, int NC,
                 float eps, int act, float a, float b)
{
    const int p = get_global_id(0), z = get_global_id(1);
    if (p >= HW || z >= NC)
        return;
    const int c = z % C;
    const float inv = rsqrt(LD(var, c) + eps);
    const size_t i = (size_t)z * HW + p;
    const float v = (LD(x, i) - LD(mean, c)) * inv * LD(scale, c) + LD(shift, c);
    ST(y, i, FAULT(act_epi(v, act, a, b)));
}
