/* binop.cl — element-wise binary ops with numpy broadcasting on any integer,
 * bool (uchar) or float element type: comparisons (bool out), And/Or/Xor/Not,
 * Mod, and the integer Add/Sub/Mul/Div. Variant (host/ops_cl/binop_cl.c):
 * binop_bcast, no preconditions: y's dims left-padded to 6 and per-operand
 * element strides (0 on broadcast dims); Not passes x as both operands. The
 * host picks T (operand type), R (result type), UT (T's unsigned twin, for
 * wrapping arithmetic: signed overflow is undefined in OpenCL C), SIGNED and
 * OPC. Integer Div/Mod by zero writes 0 (the reference fails the run; a
 * kernel cannot) and x / -1 wraps instead of trapping. Float operands
 * (T_IS_FLOAT) and a float result (R_IS_FLOAT: Mod) are float tensors, so
 * their buffers are sfloat (half in an fp16 plan, act.cl). NDRange (n). */

#ifndef T
#define T int
#endif
#ifndef R
#define R uchar
#endif
#ifndef UT
#define UT uint
#endif
#ifndef SIGNED
#define SIGNED 1
#endif
#ifndef OPC
#define OPC 0
#endif
#ifndef T_IS_FLOAT
#define T_IS_FLOAT 0
#endif
#ifndef R_IS_FLOAT
#define R_IS_FLOAT 0
#endif

/* Buffer types and accesses: float tensors through act.cl's sfloat macros. */
#if T_IS_FLOAT
#define TBUF sfloat
#define LDT(p, i) LD(p, i)
#else
#define TBUF T
#define LDT(p, i) ((p)[i])
#endif
#if R_IS_FLOAT
#define RBUF sfloat
#define STR(p, i, v) ST(p, i, v)
#else
#define RBUF R
#define STR(p, i, v) ((p)[i] = (v))
#endif

#define OPC_EQ 0
#define OPC_LT 1
#define OPC_GT 2
#define OPC_LE 3
#define OPC_GE 4
#define OPC_AND 5
#define OPC_OR 6
#define OPC_XOR 7
#define OPC_NOT 8
#define OPC_ADD 9
#define OPC_SUB 10
#define OPC_MUL 11
#define OPC_DIV 12
#define OPC_MOD 13  /* Python's: the result takes the divisor's sign */
#define OPC_FMOD 14 /* C's: the dividend's sign (fmod for floats) */

/* The test hook (act.cl) as a bit flip on integer results, a sign flip on a
 * float one (~ does not apply to floats). */
#undef FAULT
#ifdef CLCNN_FAULT_FLIP_SIGN
#if R_IS_FLOAT
#define FAULT(v) (-(v))
#else
#define FAULT(v) ((R)~(v))
#endif
#else
#define FAULT(v) (v)
#endif

R binop_apply(T a, T b)
{
#if OPC == OPC_EQ
    return a == b;
#elif OPC == OPC_LT
    return a < b;
#elif OPC == OPC_GT
    return a > b;
#elif OPC == OPC_LE
    return a <= b;
#elif OPC == OPC_GE
    return a >= b;
#elif OPC == OPC_AND
    return a && b;
#elif OPC == OPC_OR
    return a || b;
#elif OPC == OPC_XOR
    return (a != 0) != (b != 0);
#elif OPC == OPC_NOT
    return !a;
#elif OPC == OPC_ADD
    return (R)((UT)a + (UT)b);
#elif OPC == OPC_SUB
    return (R)((UT)a - (UT)b);
#elif OPC == OPC_MUL
    return (R)((UT)a * (UT)b);
#elif OPC == OPC_DIV
    if (b == 0)
        return 0;
#if SIGNED
    if (b == (T)-1)
        return (R)((UT)0 - (UT)a);
#endif
    return a / b;
#elif OPC == OPC_FMOD && T_IS_FLOAT
    return fmod(a, b);
#elif OPC == OPC_MOD && T_IS_FLOAT /* floor modulo (Mod-28): b's sign */
    T r = fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
    else if (r == 0)
        r = copysign((T)0, b);
    return r;
#else /* OPC_MOD, OPC_FMOD on integers */
    if (b == 0)
        return 0;
#if SIGNED
    if (b == (T)-1)
        return 0;
#endif
    T r = a % b;
#if OPC == OPC_MOD && SIGNED
    if (r != 0 && ((r < 0) != (b < 0)))
        r += b;
#endif
    return r;
#endif
}

__kernel void binop_bcast(__global const TBUF *a, __global const TBUF *b, __global RBUF *y, int n,
                          int8 dims, int8 sa, int8 sb)
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
    STR(y, i, FAULT(binop_apply(LDT(a, oa), LDT(b, ob))));
}
