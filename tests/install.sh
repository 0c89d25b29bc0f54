#!/usr/bin/env bash
# What the tests need besides Python packages, installed only when missing (quick when all is
# there): Debian's Chromium for the browser tests, Japanese fonts for readable screenshots, Java
# and the Nu Html Checker (vnu.jar, from npm into the git-ignored .cache/npm/).
# Usage: bash tests/install.sh   (the README's test command runs it; as root, or with sudo)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "tests/install.sh: installing ${missing[*]} with apt-get"
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The jar ships in the npm package; its install script (which would download a Java) is skipped.
if [ ! -f .cache/npm/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "tests/install.sh: installing vnu-jar with npm into .cache/npm/"
  npm install --no-save --ignore-scripts --no-audit --no-fund --prefix .cache/npm vnu-jar@26.9.27
fi

# Lighthouse 12.2.3 (13 wants Node 22), for the mobile performance and accessibility audits;
# it drives Debian's Chromium (CHROME_PATH), never a downloaded one. A folder of its own: an
# npm install without a package.json would prune the other folder's vnu-jar.
if [ ! -x .cache/lighthouse/node_modules/.bin/lighthouse ]; then
  echo "tests/install.sh: installing lighthouse with npm into .cache/lighthouse/"
  npm install --no-save --no-audit --no-fund --prefix .cache/lighthouse lighthouse@12.2.3
fi

# pa11y 9 (HTML_CodeSniffer and axe-core, WCAG 2 AA), for the accessibility tests beside axe's;
# it drives Debian's Chromium too, so puppeteer's own download is skipped.
if [ ! -x .cache/pa11y/node_modules/.bin/pa11y ]; then
  echo "tests/install.sh: installing pa11y with npm into .cache/pa11y/"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-save --no-audit --no-fund --prefix .cache/pa11y pa11y@9.1.1
fi
