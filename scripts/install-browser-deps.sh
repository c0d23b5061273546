#!/usr/bin/env bash
# Part of `make install`: what the browser tests in tests/browser/ need besides Python.
# - Debian's Chromium at /usr/bin/chromium (Playwright's own browser download is not used);
# - axe-core from npm (node_modules/, via package-lock.json).
# Never fails: when something cannot be installed it says so in one line, and the browser
# tests are skipped with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt_install() { apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; }
        apt_install || { apt-get update -qq >/dev/null 2>&1 && apt_install; } || true
    fi
    [ -x /usr/bin/chromium ] || missing+=("chromium (as root: apt-get install chromium)")
fi

if [ ! -f node_modules/axe-core/axe.min.js ]; then
    if command -v npm >/dev/null; then
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || true
    fi
    [ -f node_modules/axe-core/axe.min.js ] || missing+=("axe-core (npm ci)")
fi

if [ ${#missing[@]} -gt 0 ]; then
    joined=$(printf ' and %s' "${missing[@]}")
    echo "install-browser-deps: could not install ${joined# and }; the browser tests will be skipped."
fi
exit 0
