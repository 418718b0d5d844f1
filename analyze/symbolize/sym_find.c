/* sym_find.c — which files describe a module: the search order and the build-id rule.
 *
 * A dump names each module by the path it was loaded from and the build-id in its memory. The
 * binary at that path today may be a different build (the program was recompiled since), and its
 * DWARF may live elsewhere (distributions split it off into /usr/lib/debug). So every candidate
 * file is probed and accepted only if its NT_GNU_BUILD_ID equals the recorded one:
 *
 *   1. the recorded path itself (the "code file", whose symbol tables name functions and data);
 *      if it has .debug_info it is the debug file too and the search ends;
 *   2. for each debug directory D (--debug-dir values in order, then /usr/lib/debug):
 *        D/.build-id/xx/yyyy.debug    (build-id layout: first byte, then the rest, in hex)
 *        D/PATH, D/PATH.debug         (mirror layout), D/DIR/DEBUGLINK (.gnu_debuglink name)
 *   3. PATH.debug, DIR/DEBUGLINK and DIR/.debug/DEBUGLINK beside the binary.
 *
 * The first matching candidate with DWARF is the debug file; a matching candidate without it can
 * still stand in for a missing code file. When the dump recorded no build-id, the code file's own
 * build-id (if any) is what debug files must match; with neither there is nothing to compare and
 * files are accepted as found. Everything tried goes into a text for the module's one warning.
 */
#include "sym_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text { char *s; size_t len, cap; int oom; } text;

static void text_add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(text *t, const char *fmt, ...)
{
    if (t->oom) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = (t->len + (size_t)n + 1) * 2;
        char *s = realloc(t->s, cap);
        if (!s) { t->oom = 1; return; }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = 0;
}

typedef struct search {
    const uint8_t *id;          /* build-id candidates must carry; NULL = accept any */
    size_t idlen;
    sym_found *out;
    text tried;
    int done;                   /* a debug file was found */
} search;

/* Probes one candidate and takes what it offers. Returns -1 only when out of memory. */
static int consider(search *s, const char *path)
{
    sym_elf_info info;
    const char *why = NULL;
    if (sym_elf_probe(path, &info, &why) < 0) {
        text_add(&s->tried, "%s%s (%s)", s->tried.len ? ", " : "", path, why);
        return 0;
    }
    if (s->id && (info.build_id_len != s->idlen || memcmp(info.build_id, s->id, s->idlen) != 0)) {
        char h[2 * SYM_BUILD_ID_MAX + 1];
        hex(h, info.build_id, info.build_id_len);
        text_add(&s->tried, "%s%s (build-id %s)", s->tried.len ? ", " : "", path,
                 info.build_id_len ? h : "none");
        s->out->mismatched = 1;
        return 0;
    }
    if (!s->out->code_path && !(s->out->code_path = strdup(path))) return -1;
    if (info.has_dwarf) {
        if (!(s->out->debug_path = strdup(path))) return -1;
        s->done = 1;
    } else {
        text_add(&s->tried, "%s%s (no DWARF)", s->tried.len ? ", " : "", path);
    }
    return 0;
}

/* dir + rest, without doubling the slash between them. */
static char *join(const char *dir, const char *rest, const char *suffix)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/') dl--;
    while (rest[0] == '/' && rest[1] == '/') rest++;
    size_t n = dl + 1 + strlen(rest) + strlen(suffix) + 1;
    char *p = malloc(n);
    const char *sep = rest[0] == '/' || rest[0] == 0 ? "" : "/";
    if (p) snprintf(p, n, "%.*s%s%s%s", (int)dl, dir, sep, rest, suffix);
    return p;
}

static int consider_joined(search *s, const char *dir, const char *rest, const char *suffix)
{
    if (s->done) return 0;
    char *p = join(dir, rest, suffix);
    if (!p) return -1;
    int rc = consider(s, p);
    free(p);
    return rc;
}

int sym_find_files(const char *path, const uint8_t *build_id, size_t build_id_len,
                   const char *const *dirs, size_t ndirs, sym_found *out)
{
    memset(out, 0, sizeof *out);
    char *p = strdup(path ? path : "");
    if (!p) return -1;
    size_t pl = strlen(p);
    static const char deleted[] = " (deleted)";
    if (pl > sizeof deleted - 1 && !strcmp(p + pl - (sizeof deleted - 1), deleted))
        p[pl -= sizeof deleted - 1] = 0;
    int absolute = p[0] == '/';
    int probe = p[0] && p[0] != '[';             /* not a pseudo-module like [vdso] */

    search s = { .id = build_id_len ? build_id : NULL, .idlen = build_id_len, .out = out };
    sym_elf_info code = { 0 };
    int rc = 0;

    /* 1. the recorded path */
    if (probe) {
        const char *why = NULL;
        if (sym_elf_probe(p, &code, &why) < 0) {
            text_add(&s.tried, "%s (%s)", p, why);
        } else if (s.id && (code.build_id_len != s.idlen ||
                            memcmp(code.build_id, s.id, s.idlen) != 0)) {
            char h[2 * SYM_BUILD_ID_MAX + 1];
            hex(h, code.build_id, code.build_id_len);
            text_add(&s.tried, "%s (build-id %s)", p, code.build_id_len ? h : "none");
            out->mismatched = 1;
            code.ok = 0;
        } else {
            if (!(out->code_path = strdup(p))) rc = -1;
            if (code.has_dwarf && rc == 0) {
                if (!(out->debug_path = strdup(p))) rc = -1;
                s.done = 1;
            }
            if (!s.id && code.build_id_len) {   /* debug files must match the binary */
                s.id = code.build_id;
                s.idlen = code.build_id_len;
            }
        }
    }
    const char *link = code.ok && code.debuglink[0] ? code.debuglink : NULL;
    char *dir = NULL;                            /* directory of the binary, for debuglink */
    if (absolute) {
        dir = strdup(p);
        if (!dir) rc = -1;
        else {
            char *slash = strrchr(dir, '/');
            slash[slash == dir ? 1 : 0] = 0;
        }
    }

    /* 2. the debug directories */
    char idpath[2 * SYM_BUILD_ID_MAX + 32];
    if (s.id && s.idlen >= 2) {
        char h[2 * SYM_BUILD_ID_MAX + 1];
        hex(h, s.id, s.idlen);
        snprintf(idpath, sizeof idpath, ".build-id/%.2s/%s.debug", h, h + 2);
    } else {
        idpath[0] = 0;
    }
    for (size_t i = 0; i < ndirs && rc == 0 && !s.done; i++) {
        if (idpath[0]) rc = consider_joined(&s, dirs[i], idpath, "");
        if (absolute && rc == 0) rc = consider_joined(&s, dirs[i], p, "");
        if (absolute && rc == 0) rc = consider_joined(&s, dirs[i], p, ".debug");
        if (link && dir && rc == 0) {
            char *sub = join(dir, link, "");
            if (!sub) rc = -1;
            else { rc = consider_joined(&s, dirs[i], sub, ""); free(sub); }
        }
    }

    /* 3. beside the binary */
    if (probe && rc == 0) rc = consider_joined(&s, p, "", ".debug");
    if (link && dir && rc == 0) rc = consider_joined(&s, dir, link, "");
    if (link && dir && rc == 0) {
        char *sub = join(".debug", link, "");
        if (!sub) rc = -1;
        else { rc = consider_joined(&s, dir, sub, ""); free(sub); }
    }

    free(dir);
    free(p);
    if (s.tried.oom) rc = -1;
    out->tried = s.tried.s;
    if (rc < 0) { sym_found_free(out); return -1; }
    return 0;
}

void sym_found_free(sym_found *f)
{
    free(f->code_path);
    free(f->debug_path);
    free(f->tried);
    memset(f, 0, sizeof *f);
}
