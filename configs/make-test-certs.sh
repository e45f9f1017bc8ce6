#!/usr/bin/env bash
# Creates a TEST-ONLY PKI for the sample KMS configurations (kms_i.yaml, kms_r.yaml) in DIR:
#   ca.crt / ca.key          the test CA both KMSs trust
#   kms-i.crt / kms-i.key    KMS_I's server certificate (CN kms-i.test; SAN kms-i.test,
#                            localhost, 127.0.0.1, ::1)
#   kms-r.crt / kms-r.key    KMS_R's certificate (CN kms-r.test), for TLS client and server use:
#                            its client certificate towards KMS_I (mutual TLS, TS 33.328 §6.2.3.8)
#   ue.crt / ue.key          a UE client certificate (CN ue.test), for Alice's requests to a KMS
#                            that demands client certificates (kms_i.yaml's client_ca)
# EC P-256, valid for DAYS days (default 30). The private keys are unencrypted: never use these
# outside tests. Usage: configs/make-test-certs.sh DIR   (e.g. configs/make-test-certs.sh configs/certs)
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir="$1"
days="${DAYS:-30}"
mkdir -p "$dir"
cd "$dir"

cat > openssl.cnf <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[kms_i_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:kms-i.test,DNS:localhost,IP:127.0.0.1,IP:::1
[kms_r_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:kms-r.test,DNS:localhost,IP:127.0.0.1,IP:::1
[ue_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:ue.test
CNF

key_args=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
log=openssl.log
: > "$log"
trap 'echo "make-test-certs: openssl failed; its output is in $PWD/$log" >&2' ERR

openssl req -x509 -config openssl.cnf -extensions ca_ext "${key_args[@]}" -days "$days" \
  -subj /CN=mikeyconf-test-ca -keyout ca.key -out ca.crt >>"$log" 2>&1

serial=100
leaf() {  # NAME CN EXTENSION
  serial=$((serial + 1))
  openssl req -new -config openssl.cnf "${key_args[@]}" -subj "/CN=$2" \
    -keyout "$1.key" -out "$1.csr" >>"$log" 2>&1
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -set_serial "$serial" \
    -days "$days" -extfile openssl.cnf -extensions "$3" -out "$1.crt" >>"$log" 2>&1
  rm -f "$1.csr"
}
leaf kms-i kms-i.test kms_i_ext
leaf kms-r kms-r.test kms_r_ext
leaf ue ue.test ue_ext
chmod 600 ./*.key
rm -f openssl.cnf "$log"
echo "make-test-certs: test PKI in $dir (ca, kms-i, kms-r, ue; $days days)"
