#!/usr/bin/env bash
# Installs the Debian packages GovApp Registry needs, only those missing. Safe to run repeatedly.
#   python3-venv                  the virtualenv
#   gettext                       compiling the zh-Hans / English translations
#   libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk   PDF notices with Chinese typesetting (WeasyPrint)
#   chromium                      the browser tests (headless)
#   poppler-utils                 tests read generated PDFs back (pdftotext)
#   aapt libsmali-java zipalign apksigner android-framework-res   building test APKs from text sources
#   redis-server                  the shared cache of the production tests (started when none answers)
set -euo pipefail

packages=(python3-venv gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk chromium poppler-utils
          aapt libsmali-java zipalign apksigner android-framework-res redis-server)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm fetches the vendored ECharts at setup (the machine image ships Node.js; Debian's npm otherwise).
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]} (no apt-get here: install them with your package manager)." >&2
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: ${missing[*]}. Run 'sudo make' or install them: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
