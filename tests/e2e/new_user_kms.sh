#!/usr/bin/env bash
# A new user certifies `mikeyconf kms --config configs/kms.yaml` with the two commands of README
# "Certify your own KMS": serve the configuration, then write its SUT profile with `mikeyconf
# profile --from-kms-config` and run the KMS suite against it. The GBA user (carol) is among the
# users the harness plays and probes before the suite. The run must pass — no case failed or
# errored — and be inconclusive only where the latitude inventory says why. Besides the file as
# shipped, the KMS takes another legal reading (docs/latitude.md).
#   new_user_kms.sh MIKEYCONF WORKDIR VARIANT
# VARIANT: as-shipped | clock-behind-3s | clock-ahead-3s | auth-failure-401 | iv-b
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib/kms-url.sh"  # kms_url
bin=$1 work=$2 variant=$3
rm -rf "$work" && mkdir -p "$work"
case $variant in
  as-shipped) knob="" ;;
  clock-behind-3s) knob="  clock_offset_ms: -3000" ;;
  clock-ahead-3s) knob="  clock_offset_ms: 3000" ;;
  auth-failure-401) knob="  answers: {auth_failure: 401}" ;;
  iv-b) knob="  iv: b" ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
# The shipped configuration with the knob in its policy (iv: replaced, not repeated).
if [ -n "$knob" ]; then
  grep -v '^  iv:' configs/kms.yaml | sed "s/^policy:\$/policy:\n$knob/" > "$work/kms.yaml"
else
  cp configs/kms.yaml "$work/kms.yaml"
fi
# Command 1, on a free port instead of 8080 (tests run in parallel).
"$bin" kms --config "$work/kms.yaml" --listen 127.0.0.1:0 > "$work/kms.out" 2> "$work/kms.log" &
kms=$!
trap 'kill $kms 2>/dev/null || true; wait $kms 2>/dev/null || true' EXIT
url=$(kms_url "$work/kms.out" "$work/kms.log") || exit 1
# Command 2; the run keeps its reports in the work directory and runs two cases at a time.
status=0
"$bin" profile --from-kms-config "$work/kms.yaml" --url "$url" --out "$work/my.yaml" &&
  "$bin" run --sut "$work/my.yaml" --no-progress --jobs 2 --out "$work/out" \
    > "$work/run.txt" 2>&1 || status=$?
cat "$work/run.txt" 2>/dev/null || true
[ "$status" -eq 0 ] || { echo "FAIL: exit $status for $variant" >&2; exit 1; }
# The GBA user was played: the profile names her and the KMS configuration holds only her GBA data.
grep -q '^  carol: sip:carol@example.org$' "$work/my.yaml" || { echo "FAIL: no carol" >&2; exit 1; }
grep -q 'btid:' "$work/kms.yaml"
# The only inconclusive cases allowed: Error-message shape after an authentication failure that
# the KMS answered with a 4xx (docs/latitude.md "auth-failure-answer").
allowed='kms.algorithms.suite256-bad-mac kms.errors.bad-mac-error-unauthenticated kms.errors.error-message-shape kms.errors.resolve-error-message-shape'
for id in $(sed -n 's/^  inconclusive *\([^ ]*\).*/\1/p' "$work/run.txt"); do
  case " $allowed " in
    *" $id "*) [ "$variant" = auth-failure-401 ] || { echo "FAIL: $id inconclusive" >&2; exit 1; } ;;
    *) echo "FAIL: $id inconclusive" >&2; exit 1 ;;
  esac
done
grep -q '^160 cases\|cases in' "$work/run.txt"
