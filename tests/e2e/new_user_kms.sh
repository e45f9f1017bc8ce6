#!/usr/bin/env bash
# A new user certifies `mikeyconf kms --config configs/kms.yaml` made to take another legal
# reading (docs/latitude.md), with cases/profiles/configs-kms.yaml: the KMS suite must pass it —
# no case failed or errored — and inconclusive only where the latitude inventory says why.
#   new_user_kms.sh MIKEYCONF WORKDIR VARIANT
# VARIANT: clock-behind-3s | clock-ahead-3s | auth-failure-401 | iv-b
set -euo pipefail
bin=$1 work=$2 variant=$3
rm -rf "$work" && mkdir -p "$work"
case $variant in
  clock-behind-3s) knob="  clock_offset_ms: -3000" ;;
  clock-ahead-3s) knob="  clock_offset_ms: 3000" ;;
  auth-failure-401) knob="  answers: {auth_failure: 401}" ;;
  iv-b) knob="  iv: b" ;;
  *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
# The shipped configuration with the knob in its policy (iv: replaced, not repeated).
grep -v '^listen:\|^  iv:' configs/kms.yaml | sed "s/^policy:\$/policy:\n$knob/" > "$work/kms.yaml"
"$bin" kms --config "$work/kms.yaml" --listen 127.0.0.1:0 > "$work/kms.out" 2> "$work/kms.log" &
kms=$!
trap 'kill $kms 2>/dev/null || true; wait $kms 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/kms.out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/kms.out")
[ -n "$url" ] || { echo "mikeyconf kms did not start:" >&2; cat "$work/kms.log" >&2; exit 1; }
sed "s|^base_url: .*|base_url: $url|" cases/profiles/configs-kms.yaml > "$work/profile.yaml"
status=0
"$bin" run --sut "$work/profile.yaml" --no-baseline --no-progress --jobs 2 --out "$work/out" \
  > "$work/run.txt" 2>&1 || status=$?
cat "$work/run.txt"
[ "$status" -eq 0 ] || { echo "FAIL: exit $status for $variant" >&2; exit 1; }
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
