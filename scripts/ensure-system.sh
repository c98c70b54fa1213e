#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only when they are missing.
#   python      python3 with venv
#   node        Node.js and npm (the site's pinned front-end packages and axe-core)
#   postgresql  a PostgreSQL server (the tests start a throwaway one on loopback)
#   poppler     pdftotext and pdftoppm, which the tests use to read and look at letters
#   chromium    headless Chromium for the browser tests (never a downloaded browser)
#   pango       the libraries WeasyPrint needs (benchmark only)
#   wrk         the HTTP load generator (benchmark only)
#   time        GNU time, which the benchmarks start each measured command through (its true peak memory)
#   java        a Java runtime for the W3C Nu HTML checker (vnu.jar from the pinned npm package vnu-jar)
#   sqlite3     the sqlite3 shell: the tested backup and restore steps, and the import benchmark's baseline (.import)
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    python) python3 -m venv --help >/dev/null 2>&1 || missing+=(python3 python3-venv python3-dev) ;;
    node) command -v npm >/dev/null 2>&1 || missing+=(nodejs npm) ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql) ;;
    poppler) command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils) ;;
    chromium) [ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf ] || missing+=(chromium fonts-dejavu-core fonts-dejavu-extra) ;;
    pango) ldconfig -p | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b) ;;
    wrk) command -v wrk >/dev/null 2>&1 || missing+=(wrk) ;;
    time) [ -x /usr/bin/time ] || missing+=(time) ;;
    java) command -v java >/dev/null 2>&1 || missing+=(default-jre-headless) ;;
    sqlite3) command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3) ;;
    *) echo "ensure-system: unknown need '$need'" >&2; exit 2 ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
