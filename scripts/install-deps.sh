#!/usr/bin/env bash
# Installs the Debian 12 packages roadbrew builds, tests and runs with.
# Idempotent: prints nothing and exits 0 when every package is present. Needs root (or
# passwordless sudo) only when something is missing. CUDA 13 + cuDNN 9 are not Debian packages:
# the build uses them when nvcc is found (ROADBREW_CUDA=AUTO) and works without them.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgdal-dev gdal-bin libproj-dev proj-bin libgeos-dev
  libopencv-dev libopencv-contrib-dev
  libboost-graph-dev libtbb-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev libxxhash-dev librandom123-dev
  libdnnl-dev ocl-icd-opencl-dev opencl-headers
  catch2 clang-format
  python3 python3-numpy
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps: installing them needs root; run: sudo $0" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done" >&2
