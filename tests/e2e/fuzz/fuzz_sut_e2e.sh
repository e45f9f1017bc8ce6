#!/usr/bin/env bash
# `mikeyconf fuzz --sut` end to end, against KMSs served from configs/kms.yaml on free ports with
# their profiles written by `mikeyconf profile --from-kms-config`:
#   faulty     the faulty KMS (faulty_kms.cc: dies on an authenticated request that repeats a
#              payload) is found (exit 1, a finding whose SUT died); the regression case it wrote
#              fails against a fresh faulty KMS (exit 1) and passes against the reference (exit 0)
#   reference  200 executions against the reference `mikeyconf kms` find nothing (exit 0): the
#              oracles do not fire on a correct KMS; usage errors exit 2, a profile that does not
#              match the KMS and a KMS that is gone exit 3
#   kms_r, kms_i  150 executions against the embedded reference of the chaining role find nothing
#   fuzz_sut_e2e.sh MIKEYCONF FAULTY_KMS WORKDIR faulty|reference|kms_r|kms_i
set -euo pipefail
. "$(dirname "$0")/../../../scripts/lib/kms-url.sh"  # kms_url
ulimit -c 0  # the faulty KMS aborts: no core file
bin=$1 faulty=$2 work=$3 mode=$4
rm -rf "$work" && mkdir -p "$work"
cp configs/kms.yaml "$work/kms.yaml"
pid=""
stop_kms() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; pid=""; }
trap stop_kms EXIT

# start_kms PROGRAM NAME: serves kms.yaml on a free port, writes the profile NAME.yaml for it.
start_kms() {
  stop_kms
  "$1" kms --config "$work/kms.yaml" --listen 127.0.0.1:0 > "$work/$2.out" 2> "$work/$2.log" &
  pid=$!
  url=$(kms_url "$work/$2.out" "$work/$2.log") || { echo "($1)" >&2; exit 1; }
  "$bin" profile --from-kms-config "$work/kms.yaml" --url "$url" --out "$work/$2.yaml" > /dev/null
}

# The faulty KMS takes the command line of `mikeyconf kms` without its subcommand word.
faulty_cmd="$work/faulty.sh"
printf '#!/bin/sh\nshift\nexec %s "$@"\n' "$faulty" > "$faulty_cmd"
chmod +x "$faulty_cmd"

expect_status() {  # expect_status WANT LOG COMMAND...
  local want=$1 log=$2 status=0
  shift 2
  "$@" > "$log" 2>&1 || status=$?
  cat "$log"
  [ "$status" -eq "$want" ] || { echo "FAIL: exit $status, expected $want: $*" >&2; exit 1; }
}

if [ "$mode" = reference ]; then
  start_kms "$bin" reference
  expect_status 0 "$work/fuzz.txt" "$bin" fuzz --sut "$work/reference.yaml" --runs 200 --seed 1 \
    --out "$work/campaign" --no-progress
  grep -q '^no finding$' "$work/fuzz.txt"
  grep -q ' 200 executions in ' "$work/fuzz.txt"
  [ -f "$work/campaign/campaign.json" ]
  # Usage and configuration errors: exit 2.
  expect_status 2 "$work/usage.txt" "$bin" fuzz --sut "$work/reference.yaml" --time soon
  expect_status 2 "$work/usage.txt" "$bin" fuzz --sut "$work/no-such-profile.yaml"
  # A profile that does not match the KMS (Alice's PSK differs): a setup error naming the
  # profile key, exit 3, never a finding.
  sed 's/404142434445464748494a4b4c4d4e4f/000102030405060708090a0b0c0d0e0f/' "$work/kms.yaml" \
    > "$work/kms-wrong.yaml"
  "$bin" profile --from-kms-config "$work/kms-wrong.yaml" --url "$url" --out "$work/wrong.yaml" \
    > /dev/null
  expect_status 3 "$work/setup.txt" "$bin" fuzz --sut "$work/wrong.yaml" --runs 10 --no-progress \
    --out "$work/wrong"
  grep -q 'setup: .*psk' "$work/setup.txt"
  # The KMS gone: exit 3.
  stop_kms
  expect_status 3 "$work/setup.txt" "$bin" fuzz --sut "$work/reference.yaml" --runs 10 \
    --no-progress --out "$work/gone"
  exit 0
fi
if [ "$mode" = kms_r ] || [ "$mode" = kms_i ]; then
  # The chaining roles against their embedded reference, the harness playing the other KMS.
  profile=cases/profiles/reference-${mode/_/-}.yaml
  expect_status 0 "$work/fuzz.txt" "$bin" fuzz --sut "$profile" --embedded --runs 150 --seed 1 \
    --out "$work/campaign" --no-progress
  grep -q '^no finding$' "$work/fuzz.txt"
  exit 0
fi

start_kms "$faulty_cmd" faulty
start=$(date +%s)
expect_status 1 "$work/fuzz.txt" "$bin" fuzz --sut "$work/faulty.yaml" --time 40 --seed 1 \
  --out "$work/campaign" --no-progress
echo "finding after $(( $(date +%s) - start )) s"
grep -q 'the SUT died' "$work/fuzz.txt"
ls "$work"/campaign/findings/*/case.yaml
cases=$(ls "$work"/campaign/regression/*.yaml | grep -vc sanity.yaml)
[ "$cases" -ge 1 ] || { echo "FAIL: no regression case" >&2; exit 1; }
# The finding's repro bundle replays against a fresh faulty KMS and fails there.
start_kms "$faulty_cmd" faulty3
expect_status 1 "$work/replay.txt" "$bin" replay "$(ls -d "$work"/campaign/findings/*/bundle)" \
  --sut "$work/faulty3.yaml" --no-progress --out "$work/replay"
# The regression case against the faulty KMS (restarted: the campaign killed it) fails...
start_kms "$faulty_cmd" faulty2
expect_status 1 "$work/faulty-run.txt" "$bin" run --sut "$work/faulty2.yaml" \
  --cases "$work/campaign/regression" --no-baseline --no-progress --out "$work/faulty-run"
# ... and passes against the reference KMS with the same configuration.
start_kms "$bin" reference
expect_status 0 "$work/reference-run.txt" "$bin" run --sut "$work/reference.yaml" \
  --cases "$work/campaign/regression" --no-baseline --no-progress --out "$work/reference-run"
