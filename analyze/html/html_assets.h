/* html_assets.h — the report's stylesheet and scripts, compiled in.
 *
 * The sources are readable files in analyze/html/assets/; analyze/html/embed.sh turns each into
 * a byte array in $(BUILD)/gen/analyze/html/html_assets.c (analyze/build.mk), so the tools need no
 * file at run time and the report can inline them.
 */
#ifndef MA_HTML_ASSETS_H
#define MA_HTML_ASSETS_H

#include <stddef.h>

typedef struct hx_asset {
    const char *name;           /* file name: "report.css", "common.js", ... */
    const unsigned char *data;
    size_t len;
} hx_asset;

extern const hx_asset hx_assets[];      /* ends with {NULL, NULL, 0} */

const hx_asset *hx_asset_find(const char *name);

#endif
