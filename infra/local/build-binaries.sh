#!/usr/bin/env bash
# Builds etcd, the Kubernetes control plane and kwok from the pinned Go modules under
# infra/local/gomod, once, into a cache outside the repository keyed by those pins.
# Prints the directory that holds the binaries.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/local/lib.sh
. "$here/lib.sh"

command -v go >/dev/null || die "Go is not installed: the local stack builds its Kubernetes binaries from Go modules (go >= 1.26)"
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0

bin=$(binaries_dir)
mkdir -p "$bin"
kube_version=$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$here/gomod/kubernetes/go.mod")

build() { # module-dir output-name package [ldflags]
  local dir=$1 out=$2 pkg=$3 ldflags=${4:-}
  [ -x "$bin/$out" ] && return 0
  log "building $out from $pkg (first build only; cached in $bin)"
  (cd "$here/gomod/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$bin/$out.tmp" "$pkg") \
    || die "building $out failed: see the Go output above"
  mv "$bin/$out.tmp" "$bin/$out"
}

version_flags=""
for p in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  minor=${kube_version#v1.}; minor=${minor%%.*}
  version_flags+=" -X $p.gitVersion=$kube_version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
done

build etcd etcd go.etcd.io/etcd/server/v3
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build kubernetes "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$version_flags"
done
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
echo "$bin"
