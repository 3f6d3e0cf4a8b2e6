/* The entry-point table of one instantiation (compiled once per instruction set, like the kernels; see
 * cs_isa.h). The names below are the renamed <name>_<isa> definitions of this instantiation. */
#include "cs_isa.h"

#define CS_EXPORT(ret, name, params, args) name,

__attribute__((visibility("hidden"))) const cs_isa_table CS_ISA_TABLE = {
    CS_ISA_NAME,
#include "cs_exports.def"
};
