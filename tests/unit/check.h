/* check.h — the unit-test vocabulary: one line per check, read by tests/run.sh.
 *
 *   CHECK(cond, "name")            ok/not ok with the failing expression
 *   CHECK_EQ_U(a, b, "name")       unsigned comparison, prints both values on failure
 *   CHECK_STR(a, b, "name")        string equality
 *   return check_done();           exit status 1 if anything failed
 */
#ifndef MD_CHECK_H
#define MD_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failed_count;

#define CHECK(cond, name) do { \
    if (cond) printf("ok %s\n", (name)); \
    else { printf("not ok %s: %s (%s:%d)\n", (name), #cond, __FILE__, __LINE__); check_failed_count++; } \
} while (0)

#define CHECK_EQ_U(a, b, name) do { \
    uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b); \
    if (check_a_ == check_b_) printf("ok %s\n", (name)); \
    else { printf("not ok %s: %s = %" PRIu64 ", expected %" PRIu64 " (%s:%d)\n", (name), #a, \
                  check_a_, check_b_, __FILE__, __LINE__); check_failed_count++; } \
} while (0)

#define CHECK_STR(a, b, name) do { \
    const char *check_a_ = (a), *check_b_ = (b); \
    if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) printf("ok %s\n", (name)); \
    else { printf("not ok %s: \"%s\" != \"%s\" (%s:%d)\n", (name), check_a_ ? check_a_ : "(null)", \
                  check_b_ ? check_b_ : "(null)", __FILE__, __LINE__); check_failed_count++; } \
} while (0)

static inline int check_done(void) { fflush(stdout); return check_failed_count ? 1 : 0; }

#endif
