/* model_find.c — clcnn_model_find: resolves a model file name through the
 * search path clcnn.h documents (as given; $CLCNN_MODEL_PATH; ./models and
 * ./../shared/models; $XDG_DATA_HOME/clcnn/models; the install prefix's
 * share/clcnn/models). Only the install prefix is compiled in (CMake sets
 * CLCNN_INSTALL_MODEL_DIR on this file); no build-tree path ever is. Built-in
 * architecture names are clcnn_model_load's business, not this file's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api_internal.h"

#define FIND_PATH_MAX 4096

/* Where the search went, for the "not found" message. */
typedef struct looked {
    char text[2048];
    size_t used;
    char too_long[FIND_PATH_MAX]; /* a match the caller's buffer could not hold; "" when none */
} looked;

static void note_looked(looked *l, const char *dir, size_t dir_len)
{
    if (l->used + 1 >= sizeof l->text)
        return; /* the list is a hint; a very long one is cut, not overflowed */
    int n = snprintf(l->text + l->used, sizeof l->text - l->used, "%s%.*s", l->used ? ", " : "",
                     (int)dir_len, dir);
    if (n > 0)
        l->used += (size_t)n < sizeof l->text - l->used ? (size_t)n : sizeof l->text - l->used - 1;
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Copies path into buf when it fits. One that does not fit is remembered
 * (the search goes on: a later match may be shorter) so the error can say
 * the buffer, not the search, was the problem. */
static int take(const char *path, char *buf, size_t len, looked *l)
{
    size_t n = strlen(path);
    if (n >= len) {
        if (!l->too_long[0])
            snprintf(l->too_long, sizeof l->too_long, "%s", path);
        return 0;
    }
    memcpy(buf, path, n + 1);
    return 1;
}

/* dir/name into buf when that file exists. */
static int try_dir(const char *dir, size_t dir_len, const char *name, char *buf, size_t len, looked *l)
{
    char path[FIND_PATH_MAX];
    note_looked(l, dir, dir_len);
    int n = snprintf(path, sizeof path, "%.*s/%s", (int)dir_len, dir, name);
    return n > 0 && (size_t)n < sizeof path && is_file(path) && take(path, buf, len, l);
}

/* Each ':'-separated entry of $CLCNN_MODEL_PATH. A folder is searched for
 * `name`; an entry that is a file names the model itself, so it matches the
 * default search (want_default) or a name equal to its base name. */
static int try_env_list(const char *list, const char *name, int want_default, char *buf, size_t len,
                        looked *l)
{
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char entry[FIND_PATH_MAX];
        if (n && n < sizeof entry) {
            memcpy(entry, p, n);
            entry[n] = '\0';
            const char *base = strrchr(entry, '/') ? strrchr(entry, '/') + 1 : entry;
            if (is_file(entry)) {
                note_looked(l, entry, n);
                if ((want_default || strcmp(base, name) == 0) && take(entry, buf, len, l))
                    return 1;
            } else if (try_dir(entry, n, name, buf, len, l)) {
                return 1;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* $XDG_DATA_HOME/clcnn/models, or ~/.local/share/clcnn/models when it is unset
 * or empty (the XDG base directory rule). */
static int try_data_home(const char *name, char *buf, size_t len, looked *l)
{
    char dir[FIND_PATH_MAX];
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && xdg[0])
        n = snprintf(dir, sizeof dir, "%s/clcnn/models", xdg);
    else if (home && home[0])
        n = snprintf(dir, sizeof dir, "%s/.local/share/clcnn/models", home);
    else
        return 0;
    return n > 0 && (size_t)n < sizeof dir && try_dir(dir, (size_t)n, name, buf, len, l);
}


clcnn_status clcnn_model_find(const char *name, char *buf, size_t len, char *err, size_t err_len)
{
    if (!buf || !len)
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "clcnn_model_find: buf is %s",
                          buf ? "empty (len 0)" : "NULL");
    int want_default = name == NULL;
    if (!name)
        name = CLCNN_DEFAULT_MODEL;
    if (!name[0])
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG, "clcnn_model_find: empty model name");
    looked l = {.used = 0};
    note_looked(&l, ".", 1);
    if (is_file(name) && take(name, buf, len, &l))
        return CLCNN_OK;
    static const char *const local_dirs[] = {"./models", "./../shared/models"};
    /* a name with a '/' is a path, not a name: nothing to search */
    int found = 0, search = !strchr(name, '/');
    if (search)
        found = try_env_list(getenv("CLCNN_MODEL_PATH"), name, want_default, buf, len, &l);
    for (size_t i = 0; search && !found && i < sizeof local_dirs / sizeof local_dirs[0]; i++)
        found = try_dir(local_dirs[i], strlen(local_dirs[i]), name, buf, len, &l);
    if (search && !found)
        found = try_data_home(name, buf, len, &l);
#ifdef CLCNN_INSTALL_MODEL_DIR
    if (search && !found)
        found = try_dir(CLCNN_INSTALL_MODEL_DIR, strlen(CLCNN_INSTALL_MODEL_DIR), name, buf, len, &l);
#endif
    if (found)
        return CLCNN_OK;
    if (l.too_long[0])
        return api_err_buf(err, err_len, CLCNN_ERR_INVALID_ARG,
                          "clcnn_model_find: '%s' does not fit in the %zu-byte buffer", l.too_long, len);
    return api_err_buf(err, err_len, CLCNN_ERR_IO, "model '%s' not found (looked in: %s)", name,
                      search ? l.text : name);
}
