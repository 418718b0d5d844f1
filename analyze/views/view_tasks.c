/* view_tasks.c — asyncio tasks: the memory each task retains, and where it is suspended.
 *
 * From the dump's TASK records (written by dump/python/py_tasks.c): the task object, its name,
 * its coroutine, and the STACK of the coroutine chain it is suspended in, innermost first (the
 * awaited coroutine's line first, the task's own coroutine last). A task retains what its
 * coroutine's frames hold — the locals of every coroutine it is awaiting — so the dominator
 * tree's retained size of the task object is the memory that goes away with the task.
 *
 * JSON: "tasks": [{name, coroutine, file, line, awaiting, bytes, retained, stack: [{function, file,
 * line}]}], largest retained first; coroutine is the task's own coroutine function and file/line
 * the line where it is suspended (its await), awaiting the innermost coroutine it waits in (e.g.
 * asyncio.sleep; null when that is the task's own), stack the whole chain, innermost first.
 */
#include "view.h"
#include "ma_dump.h"
#include "ma_mem.h"
#include "ma_table.h"
#include "ma_units.h"

#include <stdlib.h>
#include <string.h>

typedef struct taskrow {
    const ma_task *t;
    uint64_t retained, bytes;
} taskrow;

static int by_retained(const void *x, const void *y)
{
    uint64_t a = ((const taskrow *)x)->retained, b = ((const taskrow *)y)->retained;
    return a < b ? 1 : a > b ? -1 : 0;
}

static taskrow *compute(ma_ctx *c, uint64_t *n)
{
    const ma_dump *d = c->d;
    taskrow *rows = ma_malloc(d->ntasks ? d->ntasks : 1, sizeof *rows);
    *n = 0;
    for (uint64_t i = 0; i < d->ntasks; i++) {
        const ma_task *t = &d->tasks[i];
        if (t->task_node == MA_NONE) continue;
        rows[(*n)++] = (taskrow){t, c->a->retained[t->task_node], d->g.size[t->task_node]};
    }
    qsort(rows, *n, sizeof *rows, by_retained);
    return rows;
}

/* The task's own coroutine (outermost frame) and where it waits (innermost). */
static void ends(const ma_dump *d, const ma_task *t, const ma_frame **inner, const ma_frame **outer)
{
    uint32_t depth;
    const uint32_t *fr = ma_stack_frames(d, t->stack, &depth);
    *inner = depth ? &d->frames[fr[0]] : NULL;
    *outer = depth ? &d->frames[fr[depth - 1]] : NULL;
}

static void text(ma_ctx *c)
{
    uint64_t n;
    taskrow *rows = compute(c, &n);
    if (!n) { free(rows); return; }
    const ma_dump *d = c->d;
    char b1[MA_NUM_BUF], b2[MA_NUM_BUF], note[64];
    uint64_t shown = ma_rows(c, n);
    snprintf(note, sizeof note, "%llu of %llu, by retained size", (unsigned long long)shown, (unsigned long long)n);
    ma_section(c, "asyncio tasks", note);
    ma_table tb;
    ma_table_init(&tb, "RIGHT:retained", "RIGHT:%", "task", "coroutine", "suspended at", "awaiting", NULL);
    for (uint64_t i = 0; i < shown; i++) {
        const ma_frame *in, *out;
        ends(d, rows[i].t, &in, &out);
        const char *file = out ? ma_str(d, out->file) : "?", *slash = strrchr(file, '/');
        char *at = out ? ma_sprintf("%s:%u", slash ? slash + 1 : file, out->line) : ma_strdup("?");
        ma_table_row(&tb, ma_bytes(rows[i].retained, b1), ma_percent(rows[i].retained, c->a->bytes, b2),
                     ma_str(d, rows[i].t->name), out ? ma_str(d, out->function) : "?", at,
                     in && in != out ? ma_str(d, in->function) : "", NULL);
        free(at);
    }
    ma_table_print(&tb, c->out, "  ");
    ma_table_free(&tb);
    free(rows);
}

static void json(ma_ctx *c)
{
    uint64_t n;
    taskrow *rows = compute(c, &n);
    const ma_dump *d = c->d;
    ma_json *j = c->j;
    ma_json_arr(j, "tasks");
    uint64_t shown = ma_rows(c, n);
    for (uint64_t i = 0; i < shown; i++) {
        const ma_frame *in, *out;
        ends(d, rows[i].t, &in, &out);
        ma_json_obj(j, NULL);
        ma_json_str(j, "name", ma_str(d, rows[i].t->name));
        ma_json_str(j, "coroutine", out ? ma_str(d, out->function) : NULL);
        ma_json_str(j, "file", out ? ma_str(d, out->file) : NULL);
        if (out && out->line) ma_json_u64(j, "line", out->line);
        else ma_json_null(j, "line");
        ma_json_str(j, "awaiting", in && in != out ? ma_str(d, in->function) : NULL);
        ma_json_u64(j, "bytes", rows[i].bytes);
        ma_json_u64(j, "retained", rows[i].retained);
        ma_json_stack(c, "stack", rows[i].t->stack);
        ma_json_end(j);
    }
    ma_json_end(j);
    free(rows);
}

const ma_view ma_view_tasks = {"tasks", text, json};
