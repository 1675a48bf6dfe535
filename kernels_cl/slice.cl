/* slice.cl — Slice with steps (negative included), up to 6 dims, float32.
 * Variant (host/ops/slice_cl.c): slice_nd, no preconditions: y dims left-padded to 6,
 * st[d] = input stride * step of dim d, base = offset of the first element taken.
 * Split uses concat.cl's block copy instead (its pieces are contiguous runs). NDRange (n). */

__kernel void slice_nd(__global const float *x, __global float *y, int n, int base, int8 dims,
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
    y[i] = FAULT(x[off]);
}
