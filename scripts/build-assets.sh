#!/usr/bin/env bash
# make assets: build GOV.UK Frontend into infobot/web/static/govuk/ from the npm packages
# pinned in package-lock.json. The outputs are checked in, so running infobot (and
# `make test`) needs only Python; this script needs Node.js and npm.
#
# What is built, and what is left out on purpose:
# - govuk-frontend.min.css: GOV.UK Frontend's Sass compiled with dart-sass, with the font
#   set to the system font stack and no @font-face. The GDS Transport font and the crown
#   are reserved for GOV.UK, so neither the font files nor any crown or crest image are
#   copied, and the one rule that draws the crest (the footer's copyright logo) is
#   removed from the CSS.
# - govuk-frontend.min.js: the package's own ES module build, copied as it is.
# - VERSION: the versions used and sha256 sums of the inputs and outputs.
# GOV.UK Frontend's images (favicons, app icons, crest, Open Graph image) and its web
# manifest all show the crown, so no file from its assets/ folder is needed or shipped.
#
# Usage: scripts/build-assets.sh [--no-install] [--out DIR]
#   --no-install  use the node_modules that is there (no `npm ci`)
#   --out DIR     write to DIR instead of infobot/web/static/govuk (the tests use this)
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
out=infobot/web/static/govuk
while [ $# -gt 0 ]; do
    case "$1" in
        --no-install) install=0 ;;
        --out) out="$2"; shift ;;
        *) echo "build-assets.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

command -v node >/dev/null || { echo "build-assets.sh: Node.js is needed to rebuild the assets" >&2; exit 1; }
if [ "$install" = 1 ]; then
    command -v npm >/dev/null || { echo "build-assets.sh: npm is needed to rebuild the assets" >&2; exit 1; }
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
fi
pkg=node_modules/govuk-frontend
[ -d "$pkg/dist/govuk" ] || { echo "build-assets.sh: $pkg is missing: run npm ci" >&2; exit 1; }

# The Sass entry point. GOV.UK Frontend 5 reads these settings when loaded with `@use ... with`.
entry='@use "pkg:govuk-frontend" with (
  $govuk-font-family: (system-ui, -apple-system, "Segoe UI", Arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/static/govuk/assets/"
);'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/infobot-assets.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

printf '%s\n' "$entry" |
    node_modules/.bin/sass --stdin --pkg-importer=node --style=compressed --no-source-map \
        --quiet-deps --no-error-css >"$tmp/raw.css"

# Drop the footer crest rule (and the @supports block left empty), then check the result.
node - "$tmp/raw.css" "$tmp/govuk-frontend.min.css" <<'JS'
const fs = require("fs");
const [src, dst] = process.argv.slice(2);
let css = fs.readFileSync(src, "utf8");
css = css.replace(/[^{}]*\{[^{}]*govuk-crest[^{}]*\}/g, "").replace(/@supports[^{}]*\{\}/g, "");
for (const bad of ["GDS Transport", "@font-face", "govuk-crest", "/fonts/"]) {
  if (css.includes(bad)) {
    console.error(`build-assets.sh: the built CSS still contains ${bad}`);
    process.exit(1);
  }
}
fs.writeFileSync(dst, css.trimEnd() + "\n");
JS

cp "$pkg/dist/govuk/govuk-frontend.min.js" "$tmp/govuk-frontend.min.js"

version=$(node -p 'require("./node_modules/govuk-frontend/package.json").version')
sass_version=$(node -p 'require("./node_modules/sass/package.json").version')
inputs=$(cat package-lock.json scripts/build-assets.sh | sha256sum | cut -d' ' -f1)
{
    echo "govuk-frontend $version"
    echo "sass $sass_version"
    echo "inputs-sha256 $inputs (package-lock.json + scripts/build-assets.sh)"
    (cd "$tmp" && sha256sum govuk-frontend.min.css govuk-frontend.min.js)
} >"$tmp/VERSION"

cat >"$tmp/NOTICE" <<EOF
GOV.UK Frontend $version, https://github.com/alphagov/govuk-frontend
© Crown copyright. Released under the MIT licence.

Built by scripts/build-assets.sh without the GDS Transport font and without the crown
or crest images, which are reserved for GOV.UK. Do not add them back.
EOF

mkdir -p "$out"
rm -rf "$out/assets"
for f in govuk-frontend.min.css govuk-frontend.min.js VERSION NOTICE; do
    cp "$tmp/$f" "$out/$f"
done
echo "built $out: govuk-frontend $version, sass $sass_version"
