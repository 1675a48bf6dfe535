/* shuffle.cl — ShuffleNet's channel shuffle (groups 2) fused with the Concat before it
 * and the channel split after it, float32 (sfloat storage: half in an fp16 plan), NCHW:
 * one pass, no intermediate tensor.
 * Variant (host/ops_cl/shuffle_cl.c): shuffle2_cat, no preconditions: inputs a, b are
 * (N,ch,H,W); the shuffled tensor Y (N,2ch,H,W) has channel k = (k odd ? b : a)[k/2].
 * Output y0 gets Y's channels [off0, off0+cnt0), y1 [off1, off1+cnt1) (cnt1 0: no y1;
 * the host then passes y0 twice and nothing is written through y1).
 * NDRange (hw, cnt0+cnt1, N): dim 0 runs over pixels so reads and writes are contiguous. */

__kernel void shuffle2_cat(__global const sfloat *a, __global const sfloat *b, __global sfloat *y0,
                           __global sfloat *y1, int hw, int ch, int n, int off0, int cnt0,
                           int off1, int cnt1)
{
    const int p = get_global_id(0), j = get_global_id(1), img = get_global_id(2);
    if (p >= hw || j >= cnt0 + cnt1 || img >= n)
        return;
    const int first = j < cnt0;
    const int k = first ? off0 + j : off1 + (j - cnt0); /* channel of Y */
    __global const sfloat *src = (k & 1) ? b : a;
    const float v = FAULT(LD(src, ((size_t)img * ch + (k >> 1)) * hw + p));
    if (first)
        ST(y0, ((size_t)img * cnt0 + j) * hw + p, v);
    else
        ST(y1, ((size_t)img * cnt1 + (j - cnt0)) * hw + p, v);
}
