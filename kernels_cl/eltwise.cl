/* eltwise.cl — element-wise ops on float tensors (sfloat storage: float, or half
 * in an fp16 plan, act.cl; arithmetic in float either way).
 * Variants (host/ops_cl/eltwise_cl.c):
 *   unary          y = act(x) for every ACT_* code of act.cl (the activations and the
 *                  unary math ops, host/ops_cl/act_cl.c);
 *                  no preconditions. NDRange (ceil(n)).
 *   clip_operands  Clip whose min and/or max are read from one-element buffers
 *                  (fed at run time). NDRange (n).
 *   binary_same    a, b and y have the same shape (flat index). NDRange (n).
 *   binary_plane   one operand has y's shape, the other y's leading dims then only 1s
 *                  (SE scaling: N,C,H,W * N,C,1,1): it is read at i / inner. `swap`
 *                  says which side is the small one. NDRange (n).
 *   binary_bcast   general numpy broadcasting in up to 6 dims: y dims are given
 *                  left-padded to 6, and a/b get per-dim element strides (0 where
 *                  the operand is broadcast). NDRange (n).
 *   scale          y *= s in place (Mean = Sum / N; no FAULT: the sums before it
 *                  carry it). NDRange (n).
 * The binary variants serve Add, Sub, Mul, Div, Pow, PRelu and, one input at a
 * time into the output (a = y: each item reads and writes only its own y[i]),
 * the variadic Max, Min, Sum, Mean (host/ops_cl/variadic_cl.c).
 * Op codes match host/ops_cl/eltwise_cl.c. */

#define BIN_ADD 0
#define BIN_SUB 1
#define BIN_MUL 2
#define BIN_DIV 3
#define BIN_POW 4 /* C's pow: a negative base needs an integral exponent */
#define BIN_PRELU 5 /* x < 0 ? x * y : x, y the slope */
#define BIN_MAX 6 /* NaN in either operand gives NaN, as onnxruntime's Max/Min */
#define BIN_MIN 7

/* B_T: the element type of binary_same's and binary_bcast's second operand,
 * read as float: a float tensor (sfloat, the default) or Pow's integer
 * exponent (-DB_T=long etc. from eltwise_cl.c), which fp16 leaves alone. */
#ifndef B_T
#define B_T sfloat
#define LDB(p, i) LD(p, i)
#define B_VEC 1 /* b is a tensor like a: binary_same's vector runs read it */
#else
#define LDB(p, i) ((float)(p)[i])
#define B_VEC 0
#endif

/* ACT_* codes and act_apply() come from act.cl (prepended by the runtime). */

float bin_apply(float x, float y, int op)
{
    switch (op) {
    case BIN_ADD: return x + y;
    case BIN_SUB: return x - y;
    case BIN_MUL: return x * y;
    case BIN_POW: return pow(x, y);
    case BIN_PRELU: return x < 0.0f ? x * y : x;
    case BIN_MAX: return isnan(y) ? y : (x < y ? y : x);
    case BIN_MIN: return isnan(y) ? y : (x > y ? y : x);
    default: return x / y;
    }
}

/* unary: `per` consecutive elements a work-item (the host's choice: 1 on GPUs,
 * 16 on CPUs, where one element a work-item ran an unfusable Relu at ~7 GB/s:
 * Xception's eleven, 4.3 ms of its 72). A whole run of 16 takes the epilogue
 * activations as one act_float16 (act_epi's math lane by lane); other codes,
 * and a last part-filled run, go element by element. */
__kernel void unary(__global const sfloat *x, __global sfloat *y, int n, int act, float a, float b,
                    int per)
{
    const int i0 = get_global_id(0) * per;
    if (per == 16 && act <= ACT_ABS && i0 + 16 <= n) {
        STN(16, FAULT(act_float16(LDN(16, 0, x + i0), act, a, b)), 0, y + i0);
        return;
    }
    for (int i = i0; i < n && i < i0 + per; i++)
        ST(y, i, FAULT(act_apply(LD(x, i), act, a, b)));
}

/* Clip with bounds fed at run time: bit 0 of `which` reads min from lo[0], bit 1
 * max from hi[0]; otherwise the by-value a / b (the host passes x for an unread
 * buffer). ACT_CLIP's comparisons, so NaN passes and min > max gives max. */
__kernel void clip_operands(__global const sfloat *x, __global sfloat *y, int n,
                            __global const sfloat *lo, __global const sfloat *hi, int which,
                            float a, float b)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const float l = (which & 1) ? LD(lo, 0) : a, h = (which & 2) ? LD(hi, 0) : b;
    ST(y, i, FAULT(act_apply(LD(x, i), ACT_CLIP, l, h)));
}

/* binary_same: `per` consecutive elements a work-item (as unary's: 16 on CPUs,
 * 1 on GPUs); a whole run of 16 of Add, Sub, Mul or Div is one vector op (the
 * same IEEE operation lane by lane as bin_apply's). a may be y (in place:
 * each work-item reads only the elements it writes). */
__kernel void binary_same(__global const sfloat *a, __global const B_T *b, __global sfloat *y,
                          int n, int op, int per)
{
    const int i0 = get_global_id(0) * per;
#if B_VEC
    if (per == 16 && op <= BIN_DIV && i0 + 16 <= n) {
        const float16 x = LDN(16, 0, a + i0), z = LDN(16, 0, b + i0);
        const float16 r = op == BIN_ADD ? x + z : op == BIN_SUB ? x - z : op == BIN_MUL ? x * z : x / z;
        STN(16, FAULT(r), 0, y + i0);
        return;
    }
#endif
    for (int i = i0; i < n && i < i0 + per; i++)
        ST(y, i, FAULT(bin_apply(LD(a, i), LDB(b, i), op)));
}

__kernel void binary_plane(__global const sfloat *full, __global const sfloat *small,
                           __global sfloat *y, int n, int op, int inner, int swap)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const float f = LD(full, i), s = LD(small, i / inner);
    ST(y, i, FAULT(swap ? bin_apply(s, f, op) : bin_apply(f, s, op)));
}

/* dims: y's 6 dims (s0 outermost); sa/sb: element strides of a and b per dim. */
__kernel void binary_bcast(__global const sfloat *a, __global const B_T *b, __global sfloat *y,
                           int n, int op, int8 dims, int8 sa, int8 sb)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    int r = i, oa = 0, ob = 0, idx;
    idx = r % dims.s5; r /= dims.s5; oa += idx * sa.s5; ob += idx * sb.s5;
    idx = r % dims.s4; r /= dims.s4; oa += idx * sa.s4; ob += idx * sb.s4;
    idx = r % dims.s3; r /= dims.s3; oa += idx * sa.s3; ob += idx * sb.s3;
    idx = r % dims.s2; r /= dims.s2; oa += idx * sa.s2; ob += idx * sb.s2;
    idx = r % dims.s1; r /= dims.s1; oa += idx * sa.s1; ob += idx * sb.s1;
    oa += r * sa.s0; ob += r * sb.s0;
    ST(y, i, FAULT(bin_apply(LD(a, oa), LDB(b, ob), op)));
}

__kernel void scale(__global sfloat *y, int n, float s)
{
    const int i = get_global_id(0);
    if (i < n)
        ST(y, i, LD(y, i) * s);
}
