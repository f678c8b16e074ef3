#!/usr/bin/env bash
# A real kube-apiserver for the Kubernetes actuator test, idempotent:
#   bash tests/integration/alerting-kube-apiserver.sh up|down
# kube-apiserver is built once from the Go module proxy (a throwaway module pinning k8s.io/kubernetes
# and its staging repos with replace directives, which `go install pkg@version` refuses), cached in
# ${CARGOSCOPE_CACHE:-/var/cache/cargoscope}; etcd comes from Debian's etcd-server. Static-token
# auth, AlwaysAllow, self-signed serving certificate; no controllers (the scale subresource and
# optimistic concurrency are the apiserver's own). Prints KUBE_READY when it answers /readyz.
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-1.30.5}
STAGING_VERSION=0.${K8S_VERSION#1.}
CACHE=${CARGOSCOPE_CACHE:-/var/cache/cargoscope}
STATE=${CARGOSCOPE_STATE:-/var/lib/cargoscope/dev}/kube
BIN=$CACHE/kube-apiserver-v$K8S_VERSION
TOKEN=cargoscope-test-token
URL=https://127.0.0.1:6443

ready() { curl -skf -H "Authorization: Bearer $TOKEN" $URL/readyz >/dev/null 2>&1; }

build() {
  [ -x "$BIN" ] && return 0
  command -v go >/dev/null || { echo "go is required to build kube-apiserver" >&2; exit 1; }
  local mod; mod=$(mktemp -d)
  (
    cd "$mod"
    go mod init kapibuild >/dev/null 2>&1
    printf 'package main\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver/app"\nfunc main() {}\n' > main.go
    echo "require k8s.io/kubernetes v$K8S_VERSION" >> go.mod
    for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap \
      code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib \
      dynamic-resource-allocation endpointslice kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler \
      kubectl kubelet legacy-cloud-providers metrics mount-utils pod-security-admission sample-apiserver \
      sample-cli-plugin sample-controller; do
      echo "replace k8s.io/$m => k8s.io/$m v$STAGING_VERSION" >> go.mod
    done
    go mod tidy >/dev/null
    mkdir -p "$CACHE"
    go build -o "$BIN.tmp" k8s.io/kubernetes/cmd/kube-apiserver && mv "$BIN.tmp" "$BIN"
  )
  rm -rf "$mod"
}

up() {
  if ready; then echo KUBE_READY; return 0; fi
  command -v etcd >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >/dev/null
  build
  mkdir -p "$STATE/etcd" "$STATE/certs"
  [ -f "$STATE/sa.key" ] || openssl genrsa -out "$STATE/sa.key" 2048 2>/dev/null
  echo "$TOKEN,cargoscope,1,system:masters" > "$STATE/tokens.csv"
  if ! curl -sf http://127.0.0.1:2379/health >/dev/null 2>&1; then
    nohup etcd --data-dir "$STATE/etcd" --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
      --listen-peer-urls http://127.0.0.1:2380 >"$STATE/etcd.log" 2>&1 &
    echo $! >"$STATE/etcd.pid"
  fi
  nohup "$BIN" --etcd-servers http://127.0.0.1:2379 --bind-address 127.0.0.1 --secure-port 6443 --cert-dir "$STATE/certs" \
    --token-auth-file "$STATE/tokens.csv" --authorization-mode AlwaysAllow --service-cluster-ip-range 10.0.0.0/24 \
    --service-account-key-file "$STATE/sa.key" --service-account-signing-key-file "$STATE/sa.key" \
    --service-account-issuer https://kubernetes.default.svc --disable-admission-plugins ServiceAccount \
    >"$STATE/apiserver.log" 2>&1 &
  echo $! >"$STATE/apiserver.pid"
  for _ in $(seq 1 90); do ready && { echo KUBE_READY; return 0; }; sleep 1; done
  echo "kube-apiserver did not become ready; log tail:" >&2; tail -30 "$STATE/apiserver.log" >&2; exit 1
}

down() {
  for p in apiserver etcd; do
    [ -f "$STATE/$p.pid" ] && kill "$(cat "$STATE/$p.pid")" 2>/dev/null || true
    rm -f "$STATE/$p.pid"
  done
}

case ${1:-up} in up) up ;; down) down ;; *) echo "usage: $0 up|down" >&2; exit 2 ;; esac
