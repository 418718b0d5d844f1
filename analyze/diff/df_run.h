/* df_run.h — a memdiff run over two or more dumps of one process, in time order.
 *
 * The dumps are taken as consecutive pairs (intervals). Each pair is loaded (the first two on
 * two threads), matched (df_match.h), and measured: per-key changes (df_bykey.h), growth and its
 * sources (df_growth.h, df_sources.h); each dump's totals and counters go into the run's tables as
 * it is loaded (df_bykey.h, df_churn.h). After an interval the older dump is released, so memory
 * is bounded by two dumps plus, with three or more dumps, 12 bytes per node of every earlier dump
 * (its retained sizes and its object identity into the dump before), kept so that a source found
 * late can be followed back to the first dump.
 *
 * Sources found in different intervals are the same source when they are the same object
 * (followed by identity) or the same root group. Each has its retained size in every dump: with
 * three or more dumps, a source whose retained size grew in every interval is "steady" and ranks
 * above the others, whatever their size — a one-off spike ranks below steady growth.
 */
#ifndef DF_RUN_H
#define DF_RUN_H

#include "df_types.h"

typedef struct df_run {
    df_opts o;
    uint32_t ndumps, nint;
    df_file *files;             /* [ndumps] */
    df_interval *iv;            /* [nint] */
    df_keys keys;
    df_table tab[DF_KINDS];
    df_churn churn;
    df_source *src;             /* every source found, in the order found */
    uint64_t nsrc, srccap;
    int incomplete;             /* some dump was incomplete: the diff covers what was read */
    ma_strlist warnings;        /* also printed on stderr unless quiet */
    uint64_t **past_retained;   /* [ndumps] three or more dumps: retained sizes of released dumps */
    ma_id **past_prev;          /* [ndumps] ... and their nodes' identity in the dump before */
    uint64_t *past_n;           /* [ndumps] node counts */
} df_run;

/* Runs the whole comparison. Returns 0, or 1 after printing why on stderr (a file that cannot
 * be read, dumps of different processes without o->force). */
int df_run_all(df_run *r, const char *const *paths, uint32_t n, const df_opts *o);
void df_run_free(df_run *r);

/* Is the source's retained size larger in every dump than in the one before? */
int df_source_steady(const df_run *r, const df_source *s);

#endif
