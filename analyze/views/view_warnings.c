/* view_warnings.c — every warning in one JSON list: the agent's (WARNING records), the loader's
 * (damaged file, edges to unknown addresses, ...) and the symbolizer's (missing or mismatched
 * binaries). In text mode the first two are part of the header and the symbolizer's go to
 * stderr as they happen, so the text form prints nothing. */
#include "view.h"
#include "ma_load.h"

#include <stdlib.h>

static void text(ma_ctx *c) { (void)c; }

static void json(ma_ctx *c)
{
    const ma_dump *d = c->d;
    ma_json_arr(c->j, "warnings");
    if (!d->status.complete) {
        char *m = ma_load_summary(d);
        ma_json_str(c->j, NULL, m);
        free(m);
    }
    for (uint32_t i = 0; i < d->warnings.n; i++) ma_json_str(c->j, NULL, d->warnings.v[i]);
    for (uint32_t i = 0; i < d->load_warnings.n; i++) ma_json_str(c->j, NULL, d->load_warnings.v[i]);
    for (size_t i = 0; i < ma_names_warning_count(c->nm); i++) ma_json_str(c->j, NULL, ma_names_warning(c->nm, i));
    ma_json_end(c->j);
}

const ma_view ma_view_warnings = {"warnings", text, json};
