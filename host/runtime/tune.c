/* tune.c — the per-device decision store: a small text file beside the program
 * cache, named by a hash of device name + driver version, holding CLBlast
 * decisions per GEMM shape and tuned work-group sizes. Lookups only read what
 * `clcnn tune` measured; a file that does not parse whole is ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tune.h"

#define TUNE_MAGIC "clcnn-tune 1"
#define TUNE_VARIANT_LEN 48

typedef struct tune_blast {
    int64_t m, n, k;
    double ours_ms, clblast_ms;
    int use;
} tune_blast;

typedef struct tune_lws {
    char variant[TUNE_VARIANT_LEN];
    unsigned dim;
    size_t gws[3], lws[3];
} tune_lws;

struct tune_db {
    char *path;        /* NULL: memory only */
    char *device_key;  /* "name\tdriver", NULL: accept any (tests) */
    int corrupt;
    tune_blast *blast;
    int n_blast, cap_blast;
    tune_lws *lws;
    int n_lws, cap_lws;
};

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int grow(void **p, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 0;
    int c = *cap ? 2 * *cap : 16;
    void *q = realloc(*p, (size_t)c * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static void reset(tune_db *db)
{
    free(db->blast);
    free(db->lws);
    db->blast = NULL;
    db->lws = NULL;
    db->n_blast = db->cap_blast = db->n_lws = db->cap_lws = 0;
}

/* Parses the whole file or nothing: returns 0 when every line is well formed,
 * the device line matches and the closing "end N" counts the entries. */
static int parse(tune_db *db, FILE *f)
{
    char line[512];
    int n_entries = 0, ended = 0;
    if (!fgets(line, sizeof line, f) || strcmp(line, TUNE_MAGIC "\n") != 0)
        return -1;
    if (!fgets(line, sizeof line, f) || strncmp(line, "device ", 7) != 0)
        return -1;
    line[strcspn(line, "\n")] = 0;
    if (db->device_key && strcmp(line + 7, db->device_key) != 0)
        return -1; /* another device's file under a colliding name */
    while (fgets(line, sizeof line, f)) {
        if (ended || !strchr(line, '\n'))
            return -1; /* text after "end", or a line cut short */
        int used = 0;
        if (strncmp(line, "clblast ", 8) == 0) {
            tune_blast b;
            long long m, n, k;
            if (sscanf(line, "clblast %lld %lld %lld %lf %lf %d%n", &m, &n, &k, &b.ours_ms,
                       &b.clblast_ms, &b.use, &used) != 6 ||
                line[used] != '\n' || m <= 0 || n <= 0 || k <= 0 || (b.use != 0 && b.use != 1))
                return -1;
            b.m = m, b.n = n, b.k = k;
            if (grow((void **)&db->blast, &db->cap_blast, db->n_blast, sizeof b))
                return -1;
            db->blast[db->n_blast++] = b;
        } else if (strncmp(line, "lws ", 4) == 0) {
            tune_lws l = {0};
            unsigned long g[3], w[3];
            if (sscanf(line, "lws %47s %u %lu %lu %lu %lu %lu %lu%n", l.variant, &l.dim, &g[0],
                       &g[1], &g[2], &w[0], &w[1], &w[2], &used) != 8 ||
                line[used] != '\n' || l.dim < 1 || l.dim > 3)
                return -1;
            for (int d = 0; d < 3; d++) {
                if (!g[d] || !w[d])
                    return -1;
                l.gws[d] = g[d];
                l.lws[d] = w[d];
            }
            if (grow((void **)&db->lws, &db->cap_lws, db->n_lws, sizeof l))
                return -1;
            db->lws[db->n_lws++] = l;
        } else if (sscanf(line, "end %d%n", &n_entries, &used) == 1 && line[used] == '\n') {
            ended = 1;
            continue;
        } else {
            return -1;
        }
    }
    return ended && n_entries == db->n_blast + db->n_lws ? 0 : -1;
}

clcnn_status tune_open_file(const char *path, const char *device_key, tune_db **out,
                            clcnn_err *err)
{
    tune_db *db = calloc(1, sizeof *db);
    if (!db || (path && !(db->path = dup_str(path))) ||
        (device_key && !(db->device_key = dup_str(device_key)))) {
        tune_close(db);
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory opening the tuning store");
    }
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f) {
        if (parse(db, f) != 0) {
            reset(db); /* ignored like a corrupt cache entry: measure again to refill */
            db->corrupt = 1;
        }
        fclose(f);
    }
    *out = db;
    return CLCNN_OK;
}

clcnn_status tune_open(rt_ctx *rt, tune_db **out, clcnn_err *err)
{
    const clcnn_device_info *info = rt_info(rt);
    char key[300];
    /* a plan profile plans other shapes: its measurements are its own */
    const char *prof = rt_plan_device(rt)->profile;
    snprintf(key, sizeof key, "%s\t%s%s%s", info->name, info->driver_version,
             prof ? "\tprofile=" : "", prof ? prof : "");
    const char *dir = rt_cache_dir(rt);
    if (!dir)
        return tune_open_file(NULL, key, out, err);
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a/64 of the key names the file */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    size_t len = strlen(dir) + 40;
    char *path = malloc(len);
    if (!path)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory opening the tuning store");
    snprintf(path, len, "%s/tune-%016llx.txt", dir, (unsigned long long)h);
    clcnn_status st = tune_open_file(path, key, out, err);
    free(path);
    return st;
}

void tune_close(tune_db *db)
{
    if (!db)
        return;
    reset(db);
    free(db->path);
    free(db->device_key);
    free(db);
}

int tune_was_corrupt(const tune_db *db) { return db ? db->corrupt : 0; }
const char *tune_path(const tune_db *db) { return db ? db->path : NULL; }

static tune_blast *find_blast(const tune_db *db, int64_t m, int64_t n, int64_t k)
{
    for (int i = 0; db && i < db->n_blast; i++)
        if (db->blast[i].m == m && db->blast[i].n == n && db->blast[i].k == k)
            return &db->blast[i];
    return NULL;
}

int tune_use_clblast(const tune_db *db, int64_t m, int64_t n, int64_t k)
{
    const tune_blast *b = find_blast(db, m, n, k);
    return b ? b->use : 0;
}

static tune_lws *find_lws(const tune_db *db, const char *variant, unsigned dim, const size_t *gws)
{
    for (int i = 0; db && variant && i < db->n_lws; i++) {
        tune_lws *l = &db->lws[i];
        if (l->dim != dim || strcmp(l->variant, variant) != 0)
            continue;
        int same = 1;
        for (unsigned d = 0; d < dim; d++)
            same &= l->gws[d] == gws[d];
        if (same)
            return l;
    }
    return NULL;
}

int tune_local_size(const tune_db *db, const char *variant, unsigned dim, const size_t *gws,
                    size_t *lws)
{
    if (dim < 1 || dim > 3 || !gws)
        return 0;
    const tune_lws *l = find_lws(db, variant, dim, gws);
    if (!l)
        return 0;
    for (unsigned d = 0; d < dim; d++)
        lws[d] = l->lws[d];
    return 1;
}

clcnn_status tune_set_clblast(tune_db *db, int64_t m, int64_t n, int64_t k, double ours_ms,
                              double clblast_ms, int use, clcnn_err *err)
{
    if (!db || m <= 0 || n <= 0 || k <= 0)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "tune_set_clblast: bad shape");
    tune_blast *b = find_blast(db, m, n, k);
    if (!b) {
        if (grow((void **)&db->blast, &db->cap_blast, db->n_blast, sizeof *b))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory in the tuning store");
        b = &db->blast[db->n_blast++];
    }
    *b = (tune_blast){m, n, k, ours_ms, clblast_ms, use ? 1 : 0};
    return CLCNN_OK;
}

clcnn_status tune_set_local_size(tune_db *db, const char *variant, unsigned dim,
                                 const size_t *gws, const size_t *lws, clcnn_err *err)
{
    if (!db || !variant || !*variant || strlen(variant) >= TUNE_VARIANT_LEN ||
        strpbrk(variant, " \t\n") || dim < 1 || dim > 3)
        return err_set(err, CLCNN_ERR_INVALID_ARG, "tune_set_local_size: bad variant or dim");
    for (unsigned d = 0; d < dim; d++)
        if (!gws[d] || !lws[d])
            return err_set(err, CLCNN_ERR_INVALID_ARG, "tune_set_local_size: zero size");
    tune_lws *l = find_lws(db, variant, dim, gws);
    if (!l) {
        if (grow((void **)&db->lws, &db->cap_lws, db->n_lws, sizeof *l))
            return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory in the tuning store");
        l = &db->lws[db->n_lws++];
    }
    memset(l, 0, sizeof *l);
    strcpy(l->variant, variant);
    l->dim = dim;
    for (unsigned d = 0; d < 3; d++) {
        l->gws[d] = d < dim ? gws[d] : 1;
        l->lws[d] = d < dim ? lws[d] : 1;
    }
    return CLCNN_OK;
}

clcnn_status tune_save(tune_db *db, clcnn_err *err)
{
    if (!db || !db->path)
        return err_set(err, CLCNN_ERR_IO, "no cache folder: tuning decisions cannot be stored");
    size_t len = strlen(db->path) + 16;
    char *tmp = malloc(len);
    if (!tmp)
        return err_set(err, CLCNN_ERR_OUT_OF_MEMORY, "out of memory saving the tuning store");
    snprintf(tmp, len, "%s.XXXXXX", db->path);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return err_set(err, CLCNN_ERR_IO, "cannot write the tuning store beside '%s'", db->path);
    }
    fprintf(f, TUNE_MAGIC "\ndevice %s\n", db->device_key ? db->device_key : "any");
    for (int i = 0; i < db->n_blast; i++) {
        const tune_blast *b = &db->blast[i];
        fprintf(f, "clblast %lld %lld %lld %.4f %.4f %d\n", (long long)b->m, (long long)b->n,
                (long long)b->k, b->ours_ms, b->clblast_ms, b->use);
    }
    for (int i = 0; i < db->n_lws; i++) {
        const tune_lws *l = &db->lws[i];
        fprintf(f, "lws %s %u %zu %zu %zu %zu %zu %zu\n", l->variant, l->dim, l->gws[0],
                l->gws[1], l->gws[2], l->lws[0], l->lws[1], l->lws[2]);
    }
    fprintf(f, "end %d\n", db->n_blast + db->n_lws);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, db->path) != 0) {
        unlink(tmp);
        free(tmp);
        return err_set(err, CLCNN_ERR_IO, "cannot write the tuning store '%s'", db->path);
    }
    free(tmp);
    return CLCNN_OK;
}
