/* html_page.c — the document around a report: head, inlined stylesheet, inlined scripts.
 *
 * The Content-Security-Policy allows inline styles and scripts and nothing else: no fetch, no
 * image, font or frame from anywhere (sparklines are inline SVG, not images), so the report
 * cannot touch the network even by accident, and a name from the target that slipped through as
 * markup could not load anything either. Elements with class "js-only" are hidden when scripts
 * do not run (<noscript> style), leaving the server-rendered overview.
 *
 * The assets come from analyze/html/assets/ (the build turns them into byte arrays:
 * html_assets.h); the scripts run in one <script> element in the order listed below.
 */
#include "html_assets.h"
#include "html_internal.h"

#include <string.h>

static void asset(FILE *f, const char *name)
{
    const hx_asset *a = hx_asset_find(name);
    if (a) fwrite(a->data, 1, a->len, f);
}

void hx_page_begin(FILE *f, const char *title, const char *kind)
{
    fputs("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n"
          "<meta name=\"generator\" content=\"memdump\">\n<title>", f);
    hx_esc(f, title);
    fputs("</title>\n<style>\n", f);
    asset(f, "report.css");
    fputs("</style>\n<noscript><style>.js-only{display:none!important}</style></noscript>\n</head>\n", f);
    fprintf(f, "<body class=\"kind-%s\">\n", kind);
}

void hx_page_end(FILE *f, const char *kind)
{
    fputs("<script>\n", f);
    asset(f, "common.js");
    asset(f, "chart.js");
    asset(f, strcmp(kind, "diff") ? "analyze.js" : "diff.js");
    fputs("</script>\n</body>\n</html>\n", f);
}
