/* sym_preflight.c — checks a file's DWARF for damage that libdwarf 20210528 cannot survive.
 *
 * That libdwarf (Debian 12's) reports most corruption as errors, which the symbolizer handles.
 * But fuzzing found spots where it does not: when a .debug_rnglists or .debug_loclists table
 * header is malformed, its header loader frees the partial list and then keeps using it (double
 * free), and it trusts a table length that runs past the section end. Both loaders run inside
 * the first dwarf_next_cu_header_d call, before any caller can intervene. So before a file is
 * handed to libdwarf, these headers are walked here with stricter rules than libdwarf's own:
 * every table must lie inside its section, be DWARF 5 with 4- or 8-byte addresses, no segment
 * selectors, and an offset array that fits its table. A file that fails is treated as having
 * damaged DWARF (symbol-table names only) — rejecting a valid-but-odd file costs line numbers,
 * accepting a hostile one could cost the analyzer.
 */
#include "sym_internal.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t read_le(const unsigned char *p, int n, int big)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
    return v;
}

/* Walks the table headers of one .debug_rnglists / .debug_loclists section. */
static int check_lists(const unsigned char *d, size_t size, int big)
{
    size_t off = 0;
    while (off < size) {
        size_t left = size - off;
        if (left < 4) return -1;
        uint64_t len = read_le(d + off, 4, big);
        size_t lensz = 4, offsz = 4;
        if (len == 0xffffffffu) {
            if (left < 12) return -1;
            len = read_le(d + off + 4, 8, big);
            lensz = 12;
            offsz = 8;
        } else if (len >= 0xfffffff0u) {
            return -1;
        }
        if (len == 0 || len > left - lensz) return -1;
        const unsigned char *h = d + off + lensz;
        if (len < 8) return -1;                      /* version, sizes, offset count */
        uint64_t version = read_le(h, 2, big);
        unsigned addr_size = h[2], seg_size = h[3];
        uint64_t count = read_le(h + 4, 4, big);
        if (version != 5 || (addr_size != 4 && addr_size != 8) || seg_size != 0) return -1;
        /* libdwarf sizes the offset array with the address size, DWARF with the offset size */
        uint64_t room = len - 8, unit = addr_size > offsz ? addr_size : offsz;
        if (count > room / unit) return -1;
        off += lensz + (size_t)len;
    }
    return 0;
}

int sym_dwarf_preflight(const char *path, const char **why)
{
    if (elf_version(EV_CURRENT) == EV_NONE) { *why = "libelf unusable"; return -1; }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) { *why = "cannot open"; return -1; }
    struct stat st;
    Elf *elf = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? elf_begin(fd, ELF_C_READ_MMAP, NULL)
                                                           : NULL;
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        if (elf) elf_end(elf);
        close(fd);
        *why = "not an ELF file";
        return -1;
    }
    GElf_Ehdr eh;
    size_t shstrndx = 0;
    int rc = 0;
    if (!gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx) != 0) {
        *why = "unreadable ELF header";
        rc = -1;
    }
    int big = rc == 0 && eh.e_ident[EI_DATA] == ELFDATA2MSB;
    Elf_Scn *scn = NULL;
    while (rc == 0 && (scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!name || sh.sh_type == SHT_NOBITS) continue;
        int gnu = !strcmp(name, ".zdebug_rnglists") || !strcmp(name, ".zdebug_loclists");
        if (!gnu && strcmp(name, ".debug_rnglists") != 0 && strcmp(name, ".debug_loclists") != 0)
            continue;
        /* libdwarf inflates compressed sections itself; inflate our view the same way */
        if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) rc = -1;
        if (gnu && elf_compress_gnu(scn, 0, 0) < 0) rc = -1;
        Elf_Data *data = rc == 0 ? elf_getdata(scn, NULL) : NULL;
        if (rc == 0 && data && data->d_buf && data->d_size > 0 &&
            check_lists(data->d_buf, data->d_size, big) < 0)
            rc = -1;
        if (rc < 0) *why = "a damaged .debug_rnglists or .debug_loclists table header";
    }
    elf_end(elf);
    close(fd);
    return rc;
}
