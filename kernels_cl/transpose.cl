/* transpose.cl — N-d permute (Transpose), up to 6 dims, float32.
 * Variant (host/ops/transpose_cl.c): permute, no preconditions: y dims left-padded to 6,
 * st[d] = the input's element stride of the axis that lands on y's dim d. ShuffleNet's
 * channel shuffle (Reshape -> Transpose -> Reshape) therefore runs as this one kernel:
 * the Reshapes are zero-copy aliases. NDRange (n). */

__kernel void permute(__global const float *x, __global float *y, int n, int8 dims, int8 st)
{
    const int i = get_global_id(0);
    if (i >= n)
        return;
    int r = i, off = 0;
    off += (r % dims.s5) * st.s5; r /= dims.s5;
    off += (r % dims.s4) * st.s4; r /= dims.s4;
    off += (r % dims.s3) * st.s3; r /= dims.s3;
    off += (r % dims.s2) * st.s2; r /= dims.s2;
    off += (r % dims.s1) * st.s1; r /= dims.s1;
    off += r * st.s0;
    y[i] = FAULT(x[off]);
}
