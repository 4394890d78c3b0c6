# Sourced by .ci/run: Debian's Chromium for the browser tests (test/browser/), which drive it with
# playwright-core. No npm package downloads a browser; without Chromium, test/global-setup.ts
# fails a CI run rather than skipping those tests.

install_chromium() {
  if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    echo "== installing Chromium from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
  echo "== $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null)"
}
