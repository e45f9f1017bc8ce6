# Sourced (bash) by the scripts that start `mikeyconf kms --listen HOST:0` in the background.
# kms_url OUT LOG [SECONDS]: waits (default 10 s) for the "mikeyconf kms: listening on URL" line
# in OUT, the KMS's standard output, and prints URL; when it does not come, prints LOG (its
# standard error) to stderr and returns 1.
kms_url() {
  local out=$1 log=$2 tries=$((${3:-10} * 10)) url
  for _ in $(seq "$tries"); do grep -q 'listening on' "$out" 2>/dev/null && break; sleep 0.1; done
  url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out")
  if [ -z "$url" ]; then
    echo "mikeyconf kms did not start:" >&2
    cat "$log" >&2
    return 1
  fi
  printf '%s\n' "$url"
}
