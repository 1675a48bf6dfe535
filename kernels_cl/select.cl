/* select.cl — Where, Expand and Tile on any element type: elements are moved
 * as E words of their device size (uchar/ushort/uint/ulong, from the host's
 * -DE; a half-stored float of an fp16 plan is a ushort) and never
 * interpreted. y's dims are given left-padded to 6 (s0
 * outermost), each source with per-dim element strides. Variants
 * (host/ops_cl/select_cl.c), none with preconditions, NDRange (n):
 *   where_bcast   y = c ? x : y2, three-way broadcasting (strides 0 where broadcast)
 *   expand_bcast  y = x broadcast to y's shape
 *   tile_mod      y[i] = x[i's index modulo x's dims] (xd: x's dims padded to 6)
 *   scatternd_apply, trilu_mask: below (NDRange slice / n) */

#ifndef E
#define E uint
#endif

/* E_SFLOAT (ScatterND's float reductions, -DE=sfloat): the elements are a
 * float tensor's, read and written through act.cl's LD/ST (half in an fp16
 * plan) and combined as float; every kernel of the program then moves them
 * that way (a half cannot be dereferenced). Otherwise E is read and combined
 * as itself. */
#ifdef E_SFLOAT
#define V_T float
#define ELD(p, i) LD(p, i)
#define EST(p, i, v) ST(p, i, v)
#else
#define V_T E
#define ELD(p, i) ((p)[i])
#define EST(p, i, v) ((p)[i] = (v))
#endif

/* The test hook (act.cl) as a bit flip of the raw word (a sign flip of a float). */
#undef FAULT
#ifdef CLCNN_FAULT_FLIP_SIGN
#ifdef E_SFLOAT
#define FAULT(v) (-(v))
#else
#define FAULT(v) ((E)~(v))
#endif
#else
#define FAULT(v) (v)
#endif

__kernel void where_bcast(__global const uchar *c, __global const E *x, __global const E *y2,
                          __global E *y, int n, int8 dims, int8 sc, int8 sx, int8 sy)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    int r = i, oc = 0, ox = 0, oy = 0, idx;
    idx = r % dims.s5; r /= dims.s5; oc += idx * sc.s5; ox += idx * sx.s5; oy += idx * sy.s5;
    idx = r % dims.s4; r /= dims.s4; oc += idx * sc.s4; ox += idx * sx.s4; oy += idx * sy.s4;
    idx = r % dims.s3; r /= dims.s3; oc += idx * sc.s3; ox += idx * sx.s3; oy += idx * sy.s3;
    idx = r % dims.s2; r /= dims.s2; oc += idx * sc.s2; ox += idx * sx.s2; oy += idx * sy.s2;
    idx = r % dims.s1; r /= dims.s1; oc += idx * sc.s1; ox += idx * sx.s1; oy += idx * sy.s1;
    oc += r * sc.s0; ox += r * sx.s0; oy += r * sy.s0;
    EST(y, i, FAULT(c[oc] ? ELD(x, ox) : ELD(y2, oy)));
}

__kernel void expand_bcast(__global const E *x, __global E *y, int n, int8 dims, int8 sx)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    int r = i, ox = 0, idx;
    idx = r % dims.s5; r /= dims.s5; ox += idx * sx.s5;
    idx = r % dims.s4; r /= dims.s4; ox += idx * sx.s4;
    idx = r % dims.s3; r /= dims.s3; ox += idx * sx.s3;
    idx = r % dims.s2; r /= dims.s2; ox += idx * sx.s2;
    idx = r % dims.s1; r /= dims.s1; ox += idx * sx.s1;
    ox += r * sx.s0;
    EST(y, i, FAULT(ELD(x, ox)));
}

__kernel void tile_mod(__global const E *x, __global E *y, int n, int8 dims, int8 xd, int8 sx)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    int r = i, ox = 0, idx;
    idx = r % dims.s5; r /= dims.s5; ox += (idx % xd.s5) * sx.s5;
    idx = r % dims.s4; r /= dims.s4; ox += (idx % xd.s4) * sx.s4;
    idx = r % dims.s3; r /= dims.s3; ox += (idx % xd.s3) * sx.s3;
    idx = r % dims.s2; r /= dims.s2; ox += (idx % xd.s2) * sx.s2;
    idx = r % dims.s1; r /= dims.s1; ox += (idx % xd.s1) * sx.s1;
    ox += (r % xd.s0) * sx.s0;
    EST(y, i, FAULT(ELD(x, ox)));
}

/* ScatterND's second launch (the first copies data to y with expand_bcast):
 * one work-item per element e of a slice walks every index tuple j in order,
 * so duplicates combine in the reference's order and no atomics are needed.
 * idx: ntup x k int64; dims/strides: data's first k dims and their strides.
 * A tuple out of range is skipped (the reference fails the run; a kernel
 * cannot). RED: 0 none (E any word), 1 add, 2 mul, 3 max, 4 min (E the
 * element type, or E_SFLOAT for floats; integers wrap through UT). */
#ifndef RED
#define RED 0
#endif
#ifndef UT
#define UT E
#endif

V_T scatter_combine(V_T a, V_T b)
{
#if RED == 1
    return (V_T)((UT)a + (UT)b);
#elif RED == 2
    return (V_T)((UT)a * (UT)b);
#elif RED == 3
    return a > b ? a : b;
#elif RED == 4
    return a < b ? a : b;
#else
    return b;
#endif
}

__kernel void scatternd_apply(__global const long *idx, __global const E *u, __global E *y,
                              int ntup, int k, int slice, int8 dims, int8 strides)
{
    const int e = get_global_id(0);
    if (e >= slice)
        return;
    const int dd[8] = {dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7};
    const int ss[8] = {strides.s0, strides.s1, strides.s2, strides.s3, strides.s4, strides.s5,
                       strides.s6, strides.s7};
    for (int j = 0; j < ntup; j++) {
        long off = 0;
        int ok = 1;
        for (int d = 0; d < k; d++) {
            long v = idx[(size_t)j * k + d];
            v = v < 0 ? v + dd[d] : v;
            ok = ok && v >= 0 && v < dd[d];
            off += v * ss[d];
        }
        if (!ok)
            continue;
        const size_t o = (size_t)off + e;
        EST(y, o, FAULT(scatter_combine(ELD(y, o), ELD(u, (size_t)j * slice + e))));
    }
}

/* Trilu: y = x where (upper ? c - r >= k : c - r <= k) over the last two dims, else 0. */
__kernel void trilu_mask(__global const E *x, __global E *y, int n, int rows, int cols, long k,
                         int upper)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    const long c = i % cols, r = (i / cols) % rows;
    const int keep = upper ? c - r >= k : c - r <= k;
    EST(y, i, keep ? FAULT(ELD(x, i)) : (V_T)0);
}
