#!/usr/bin/env bash
# Renders and installs the BISK Enforcer systemd unit(s) for this host.
#
#   ./deploy/systemd/install_enforcer.sh                 # detected values, asks "Proceed? [y/N]"
#   USER_NAME=bisk PROJECT_DIR=/srv/bisk-enforcer ./deploy/systemd/install_enforcer.sh --yes
#   ./deploy/systemd/install_enforcer.sh --with-http --with-prune   # also the HTTP app and the prune timer
#   ./deploy/systemd/install_enforcer.sh --uninstall
#
# Variables: USER_NAME, PROJECT_DIR, ENV_FILE, NODE_BIN (detected when unset), SYSTEMD_DIR
# (default /etc/systemd/system) and SKIP_SYSTEMCTL=1 (render only; used by the tests).
set -euo pipefail

MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
  echo "Error: $*" >&2
  exit 1
}

ASSUME_YES=0
UNINSTALL=0
WITH_HTTP=0
WITH_PRUNE=0
for arg in "$@"; do
  case "$arg" in
    -y | --yes) ASSUME_YES=1 ;;
    --uninstall) UNINSTALL=1 ;;
    --with-http) WITH_HTTP=1 ;;
    --with-prune) WITH_PRUNE=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option: $arg (see --help)" ;;
  esac
done

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYSTEMD_DIR="${SYSTEMD_DIR:-/etc/systemd/system}"
ENV_FILE="${ENV_FILE:-/etc/bisk/bisk-enforcer.env}"
SKIP_SYSTEMCTL="${SKIP_SYSTEMCTL:-0}"

systemctl_do() {
  if [ "$SKIP_SYSTEMCTL" = "1" ]; then
    echo "(skipped) systemctl $*"
  else
    systemctl "$@"
  fi
}

units_to_install() {
  echo bisk-enforcer.service
  [ "$WITH_HTTP" = "1" ] && echo bisk-http.service
  [ "$WITH_PRUNE" = "1" ] && echo bisk-prune-heartbeats.service && echo bisk-prune-heartbeats.timer
  return 0
}

if [ "$UNINSTALL" = "1" ]; then
  for unit in bisk-prune-heartbeats.timer bisk-http.service bisk-enforcer.service; do
    if [ -f "$SYSTEMD_DIR/$unit" ]; then
      systemctl_do disable --now "$unit" || true
    fi
  done
  rm -f "$SYSTEMD_DIR/bisk-enforcer.service" "$SYSTEMD_DIR/bisk-http.service" \
    "$SYSTEMD_DIR/bisk-prune-heartbeats.service" "$SYSTEMD_DIR/bisk-prune-heartbeats.timer"
  systemctl_do daemon-reload
  echo "Uninstalled. The env file was kept: $ENV_FILE (remove it with: sudo rm -f $ENV_FILE)"
  exit 0
fi

# Project: the current directory when it is the project, else the one this script lives in.
if [ -z "${PROJECT_DIR:-}" ]; then
  if [ -f "$PWD/package.json" ] && grep -q '"name": "bisk-enforcer"' "$PWD/package.json"; then
    PROJECT_DIR="$PWD"
  else
    PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
  fi
fi
PROJECT_DIR="$(cd "$PROJECT_DIR" 2>/dev/null && pwd)" || die "PROJECT_DIR does not exist: $PROJECT_DIR"

USER_NAME="${USER_NAME:-${SUDO_USER:-$(id -un)}}"
id -u "$USER_NAME" >/dev/null 2>&1 || die "user does not exist: $USER_NAME (create it, or set USER_NAME)"
USER_GROUP="$(id -gn "$USER_NAME")"
USER_HOME="$(getent passwd "$USER_NAME" | cut -d: -f6)"

# Node: NODE_BIN, else node on PATH, else the newest nvm install of the service user.
if [ -z "${NODE_BIN:-}" ]; then
  NODE_BIN="$(command -v node || true)"
  if [ -z "$NODE_BIN" ] && [ -n "$USER_HOME" ] && [ -d "$USER_HOME/.nvm/versions/node" ]; then
    NODE_BIN="$(find "$USER_HOME/.nvm/versions/node" -maxdepth 3 -path '*/bin/node' | sort -V | tail -n 1)"
  fi
fi
if [ -z "$NODE_BIN" ] || [ ! -x "$NODE_BIN" ]; then
  die "node not found: install Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR}+ or set NODE_BIN"
fi
NODE_VERSION="$("$NODE_BIN" -p 'process.versions.node')" || die "cannot run $NODE_BIN"
NODE_MAJOR="${NODE_VERSION%%.*}"
NODE_MINOR="$(echo "$NODE_VERSION" | cut -d. -f2)"
if [ "$NODE_MAJOR" -lt "$MIN_NODE_MAJOR" ] || { [ "$NODE_MAJOR" -eq "$MIN_NODE_MAJOR" ] && [ "$NODE_MINOR" -lt "$MIN_NODE_MINOR" ]; }; then
  die "node $NODE_VERSION at $NODE_BIN is too old: ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer is needed"
fi

[ -f "$PROJECT_DIR/dist/src/cli.js" ] || die "dist/ is not built in $PROJECT_DIR: run 'npm ci && npm run build' there first"

echo "User:        $USER_NAME"
echo "Project dir: $PROJECT_DIR"
echo "Node:        $NODE_BIN (v$NODE_VERSION)"
echo "Env file:    $ENV_FILE"
echo "Units:       $(units_to_install | tr '\n' ' ')"
if [ "$ASSUME_YES" != "1" ]; then
  printf 'Proceed? [y/N] '
  read -r answer || answer=""
  case "$answer" in
    y | Y | yes | YES) ;;
    *)
      echo "Aborted; nothing was changed."
      exit 1
      ;;
  esac
fi

# The env file: seeded from the example only when missing (an existing one is never overwritten).
if [ ! -f "$ENV_FILE" ]; then
  mkdir -p "$(dirname "$ENV_FILE")"
  install -m 0640 "$SCRIPT_DIR/bisk-enforcer.env.example" "$ENV_FILE"
  chown "$USER_NAME:$USER_GROUP" "$ENV_FILE" 2>/dev/null || true
  echo "Created $ENV_FILE from the example (edit it, then restart the service)."
else
  echo "Kept the existing $ENV_FILE."
  # The lock moved from the shared /tmp to the service's /run/bisk: the unit's /tmp is private.
  if grep -q '^ENFORCER_LOCK_FILE=/tmp/bisk_enforcer.lock$' "$ENV_FILE"; then
    sed -i 's|^ENFORCER_LOCK_FILE=/tmp/bisk_enforcer.lock$|ENFORCER_LOCK_FILE=/run/bisk/enforcer.lock|' "$ENV_FILE"
    echo "Updated ENFORCER_LOCK_FILE in $ENV_FILE to /run/bisk/enforcer.lock (the service's runtime directory)."
  elif grep -Eq '^ENFORCER_LOCK_FILE=/(var/)?tmp/' "$ENV_FILE"; then
    echo "Warning: ENFORCER_LOCK_FILE in $ENV_FILE is under /tmp, which is private to the service: a shell would not meet its lock. Use /run/bisk/enforcer.lock." >&2
  fi
fi

# var/ (SQLite database, state file, runner logs, snapshots) is the one place under the project
# the sandboxed units may write (ReadWritePaths=): it must exist, owned by the service user.
if [ ! -d "$PROJECT_DIR/var" ]; then
  install -d -m 0750 "$PROJECT_DIR/var"
  chown "$USER_NAME:$USER_GROUP" "$PROJECT_DIR/var" 2>/dev/null || true
fi

# ProtectHome=yes hides /home, /root and /run/user; read-only when the project or node lives there.
PROTECT_HOME=yes
for path in "$PROJECT_DIR" "$(readlink -f "$NODE_BIN")"; do
  case "$path" in
    /home/* | /root/* | /run/user/*) PROTECT_HOME=read-only ;;
  esac
done

escape() { printf '%s' "$1" | sed -e 's/[\/&|]/\\&/g'; }
mkdir -p "$SYSTEMD_DIR"
for unit in $(units_to_install); do
  sed -e "s|__USER__|$(escape "$USER_NAME")|g" \
    -e "s|__PROJECT_DIR__|$(escape "$PROJECT_DIR")|g" \
    -e "s|__NODE__|$(escape "$NODE_BIN")|g" \
    -e "s|__ENV_FILE__|$(escape "$ENV_FILE")|g" \
    -e "s|__PROTECT_HOME__|$PROTECT_HOME|g" \
    "$SCRIPT_DIR/$unit.template" >"$SYSTEMD_DIR/$unit"
  chmod 0644 "$SYSTEMD_DIR/$unit"
done

# enable + restart: a first install starts the service, a re-install picks up the new unit.
systemctl_do daemon-reload
systemctl_do enable bisk-enforcer.service
systemctl_do restart bisk-enforcer.service
if [ "$WITH_HTTP" = "1" ]; then
  systemctl_do enable bisk-http.service
  systemctl_do restart bisk-http.service
fi
if [ "$WITH_PRUNE" = "1" ]; then
  systemctl_do enable --now bisk-prune-heartbeats.timer
fi
echo "Installed. Check status with: sudo systemctl status bisk-enforcer.service"
