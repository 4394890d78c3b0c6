// `npm start` runs the built service; build first when dist/ is missing or older than any source
// file: the service's (src/) or the progress page's (web/).
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const built = [join(root, 'dist', 'main.js'), join(root, 'dist', 'web', 'app.js')];
// The loader runs the generated client from its package, built by `npm run build` too.
const client = join(root, 'clients', 'typescript', 'dist', 'index.js');

function newestSourceTime(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs;
    return Math.max(newest, time);
  }, 0);
}

const sourceTime = Math.max(
  newestSourceTime(join(root, 'src')),
  newestSourceTime(join(root, 'web')),
  newestSourceTime(join(root, 'clients', 'typescript', 'src')),
  statSync(join(root, 'package-lock.json')).mtimeMs,
);
if (!existsSync(client) || built.some((file) => !existsSync(file) || statSync(file).mtimeMs < sourceTime)) {
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}
