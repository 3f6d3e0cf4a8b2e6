/* The entry-point table of one instantiation (compiled once per instruction set, like the kernels; see
 * cs_isa.h). The names below are the renamed <name>_<isa> definitions of this instantiation. CS_ISA_HIDDEN comes
 * from the generated rename header: hidden visibility on ELF, nothing on PE (which has no visibility). */
#include "cs_isa.h"

#define CS_EXPORT(ret, name, params, args) name,

CS_ISA_HIDDEN const cs_isa_table CS_ISA_TABLE = {
    CS_ISA_NAME,
#include "cs_exports.def"
};
