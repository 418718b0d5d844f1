/* views.c — the registry of views and the default reports. A new view is added here: its
 * `const ma_view` in the list (so --view NAME and --json find it), and in the report lists if
 * it belongs in the default output. */
#include "view.h"

#include <string.h>

/* Python views (view_variables.c, view_tasks.c, view_cheld.c): empty for other dumps. */
extern const ma_view ma_view_variables, ma_view_tasks, ma_view_cheld;

static const ma_view *const all[] = {
    &ma_view_header, &ma_view_summary, &ma_view_dominators, &ma_view_types, &ma_view_sites,
    &ma_view_leaks, &ma_view_suspects, &ma_view_by, &ma_view_paths, &ma_view_stacks,
    &ma_view_collapsed, &ma_view_stats, &ma_view_warnings, &ma_view_variables, &ma_view_tasks,
    &ma_view_cheld, NULL};

const ma_view *const ma_report_text[] = {
    &ma_view_header, &ma_view_summary, &ma_view_dominators, &ma_view_suspects, &ma_view_variables,
    &ma_view_tasks, &ma_view_types, &ma_view_sites, &ma_view_leaks, NULL};

const ma_view *const ma_report_json[] = {
    &ma_view_header, &ma_view_summary, &ma_view_types, &ma_view_sites, &ma_view_dominators,
    &ma_view_leaks, &ma_view_suspects, &ma_view_variables, &ma_view_tasks, &ma_view_cheld,
    &ma_view_warnings, NULL};

const ma_view *ma_view_find(const char *name)
{
    for (int i = 0; all[i]; i++)
        if (!strcmp(all[i]->name, name)) return all[i];
    return NULL;
}
