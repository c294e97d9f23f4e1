#!/usr/bin/env bash
# Build llama.cpp's llama-server from a git bundle (e.g. node-llama-cpp's
# llama/gitRelease.bundle), fully offline, CPU-only.
#
# Usage: build-llama-server.sh SRC_BUNDLE OUT_DIR [WORK_DIR]
#   SRC_BUNDLE  path to a git bundle (or a git repo dir) containing llama.cpp
#   OUT_DIR     where llama-server (+ any shared libs it needs) is copied
#   WORK_DIR    scratch dir for source+build (default: OUT_DIR/.build)
# Env:
#   JOBS=N            parallel jobs (default: nproc)
#   GGML_NATIVE=ON    ON = tune for this CPU (not portable); OFF = portable
#   LLAMA_BUILD_NUMBER=N / LLAMA_BUILD_COMMIT=sha  override --version info
# Idempotent: reuses an existing clone/build dir if the bundle HEAD matches;
# does nothing if OUT_DIR/llama-server exists and was built from the same HEAD.
# Needs: git, cmake >= 3.14, a C/C++17 compiler (gcc/g++), make or ninja.
set -euo pipefail

SRC_BUNDLE=${1:?usage: $0 SRC_BUNDLE OUT_DIR [WORK_DIR]}
OUT_DIR=${2:?usage: $0 SRC_BUNDLE OUT_DIR [WORK_DIR]}
SRC_BUNDLE=$(realpath "$SRC_BUNDLE")
mkdir -p "$OUT_DIR"
OUT_DIR=$(realpath "$OUT_DIR")
WORK_DIR=${3:-$OUT_DIR/.build}
mkdir -p "$WORK_DIR"
WORK_DIR=$(realpath "$WORK_DIR")
JOBS=${JOBS:-$(nproc)}
NATIVE=${GGML_NATIVE:-ON}

for t in git cmake c++; do
  command -v "$t" >/dev/null || { echo "missing tool: $t (apt-get install -y git cmake build-essential)" >&2; exit 2; }
done

# Resolve the commit the bundle/repo points at.
WANT=$(git ls-remote "$SRC_BUNDLE" HEAD 2>/dev/null | awk '{print $1}' | head -1)
[ -n "$WANT" ] || WANT=$(git ls-remote "$SRC_BUNDLE" | awk '{print $1}' | head -1)
[ -n "$WANT" ] || { echo "cannot read a commit from $SRC_BUNDLE" >&2; exit 2; }
STAMP="$OUT_DIR/.llama-server.commit"
KEY="$WANT native=$NATIVE"

if [ -x "$OUT_DIR/llama-server" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$KEY" ]; then
  echo "up to date: $OUT_DIR/llama-server ($KEY)"
  exit 0
fi

SRC="$WORK_DIR/src"
if [ -d "$SRC/.git" ] && [ "$(git -C "$SRC" rev-parse HEAD)" = "$WANT" ]; then
  echo "reusing clone $SRC"
else
  rm -rf "$SRC"
  git clone --quiet "$SRC_BUNDLE" "$SRC"
  git -C "$SRC" checkout --quiet "$WANT"
fi

BUILD="$WORK_DIR/build"
GEN=()
command -v ninja >/dev/null && [ ! -f "$BUILD/Makefile" ] && GEN=(-G Ninja)

EXTRA=()
[ -n "${LLAMA_BUILD_NUMBER:-}" ] && EXTRA+=("-DLLAMA_BUILD_NUMBER=$LLAMA_BUILD_NUMBER")
[ -n "${LLAMA_BUILD_COMMIT:-}" ] && EXTRA+=("-DLLAMA_BUILD_COMMIT=$LLAMA_BUILD_COMMIT")

# Offline, dependency-free configuration:
#  - LLAMA_CURL/LLAMA_OPENSSL OFF: no HTTPS / model download support (not needed: we pass -m FILE)
#  - LLAMA_BUILD_UI OFF + LLAMA_USE_PREBUILT_UI OFF: no npm build, no Hugging Face download of the web UI
#  - BUILD_SHARED_LIBS OFF: one self-contained binary (only libc/libstdc++/libgomp needed)
cmake -S "$SRC" -B "$BUILD" "${GEN[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE="$NATIVE" \
  -DLLAMA_CURL=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_APP=OFF \
  "${EXTRA[@]}"

cmake --build "$BUILD" --target llama-server -j "$JOBS"

BIN=$(find "$BUILD" -type f -name llama-server -perm -u+x | head -1)
[ -n "$BIN" ] || { echo "llama-server not produced" >&2; exit 1; }
cp -f "$BIN" "$OUT_DIR/llama-server.tmp" && mv -f "$OUT_DIR/llama-server.tmp" "$OUT_DIR/llama-server"

# Copy any non-system shared libraries from the build tree (only relevant if BUILD_SHARED_LIBS=ON).
ldd "$OUT_DIR/llama-server" | awk '/=>/ {print $3}' | while read -r lib; do
  case "$lib" in "$BUILD"/*) cp -f "$lib" "$OUT_DIR/";; esac
done
ldd "$OUT_DIR/llama-server" | grep -q "not found" && { echo "unresolved libs:" >&2; ldd "$OUT_DIR/llama-server" >&2; exit 1; }

echo "$KEY" > "$STAMP"
"$OUT_DIR/llama-server" --version || true
echo "built: $OUT_DIR/llama-server"
