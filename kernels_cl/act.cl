/* act.cl — the activation every fused epilogue applies, in one place. Not a
 * program of its own: host/runtime/rt_program.c puts this text in front of
 * every kernels_cl program it builds (then resets line numbers with #line, so
 * build logs point into the program's own file). Codes match OPCL_ACT_* in
 * host/ops/op_cl.h. */

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2      /* a = min, b = max (ReLU6 is Clip 0..6) */
#define ACT_LEAKY 3     /* a = alpha */
#define ACT_HSIGMOID 4  /* a = alpha, b = beta */
#define ACT_HSWISH 5
#define ACT_SIGMOID 6
#define ACT_SILU 7      /* x * sigmoid(x): Swish, fused from Sigmoid + Mul */
#define ACT_XHSIG 8     /* x * hardsigmoid(x; a, b): HardSwish as exporters spell it */

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
