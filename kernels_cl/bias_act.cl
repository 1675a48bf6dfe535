/* bias_act.cl — the epilogue after a GEMM that computed a pointwise Conv
 * (CLBlast SGEMM, host/ops/conv_clblast.c): adds the per-channel bias and
 * applies the fused activation in place, on NCHW data.
 * Variants:
 *   bias_act: y[i] = act(y[i] + bias[c] + res[i]), c = (i / HW) % C, res a
 *             residual Add the plan fused into the Conv. Preconditions:
 *             none; the global size may be rounded up (POCL has no non-uniform
 *             work-groups), the guard drops the tail. */

#ifndef BA_PX
#define BA_PX 4 /* consecutive elements per work-item: fewer items, same channel mostly */
#endif

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_LEAKY 3
#define ACT_HSIGMOID 4
#define ACT_HSWISH 5
#define ACT_SIGMOID 6
#define ACT_SILU 7 /* x * sigmoid(x) */
#define ACT_XHSIG 8 /* x * hardsigmoid(x; a, b) */

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

/* Test hook, as in conv.cl: -DCLCNN_FAULT_FLIP_SIGN makes the layer wrong on purpose. */
#ifdef CLCNN_FAULT_FLIP_SIGN
#define FAULT(v) (-(v))
#else
#define FAULT(v) (v)
#endif

__kernel void bias_act(__global float *y, __global const float *bias, int has_bias, int C, int HW,
                       int total, int act, float a, float b, __global const float *res,
                       int has_res)
{
    const int i0 = (int)get_global_id(0) * BA_PX;
    for (int j = 0; j < BA_PX; j++) {
        const int i = i0 + j;
        if (i >= total)
            return;
        float v = y[i];
        if (has_bias)
            v += bias[(i / HW) % C];
        if (has_res)
            v += res[i];
        y[i] = FAULT(act_apply(v, act, a, b));
    }
}
