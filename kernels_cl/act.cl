/* act.cl — what every kernel file shares: the activation every fused epilogue
 * applies (scalar and on float4/8/16), stores of a part-filled vector, a
 * contiguous dot product, and the FAULT test hook. Not a program of its own: host/runtime/rt_program.c puts
 * this text in front of every kernels_cl program it builds (then resets line
 * numbers with #line, so build logs point into the program's own file). Codes
 * match OPCL_ACT_* in host/ops_cl/op_cl.h. */

/* Storage of float tensors in device memory. A kernel declares every buffer
 * that holds a float tensor (activations, weights, biases, float operands) as
 * `__global sfloat *` and reads and writes it only through the macros below;
 * arithmetic, accumulators and __local tiles stay float. The fp32 plan builds
 * programs as they were (sfloat = float, plain indexing, vloadN). The fp16
 * plan (issue 18) builds them with -DCLCNN_FP16: sfloat = half, read with
 * vload_half* (exact widening) and written with vstore_half* (round to
 * nearest even), so memory traffic halves while every sum is still a float
 * sum. vload_half/vstore_half are core OpenCL: no half arithmetic happens.
 * Scratch buffers a launch allocates for float partial results stay float.
 *   LD(p, i)        p[i] as float          ST(p, i, v)       p[i] = v
 *   LDN(N, i, p)    vloadN(i, p) as floatN STN(N, v, i, p)   vstoreN(v, i, p)
 * (N = 2, 3, 4, 8, 16; offsets in units of N elements as vloadN's). */
#define SF_CAT_(a, b) a##b
#define SF_XCAT(a, b) SF_CAT_(a, b) /* N may itself be a macro (VW) */
#ifdef CLCNN_FP16
#define sfloat half
#define LD(p, i) vload_half((i), (p))
#define ST(p, i, v) vstore_half((v), (i), (p))
/* POCL 3.1 compiles vload_half8/16 to an aligned 16-byte load, which faults at
 * the 2-byte-aligned addresses the spec allows (pool taps at odd offsets):
 * widths 8 and 16 are built from vload_half4, which it loads correctly. */
#define sf_vload_half2 vload_half2
#define sf_vload_half3 vload_half3
#define sf_vload_half4 vload_half4
float8 sf_vload_half8(size_t i, const __global half *p)
{
    return (float8)(vload_half4(2 * i, p), vload_half4(2 * i + 1, p));
}
float16 sf_vload_half16(size_t i, const __global half *p)
{
    return (float16)(sf_vload_half8(2 * i, p), sf_vload_half8(2 * i + 1, p));
}
#define LDN(N, i, p) SF_XCAT(sf_vload_half, N)((i), (p))
#define STN(N, v, i, p) SF_XCAT(vstore_half, N)((v), (i), (p))
#else
#define sfloat float
#define LD(p, i) ((p)[i])
#define ST(p, i, v) ((p)[i] = (v))
#define LDN(N, i, p) SF_XCAT(vload, N)((i), (p))
#define STN(N, v, i, p) SF_XCAT(vstore, N)((v), (i), (p))
#endif

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2      /* a = min, b = max (ReLU6 is Clip 0..6) */
#define ACT_LEAKY 3     /* a = alpha */
#define ACT_HSIGMOID 4  /* a = alpha, b = beta */
#define ACT_HSWISH 5
#define ACT_SIGMOID 6
#define ACT_SILU 7      /* x * sigmoid(x): Swish, fused from Sigmoid + Mul */
#define ACT_XHSIG 8     /* x * hardsigmoid(x; a, b): HardSwish as exporters spell it */
#define ACT_ABS 9
#define ACT_ERF 10
#define ACT_TANH 11
#define ACT_EXP 12
#define ACT_LOG 13
#define ACT_SQRT 14
#define ACT_NEG 15
#define ACT_RECIP 16
#define ACT_GELU 17     /* x/2 (1 + erf(x / sqrt 2)) */
#define ACT_GELU_TANH 18 /* Gelu approximate="tanh" */
#define ACT_ELU 19      /* a = alpha */
#define ACT_SELU 20     /* a = alpha, b = gamma */
#define ACT_CELU 21     /* a = alpha */
#define ACT_SOFTPLUS 22
#define ACT_SOFTSIGN 23
#define ACT_MISH 24
#define ACT_POW 25      /* x^a, Pow by a constant scalar a: x*x for 2, sqrt for 0.5 */

/* sqrt(2/pi), Gelu's tanh form */
#define GELU_K 0.7978845608028654f

/* log(1 + e^x) without overflow: e^(+-x) <= 1 in both halves (e^x is inf past ~88). */
#define SOFTPLUS_(v) ((v) > 0.0f ? (v) + log1p(exp(-(v))) : log1p(exp(v)))

/* e^-v for Sigmoid and SiLU epilogues: POCL's exp on float16 cost about as
 * much as the taps of the convolution it ends (EfficientNet-B0's SiLU layers
 * ran at 55-65% of their Relu6 twins' speed). Range reduction by ln 2 (two
 * parts, k rounded by adding 1.5 * 2^23) and Cephes' degree-6 polynomial:
 * within 2 ulp of expf on [-87, 88.3]. The argument is clamped to [-87, 89]:
 * below, e^x is past float's normal range (the sigmoid is 1 there); above
 * 88.4, k = 128 makes the scale 2^128 = inf as expf's overflow would (so
 * SiLU(-inf) is NaN as the reference's, SiLU(-100) -0). NaN is carried (the
 * clamp compares, it does not fmin). The same operations, explicit fma, for
 * every width: a lane computes the same bits as the scalar tail of its kernel. */
#define DEFINE_EXPNEG(T, IT, CI, CF)                                                    \
    T expneg_##T(T v)                                                                  \
    {                                                                                  \
        T x = -v;                                                                      \
        x = select(x, (T)(89.0f), x > (T)(89.0f));                                     \
        x = select(x, (T)(-87.0f), x < (T)(-87.0f));                                   \
        const T t = fma(x, (T)(1.44269504088896341f), (T)(12582912.0f)); /* 1.5 * 2^23 */ \
        const T k = t - 12582912.0f;                                                   \
        T r = fma(k, (T)(-0.693359375f), x);                                           \
        r = fma(k, (T)(2.12194440e-4f), r);                                            \
        T p = (T)(1.9875691500e-4f);                                                   \
        p = fma(p, r, (T)(1.3981999507e-3f));                                          \
        p = fma(p, r, (T)(8.3334519073e-3f));                                          \
        p = fma(p, r, (T)(4.1665795894e-2f));                                          \
        p = fma(p, r, (T)(1.6666665459e-1f));                                          \
        p = fma(p, r, (T)(5.0000001201e-1f));                                          \
        p = fma(p, r * r, r) + 1.0f;                                                   \
        const IT e = (CI(t) - 0x4B400000u + 127u) << 23; /* k: t's low bits */         \
        return p * CF(e);                                                              \
    }
DEFINE_EXPNEG(float, uint, as_uint, as_float)
DEFINE_EXPNEG(float4, uint4, as_uint4, as_float4)
DEFINE_EXPNEG(float8, uint8, as_uint8, as_float8)
DEFINE_EXPNEG(float16, uint16, as_uint16, as_float16)

/* Relu and Clip by comparison, not fmax/fmin: those return the other operand
 * for a NaN, and ONNX (and act_ref.c) propagate NaN. Clip keeps ONNX's order
 * min(max(x, lo), hi), so lo > hi gives hi everywhere.
 * act_epi: what a fused epilogue applies (the producer's kernel writes act(v)):
 * the CNN activations ACT_RELU .. ACT_ABS, cheap to compile. The others run as
 * a unary launch of their own (act_apply, eltwise.cl): their code, inlined into
 * each conv kernel's epilogues (four vector widths in conv_dwl), made POCL's
 * first-launch compile of a MobileNetV3 cost 1.4 s more. The host fuses only
 * these (OPCL_ACT_EPI_LAST, host/ops_cl/op_cl.h). */
float act_epi(float v, int act, float a, float b)
{
    switch (act) {
    case ACT_RELU: return v < 0.0f ? 0.0f : v;
    case ACT_CLIP: { float r = v < a ? a : v; return r > b ? b : r; }
    case ACT_LEAKY: return v >= 0.0f ? v : v * a;
    case ACT_HSIGMOID: return fmin(fmax(v * a + b, 0.0f), 1.0f);
    case ACT_HSWISH: return v * fmin(fmax(v + 3.0f, 0.0f), 6.0f) / 6.0f;
    case ACT_SIGMOID: return 1.0f / (1.0f + expneg_float(v));
    case ACT_SILU: return v / (1.0f + expneg_float(v));
    case ACT_XHSIG: return v * fmin(fmax(v * a + b, 0.0f), 1.0f);
    case ACT_ABS: return fabs(v);
    default: return v;
    }
}

/* act_apply: every activation code, for the unary kernel (eltwise.cl). */
float act_apply(float v, int act, float a, float b)
{
    if (act <= ACT_ABS) /* the epilogue set */
        return act_epi(v, act, a, b);
    switch (act) {
    case ACT_ERF: return erf(v);
    case ACT_TANH: return tanh(v);
    case ACT_EXP: return exp(v);
    case ACT_LOG: return log(v);
    case ACT_SQRT: return sqrt(v);
    case ACT_NEG: return -v;
    case ACT_RECIP: return 1.0f / v;
    case ACT_GELU: return 0.5f * v * (1.0f + erf(v * M_SQRT1_2_F));
    case ACT_GELU_TANH: return 0.5f * v * (1.0f + tanh(GELU_K * (v + 0.044715f * v * v * v)));
    case ACT_ELU: return v < 0.0f ? a * expm1(v) : v;
    case ACT_SELU: return v > 0.0f ? b * v : b * a * expm1(v);
    case ACT_CELU: return v > 0.0f ? v : a * expm1(v / a);
    case ACT_SOFTPLUS: return SOFTPLUS_(v);
    case ACT_SOFTSIGN: return v / (1.0f + fabs(v));
    case ACT_MISH: return v * tanh(SOFTPLUS_(v));
    case ACT_POW: return a == 2.0f ? v * v : a == 0.5f ? sqrt(v) : pow(v, a);
    default: return v;
    }
}


/* Token pasting for vector type and function names (float16, vload8, ...). */
#define CAT_(a, b) a##b
#define XCAT(a, b) CAT_(a, b)

/* act_epi on a whole vector (one uniform switch, lane-parallel math): the
 * scalar per-pixel epilogue cost about as much as the taps of a 3x3 depthwise. */
#define DEFINE_ACT_V(T)                                                                  \
    T act_##T(T v, int act, float a, float b)                                          \
    {                                                                                  \
        switch (act) {                                                                 \
        case ACT_RELU: return select(v, (T)(0.0f), v < (T)(0.0f));                     \
        case ACT_CLIP: {                                                               \
            T r = select(v, (T)(a), v < (T)(a));                                       \
            return select(r, (T)(b), r > (T)(b));                                      \
        }                                                                              \
        case ACT_LEAKY: return select(v * a, v, v >= (T)(0.0f));                       \
        case ACT_HSIGMOID: return clamp(v * a + b, 0.0f, 1.0f);                        \
        case ACT_HSWISH: return v * clamp(v + 3.0f, 0.0f, 6.0f) / 6.0f;                \
        case ACT_SIGMOID: return 1.0f / (1.0f + expneg_##T(v));                        \
        case ACT_SILU: return v / (1.0f + expneg_##T(v));                              \
        case ACT_XHSIG: return v * clamp(v * a + b, 0.0f, 1.0f);                       \
        case ACT_ABS: return fabs(v);                                                  \
        default: return v;                                                             \
        }                                                                              \
    }
DEFINE_ACT_V(float4)
DEFINE_ACT_V(float8)
DEFINE_ACT_V(float16)

/* The first n lanes of v to p (n below the vector width): stores of halving
 * widths instead of n scalar ones, for rows and planes that end inside a
 * vector (14- and 7-wide rows, 49-pixel planes). */
void store_part2(float2 v, int n, __global sfloat *p)
{
    if (n & 1)
        ST(p, 0, v.x);
}
/* store_partN: the lower half whole when n reaches it, then the rest of n in
 * the next half down. */
#define DEFINE_STORE_PART(N, H)                                                         \
    void store_part##N(float##N v, int n, __global sfloat *p)                          \
    {                                                                                  \
        if (n & H) {                                                                   \
            STN(H, v.lo, 0, p);                                                        \
            store_part##H(v.hi, n & (H - 1), p + H);                                   \
        } else {                                                                       \
            store_part##H(v.lo, n, p);                                                 \
        }                                                                              \
    }
DEFINE_STORE_PART(4, 2)
DEFINE_STORE_PART(8, 4)
DEFINE_STORE_PART(16, 8)

/* sum_k a[k] * b[k] for two contiguous float arrays: two 16-wide chains of
 * FMAs (independent, so they overlap), then the lanes, then the tail. The
 * matrix-vector kernels' inner product (conv_mv, gemm_smallm_nt with M = 1). */
float dot_contig(__global const sfloat *a, __global const sfloat *b, int K)
{
    float16 s0 = (float16)(0.0f), s1 = (float16)(0.0f);
    int k = 0;
    for (; k + 32 <= K; k += 32) {
        s0 = fma(LDN(16, 0, a + k), LDN(16, 0, b + k), s0);
        s1 = fma(LDN(16, 0, a + k + 16), LDN(16, 0, b + k + 16), s1);
    }
    if (k + 16 <= K) {
        s0 = fma(LDN(16, 0, a + k), LDN(16, 0, b + k), s0);
        k += 16;
    }
    s0 += s1;
    const float8 h8 = s0.lo + s0.hi;
    const float4 h4 = h8.lo + h8.hi;
    float v = (h4.s0 + h4.s1) + (h4.s2 + h4.s3);
    for (; k < K; k++)
        v = fma(LD(a, k), LD(b, k), v);
    return v;
}

/* conv_pw's / conv_dwpw's PW_OC packed weights of one input channel as floats:
 * one vload_halfN in fp16 (a scalar vload_half per weight in the unrolled
 * FMAs made conv_pw 3-8x slower on Intel's CPU runtime: MobileNetV2's head
 * 0.6 -> 2-5 ms); fp32 reads them in place. PW_OC is the including file's. */
#ifdef CLCNN_FP16
#define PW_WLOAD(w_, p) float w_[PW_OC]; XCAT(vstore, PW_OC)(LDN(PW_OC, 0, (p)), 0, w_)
#define PW_WGET(w_, p, o) (w_[o])
#else
#define PW_WLOAD(w_, p) (void)0
#define PW_WGET(w_, p, o) ((p)[o])
#endif

/* Test hook: a kernel built with -DCLCNN_FAULT_FLIP_SIGN writes wrong results on
 * purpose so `clcnn compare` can be shown to catch a broken layer. */
#ifdef CLCNN_FAULT_FLIP_SIGN
#define FAULT(v) (-(v))
#else
#define FAULT(v) (v)
#endif
