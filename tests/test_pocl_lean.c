/* test_pocl_lean.c — rt_pocl_lean on hand-made POCL binaries (format 9, as
 * lib/CL/pocl_binary.c of POCL 3.x writes them): the header kept but for a
 * build hash of POCL's shape that differs from the original, the root entry
 * /program.bc replaced by one empty marker file, the kernels' records kept
 * byte for byte; and every other layout refused (NULL), each length checked
 * against the buffer, under ASan too. No device needed; test_cl_cache runs a
 * real POCL binary through it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_pocl_lean.h"

#define HASH "OK/PMJGCPGBHNNOELCIIAHEDBLOELANHLMIIGLPC"
#define HEAD 36 /* magic 8, device id 8, version 4, kernels 4, flags 8, root entries 4 */

typedef struct buf {
    unsigned char b[4096];
    size_t n;
} buf;

static void put(buf *x, const void *p, size_t n)
{
    assert_true(x->n + n <= sizeof x->b);
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

static void put_le(buf *x, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        const unsigned char c = (unsigned char)(v >> (8 * i));
        put(x, &c, 1);
    }
}

/* A file as POCL serialises one: u32 path length, path, u32 size, content. */
static void put_file(buf *x, const char *path, const char *content, size_t len)
{
    put_le(x, strlen(path), 4);
    put(x, path, strlen(path));
    put_le(x, len, 4);
    put(x, content, len);
}

/* The kernels' records: opaque bytes here (rt_pocl_lean copies them as they are). */
static const char records[] = "\x40\0\0\0\0\0\0\0kernel-record:conv_pw/8-4-1-goffs0-smallgrid/conv_pw.so";

/* A binary: version, root entry count, the root entry's file path and bitcode. */
static buf make(uint32_t version, uint32_t roots, const char *path, const char *hash)
{
    buf x = {.n = 0};
    static const char bitcode[] = "BC\xc0\xde fake bitcode";
    put(&x, "poclbin", 8);
    put_le(&x, 0x02ee5b10a1a5c0deULL, 8); /* device id */
    put_le(&x, version, 4);
    put_le(&x, 3, 4);                     /* kernels */
    put_le(&x, 4ULL << 32, 8);            /* flags: binary type executable */
    put_le(&x, roots, 4);
    put(&x, hash, strlen(hash) + 1);
    put_le(&x, 4 + strlen(path) + 4 + sizeof bitcode - 1, 8);
    put_file(&x, path, bitcode, sizeof bitcode - 1);
    put(&x, records, sizeof records - 1);
    return x;
}

static void test_lean_copy(void **state)
{
    (void)state;
    const buf in = make(9, 1, "/program.bc", HASH);
    assert_true(rt_pocl_lean_ok(in.b, in.n));
    size_t n = 0;
    unsigned char *out = rt_pocl_lean(in.b, in.n, &n);
    assert_non_null(out);
    assert_memory_equal(out, in.b, HEAD); /* magic, device, version, kernels, flags, roots */
    const unsigned char *h = out + HEAD;
    assert_int_equal(h[2], '/');
    assert_int_equal(h[40], '\0');
    for (int i = 0; i < 40; i++)
        if (i != 2)
            assert_true(h[i] >= 'A' && h[i] <= 'P');
    assert_memory_not_equal(h, HASH, 40); /* a folder of its own in POCL's cache */
    /* the root entry: one empty file, no bitcode */
    buf want = {.n = 0};
    put_le(&want, 4 + strlen("/clcnn-lean") + 4, 8);
    put_file(&want, "/clcnn-lean", "", 0);
    put(&want, records, sizeof records - 1);
    assert_int_equal(n, HEAD + 41 + want.n);
    assert_memory_equal(out + HEAD + 41, want.b, want.n);
    /* the same input, the same copy (a later context finds its folder again) */
    size_t n2 = 0;
    unsigned char *again = rt_pocl_lean(in.b, in.n, &n2);
    assert_int_equal(n2, n);
    assert_memory_equal(again, out, n);
    /* a lean copy is no longer leanable: it has no bitcode entry */
    assert_false(rt_pocl_lean_ok(out, n));
    free(again);
    free(out);
}

static void expect_refused(const unsigned char *b, size_t n, const char *what)
{
    size_t len = 12345;
    unsigned char *out = rt_pocl_lean(b, n, &len);
    if (out || rt_pocl_lean_ok(b, n))
        fail_msg("%s: made a lean copy of a binary it must refuse", what);
}

static void test_refusals(void **state)
{
    (void)state;
    buf x = make(8, 1, "/program.bc", HASH);
    expect_refused(x.b, x.n, "format version 8");
    x = make(10, 1, "/program.bc", HASH);
    expect_refused(x.b, x.n, "format version 10");
    x = make(9, 2, "/program.bc", HASH);
    expect_refused(x.b, x.n, "two root entries");
    x = make(9, 1, "/program.bd", HASH);
    expect_refused(x.b, x.n, "a root entry that is not /program.bc");
    x = make(9, 1, "/program.bc", "ok/PMJGCPGBHNNOELCIIAHEDBLOELANHLMIIGLPC");
    expect_refused(x.b, x.n, "a build hash not of POCL's shape");
    x = make(9, 1, "/program.bc", HASH);
    x.b[0] = 'P';
    expect_refused(x.b, x.n, "no poclbin magic");
    x = make(9, 1, "/program.bc", HASH);
    x.b[20] = x.b[21] = x.b[22] = x.b[23] = 0;
    expect_refused(x.b, x.n, "no kernels");
    /* every truncation up to the end of the root entry */
    const buf whole = make(9, 1, "/program.bc", HASH);
    const size_t records_at = whole.n - (sizeof records - 1);
    for (size_t n = 0; n < records_at; n++) {
        unsigned char *cut = malloc(n ? n : 1); /* exact size: ASan sees any read past it */
        assert_non_null(cut);
        memcpy(cut, whole.b, n);
        expect_refused(cut, n, "a truncated binary");
        free(cut);
    }
    /* an entry size reaching past the buffer, or not matching its one file */
    x = make(9, 1, "/program.bc", HASH);
    x.b[HEAD + 41 + 7] = 0x7f;
    expect_refused(x.b, x.n, "an entry size past the buffer");
    x = make(9, 1, "/program.bc", HASH);
    x.b[HEAD + 41] += 1;
    expect_refused(x.b, x.n, "an entry size one more than its file");
    x = make(9, 1, "/program.bc", HASH);
    x.b[HEAD + 41 + 8 + 4 + 11] += 1; /* the file's content length */
    expect_refused(x.b, x.n, "a file length disagreeing with its entry");
    expect_refused(NULL, 0, "NULL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lean_copy),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
