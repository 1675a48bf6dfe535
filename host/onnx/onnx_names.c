/* onnx_names.c — the loader's name -> tensor index map (FNV-1a, linear
 * probing). Graphs carry thousands of tensors and every node input is looked
 * up, so ir_find_tensor's linear scan would make loading quadratic. */
#include <stdlib.h>
#include <string.h>

#include "onnx_load_priv.h"

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

static int alloc_slots(onnx_names *m, int cap)
{
    m->slots = malloc(sizeof(int) * (size_t)cap);
    m->hash = malloc(sizeof(uint32_t) * (size_t)cap);
    if (!m->slots || !m->hash) {
        free(m->slots);
        free(m->hash);
        m->slots = NULL;
        m->hash = NULL;
        return -1;
    }
    for (int i = 0; i < cap; i++)
        m->slots[i] = -1;
    m->cap = cap;
    return 0;
}

int onnx_names_init(onnx_names *m, int expected)
{
    int cap = 64;
    while (cap < expected * 2 && cap < (1 << 28))
        cap *= 2;
    m->count = 0;
    return alloc_slots(m, cap);
}

void onnx_names_free(onnx_names *m)
{
    free(m->slots);
    free(m->hash);
    m->slots = NULL;
    m->hash = NULL;
    m->cap = m->count = 0;
}

int onnx_names_find(const onnx_names *m, const ir_graph *g, const char *name)
{
    uint32_t h = fnv1a(name);
    for (uint32_t i = h & (uint32_t)(m->cap - 1);; i = (i + 1) & (uint32_t)(m->cap - 1)) {
        int t = m->slots[i];
        if (t < 0)
            return -1;
        if (m->hash[i] == h && strcmp(g->tensors[t].name, name) == 0)
            return t;
    }
}

static void insert(onnx_names *m, int idx, uint32_t h)
{
    uint32_t i = h & (uint32_t)(m->cap - 1);
    while (m->slots[i] >= 0)
        i = (i + 1) & (uint32_t)(m->cap - 1);
    m->slots[i] = idx;
    m->hash[i] = h;
    m->count++;
}

/* Keeps the load factor under 1/2 so probes stay short and one slot is
 * always empty (find's loop relies on that to stop). */
static int grow(onnx_names *m)
{
    onnx_names old = *m;
    if (alloc_slots(m, old.cap * 2)) {
        *m = old;
        return -1;
    }
    m->count = 0;
    for (int i = 0; i < old.cap; i++)
        if (old.slots[i] >= 0)
            insert(m, old.slots[i], old.hash[i]);
    free(old.slots);
    free(old.hash);
    return 0;
}

int onnx_names_put(onnx_names *m, const ir_graph *g, int idx)
{
    if ((m->count + 1) * 2 > m->cap && grow(m))
        return -1;
    insert(m, idx, fnv1a(g->tensors[idx].name));
    return 0;
}

int onnx_names_get_or_add(onnx_names *m, ir_graph *g, const char *name)
{
    int t = onnx_names_find(m, g, name);
    if (t >= 0)
        return t;
    t = ir_add_tensor(g, name, IR_DT_UNDEFINED, -1, NULL);
    if (t < 0 || onnx_names_put(m, g, t))
        return -1;
    return t;
}
