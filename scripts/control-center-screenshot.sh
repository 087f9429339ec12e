#!/usr/bin/env bash
# Regenerates docs/images/overview.png, the Control Center's overview page shown in the README and in
# docs/CONTROL-CENTER.md: runs the browser test that takes the screenshots (headless Chromium against a real broker
# with real clients) and copies its overview screenshot. Needs Debian's chromium and chromium-driver
# (scripts/test.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl broker-server -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='ControlCenterIT#signInWithPassword_everyPageRenders_withCspAndNoConsoleErrors_andScreenshots' \
    -Dfailsafe.failIfNoSpecifiedTests=false
mkdir -p docs/images
cp broker-server/target/screenshots/overview.png docs/images/overview.png
echo "docs/images/overview.png updated ($(stat -c %s docs/images/overview.png) bytes)"
