/* pad.cl — Pad in constant, reflect and edge modes, up to 6 dims, any element type (ELEM_T).
 * Variants (host/ops_cl/movement_cl.c): pad_nd, no preconditions (negative pads crop): y dims
 * and x dims left-padded to 6, pb = leading pads. NDRange (n). pad_nd_operand: the same with
 * the constant read from a one-element buffer (constant_value fed at run time). */

#define PAD_CONSTANT 0
#define PAD_REFLECT 1
#define PAD_EDGE 2

/* ELEM_T: a float tensor's sfloat (float, or half in an fp16 plan, moved
 * through act.cl's LD/ST; the by-value constant is then a float) or, for other
 * dtypes, a word of their size (host/ops_cl/movement_cl.c passes
 * -DELEM_T=uint, ...); value is then the pad constant's bits in that word. */
#ifndef ELEM_T
#define ELEM_T sfloat
#define VALUE_T float
#define ELD(p, i) LD(p, i)
#define EST(p, i, v) ST(p, i, v)
#else
#define VALUE_T ELEM_T
#define ELD(p, i) ((p)[i])
#define EST(p, i, v) ((p)[i] = (v))
#endif

/* Flat index i of y to x's flat offset, or -1 where y takes the pad constant. */
int pad_source(int i, int8 ydims, int8 xdims, int8 pb, int mode)
{
    const int yd[6] = {ydims.s0, ydims.s1, ydims.s2, ydims.s3, ydims.s4, ydims.s5};
    const int xd[6] = {xdims.s0, xdims.s1, xdims.s2, xdims.s3, xdims.s4, xdims.s5};
    const int p[6] = {pb.s0, pb.s1, pb.s2, pb.s3, pb.s4, pb.s5};
    int r = i, off = 0, stride = 1;
    for (int d = 5; d >= 0; d--) {
        int c = r % yd[d] - p[d];
        r /= yd[d];
        if (c < 0 || c >= xd[d]) {
            if (mode == PAD_CONSTANT)
                return -1;
            if (mode == PAD_EDGE) {
                c = clamp(c, 0, xd[d] - 1);
            } else if (xd[d] == 1) {
                c = 0;
            } else {
                /* reflect without repeating the edge: period 2*(len-1) */
                const int per = 2 * (xd[d] - 1);
                c = ((c % per) + per) % per;
                if (c >= xd[d])
                    c = per - c;
            }
        }
        off += c * stride;
        stride *= xd[d];
    }
    return off;
}

__kernel void pad_nd(__global const ELEM_T *x, __global ELEM_T *y, int n, int8 ydims, int8 xdims,
                     int8 pb, int mode, VALUE_T value)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const int off = pad_source(i, ydims, xdims, pb, mode);
    EST(y, i, FAULT(off < 0 ? value : ELD(x, off)));
}

/* pad_nd with the constant fed at run time: value[0], read only where y takes it. */
__kernel void pad_nd_operand(__global const ELEM_T *x, __global ELEM_T *y, int n, int8 ydims,
                             int8 xdims, int8 pb, int mode, __global const ELEM_T *value)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const int off = pad_source(i, ydims, xdims, pb, mode);
    EST(y, i, FAULT(off < 0 ? ELD(value, 0) : ELD(x, off)));
}
