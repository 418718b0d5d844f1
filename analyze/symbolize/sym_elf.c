/* sym_elf.c — what the symbolizer reads from ELF files through libelf.
 *
 * Two jobs. Probing identifies a candidate file cheaply: its NT_GNU_BUILD_ID (from SHT_NOTE
 * sections, or PT_NOTE segments when a file has no section headers), whether it carries DWARF,
 * and its .gnu_debuglink name; sym_find.c decides from that. Loading the symbol tables collects
 * defined STT_FUNC/STT_GNU_IFUNC and STT_OBJECT symbols from .symtab and .dynsym into two arrays
 * sorted by address; aliases at one address are reduced to the most telling name (global before
 * weak before local, so "fsetxattr" rather than glibc's internal "__GI_fsetxattr"), symbol version
 * suffixes are dropped, and a prefix maximum of symbol ends lets a lookup find the innermost
 * symbol containing an address even when symbols overlap.
 *
 * Files are untrusted: every count comes from the file and is checked against the data libelf
 * actually returned; a file that is not a regular file is refused before it is read (a FIFO
 * would block).
 */
#include "sym_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path as an ELF file. Returns the descriptor (elf in *elf) or -1 (reason in *why). */
static int elf_open(const char *path, Elf **elf, const char **why)
{
    static int initialized;
    if (!initialized) {
        if (elf_version(EV_CURRENT) == EV_NONE) { *why = "libelf initialization failed"; return -1; }
        initialized = 1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) { *why = errno == ENOENT ? "no such file" : strerror(errno); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        close(fd);
        return -1;
    }
    *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!*elf || elf_kind(*elf) != ELF_K_ELF) {
        *why = "not an ELF file";
        if (*elf) elf_end(*elf);
        close(fd);
        return -1;
    }
    return fd;
}

/* Looks for the GNU build-id note in one block of note data. */
static int find_build_id(Elf_Data *data, sym_elf_info *info)
{
    GElf_Nhdr nh;
    size_t off = 0, name_off, desc_off;
    while (data && off < data->d_size &&
           (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
            memcmp((const char *)data->d_buf + name_off, "GNU", 4) == 0 &&
            nh.n_descsz > 0 && nh.n_descsz <= SYM_BUILD_ID_MAX) {
            memcpy(info->build_id, (const char *)data->d_buf + desc_off, nh.n_descsz);
            info->build_id_len = nh.n_descsz;
            return 1;
        }
    }
    return 0;
}

int sym_elf_probe(const char *path, sym_elf_info *info, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    memset(info, 0, sizeof *info);
    Elf *elf;
    int fd = elf_open(path, &elf, why);
    if (fd < 0) return -1;
    size_t shstrndx = 0;
    int have_names = elf_getshdrstrndx(elf, &shstrndx) == 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char *name = have_names ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
        if (sh.sh_type == SHT_NOTE && !info->build_id_len)
            find_build_id(elf_getdata(scn, NULL), info);
        if (sh.sh_type == SHT_SYMTAB) info->has_symtab = 1;
        if (!name) continue;
        if ((!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")) &&
            sh.sh_type != SHT_NOBITS && sh.sh_size > 0)
            info->has_dwarf = 1;
        if (!strcmp(name, ".gnu_debuglink") && sh.sh_type != SHT_NOBITS) {
            Elf_Data *d = elf_getdata(scn, NULL);
            if (d && d->d_buf && d->d_size > 0) {
                size_t n = strnlen(d->d_buf, d->d_size);
                if (n > 0 && n < d->d_size && n < sizeof info->debuglink &&
                    !memchr(d->d_buf, '/', n))
                    memcpy(info->debuglink, d->d_buf, n);
            }
        }
    }
    if (!info->build_id_len) {            /* no section headers: try the note segments */
        size_t nph = 0;
        if (elf_getphdrnum(elf, &nph) == 0) {
            for (size_t i = 0; i < nph && !info->build_id_len; i++) {
                GElf_Phdr ph;
                if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE) continue;
                find_build_id(elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
                                                   ELF_T_NHDR), info);
            }
        }
    }
    info->ok = 1;
    elf_end(elf);
    close(fd);
    return 0;
}

/* ---- symbol tables ----------------------------------------------------------------------------- */

static int push_sym(sym_sym **v, size_t *n, size_t *cap, sym_sym s)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        sym_sym *nv = realloc(*v, c * sizeof *nv);
        if (!nv) return -1;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = s;
    return 0;
}

static int load_table(sym_symtab *tab, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
                      sym_strings *t, uint32_t penalty)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || sh->sh_entsize == 0) return 0;
    size_t count = data->d_size / sh->sh_entsize;
    for (size_t i = 1; i < count; i++) {        /* entry 0 is the null symbol */
        GElf_Sym es;
        if (!gelf_getsym(data, (int)i, &es)) break;
        int type = GELF_ST_TYPE(es.st_info), bind = GELF_ST_BIND(es.st_info);
        int is_func = type == STT_FUNC || type == STT_GNU_IFUNC;
        if (!is_func && type != STT_OBJECT) continue;
        if (es.st_shndx == SHN_UNDEF || es.st_shndx == SHN_ABS || es.st_value == 0) continue;
        const char *name = elf_strptr(elf, sh->sh_link, es.st_name);
        if (!name || !name[0]) continue;
        const char *at = strchr(name, '@');      /* "memcpy@GLIBC_2.2.5": drop the version */
        size_t len = at && at > name ? (size_t)(at - name) : strlen(name);
        sym_sym s = { .addr = es.st_value, .size = es.st_size, .name = sym_intern_n(t, name, len),
                      .rank = (bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2) + penalty };
        if (!s.name) return -1;
        if (is_func ? push_sym(&tab->funcs, &tab->nfuncs, &tab->capfuncs, s)
                    : push_sym(&tab->objs, &tab->nobjs, &tab->capobjs, s)) return -1;
    }
    return 0;
}

int sym_symtab_load(sym_symtab *tab, const char *path, sym_strings *t)
{
    const char *why;
    Elf *elf;
    int fd = elf_open(path, &elf, &why);
    if (fd < 0) return -1;
    int rc = 0;
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL && rc == 0) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        if (sh.sh_type == SHT_SYMTAB) rc = load_table(tab, elf, scn, &sh, t, 0);
        else if (sh.sh_type == SHT_DYNSYM) rc = load_table(tab, elf, scn, &sh, t, 4);
    }
    elf_end(elf);
    close(fd);
    return rc;
}

static int cmp_sym(const void *pa, const void *pb)
{
    const sym_sym *a = pa, *b = pb;
    if (a->addr != b->addr) return a->addr < b->addr ? -1 : 1;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Sorts, drops aliases (same address and size: the best-ranked name stays), builds maxima. */
static int finish_one(sym_sym *v, size_t *n, uint64_t **maxend)
{
    if (*n == 0) return 0;
    qsort(v, *n, sizeof *v, cmp_sym);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        if (k > 0 && v[k - 1].addr == v[i].addr && v[k - 1].size == v[i].size) continue;
        v[k++] = v[i];
    }
    *n = k;
    free(*maxend);
    *maxend = malloc(k * sizeof **maxend);
    if (!*maxend) return -1;
    uint64_t m = 0;
    for (size_t i = 0; i < k; i++) {
        uint64_t end = v[i].addr + (v[i].size ? v[i].size : 1);
        if (end < v[i].addr) end = UINT64_MAX;    /* hostile size: clamp, don't wrap */
        if (end > m) m = end;
        (*maxend)[i] = m;
    }
    return 0;
}

int sym_symtab_finish(sym_symtab *tab)
{
    if (finish_one(tab->funcs, &tab->nfuncs, &tab->funcs_maxend) < 0) return -1;
    return finish_one(tab->objs, &tab->nobjs, &tab->objs_maxend);
}

const sym_sym *sym_symtab_find(const sym_symtab *tab, int objects, uint64_t addr)
{
    const sym_sym *v = objects ? tab->objs : tab->funcs;
    const uint64_t *maxend = objects ? tab->objs_maxend : tab->funcs_maxend;
    size_t n = objects ? tab->nobjs : tab->nfuncs;
    if (!maxend) return NULL;
    size_t lo = 0, hi = n;                      /* first symbol with addr > target */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].addr <= addr) lo = mid + 1; else hi = mid;
    }
    for (size_t i = lo; i-- > 0 && maxend[i] > addr;) {
        const sym_sym *s = &v[i];
        if (s->size ? addr - s->addr < s->size : addr == s->addr) return s;
    }
    return NULL;
}

void sym_symtab_free(sym_symtab *tab)
{
    free(tab->funcs);
    free(tab->objs);
    free(tab->funcs_maxend);
    free(tab->objs_maxend);
    memset(tab, 0, sizeof *tab);
}
