/* rt_pocl_lean.c — a POCL program binary without its LLVM bitcode (see
 * rt_pocl_lean.h for why). Only the layout of POCL's binary format version 9
 * (POCL 3.x, lib/CL/pocl_binary.c) is rewritten, checked field by field: any
 * other version or shape returns NULL and the caller keeps the binary whole.
 *
 * Layout, little-endian: "poclbin\0" | u64 device id | u32 version | u32
 * kernels | u64 flags | u32 root entries | build hash (40 characters and a
 * NUL, "XX/YYY...", the program's folder in POCL's kernel cache) | per root
 * entry: u64 bytes, then files as (u32 length, relative path, u32 length,
 * content) | per kernel: its record (metadata and its cache folder's files:
 * the compiled work-group functions). */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"
#include "rt_pocl_lean.h"

#define MAGIC_LEN 8
#define HASH_LEN 41 /* SHA1_DIGEST_SIZE * 2 + 1 */
#define HEAD_LEN (MAGIC_LEN + 8 + 4 + 4 + 8 + 4)
#define VERSION 9u
#define BITCODE_PATH "/program.bc"
#define MARK_PATH "/clcnn-lean" /* the root entry's stand-in: POCL asserts one is there */

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

/* 1 when h is a build hash as POCL writes it: two capitals, '/', 37 capitals, NUL. */
static int hash_ok(const unsigned char *h)
{
    for (int i = 0; i < HASH_LEN - 1; i++)
        if (i == 2 ? h[i] != '/' : (h[i] < 'A' || h[i] > 'Z'))
            return 0;
    return h[HASH_LEN - 1] == '\0';
}

/* The lean program's own folder name: POCL unpacks a binary into the folder its
 * hash names, and reads the bitcode back from there when that folder holds it
 * (the same program built from source keeps it there), so the lean copy takes
 * another name, derived from the first (letters A..P, POCL's own alphabet). */
static void lean_hash(const unsigned char *h, unsigned char *out)
{
    static const char tag[] = "clcnn-lean";
    uint64_t a = rt_fnv1a(rt_fnv1a(RT_FNV_OFFSET, tag, sizeof tag - 1), h, HASH_LEN);
    uint64_t b = rt_fnv1a(a, tag, sizeof tag - 1);
    for (int i = 0, k = 0; i < HASH_LEN - 1; i++) {
        if (i == 2) {
            out[i] = '/';
            continue;
        }
        const uint64_t w = k < 16 ? a : b;
        out[i] = (unsigned char)('A' + ((w >> (4 * (k % 16))) & 15));
        k++;
    }
    out[HASH_LEN - 1] = '\0';
}

#define AT_ENTRIES (HEAD_LEN + HASH_LEN)
#define BODY (AT_ENTRIES + 8) /* the root entry's first file */

/* Where the kernels' records start in bin (after the one root entry, exactly
 * the file /program.bc), or 0 when bin is not a version-9 binary so laid out. */
static size_t records_at(const unsigned char *bin, size_t len)
{
    if (!bin || len < BODY || memcmp(bin, "poclbin", MAGIC_LEN) != 0 ||
        get_u32(bin + MAGIC_LEN + 8) != VERSION || get_u32(bin + MAGIC_LEN + 12) == 0 ||
        get_u32(bin + HEAD_LEN - 4) != 1 || !hash_ok(bin + HEAD_LEN))
        return 0;
    const uint64_t entry = get_u64(bin + AT_ENTRIES);
    const size_t plen = sizeof BITCODE_PATH - 1;
    if (entry < 8 + plen || entry > len - BODY || get_u32(bin + BODY) != plen ||
        memcmp(bin + BODY + 4, BITCODE_PATH, plen) != 0 ||
        get_u32(bin + BODY + 4 + plen) != entry - 8 - plen)
        return 0;
    return BODY + (size_t)entry;
}

int rt_pocl_lean_ok(const unsigned char *bin, size_t len)
{
    return records_at(bin, len) != 0;
}

unsigned char *rt_pocl_lean(const unsigned char *bin, size_t len, size_t *out_len)
{
    const size_t at_entries = AT_ENTRIES, body = BODY, rest = records_at(bin, len);
    if (!rest || !out_len)
        return NULL;
    const size_t tail = len - rest; /* the kernels' records, as they are */
    const size_t mlen = sizeof MARK_PATH - 1, mark = 4 + mlen + 4;
    unsigned char *out = malloc(body + mark + tail);
    if (!out)
        return NULL;
    memcpy(out, bin, HEAD_LEN);
    lean_hash(bin + HEAD_LEN, out + HEAD_LEN);
    put_u64(out + at_entries, mark);
    put_u32(out + body, (uint32_t)mlen); /* an empty file: POCL creates it, reads nothing */
    memcpy(out + body + 4, MARK_PATH, mlen);
    put_u32(out + body + 4 + mlen, 0);
    memcpy(out + body + mark, bin + rest, tail);
    *out_len = body + mark + tail;
    return out;
}
