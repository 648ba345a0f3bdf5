#!/usr/bin/env bash
# Installs what Switchboard needs on a Debian/Ubuntu machine, idempotently and only what is
# missing: Debian packages, the Python virtual environment, browser assets from npm, compiled
# translations; for "run" also the database schema, static files and the first administrator.
# Usage: scripts/setup.sh run|test|demo
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."
mkdir -p var

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

debian_packages=(python3-venv gettext nodejs npm ffmpeg espeak-ng)
if [ "$mode" = test ]; then
  debian_packages+=(debootstrap sip-tester chromium sox)
elif [ "$mode" = demo ]; then
  debian_packages+=(debootstrap sip-tester)
fi
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
# A machine may bring its own Python or Node.js (pyenv, nvm); then Debian's are not needed.
if command -v python3 >/dev/null && python3 -m venv --help >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
if command -v npm >/dev/null; then missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}"); fi
read -r -a missing <<< "${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

requirements=requirements.txt
[ "$mode" = test ] && requirements=requirements-dev.txt
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum "$requirements" requirements.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages from $requirements"
  # (grep hides the noise of machines whose pip.conf lists absent local indexes)
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
  .venv/bin/python -m pip install -q -r "$requirements" 2>&1 | { grep -v "is ignored: it is neither" || true; }
  touch "$stamp"
fi

npm_stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$npm_stamp" ]; then
  echo "Installing browser assets from npm"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$npm_stamp"
fi

.venv/bin/python -m switchboard.config check
[ -d locale ] && .venv/bin/python manage.py compilemessages -v 0 -i .venv -i node_modules -i var

if [ "$mode" = run ]; then
  .venv/bin/python manage.py migrate --noinput -v 0
  .venv/bin/python manage.py collectstatic --noinput -v 0
  .venv/bin/python manage.py ensure_admin
fi
