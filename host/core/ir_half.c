/* ir_half.c — IEEE 754 binary16 <-> binary32 by bit manipulation (no compiler
 * _Float16 needed), for float16 tensors (Cast, initializers, outputs). */
#include <string.h>

#include "ir.h"

float ir_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    if (exp == 0x1f) { /* inf / NaN: keep the payload's top bits */
        bits = sign | 0x7f800000u | (man << 13);
    } else if (exp) { /* normal: rebias 15 -> 127 */
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    } else if (man) { /* subnormal half = man * 2^-24: normalise */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400u));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ffu) << 13);
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

int ir_node_half(const ir_graph *g, const ir_node *n)
{
    for (int k = 0; k < n->n_in; k++)
        if (n->in[k] >= 0 && g->tensors[n->in[k]].half)
            return 1;
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] >= 0 && g->tensors[n->out[k]].half)
            return 1;
    return 0;
}

uint16_t ir_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t exp = (x >> 23) & 0xffu, man = x & 0x7fffffu;
    if (exp == 0xff) /* inf stays inf; NaN stays a (quiet) NaN */
        return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0u));
    int e = (int)exp - 127 + 15;
    if (e >= 0x1f) /* too large: inf */
        return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) { /* subnormal half or zero: shift the implicit 1 in, round to nearest even */
        if (e < -10)
            return sign;
        man |= 0x800000u;
        int shift = 14 - e; /* 13 + (1 - e) */
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u)))
            half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u)))
        half++; /* a carry into the exponent is right, up to inf */
    return (uint16_t)(sign | half);
}
