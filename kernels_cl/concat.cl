/* concat.cl — strided block copy for Concat (each input into its slice of the output)
 * and Split (each slice of the input into its output), any element type (ELEM_T).
 * Variant (host/ops_cl/movement_cl.c): copy_block, no preconditions: `outer` runs of `chunk`
 * elements, run o read at src_off + o*src_stride, written at dst_off + o*dst_stride.
 * NDRange (chunk, outer). */

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

__kernel void copy_block(__global const ELEM_T *src, __global ELEM_T *dst, int outer, int chunk,
                         int src_stride, int src_off, int dst_stride, int dst_off)
{
    const int j = get_global_id(0), o = get_global_id(1);
    if (j >= chunk || o >= outer)
        return;
    EST(dst, (size_t)o * dst_stride + dst_off + j,
        FAULT(ELD(src, (size_t)o * src_stride + src_off + j)));
}
