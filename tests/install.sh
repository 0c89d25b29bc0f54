#!/usr/bin/env bash
# What the tests need besides Python packages, installed only when missing (quick when all is
# there): Debian's Chromium for the browser tests, Japanese fonts for readable screenshots, Java
# and the Nu Html Checker (vnu.jar, from npm into the git-ignored .cache/npm/), and CKAN with
# ckanext-dcat in a virtualenv of its own (.cache/ckan/venv).
# Usage: bash tests/install.sh   (the README's test command runs it; as root, or with sudo)
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(npm)
# CKAN's virtualenv is ready when it holds exactly tests/ckan-requirements.txt (a copy is kept
# in it once pip succeeded); building it needs venv and, for psycopg2 (compiled: PyPI has no
# wheel of it), gcc, Python's headers and libpq's pg_config.
ckan_venv=.cache/ckan/venv
ckan_ready=false
if [ -x "$ckan_venv/bin/python" ] && cmp -s tests/ckan-requirements.txt "$ckan_venv/requirements.txt"; then
  ckan_ready=true
fi
if ! $ckan_ready; then
  python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
  python3 -c 'import os, sysconfig; assert os.path.isfile(sysconfig.get_path("include") + "/Python.h")' \
    2>/dev/null || missing+=(python3-dev)
  command -v gcc >/dev/null || missing+=(gcc)
  command -v pg_config >/dev/null || missing+=(libpq-dev)
fi
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

# CKAN 2.12 with ckanext-dcat, for the harvest test (tests/test_ckan.py): its own virtualenv, as
# CKAN pins exact versions of libraries the project also uses (Jinja2, Markdown, nh3, babel...).
# Rebuilt from scratch when tests/ckan-requirements.txt changes, so no old pin lingers.
if ! $ckan_ready; then
  echo "tests/install.sh: installing CKAN and ckanext-dcat with pip into $ckan_venv/"
  rm -rf "$ckan_venv"
  python3 -m venv "$ckan_venv"
  "$ckan_venv/bin/python" -m pip install -q -r tests/ckan-requirements.txt
  cp tests/ckan-requirements.txt "$ckan_venv/requirements.txt"
fi
