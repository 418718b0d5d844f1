/* df_sources.h — growth sources: where the memory added between two dumps accumulates.
 *
 * Like memanalyze's suspects, with growth (df_growth.h) in place of retained size:
 *
 *   1. every root group whose growth is at least DF_SOURCE_SHARE (2%) of the total positive
 *      growth is a starting point (usually one: the structure that leaks). The share is low on
 *      purpose: a steady leak must not vanish behind a one-off spike in the same interval; the
 *      list is ranked by growth and cut at --top, so small sources sit at the bottom;
 *   2. inside the group, the top-level object holding the most growth is followed if it holds at
 *      least MA_DESCEND_SHARE (70%) of the group's growth — otherwise the growth is spread over
 *      many top-level objects (slots of a global array, unrelated stack slots) and the group
 *      itself is the source;
 *   3. from that object, descend b's dominator tree along the child holding the most growth while
 *      it holds at least 70% of its parent's (ma_accumulation_point_by: a run of same-kind nodes,
 *      a linked list, reports its first node).
 *
 * Where the descent stops, the added memory spreads over many children of one object: the
 * container that grows. Each source is described with what memanalyze shows for a node (label,
 * type, path from a root with edge labels, allocation site) and the types and sites of the
 * objects that are new under it.
 */
#ifndef DF_SOURCES_H
#define DF_SOURCES_H

#include "df_growth.h"
#include "df_types.h"

#define DF_SOURCE_SHARE 0.02

typedef struct df_found {
    ma_id node;                 /* in b; MA_NONE for a whole root group */
    uint64_t pos;               /* its preorder position in b's dominator tree */
    uint32_t group;             /* DF_ROOT key */
    int64_t growth;
} df_found;

/* The sources of one interval, largest growth first. Returns the count; *out is malloc'd. */
uint64_t df_sources_find(const df_growth *g, df_found **out);

/* A new df_source for f, found in interval `interval` of a run of ndumps dumps (a = dump
 * interval, b = dump interval + 1): names, path, site, what was added under it, and its retained
 * size in a and b. */
void df_source_describe(df_source *s, const df_found *f, const df_growth *g, const df_keys *k,
                        uint32_t ndumps, uint32_t interval);
void df_source_free(df_source *s);

#endif
