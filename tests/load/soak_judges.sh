#!/usr/bin/env bash
# kms_soak's judging can fail: the reference KMS serves configs/kms.yaml (MIKEY Errors in a 200
# for a bad MAC, an unknown identity and a replay) while kms_soak judges against the same file
# answering 401 and 409 for those (docs/latitude.md "auth-failure-answer", "discard-answer").
# Every bad_mac, unknown_identity and replay answer must be unexpected, every other one expected,
# and kms_soak must exit 1.
#   soak_judges.sh MIKEYCONF KMS_SOAK WORKDIR
set -euo pipefail
status=0
bash tests/load/soak.sh "$1" "$2" "$3" --judge-knob 'answers: {auth_failure: 401, discarded: 409}' \
  --duration 4 --rate 50 --sample-seconds 2 || status=$?
[ "$status" -eq 1 ] || { echo "FAIL: soak.sh exited $status, expected 1" >&2; exit 1; }
python3 - "$3/soak.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
k = r["kinds"]
for kind, want in [("bad_mac", "HTTP 401"), ("unknown_identity", "HTTP 401"), ("replay", "HTTP 409")]:
    assert k[kind]["sent"] > 0 and k[kind]["unexpected"] == k[kind]["sent"], (kind, k[kind])
    assert k[kind]["unexpected_samples"][0].endswith("expected " + want), k[kind]
for kind in ("request", "resolve", "bad_request"):
    assert k[kind]["sent"] > 0 and k[kind]["unexpected"] == 0, (kind, k[kind])
assert not r["pass"]
print("the judging flagged every answer the judged configuration does not allow")
PY
