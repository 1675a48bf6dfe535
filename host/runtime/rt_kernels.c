/* rt_kernels.c — looks up the kernels_cl/<name>.cl sources that CMake embeds into
 * the generated kernels_embedded.c (a NULL-name terminated table). */
#include <string.h>

#include "rt.h"

struct rt_kernel_entry {
    const char *name;
    const char *src;
    size_t len;
};
extern const struct rt_kernel_entry rt_kernel_table[];
extern const int rt_kernel_count;

const char *rt_kernel_source(const char *name, size_t *len)
{
    if (!name)
        return NULL;
    for (int i = 0; i < rt_kernel_count; i++)
        if (strcmp(rt_kernel_table[i].name, name) == 0) {
            if (len)
                *len = rt_kernel_table[i].len;
            return rt_kernel_table[i].src;
        }
    return NULL;
}

const char *rt_kernel_name(int i)
{
    return i >= 0 && i < rt_kernel_count ? rt_kernel_table[i].name : NULL;
}
