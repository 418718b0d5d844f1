/* md_cxx.h — C++ class names from vtable pointers, in the snapshot child.
 *
 * A polymorphic object starts with a pointer into its class's vtable. The Itanium C++ ABI puts
 * the offset-to-top (0 for a complete object) at vptr[-2] and the typeinfo pointer at vptr[-1];
 * a typeinfo object starts with its own vptr (into libstdc++'s vtable for __class_type_info,
 * __si_class_type_info or __vmi_class_type_info, +16) followed by a pointer to the mangled name.
 * A first word is accepted as a vtable pointer only if every step checks out: it points into a
 * loaded module, into memory that is not writable, offset-to-top is 0, the typeinfo's vptr is
 * one of those three, and the name is a readable, printable string. Results (positive and
 * negative) are cached per vtable address.
 */
#ifndef MD_CXX_H
#define MD_CXX_H

#include <stdint.h>

typedef struct md_child md_child;
typedef struct md_modtab md_modtab;

typedef struct md_cxx md_cxx;

/* NULL when C++ type recovery is impossible (no libstdc++ in the process). */
md_cxx *md_cxx_new(md_child *c, const md_modtab *mods, const uint64_t ti_vtables[3]);
/* TYPE id for an object whose first word is w, or 0. */
uint32_t md_cxx_type(md_cxx *x, uint64_t w);

#endif
