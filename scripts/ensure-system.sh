#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only when they are missing.
#   python      python3 with venv
#   postgresql  a PostgreSQL server (the tests start a throwaway one on loopback)
#   poppler     pdftotext, which the tests use to read letters back
#   pango       the libraries WeasyPrint needs (benchmark only)
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    python) python3 -m venv --help >/dev/null 2>&1 || missing+=(python3 python3-venv python3-dev) ;;
    postgresql) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql) ;;
    poppler) command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils) ;;
    pango) ldconfig -p | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b) ;;
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
