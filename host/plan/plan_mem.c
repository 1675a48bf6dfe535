/* plan_mem.c — activation buffers by liveness (the ggml-alloc idea): walk the
 * steps in order, give each tensor written at a step a free slot (best fit,
 * else grow the largest free one, else a new slot), and return a tensor's slot
 * after its last reader. Slots grow to their largest tenant, so nothing is
 * allocated until the walk ends. Pinned tensors (graph inputs/outputs) keep theirs. */
#include <stdlib.h>

#include "plan.h"

size_t plan_dev_bytes(const ir_tensor *t)
{
    size_t b = (size_t)ir_numel(t) * opcl_esize(t);
    return b ? b : sizeof(float); /* OpenCL refuses zero-size buffers */
}

/* Picks a free slot for `need` bytes; -1 when none is free. */
static int pick_free(const int *free_list, int n_free, const size_t *bytes, size_t need)
{
    int best = -1, largest = -1;
    for (int i = 0; i < n_free; i++) {
        int s = free_list[i];
        if (bytes[s] >= need && (best < 0 || bytes[s] < bytes[free_list[best]]))
            best = i;
        if (largest < 0 || bytes[s] > bytes[free_list[largest]])
            largest = i;
    }
    return best >= 0 ? best : largest;
}

static void assign(const ir_graph *g, int t, int *slot, size_t *bytes, int *n_slots,
                   int *free_list, int *n_free, int keep_all)
{
    size_t need = plan_dev_bytes(&g->tensors[t]);
    int i = keep_all ? -1 : pick_free(free_list, *n_free, bytes, need);
    if (i >= 0) {
        int s = free_list[i];
        free_list[i] = free_list[--*n_free];
        slot[t] = s;
        if (bytes[s] < need)
            bytes[s] = need;
        return;
    }
    slot[t] = (*n_slots)++;
    bytes[slot[t]] = need;
}

clcnn_status plan_assign_slots(const ir_graph *g, int n_steps, const int *need, const int *def,
                               const int *last, const int *pinned, int keep_all, int *slot,
                               size_t **slot_bytes, int *n_slots, clcnn_err *err)
{
    const int nt = g->n_tensors;
    size_t *bytes = calloc((size_t)nt + 1, sizeof *bytes);
    int *free_list = malloc(((size_t)nt + 1) * sizeof *free_list);
    if (!bytes || !free_list) {
        free(bytes);
        free(free_list);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory planning buffers");
    }
    int ns = 0, nf = 0;
    for (int t = 0; t < nt; t++) {
        slot[t] = -1;
        if (need[t] && def[t] < 0)
            assign(g, t, slot, bytes, &ns, free_list, &nf, keep_all);
    }
    for (int s = 0; s < n_steps; s++) {
        for (int t = 0; t < nt; t++)
            if (need[t] && def[t] == s)
                assign(g, t, slot, bytes, &ns, free_list, &nf, keep_all);
        if (keep_all)
            continue;
        /* after step s: release what no later step reads (dead outputs included) */
        for (int t = 0; t < nt; t++)
            if (need[t] && !pinned[t] && def[t] <= s && slot[t] >= 0 &&
                (last[t] == s || (last[t] < def[t] && def[t] == s)))
                free_list[nf++] = slot[t];
    }
    free(free_list);
    *slot_bytes = bytes;
    *n_slots = ns;
    return CLCNN_OK;
}
