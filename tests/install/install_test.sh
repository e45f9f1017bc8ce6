#!/usr/bin/env bash
# What a user gets from an installation, checked from an empty folder (no repository around):
#   install_test.sh relocated BUILD_DIR   `cmake --install` into a temporary prefix, then moved:
#                                         only bin/mikeyconf, the suite and the docs are there,
#                                         and `mikeyconf run` finds the suite without --cases
#   install_test.sh deb BUILD_DIR         `cpack -G DEB` gives mikeyconf_<version>_<arch>.deb with
#                                         its Depends; installed with apt-get (root), `mikeyconf
#                                         run` from an empty folder under /tmp passes the whole
#                                         default suite, then the package is removed again
# Both run against the embedded reference KMS (relocated: the HTTP cases of the KMS suite; deb:
# every case): exit 0 and out/results.json written, naming the installed suite.
set -euo pipefail
mode="${1:?usage: $0 relocated|deb BUILD_DIR}"
build="$(cd "${2:?usage: $0 relocated|deb BUILD_DIR}" && pwd)"
work="$(mktemp -d -p /tmp mikeyconf-install.XXXXXX)"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
fail() {
  echo "install_test $mode: FAIL: $*" >&2
  exit 1
}

# `mikeyconf run ARGS...` from a new empty folder; the environment as given.
run_from_empty_folder() {
  local bin="$1" dir
  shift
  dir="$(mktemp -d "$work/empty.XXXXXX")"
  (cd "$dir" && env -u MIKEYCONF_DATADIR "$bin" run --embedded "$@" --no-progress --out out) \
    >"$dir/stdout" 2>"$dir/stderr" ||
    fail "$bin run from $dir exited $?: $(cat "$dir/stderr")"
  test -s "$dir/out/results.json" || fail "no $dir/out/results.json"
  grep -q "share/mikeyconf/cases" "$dir/out/results.json" ||
    fail "results.json does not name the installed suite"
  echo "install_test $mode: $bin run from $dir: $(grep -m1 " cases in " "$dir/stdout"); $(tail -n 1 "$dir/stdout")"
}

relocated() {
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  local p="$work/prefix"
  [ "$(ls "$p/bin")" = "mikeyconf" ] || fail "bin/ holds more than mikeyconf: $(ls "$p/bin")"
  for f in cases/requirements.csv cases/profiles/reference.yaml cases/baselines/reference.yaml \
    configs/kms.yaml README.md docs/ci-workflow.md tools/README.md harness/README.md \
    reports/README.md configs/README.md; do
    test -s "$p/share/mikeyconf/$f" || fail "missing share/mikeyconf/$f"
  done
  # Relocated: the whole tree moved after installation still finds its suite.
  mv "$p" "$work/moved"
  run_from_empty_folder "$work/moved/bin/mikeyconf" --filter 'kms.http.*'
  # MIKEYCONF_DATADIR comes before the installation; nothing found names the places tried.
  local empty
  empty="$(mktemp -d "$work/nothing.XXXXXX")"
  mv "$work/moved/share/mikeyconf" "$work/data"
  (cd "$empty" && MIKEYCONF_DATADIR="$work/data" "$work/moved/bin/mikeyconf" list) \
    >"$empty/list" 2>&1 || fail "list with MIKEYCONF_DATADIR: $(cat "$empty/list")"
  grep -q '^kms\.http\.' "$empty/list" || fail "list with MIKEYCONF_DATADIR shows no KMS case"
  local code=0
  (cd "$empty" && env -u MIKEYCONF_DATADIR "$work/moved/bin/mikeyconf" run --embedded) \
    >"$empty/run" 2>&1 || code=$?
  [ "$code" = 2 ] || fail "run without any suite: exit $code, expected 2"
  grep -q "tried:" "$empty/run" && grep -q "$work/moved/share/mikeyconf/cases" "$empty/run" ||
    fail "run without any suite does not name the places tried: $(cat "$empty/run")"
}

deb() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "install_test deb: needs root (dpkg); skipped" >&2
    exit 77
  fi
  if dpkg-query -W -f='${Status}' mikeyconf 2>/dev/null | grep -q "install ok installed"; then
    fail "a mikeyconf package is already installed; remove it first (dpkg -r mikeyconf)"
  fi
  (cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
    fail "cpack: $(cat "$work/cpack.log")"
  local version arch deb
  version="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")"
  arch="$(dpkg --print-architecture)"
  deb="$work/pkg/mikeyconf_${version}_${arch}.deb"
  test -s "$deb" || fail "no $deb: $(ls "$work/pkg")"
  local depends
  depends="$(dpkg-deb -f "$deb" Depends)"
  for lib in libc6 libssl3 libyaml-cpp0.7 libstdc++6; do
    [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
  done
  [ -n "$(dpkg-deb -f "$deb" Maintainer)" ] || fail "no Maintainer"
  echo "install_test deb: $(basename "$deb"), Depends: $depends"
  trap 'apt-get remove -y -qq -o DPkg::Lock::Timeout=120 mikeyconf >/dev/null 2>&1 || true; cleanup' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=120 "$deb" \
    >"$work/apt.log" 2>&1 || fail "apt-get install: $(cat "$work/apt.log")"
  [ "$(command -v mikeyconf)" = /usr/bin/mikeyconf ] || fail "mikeyconf is not /usr/bin/mikeyconf"
  test -s /usr/share/mikeyconf/cases/requirements.csv || fail "no /usr/share/mikeyconf/cases"
  run_from_empty_folder /usr/bin/mikeyconf
  apt-get remove -y -qq -o DPkg::Lock::Timeout=120 mikeyconf >"$work/apt.log" 2>&1 ||
    fail "apt-get remove: $(cat "$work/apt.log")"
  ! test -e /usr/bin/mikeyconf || fail "/usr/bin/mikeyconf left after removal"
  ! test -e /usr/share/mikeyconf || fail "/usr/share/mikeyconf left after removal"
}

case "$mode" in
  relocated) relocated ;;
  deb) deb ;;
  *) fail "unknown mode $mode" ;;
esac
echo "install_test $mode: ok"
