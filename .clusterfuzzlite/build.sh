#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build: every libFuzzer target of fuzz/CMakeLists.txt into $OUT, each
# with its seed corpus ($OUT/<target>_seed_corpus.zip, from fuzz/corpus/<target>/), dictionary
# ($OUT/<target>.dict, from fuzz/<target>.dict) and options ($OUT/<target>.options).
# It honours the OSS-Fuzz build environment: $CC $CXX $CFLAGS $CXXFLAGS (which carry the
# sanitizers and the engine's instrumentation), $LIB_FUZZING_ENGINE (what fuzz executables link),
# $OUT (the targets), $WORK (scratch: the CMake build folder) and $SRC. Run by hand it needs the
# same variables, e.g. (docs/fuzzing.md "OSS-Fuzz build by hand"):
#   CC=clang CXX=clang++ CFLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link -O1 ..."
#   CXXFLAGS="$CFLAGS" LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/path/out .clusterfuzzlite/build.sh
# A compiler launcher comes from the environment (CMAKE_CXX_COMPILER_LAUNCHER=ccache), if any.

# The source tree: beside this script when run from the repository, else the image's WORKDIR
# ($SRC/mikeyconf, where OSS-Fuzz runs a copy of this script from $SRC/build.sh).
root=""
for d in "$(dirname "$0")/.." "$PWD" "${SRC:-}/mikeyconf"; do
  if [ -f "$d/.clusterfuzzlite/project.yaml" ]; then root="$(cd "$d" && pwd)"; break; fi
done
[ -n "$root" ] || { echo "build.sh: cannot find the mikeyconf source tree" >&2; exit 1; }
build="${WORK:-$root/build}/mikeyconf-oss-fuzz"
mkdir -p "$OUT" "$build"
# Absolute, since the seed corpora are zipped from inside their folders.
OUT="$(cd "$OUT" && pwd)"
build="$(cd "$build" && pwd)"

# OSS-Fuzz adds -stdlib=libc++ to CXXFLAGS. The C++ libraries the targets link (fmt, yaml-cpp)
# are the distribution's, built against libstdc++, and the two standard libraries do not mix;
# address and undefined need no instrumented standard library, so the build keeps libstdc++.
cxxflags="${CXXFLAGS//-stdlib=libc++/}"

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
# The sanitizers and the engine's instrumentation come from CFLAGS/CXXFLAGS: MIKEY_SANITIZE and
# MIKEY_FUZZ_INSTRUMENT stay empty so the build adds no -fsanitize of its own; the fuzz targets
# link $LIB_FUZZING_ENGINE; tests and benchmarks are not built.
cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_BUILD_TYPE= \
  -DMIKEY_BUILD_FUZZERS=ON -DMIKEY_BUILD_TESTS=OFF -DMIKEY_BUILD_BENCHMARKS=OFF \
  -DMIKEY_WERROR=OFF -DMIKEY_SANITIZE= -DMIKEY_FUZZ_INSTRUMENT= \
  -DMIKEY_FUZZ_ENGINE="$LIB_FUZZING_ENGINE"

# The fuzz targets are the executables of the fuzz folder named fuzz_*; with tests off that is
# every mikey_add_fuzzer target and nothing else (fuzz_assets is a test tool, not built).
mapfile -t targets < <(cmake --build "$build" --target help |
  sed -n 's/^\(\.\.\. \)\{0,1\}\(fuzz_[a-z0-9_]*\)\(:.*\)\{0,1\}$/\2/p' | grep -v -e '^fuzz_assets$' -e '^fuzz_empty$' |
  sort -u)
[ ${#targets[@]} -gt 0 ] || { echo "build.sh: no fuzz_* targets in $build" >&2; exit 1; }
cmake --build "$build" --target "${targets[@]}" -j"$(nproc)"

for bin in "${targets[@]}"; do
  name="${bin#fuzz_}"
  cp "$build/fuzz/$bin" "$OUT/$bin"
  corpus="$root/fuzz/corpus/$name"
  if [ -d "$corpus" ]; then
    rm -f "$OUT/${bin}_seed_corpus.zip"
    (cd "$corpus" && zip -q -r "$OUT/${bin}_seed_corpus.zip" .)
  fi
  if [ -f "$root/fuzz/$name.dict" ]; then cp "$root/fuzz/$name.dict" "$OUT/$bin.dict"; fi
  # The limits scripts/fuzz runs with: MIKEY messages and Annex A requests fit in 4 KiB.
  printf '[libfuzzer]\nmax_len = 4096\ntimeout = 10\nrss_limit_mb = 2048\n' >"$OUT/$bin.options"
done
echo "build.sh: ${#targets[@]} fuzz targets in $OUT"
