#!/usr/bin/env bash
# Installs the real example of "your own images": the 3,786 Google colour emoji of the npm package
# emoji-datasource-google@16.0.0 (64×64 PNG with alpha) as a picture folder dlc reads —
#   DIR/<category>/<image>.png   (the ten categories are the labels)
#   DIR/captions.tsv             (each emoji's name, with its skin tone, is its caption)
#   DIR/LICENSES.txt             (the images are Noto Emoji, Apache-2.0; the package's data is MIT)
# Nothing of it is committed. Needs npm and node (apt-get install -y npm). Usage: assets/emoji/install.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-out/emoji}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent emoji-datasource-google@16.0.0 > /dev/null && tar xzf emoji-datasource-google-16.0.0.tgz)
node "$here/layout.js" "$tmp/package" "$out"
