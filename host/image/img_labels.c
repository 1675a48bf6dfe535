/* img_labels.c — class names for classify: the ImageNet table generated at
 * build time (cmake/gen_labels.cmake), a labels file given by the user or
 * found beside the model, and the index -> name rule (1001-class models put
 * "background" at 0). A leading WordNet id is dropped so only names show. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

extern const char *const img_imagenet_table[];
extern const int img_imagenet_table_count;

/* "n01440764 tench" -> "tench"; anything else unchanged. */
static const char *skip_wnid(const char *s)
{
    if (s[0] != 'n')
        return s;
    int i = 1;
    while (isdigit((unsigned char)s[i]))
        i++;
    if (i == 9 && s[i] == ' ') {
        while (s[i] == ' ')
            i++;
        return s + i;
    }
    return s;
}

int img_imagenet_count(void)
{
    return img_imagenet_table_count;
}

const char *img_imagenet_name(int i, char *buf, size_t len)
{
    if (i >= 0 && i < img_imagenet_table_count)
        snprintf(buf, len, "%s", skip_wnid(img_imagenet_table[i]));
    else
        snprintf(buf, len, "class %d", i);
    return buf;
}

void img_labels_free(img_labels *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    l->names = NULL;
    l->n = 0;
}

static clcnn_status push_label(img_labels *l, int *cap, const char *name)
{
    if (l->n == *cap) {
        int nc = *cap ? *cap * 2 : 1024;
        char **nn = realloc(l->names, sizeof(char *) * nc);
        if (!nn)
            return CLCNN_ERR_OUT_OF_MEMORY;
        l->names = nn;
        *cap = nc;
    }
    l->names[l->n] = strdup(name);
    if (!l->names[l->n])
        return CLCNN_ERR_OUT_OF_MEMORY;
    l->n++;
    return CLCNN_OK;
}

clcnn_status img_labels_load(const char *path, img_labels *out, clcnn_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, CLCNN_ERR_IO, "%s: cannot open labels: %s", path, strerror(errno));
    img_labels l = {0};
    int cap = 0;
    char line[1024];
    clcnn_status st = CLCNN_OK;
    while (st == CLCNN_OK && fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue; /* a trailing blank line is not a class */
        st = push_label(&l, &cap, skip_wnid(line));
    }
    fclose(f);
    if (st != CLCNN_OK) {
        img_labels_free(&l);
        return err_set(err, st, "%s: out of memory reading labels", path);
    }
    if (l.n == 0)
        return err_set(err, CLCNN_ERR_PARSE, "%s: labels file has no lines", path);
    *out = l;
    return CLCNN_OK;
}

const char *img_label_for(const img_labels *custom, int classes, int index, char *buf, size_t len)
{
    int n = custom ? custom->n : img_imagenet_table_count;
    int i = index;
    if (classes == n + 1) { /* TF-slim style: background first */
        if (index == 0) {
            snprintf(buf, len, "background");
            return buf;
        }
        i = index - 1;
    }
    if (i < 0 || i >= n) {
        snprintf(buf, len, "class %d", index);
        return buf;
    }
    if (custom)
        snprintf(buf, len, "%s", custom->names[i]);
    else
        img_imagenet_name(i, buf, len);
    return buf;
}
