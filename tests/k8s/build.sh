#!/usr/bin/env bash
# Build (or reuse) the real control plane the real_k8s tests run on, from the Go modules pinned in go.mod/go.sum.
#
#   tests/k8s/build.sh              build into the cache folder unless it is already there; print times and sizes
#   tests/k8s/build.sh --print-dir  print the folder the binaries are (or would be) in, build nothing
#
# The folder is keyed by a hash of go.mod, go.sum and our own Go sources, so a change of any pin builds anew:
# ${IDEOGRAM_K8S_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ideogram-prod/k8s-<hash>}/bin
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
export PATH="/usr/local/go/bin:$PATH"

# build.sh itself is not in the key: editing its messages must not throw a build away. Bump BUILD_FLAGS_REV
# when the go build flags below change.
BUILD_FLAGS_REV=1
hash="$( (cat go.mod go.sum cmd/etcd/main.go pins.go; echo "$BUILD_FLAGS_REV") | sha256sum | cut -c1-16)"
dir="${IDEOGRAM_K8S_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ideogram-prod/k8s-$hash}"
if [[ "${1:-}" == "--print-dir" ]]; then
  echo "$dir"
  exit 0
fi

binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
packages=(./cmd/etcd k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
          k8s.io/kubernetes/cmd/kube-scheduler sigs.k8s.io/kwok/cmd/kwok)

sizes() {
  for b in "${binaries[@]}"; do
    printf '  %-24s %4d MB\n' "$b" "$(( $(stat -c %s "$dir/bin/$b") / 1024 / 1024 ))"
  done
}

if [[ -f "$dir/complete" ]]; then
  echo "k8s build: reused $dir, 0s (that build: $(cat "$dir/complete"))"
  sizes
  exit 0
fi

command -v go >/dev/null || { echo "k8s build: go is not installed (expected /usr/local/go/bin/go)" >&2; exit 1; }
echo "k8s build: $(go version); building ${binaries[*]} into $dir (cold: about 6 min on 2 cores)"
# The version the binaries report (/version, --version), as Kubernetes' own hack/lib/version.sh stamps it.
kver="$(go list -m -f '{{.Version}}' k8s.io/kubernetes)"
major="${kver#v}"; major="${major%%.*}"
minor="${kver#v*.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
# Cold or warm: whether the Go build cache already holds kube-apiserver's packages (a warm build only relinks).
if go list -trimpath -buildvcs=false -f '{{.Stale}}' k8s.io/kubernetes/pkg/controlplane 2>/dev/null | grep -qx false; then
  cache_state=warm
else
  cache_state=cold
fi
start=$(date +%s)
mkdir -p "$dir"
rm -rf "${dir:?}/bin.tmp"
# nice: the machine is shared; -trimpath and -buildvcs=false: the binaries depend on the pins, not on this checkout.
nice -n 10 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$dir/bin.tmp/" "${packages[@]}"
rm -rf "${dir:?}/bin"
mv "$dir/bin.tmp" "$dir/bin"
took=$(( $(date +%s) - start ))
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), took ${took}s, Go build cache $cache_state" > "$dir/complete"
echo "k8s build: built in ${took}s (Go build cache $cache_state: $(go env GOCACHE))"
sizes
"$dir/bin/kube-apiserver" --version
