/* ma_intern.h — strings → small dense ids (a hash set of owned copies).
 *
 * Views group by names that several table entries can share: two TYPE records with one name,
 * two STACKs that symbolize to the same lines, many frames in one file. Interning the displayed
 * name gives one id per distinct text, so grouping is by what the user sees.
 */
#ifndef MA_INTERN_H
#define MA_INTERN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ma_intern {
    char **str;             /* [n] id → text */
    size_t *len;
    uint32_t n, cap;
    uint32_t *slot;         /* hash slots: id + 1, 0 = empty */
    uint64_t mask;
} ma_intern;

void ma_intern_init(ma_intern *t);
uint32_t ma_intern_add(ma_intern *t, const char *s, size_t len);   /* existing or new id */
uint32_t ma_intern_cstr(ma_intern *t, const char *s);
void ma_intern_free(ma_intern *t);

#endif
