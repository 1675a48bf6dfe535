/* smoke.cl — the smallest useful kernel: proves a device builds and runs code
 * (runtime tests, binary-cache tests, `clcnn devices` sanity checks).
 * Variants:
 *   axpb: y[i] = a * x[i] + b for i < n. Preconditions: none; the global size
 *         may be rounded up to a multiple of the work-group size (POCL has no
 *         non-uniform work-groups), the guard drops the tail. */

__kernel void axpb(__global const float *x, __global float *y, const float a, const float b,
                   const int n)
{
    const int i = (int)get_global_id(0);
    if (i < n)
        y[i] = a * x[i] + b;
}
