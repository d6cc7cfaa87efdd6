#!/bin/sh
# Install the system packages the tests need when they are missing: Dovecot (a real IMAP server),
# Chromium and its driver (the report in a real browser), openssl (test certificates), the
# DejaVu fonts (PDF notices written for the tests).
# Only as root with apt-get; elsewhere it says what is missing and leaves it to the administrator
# (the tests that need a missing server then skip, or fail under CI=true).
set -eu
missing=""
command -v dovecot >/dev/null 2>&1 || missing="$missing dovecot-imapd"
command -v doveadm >/dev/null 2>&1 || missing="$missing dovecot-core"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
# DejaVu Sans: every Vietnamese letter, for the PDF notices tools/make_notices.py writes.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "missing system packages:$missing (install them as root: apt-get install$missing)" >&2
fi
