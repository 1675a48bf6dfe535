/* cast.cl — Cast between float, bool (uchar) and every integer type, element by element.
 * Variant (host/ops_cl/cast_cl.c): cast_elems, no preconditions. The host picks
 * SRC_T, DST_T and CONVERT so the semantics match the reference (cast_ref)
 * and onnxruntime: float -> integer truncates toward zero (_rtz), saturates
 * at the type's range and turns NaN into 0 (_sat; OpenCL defines NaN -> 0 for
 * saturating float-to-int conversions); integer ->
 * float rounds to nearest even; integer -> integer uses the plain convert_*
 * (non-saturating: keeps the low bits, as onnxruntime's static_cast); any ->
 * bool (CAST_TO_BOOL) is != 0. Same type: a copy. NDRange (n). */

#ifndef SRC_T
#define SRC_T float
#endif
#ifndef DST_T
#define DST_T long
#endif
#ifndef CONVERT
#define CONVERT convert_long_sat_rtz
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

__kernel void cast_elems(__global const SRC_T *x, __global DST_T *y, int n)
{
    const int i = get_global_id(0);
    if (i < n)
        y[i] = FAULT(CAST_ONE(x[i]));
}
