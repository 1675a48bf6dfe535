/* slice.cl — strided N-d gather, up to 6 dims, any element type (ELEM_T): y[i] = x[base + sum_d i_d st[d]].
 * Kernel slice_nd (host/ops_cl/movement_cl.c), no preconditions, y dims left-padded to 6:
 * Slice with steps (negative included): st[d] = input stride * step of dim d, base = offset
 * of the first element taken; Transpose (variant "permute"): st[d] = the input stride of
 * the axis that lands on y's dim d, base 0.
 * Split uses concat.cl's block copy instead (its pieces are contiguous runs). NDRange (n). */

/* ELEM_T: a float tensor's sfloat (float, or half in an fp16 plan, moved
 * through act.cl's LD/ST), or a word of another dtype's size (-DELEM_T=uint,
 * ...): a copy never interprets it. */
#ifndef ELEM_T
#define ELEM_T sfloat
#define ELD(p, i) LD(p, i)
#define EST(p, i, v) ST(p, i, v)
#else
#define ELD(p, i) ((p)[i])
#define EST(p, i, v) ((p)[i] = (v))
#endif

__kernel void slice_nd(__global const ELEM_T *x, __global ELEM_T *y, int n, int base, int8 dims,
                       int8 st)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    int r = i, off = base;
    off += (r % dims.s5) * st.s5; r /= dims.s5;
    off += (r % dims.s4) * st.s4; r /= dims.s4;
    off += (r % dims.s3) * st.s3; r /= dims.s3;
    off += (r % dims.s2) * st.s2; r /= dims.s2;
    off += (r % dims.s1) * st.s1; r /= dims.s1;
    off += r * st.s0;
    EST(y, i, FAULT(ELD(x, off)));
}
