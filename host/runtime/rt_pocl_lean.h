/* rt_pocl_lean.h — POCL program binaries without their LLVM bitcode.
 *
 * A POCL binary holds the program's LLVM bitcode and every kernel's compiled
 * work-group functions: a generic one that runs any work-group size, and one
 * specialised for each size launched before the binary was taken. Built from
 * such a binary, POCL parses the bitcode and keeps the module (to compile new
 * sizes later): ~4 MiB of peak memory for ShuffleNetV2 (libLLVM's parser
 * pages and the module) and ~35 ms of a warm start. Without the bitcode POCL
 * runs each launch on its specialised function where the binary has one and
 * on the generic one otherwise, compiling nothing (POCL_WORK_GROUP_SPECIALIZATION=0
 * ran ShuffleNetV2 ~10% slower: its scalar kernels are vectorised across
 * work-items only when specialised). So a lean binary is kept per workload
 * (rt_options.lean_tag), taken after that workload's launches were compiled. */
#ifndef CLCNN_RUNTIME_RT_POCL_LEAN_H
#define CLCNN_RUNTIME_RT_POCL_LEAN_H

#include <stddef.h>

/* A copy of POCL binary bin (format version 9) without its bitcode and under a
 * build hash of its own (malloc'd, *out_len bytes); NULL when bin is not a
 * binary of that exact layout (another driver's, another POCL version's, or
 * malformed) or on no memory. Every length is checked against len. */
unsigned char *rt_pocl_lean(const unsigned char *bin, size_t len, size_t *out_len);

/* 1 when rt_pocl_lean would make a lean copy of bin (nothing is copied). */
int rt_pocl_lean_ok(const unsigned char *bin, size_t len);

#endif
