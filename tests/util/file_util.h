/* file_util.h — reading a whole file in the tests (model bytes, JSON). */
#ifndef CLCNN_TESTS_FILE_UTIL_H
#define CLCNN_TESTS_FILE_UTIL_H

#include <stddef.h>

/* The file's bytes, NUL-terminated (malloc'd; *len excludes the NUL); NULL
 * when it cannot be opened or read whole. */
char *tu_slurp(const char *path, size_t *len);

#endif
