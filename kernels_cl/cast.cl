/* cast.cl — Cast between float, bool (uchar) and every integer type, element by element,
 * and the precision boundaries of an fp16 plan.
 * Variants (host/ops_cl/cast_cl.c), none with preconditions, NDRange (n):
 *   cast_elems     the host picks SRC_T, DST_T and CONVERT so the semantics match the
 *                  reference (cast_ref) and onnxruntime: float -> integer truncates
 *                  toward zero (_rtz), saturates at the type's range and turns NaN into 0
 *                  (_sat; OpenCL defines NaN -> 0 for saturating float-to-int
 *                  conversions); integer -> float rounds to nearest even; integer ->
 *                  integer uses the plain convert_* (non-saturating: keeps the low bits,
 *                  as onnxruntime's static_cast); any -> bool (CAST_TO_BOOL) is != 0.
 *                  Same type: a copy. SRC_HALF / DST_HALF: that side is a float32 tensor
 *                  stored half (ir_tensor.half), read with vload_half / written with
 *                  vstore_half_rte around the same float conversion.
 *   half_to_float  a Cast float32 -> float32 whose input is stored half and output
 *   float_to_half  float (or the reverse): the conversions the precision pass puts
 *                  between an fp32 and an fp16 node. Exact widening; narrowing rounds
 *                  to nearest even, overflow to inf, NaN stays NaN.
 * Explicit `half` pointers, not act.cl's sfloat: a boundary Cast's program may be
 * built with or without -DCLCNN_FP16, and its two sides differ either way. */

#ifndef SRC_T
#define SRC_T float
#endif
#ifndef DST_T
#define DST_T long
#endif
#ifndef CONVERT
#define CONVERT convert_long_sat_rtz
#endif

#ifdef SRC_HALF
#define SRC_BUF half
#define LDX(p, i) vload_half((i), (p))
#else
#define SRC_BUF SRC_T
#define LDX(p, i) ((p)[i])
#endif
#ifdef DST_HALF
#define DST_BUF half
#define STY(p, i, v) vstore_half_rte((v), (i), (p))
#else
#define DST_BUF DST_T
#define STY(p, i, v) ((p)[i] = (v))
#endif

/* CAST_NAN_ZERO (float -> integer): NaN -> 0 spelled out. The _sat conversion
 * already defines it, but Oclgrind 21.10 returns garbage for
 * convert_*_sat_rtz(NaN), and the explicit select costs nothing next to the
 * memory traffic; it keeps the Cast suite checkable under the simulator. */
#ifdef CAST_TO_BOOL
#define CAST_ONE(v) ((DST_T)((v) != 0))
#elif defined(CAST_NAN_ZERO)
#define CAST_ONE(v) (isnan(v) ? (DST_T)0 : CONVERT(v))
#else
#define CAST_ONE(v) CONVERT(v)
#endif

__kernel void cast_elems(__global const SRC_BUF *x, __global DST_BUF *y, int n)
{
    const int i = get_global_id(0);
    if (i < n)
        STY(y, i, FAULT(CAST_ONE(LDX(x, i))));
}

__kernel void half_to_float(__global const half *x, __global float *y, int n)
{
    const int i = get_global_id(0);
    if (i < n)
        y[i] = FAULT(vload_half(i, x));
}

__kernel void float_to_half(__global const float *x, __global half *y, int n)
{
    const int i = get_global_id(0);
    if (i < n)
        vstore_half_rte(FAULT(x[i]), i, y);
}
