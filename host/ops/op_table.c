/* op_table.c — gathers every family's op_def into one table indexed by
 * ir_op, expanded from IR_OP_LIST so an op without a definition fails to
 * link and a table of the wrong size fails to compile. MACs are counted for
 * Conv, Gemm and MatMul only; BN, activations, element-wise ops, pools and
 * data movement have macs == NULL (counted as 0: they are memory-bound). */
#include "ops_impl.h"

static const op_def *const op_table[] = {
#define OPS_ENTRY(e, s) &op_def_##e,
    IR_OP_LIST(OPS_ENTRY)
#undef OPS_ENTRY
};
_Static_assert(sizeof op_table / sizeof op_table[0] == IR_OP_COUNT, "op table size");

const op_def *op_get(ir_op op)
{
    return ((int)op >= 0 && op < IR_OP_COUNT) ? op_table[op] : NULL;
}
