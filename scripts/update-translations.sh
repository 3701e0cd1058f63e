#!/usr/bin/env bash
# Re-extract every gettext msgid of the Django code into the zh-Hans catalogue, compile it, and say how
# many entries still need a translator. Run after adding or changing user-facing strings.
#
#   scripts/update-translations.sh           # update django.po + django.mo, print the counts
#   scripts/update-translations.sh --check   # same, but exit 1 when anything is untranslated or fuzzy
#
# makemessages runs from src/govapp so that it walks only the package and finds src/govapp/locale;
# --no-obsolete drops msgids the code no longer uses (git keeps the history), --no-wrap keeps one entry
# per line so diffs stay readable. New msgids that resemble old ones come back "fuzzy" with a guessed
# translation: msgfmt leaves those out of django.mo, so they show in English until a translator fixes
# them and removes the fuzzy flag.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
govapp="${GOVAPP_BIN:-$root/.venv/bin/govapp}"
check=0
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

for tool in msgfmt msgmerge xgettext; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found; install Debian's gettext package" >&2; exit 2; }
done
[ -x "$govapp" ] || { echo "error: $govapp not found; run 'make setup' first" >&2; exit 2; }

catalogue_dir="$root/src/govapp/locale/zh_Hans/LC_MESSAGES"
mkdir -p "$catalogue_dir"

cd "$root/src/govapp"
"$govapp" makemessages -l zh_Hans --no-location --no-obsolete --no-wrap \
    --ignore=.venv --ignore=var --ignore=tests --verbosity 0

cd "$catalogue_dir"
msgfmt --check-format -o django.mo django.po

stats="$(LC_ALL=C msgfmt --statistics -o /dev/null django.po 2>&1)"
count() { grep -oE "[0-9]+ $1" <<<"$stats" | grep -oE '^[0-9]+' || echo 0; }
translated="$(count 'translated')"
fuzzy="$(count 'fuzzy')"
untranslated="$(count 'untranslated')"
echo "zh_Hans: $translated translated, $untranslated untranslated, $fuzzy fuzzy"

if [ "$check" = 1 ] && [ $((untranslated + fuzzy)) -gt 0 ]; then
    exit 1
fi
