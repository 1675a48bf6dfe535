/* plan_mem.c — activation memory by liveness: every tensor an offset in one
 * arena (the greedy-by-size placement of TFLite's arena planner). Tensors go
 * largest first; each takes the tightest gap, among the tensors already placed
 * whose lifetimes meet its own, that holds it, else the top of them. Largest
 * first matters: a small tensor placed early would split the space a large one
 * later needs. The slots this replaced (one buffer per slot, grown to its
 * largest tenant) summed their tenants' maxima: MobileNetV2 8.6 MiB for a
 * peak of 6.3 MiB live. */
#include <stdint.h>
#include <stdlib.h>

#include "plan.h"

size_t plan_dev_bytes(const ir_tensor *t)
{
    size_t b = (size_t)ir_numel(t) * opcl_esize(t);
    return b ? b : sizeof(float); /* OpenCL refuses zero-size buffers */
}

typedef struct span {
    int t, from, to; /* tensor, first and last step it is live (inclusive) */
    size_t bytes;    /* rounded up to the alignment */
} span;

static int by_size(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* The first offset from `o` where `need` bytes cross no multiple of `cap`
 * (0: no cap): the arena is cut into buffers of cap bytes at most. */
static size_t uncut(size_t o, size_t need, size_t cap)
{
    return cap && o / cap != (o + need - 1) / cap ? (o / cap + 1) * cap : o;
}

/* Where a tensor of `need` bytes goes given the `n` placed tensors it meets,
 * sorted by offset in `at`/`end`: the smallest gap that holds it, else the top. */
static size_t best_gap(const size_t *at, const size_t *end, int n, size_t need, size_t cap)
{
    size_t best = SIZE_MAX, best_room = SIZE_MAX, top = 0;
    for (int i = 0; i < n; i++) {
        const size_t o = uncut(top, need, cap);
        if (at[i] > o && at[i] - o >= need && at[i] - top < best_room)
            best = o, best_room = at[i] - top;
        if (end[i] > top)
            top = end[i];
    }
    return best != SIZE_MAX ? best : uncut(top, need, cap);
}

static int by_offset(const void *a, const void *b)
{
    const size_t *x = a, *y = b; /* pairs (offset, end) */
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

clcnn_status plan_arena_place(int n_tensors, const size_t *bytes, const int *need,
                              const int *def, const int *last, const int *pinned, int keep_all,
                              size_t align, size_t cap, int64_t *off, size_t *arena_bytes,
                              clcnn_err *err)
{
    const size_t n1 = (size_t)n_tensors + 1;
    span *s = malloc(n1 * sizeof *s);
    size_t *pair = malloc(2 * n1 * sizeof *pair), *at = malloc(n1 * sizeof *at);
    size_t *end = malloc(n1 * sizeof *end);
    if (!s || !pair || !at || !end) {
        free(s), free(pair), free(at), free(end);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning buffers");
    }
    align = align ? align : 1;
    cap = cap / align * align;
    int ns = 0;
    for (int t = 0; t < n_tensors; t++) {
        off[t] = -1;
        if (!need[t])
            continue;
        if (cap && (bytes[t] + align - 1) / align * align > cap) {
            free(s), free(pair), free(at), free(end);
            return err_set(err, CLCNN_ERR_UNSUPPORTED, "tensor %d needs %zu bytes, more than "
                           "the device allocates in one buffer (%zu)", t, bytes[t], cap);
        }
        /* a dead output (never read) lives through its own step; a pinned
         * tensor (a graph input or output) from its step to the end, and
         * with keep_all every tensor throughout */
        const int to = last[t] > def[t] ? last[t] : def[t];
        s[ns++] = (span){t, keep_all ? -1 : def[t], pinned[t] || keep_all ? INT32_MAX : to,
                         (bytes[t] + align - 1) / align * align};
    }
    qsort(s, (size_t)ns, sizeof *s, by_size);
    size_t total = 0;
    for (int i = 0; i < ns; i++) {
        int nm = 0; /* the placed tensors live at some step this one is */
        for (int j = 0; j < i; j++)
            if (s[j].from <= s[i].to && s[i].from <= s[j].to) {
                pair[2 * nm] = (size_t)off[s[j].t];
                pair[2 * nm + 1] = (size_t)off[s[j].t] + s[j].bytes;
                nm++;
            }
        qsort(pair, (size_t)nm, 2 * sizeof *pair, by_offset);
        for (int k = 0; k < nm; k++)
            at[k] = pair[2 * k], end[k] = pair[2 * k + 1];
        const size_t o = best_gap(at, end, nm, s[i].bytes, cap);
        off[s[i].t] = (int64_t)o;
        if (o + s[i].bytes > total)
            total = o + s[i].bytes;
    }
    free(s), free(pair), free(at), free(end);
    *arena_bytes = total;
    return CLCNN_OK;
}
