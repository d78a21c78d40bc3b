#!/usr/bin/env bash
# System packages planwatch uses outside Python: Tesseract (kir+rus) for scanned reports,
# PostgreSQL for the shared-ledger tests, LibreOffice (headless) for legacy Office files
# (.doc/.xls/.rtf/.odt), Debian's Chromium for the browser page tests.
# Installed when we are root and they are missing;
# otherwise we print the one command that installs them. Never fatal: without them,
# scanned files are rejected with a reason and the PostgreSQL tests skip with a message.
set -u
PKGS="tesseract-ocr tesseract-ocr-kir tesseract-ocr-rus postgresql libreoffice-writer-nogui libreoffice-calc-nogui chromium chromium-driver"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages:$missing"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing) >/tmp/planwatch-apt.log 2>&1 \
    || echo "warning: could not install$missing (see /tmp/planwatch-apt.log); OCR/PostgreSQL features stay off"
else
  echo "optional system packages missing:$missing"
  echo "install them with: sudo apt-get install -y$missing"
fi
exit 0
