#!/usr/bin/env bash
# Regenerates the Control Center images in docs/images/ (overview.png, shown in the README and in
# docs/CONTROL-CENTER.md, client-detail.png and access-log-denied.png): runs the browser tests that take the
# screenshots (headless Chromium against a real broker with real clients) and copies them. Needs Debian's chromium
# and chromium-driver (scripts/test.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl broker-server -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='ControlCenterIT' -Dfailsafe.failIfNoSpecifiedTests=false
mkdir -p docs/images
for image in overview client-detail access-log-denied; do
    cp "broker-server/target/screenshots/$image.png" "docs/images/$image.png"
    echo "docs/images/$image.png updated ($(stat -c %s "docs/images/$image.png") bytes)"
done
