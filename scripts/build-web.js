// Builds the progress page (web/) into dist/web, which the service serves at `/`: the TypeScript
// bundled for the browser by esbuild into one script, the HTML and the style sheet copied.
const { copyFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { buildSync } = require('esbuild');

const root = join(__dirname, '..');
const web = join(root, 'web');
const out = join(root, 'dist', 'web');

mkdirSync(out, { recursive: true });
buildSync({
  entryPoints: [join(web, 'src', 'main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(join(web, file), join(out, file));
