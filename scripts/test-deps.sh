#!/usr/bin/env bash
# Makes sure the programs the test suite runs are on this machine, before `npm test` starts
# vitest (it is the `pretest` script) and in .ci/run. The tests drive real peers:
#
#   nats-server        upstream tests start a JetStream server on a free port
#   socat              serial tests talk over pty pairs
#   mosquitto_pub/sub  MQTT conformance tests use Mosquitto's clients against the gateway
#   openssl            TLS tests make their certificates
#   chromium           dashboard and staff-app tests (playwright-core drives Debian's build;
#                      CHROMIUM_PATH overrides /usr/bin/chromium, as in tests/support/browser.ts)
#   a CJK font         makes the screenshots of the zh-CN pages legible
#
# When something is missing it installs the Debian packages with apt-get: directly as root,
# else through sudo. TEST_DEPS=check only reports what is missing and installs nothing.
# Otherwise, or when that fails, it exits 1 naming the packages to install.
# With everything present it only runs a few `command -v` and one fc-list: well under a second.
set -euo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"

# Debian puts nats-server in /usr/sbin, which a non-root user's PATH usually leaves out;
# vitest.config.ts adds it for the tests.
PATH="$PATH:/usr/sbin"

has_cjk_font() {
  if command -v fc-list >/dev/null 2>&1; then
    # Not grep -q: it would quit early, fc-list would die of SIGPIPE and pipefail would say "no font".
    fc-list :lang=zh family 2>/dev/null | grep -i "wenquanyi\|noto sans cjk" >/dev/null
  else
    compgen -G "/usr/share/fonts/truetype/wqy/*.tt[cf]" >/dev/null ||
      compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null
  fi
}

missing_packages() {
  local need=()
  command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
  command -v socat >/dev/null 2>&1 || need+=(socat)
  { command -v mosquitto_pub && command -v mosquitto_sub; } >/dev/null 2>&1 || need+=(mosquitto-clients)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  [ -x "$chromium_path" ] || need+=(chromium)
  has_cjk_font || need+=(fonts-wqy-zenhei)
  echo "${need[*]}"
}

read -r -a need <<<"$(missing_packages)"
[ ${#need[@]} -eq 0 ] && exit 0

fail() {
  {
    echo "test-deps: $1"
    echo "test-deps: the tests need these Debian packages: ${need[*]}"
    echo "test-deps: install them with:  sudo apt-get install --no-install-recommends ${need[*]}"
    if [[ " ${need[*]} " == *" chromium "* ]]; then
      echo "test-deps: (or point CHROMIUM_PATH at another Chromium build; it is looked for at $chromium_path)"
    fi
  } >&2
  exit 1
}

[ "${TEST_DEPS:-install}" = check ] && fail "missing (TEST_DEPS=check: not installing)"
command -v apt-get >/dev/null 2>&1 || fail "missing, and there is no apt-get here to install them"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "missing, and installing needs root or sudo"
  # A password prompt only where someone can answer it; CI without passwordless sudo fails clearly.
  if ! sudo -n true 2>/dev/null && ! [ -t 0 ]; then
    fail "missing, and sudo needs a password but there is no terminal to ask on"
  fi
  sudo=(sudo)
fi

echo "test-deps: installing ${need[*]} with apt-get" >&2
# One unreachable third-party source makes `apt-get update` fail; Debian's own may still be fine.
"${sudo[@]}" apt-get update -qq || echo "test-deps: apt-get update reported errors; trying the install anyway" >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
  fail "apt-get could not install them"

read -r -a need <<<"$(missing_packages)"
[ ${#need[@]} -eq 0 ] || fail "still missing after apt-get install"
echo "test-deps: ok" >&2
