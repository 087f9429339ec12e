#!/usr/bin/env bash
# Runs Rampart's whole test suite: unit tests (surefire) and end-to-end tests (failsafe) that start
# the real broker and drive it with real MQTT clients. Installs the system packages the tests use
# first (idempotent; needs root or sudo for apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(mosquitto mosquitto-clients openssl fail2ban slapd ldap-utils python3 curl chromium chromium-driver dnsmasq-base)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test dependencies: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The Debian mosquitto package starts a broker on port 1883; the tests use random ports, but a
# background broker is of no use here.
# Same for slapd: the LDAP tests start their own slapd with a temporary configuration.
for service in mosquitto slapd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    systemctl stop "$service" || true
  fi
done

exec mvn -B -ntp verify "$@"
