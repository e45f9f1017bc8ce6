#!/usr/bin/env bash
# One soak of the reference KMS: serves configs/kms.yaml with the replay bound and the clock skew
# left at the KMS's defaults (configs/README.md) on a free port, runs kms_soak against that
# process, stops the KMS with SIGTERM and requires a clean exit (status 0 within 10 s).
#   soak.sh MIKEYCONF KMS_SOAK WORKDIR [--tls] [--judge-knob LINE] [kms_soak options, e.g.
#           --duration 60 --rate half]
# --tls: HTTPS with the test PKI of configs/make-test-certs.sh. --judge-knob: kms_soak judges the
# answers against the served configuration with LINE added to its policy (e.g. "answers:
# {auth_failure: 401}"), which the served KMS then does not follow: a check of the judging. The
# report is WORKDIR/soak.json.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib/kms-url.sh"  # kms_url
bin=$1 soak=$2 work=$3
shift 3
tls=""
if [ "${1:-}" = --tls ]; then tls=1; shift; fi
knob=""
if [ "${1:-}" = --judge-knob ]; then knob=$2; shift 2; fi
rm -rf "$work" && mkdir -p "$work"
grep -v '^  replay_cache_size:\|^  clock_skew:' configs/kms.yaml > "$work/kms.yaml"
soak_args=()
if [ -n "$tls" ]; then
  configs/make-test-certs.sh "$work/certs" > /dev/null
  printf 'tls:\n  cert: certs/kms-i.crt\n  key: certs/kms-i.key\n' >> "$work/kms.yaml"
  soak_args=(--tls --ca "$work/certs/ca.crt")
fi
judge="$work/kms.yaml"
if [ -n "$knob" ]; then
  judge="$work/judge.yaml"
  sed "s/^policy:\$/policy:\n  $knob/" "$work/kms.yaml" > "$judge"
fi
# Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) before it is
# reused, so the RSS of a healthy process climbs for minutes; a small quarantine fills within
# seconds and leaves the RSS trend to the KMS itself. Other programs ignore the variable.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
# One access-log line per request goes to kms.log.
"$bin" kms --config "$work/kms.yaml" --listen 127.0.0.1:0 > "$work/kms.out" 2> "$work/kms.log" &
kms=$!
trap 'kill -KILL $kms 2>/dev/null || true' EXIT
url=$(kms_url "$work/kms.out" "$work/kms.log") || exit 1
port=$(echo "$url" | sed -n 's|^https\?://[^/]*:\([0-9]*\).*|\1|p')
echo "soak: KMS pid $kms at $url"
status=0
"$soak" --config "$judge" --port "$port" --pid "$kms" --json "$work/soak.json" \
  "${soak_args[@]}" "$@" || status=$?
kill -TERM "$kms"
for _ in $(seq 100); do kill -0 "$kms" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$kms" 2>/dev/null; then
  echo "soak: FAIL: the KMS did not stop within 10 s of SIGTERM" >&2
  exit 1
fi
kms_status=0
wait "$kms" || kms_status=$?
trap - EXIT
if [ "$kms_status" -ne 0 ]; then
  echo "soak: FAIL: the KMS exited with status $kms_status after SIGTERM:" >&2
  tail -20 "$work/kms.log" >&2
  exit 1
fi
echo "soak: the KMS stopped cleanly; report $work/soak.json"
exit "$status"
