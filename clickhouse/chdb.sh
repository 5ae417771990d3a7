#!/usr/bin/env bash
# Modern ClickHouse in-process for the tests: chDB's libchdb.so (ClickHouse 26.7 as a library), from npm.
#   chdb.sh ensure-installed   installs it into the cache folder if missing, prints the library's path
#   chdb.sh path               prints where the library is (or would be)
# The cache folder is $FASTINGEST_CHDB_HOME, else tests/.chdb of the repository (gitignored). 543 MB.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
package="@chdb/lib-linux-x64-gnu"
version="26.7.3-stable.1"
home="${FASTINGEST_CHDB_HOME:-$here/../tests/.chdb}"
lib="$home/node_modules/$package/libchdb.so"

case "${1:-}" in
  path)
    echo "$lib" ;;
  ensure-installed)
    if [ ! -f "$lib" ] || ! grep -qs "\"version\": \"$version\"" "$home/node_modules/$package/package.json"; then
      command -v npm >/dev/null 2>&1 || { echo "chdb.sh: npm is needed to install $package@$version" >&2; exit 1; }
      mkdir -p "$home"
      # --prefix keeps it out of any package.json of ours; --no-save writes none.
      npm install --prefix "$home" --no-save --no-audit --no-fund --loglevel=error "$package@$version" >&2
      [ -f "$lib" ] || { echo "chdb.sh: npm finished but $lib is missing" >&2; exit 1; }
    fi
    echo "$(cd "$(dirname "$lib")" && pwd)/libchdb.so" ;;
  *)
    echo "usage: chdb.sh ensure-installed | path" >&2; exit 2 ;;
esac
