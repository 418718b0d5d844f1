/* df_snap.h — one dump of a memdiff run: loaded, analyzed, named, and mapped to the run's keys.
 *
 * Loading and analysis are memanalyze's own (ma_load, ma_analyze); what this adds is the mapping
 * of the dump's per-file ids to keys that mean the same thing in every dump of the run
 * (df_types.h): the identity of types and stacks used to match objects, and the display keys
 * (type name, merged allocation site, root) used to group them.
 */
#ifndef DF_SNAP_H
#define DF_SNAP_H

#include "df_types.h"

/* Load and analyze path into s (zeroed first). Thread-safe for distinct snaps: the two dumps of
 * a pair load on two threads (df_snap_load_all). s->load_rc and s->err tell how it went. */
void df_snap_load(df_snap *s, const char *path);
/* Load n dumps, each on its own thread. */
void df_snap_load_all(df_snap *const *s, const char *const *paths, int n);

/* After a successful load, on the main thread: open the names and fill the key maps. */
void df_snap_prepare(df_snap *s, df_keys *k, const df_opts *o);
void df_snap_free(df_snap *s);

/* The header facts of a dump (copies; df_file_free releases them). */
void df_snap_file(const df_snap *s, df_file *f);
void df_file_free(df_file *f);

void df_keys_init(df_keys *k);
void df_keys_free(df_keys *k);

/* The DF_TYPE key of node v: its type's name, or "(native block)" / "(unknown type)". */
static inline uint32_t df_type_key_of(const df_snap *s, ma_id v)
{
    uint32_t t = s->d.g.type[v];
    if (t) return s->type_key[t];
    return (s->d.g.flags[v] & 4u /* MD_NODE_NATIVE */) ? s->native_key : s->type_key[0];
}

static inline uint32_t df_key_of(const df_snap *s, df_kind kind, ma_id v)
{
    switch (kind) {
    case DF_TYPE: return df_type_key_of(s, v);
    case DF_SITE: return s->site_key[s->d.g.stack[v]];
    default: return s->root_key[v];
    }
}

#endif
