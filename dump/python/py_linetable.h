/* py_linetable.h — instruction offset → source line, from a 3.11 code object's location table.
 *
 * The snapshot child must name the line each frame is executing without calling the interpreter
 * (PyCode_Addr2Line would be fine in practice, but the child promises never to run interpreter
 * code). The 3.11 `co_linetable` is a sequence of entries, each starting with a byte whose top
 * bit is set: bits 3-6 a form code, bits 0-2 the number of code units covered minus one. Forms:
 *   15      no location (the covered instructions have no line)
 *   14      long form: line delta (signed varint), end-line delta, column+1, end-column+1
 *   13      no columns: line delta (signed varint)
 *   10..12  one-line form: line delta = form - 10, then column and end-column bytes
 *   0..9    short form: same line, one byte of column information
 * Varints are little-endian groups of 6 bits, bit 6 meaning "more"; a signed varint keeps the sign
 * in bit 0. The running line starts at co_firstlineno.
 *
 * The decoder is a pure function over bytes and checks every bound: a damaged table yields -1,
 * never a read past its end.
 */
#ifndef PY_LINETABLE_H
#define PY_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

/* Line of the instruction at byte offset `addr` (a multiple of 2; negative means "before the
 * first instruction", which CPython reports as the first line). -1 if the instruction has no
 * line or the table is damaged. */
int py_addr2line(const uint8_t *table, size_t len, int firstlineno, int addr);

#endif
