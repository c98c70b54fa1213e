#!/usr/bin/env bash
# Compiles the site's stylesheet (GOV.UK Frontend with the site's own typeface, no GOV.UK brand) into
# src/ombuds/site/static/vendor/, where the live site and the static build take it from. Run by `make`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=src/ombuds/site/static/vendor
mkdir -p "$out.tmp"
npx --no-install sass --load-path=node_modules --no-source-map --style=compressed --quiet-deps \
  src/ombuds/site/assets/site.scss "$out.tmp/site.css"
rm -rf "$out" && mv "$out.tmp" "$out"
