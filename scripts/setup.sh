#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine with only Node.js 20 and npm:
# the Vulkan software driver (Mesa's lavapipe from bookworm-backports) for the
# WebGPU tests, Chromium for the playground's browser test, and the workspace's
# dependencies through a pinned pnpm.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")

have_lavapipe() {
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 &&
    dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -qE '^(2[5-9]|[3-9][0-9])\.'
}

install_lavapipe() {
  # Bookworm's own Mesa 22 lacks a Vulkan feature Dawn requires; backports carries Mesa 25.
  local sources=/etc/apt/sources.list.d/debian.sources
  if [ -f "$sources" ] && ! grep -q 'bookworm-backports' "$sources"; then
    sed -i 's/^Suites: bookworm bookworm-updates$/& bookworm-backports/' "$sources"
  fi
  if [ -f /etc/apt/sources.list ] && [ ! -f "$sources" ] && ! grep -rq bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d 2>/dev/null; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
}

if [ "${GRAPHGRAD_SKIP_VULKAN:-}" != 1 ] && ! have_lavapipe; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Mesa's lavapipe Vulkan driver (bookworm-backports)"
    install_lavapipe
  else
    echo "setup: lavapipe is missing and this user cannot apt-get install it; the GPU tests will say so" >&2
  fi
fi

# The safetensors interop test reads graphgrad's files with numpy, an implementation independent of ours.
# (`npm run demo` sets GRAPHGRAD_SKIP_VULKAN=1 GRAPHGRAD_SKIP_NUMPY=1: it needs neither.)
if [ "${GRAPHGRAD_SKIP_NUMPY:-}" != 1 ] && ! python3 -c 'import numpy' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing python3-numpy (the safetensors interop test)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null; }
  else
    echo "setup: python3 with numpy is missing; the safetensors interop test will say so" >&2
  fi
fi

# The playground's end-to-end test drives Debian's Chromium headless (playwright-core downloads no browser).
# (`npm run demo` and `npm run playground` set GRAPHGRAD_SKIP_CHROMIUM=1: they need no headless browser.)
if [ "${GRAPHGRAD_SKIP_CHROMIUM:-}" != 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing chromium (the playground's browser test)"
    # Its recommends (printing, power and desktop services) are of no use to a headless test.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; }
  else
    echo "setup: /usr/bin/chromium is missing and this user cannot apt-get install it; the playground's browser test will say so" >&2
  fi
fi

# The benchmark's PyTorch reference, for `npm run bench` only (it sets GRAPHGRAD_BENCH=1; `npm test` and
# `npm run demo` never install it): Debian's python3-torch (1.13 in bookworm, for /usr/bin/python3), and
# OpenBLAS, without which that torch's matrix products run on the reference BLAS. Where this user cannot
# install them the benchmark prints PyTorch's rows as "—" with the reason.
torch_importable() {
  python3 -c 'import torch' >/dev/null 2>&1 || /usr/bin/python3 -c 'import torch' >/dev/null 2>&1
}
deb_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}
if [ "${GRAPHGRAD_BENCH:-}" = 1 ]; then
  bench_packages=()
  torch_importable || bench_packages+=(python3-torch)
  if ! deb_installed libopenblas0-pthread && { [ ${#bench_packages[@]} -gt 0 ] || deb_installed python3-torch; }; then
    bench_packages+=(libopenblas0-pthread)
  fi
  if [ ${#bench_packages[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "setup: installing ${bench_packages[*]} (the benchmark's PyTorch reference)"
      # Its recommends (a compiler, the C++ headers) are of no use to the benchmark.
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${bench_packages[@]}" >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${bench_packages[@]}" >/dev/null; }
    else
      echo "setup: ${bench_packages[*]} missing and this user cannot apt-get install it; the benchmark prints PyTorch's rows as —" >&2
    fi
  fi
fi

echo "setup: installing dependencies with pnpm@$PNPM_VERSION"
npx --yes "pnpm@$PNPM_VERSION" install --frozen-lockfile --reporter=silent 2>/dev/null ||
  npx --yes "pnpm@$PNPM_VERSION" install --reporter=append-only
