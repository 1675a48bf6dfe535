/* depth_space.cl — DepthToSpace (DCR, CRD) and SpaceToDepth, float32 NCHW
 * (sfloat storage: half in an fp16 plan).
 * SpaceToDepth's mode (opset 28): DCR as before, CRD y[c*b*b + i*b+j] = x[c, h*b+i, w*b+j].
 * Variant (host/ops_cl/depth_space_cl.c): depth_space, no preconditions: one
 * work-item per output element gathers its source element. b = blocksize.
 * NDRange (OW, OH, N*OC). */

#define DS_DCR 0 /* match ops_impl.h */
#define DS_CRD 1
#define DS_S2D 2
#define DS_S2D_CRD 3

/* g: (C, H, W, OC, OH, OW, N, b) of input and output */
__kernel void depth_space(__global const sfloat *x, __global sfloat *y, int mode, int8 g)
{
    const int ow = get_global_id(0), oh = get_global_id(1), z = get_global_id(2);
    const int C = g.s0, H = g.s1, W = g.s2, OC = g.s3, OH = g.s4, OW = g.s5, b = g.s7;
    if (ow >= OW || oh >= OH || z >= g.s6 * OC)
        return;
    const int n = z / OC, oc = z % OC;
    int c, h, w;
    if (mode == DS_S2D || mode == DS_S2D_CRD) {
        /* y[DCR: (i*b+j)*C + c | CRD: c*b*b + i*b+j, h, w] = x[c, h*b+i, w*b+j] */
        const int ij = mode == DS_S2D ? oc / C : oc % (b * b);
        c = mode == DS_S2D ? oc % C : oc / (b * b);
        h = oh * b + ij / b, w = ow * b + ij % b;
    } else { /* y[c', h*b+i, w*b+j] = x[DCR: (i*b+j)*OC + c' | CRD: c'*b*b + i*b+j, h, w] */
        const int ij = (oh % b) * b + ow % b;
        c = mode == DS_DCR ? ij * OC + oc : oc * b * b + ij;
        h = oh / b, w = ow / b;
    }
    ST(y, ((size_t)z * OH + oh) * OW + ow, FAULT(LD(x, (((size_t)n * C + c) * H + h) * W + w)));
}
