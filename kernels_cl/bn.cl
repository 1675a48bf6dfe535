/* bn.cl — standalone BatchNormalization (inference), NCHW float32, with a fused
 * activation. Variant: bn (no preconditions; C*HW per batch item, HW = product of
 * the dims after C, 1 for N,C inputs). NDRange (ceil(HW), N*C). */

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_LEAKY 3
#define ACT_HSIGMOID 4
#define ACT_HSWISH 5
#define ACT_SIGMOID 6
#define ACT_SILU 7 /* x * sigmoid(x): Swish, fused from Sigmoid + Mul */
#define ACT_XHSIG 8 /* x * hardsigmoid(x): HardSwish as exporters spell it */

#ifdef CLCNN_FAULT_FLIP_SIGN /* test hook, see conv.cl */
#define FAULT(v) (-(v))
#else
#define FAULT(v) (v)
#endif

float act_apply(float v, int act, float a, float b)
{
    switch (act) {
    case ACT_RELU: return fmax(v, 0.0f);
    case ACT_CLIP: return fmin(fmax(v, a), b);
    case ACT_LEAKY: return v >= 0.0f ? v : v * a;
    case ACT_HSIGMOID: return fmin(fmax(v * a + b, 0.0f), 1.0f);
    case ACT_HSWISH: return v * fmin(fmax(v + 3.0f, 0.0f), 6.0f) / 6.0f;
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-v));
    case ACT_SILU: return v / (1.0f + exp(-v));
    case ACT_XHSIG: return v * fmin(fmax(v * a + b, 0.0f), 1.0f);
    default: return v;
    }
}

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
