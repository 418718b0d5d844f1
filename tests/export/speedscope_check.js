// speedscope_check.js — opens a collapsed-stack file (memanalyze --collapsed) in speedscope, the
// flame graph viewer, and writes what speedscope imported, in speedscope's own JSON format, to
// OUT: speedscope's web app (from the npm package, served to headless Chromium from disk through
// a request interceptor: nothing leaves the machine) loads the file through its #profileURL=
// parameter, detects the format itself, and its "Export" button saves the parsed profile.
// Fails if speedscope reports an error or does not recognize the format.
//
// usage: NODE_PATH=…/node_modules node speedscope_check.js FILE OUT
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {chromium} = require('playwright-core');

const ORIGIN = 'http://speedscope.invalid';
const TYPES = {'.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
               '.json': 'application/json', '.png': 'image/png', '.woff2': 'font/woff2'};

async function main() {
  const [file, out] = process.argv.slice(2);
  const release = path.join(path.dirname(require.resolve('speedscope/package.json')), 'dist', 'release');
  const profile = fs.readFileSync(file);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memdump-chromium-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const errors = [], log = [];
  try {
    await ctx.route('**/*', route => {
      const u = new URL(route.request().url());
      if (u.origin !== ORIGIN) return route.abort();
      if (u.pathname === '/profile.txt') return route.fulfill({body: profile, contentType: 'text/plain'});
      const f = path.join(release, path.basename(u.pathname) || 'index.html');
      if (!fs.existsSync(f)) return route.fulfill({status: 404, body: 'not found'});
      return route.fulfill({body: fs.readFileSync(f), contentType: TYPES[path.extname(f)] || 'application/octet-stream'});
    });
    const page = await ctx.newPage();
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', m => log.push(m.text()));
    await page.goto(`${ORIGIN}/index.html#profileURL=${encodeURIComponent(ORIGIN + '/profile.txt')}&title=memdump`);
    await page.getByText('Export').waitFor({timeout: 30000});
    const [download] = await Promise.all([page.waitForEvent('download', {timeout: 30000}),
                                          page.getByText('Export').click()]);
    fs.copyFileSync(await download.path(), out);
    if (!log.some(l => /collapsed stack/i.test(l))) throw new Error('speedscope did not import it as collapsed stacks: ' + log.join(' | '));
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
  } finally {
    await ctx.close();
    fs.rmSync(userDir, {recursive: true, force: true});
  }
}
main().catch(e => { console.error('speedscope_check: ' + (e && e.stack || e)); process.exit(1); });
