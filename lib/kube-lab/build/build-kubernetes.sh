#!/usr/bin/env bash
# Builds the Kubernetes binaries the kube lab needs from Debian's `kubernetes` source package,
# with Debian's Go, offline (no module downloads). Usage: build-kubernetes.sh OUT_DIR
# Called by lib/kube-lab/kube-binaries.ts, which caches OUT_DIR by version and a hash of this file.
# Every step prints a `step:` line so the caller can show progress during the ~8-minute cold build.
# Exit 3 (environment missing) when the source package cannot be had.
set -Eeuo pipefail
out=${1:?usage: build-kubernetes.sh OUT_DIR}
bins=(kubelet kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)
step() { printf 'step: %s (%ss)\n' "$*" "$SECONDS"; }
die3() { printf 'error: %s\n' "$*" >&2; exit 3; }

command -v apt-get >/dev/null || die3 "apt-get not found: the kube lab builds Kubernetes from Debian's source package (Debian/Ubuntu only); on other systems use --target kind with a kind cluster"

# apt-get source needs a deb-src entry. Add one beside the existing deb entries (same URIs, suites
# and components) only when none exists; the file is ours and says why it is there.
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  src=/etc/apt/sources.list.d/pxchaos-deb-src.sources
  [ -f /etc/apt/sources.list.d/debian.sources ] || die3 "no deb-src entry and no /etc/apt/sources.list.d/debian.sources to derive one from: add a deb-src line for Debian bookworm, or use --target kind"
  step "adding $src (deb-src twin of debian.sources, needed by apt-get source kubernetes)"
  { echo "# Added by pxchaos kube-lab: Kubernetes is built from Debian's source package."
    sed -E 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources; } >"$src"
  apt-get update -qq || die3 "apt-get update failed after adding $src"
fi

need=()
command -v go >/dev/null || need+=(golang-go)
command -v rsync >/dev/null || need+=(rsync)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
command -v make >/dev/null || need+=(make)
[ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need+=(golang-github-modern-go-reflect2-dev)
if [ "${#need[@]}" -gt 0 ]; then
  step "installing build tools: ${need[*]}"
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || die3 "could not install ${need[*]}"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pxchaos-kube-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
step "apt-get source kubernetes"
apt-get source -qq kubernetes >/dev/null 2>"$work/source.err" || die3 "apt-get source kubernetes failed: $(tail -n 2 "$work/source.err" | tr '\n' ' ')"
tree=$(find "$work" -maxdepth 1 -mindepth 1 -type d -name 'kubernetes-*' | head -n 1)
[ -n "$tree" ] || die3 "apt-get source kubernetes unpacked no tree"

# The tarball's vendored reflect2 1.0.1 panics under Go >= 1.18 (kubeadm init: reflect2 Type2);
# Debian's 1.0.2 does not.
rm -rf "$tree/vendor/github.com/modern-go/reflect2"
cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$tree/vendor/github.com/modern-go/reflect2"

export GOPATH="$work/gopath" GO111MODULE=off CGO_ENABLED=0 GOFLAGS=-mod=vendor
export GOCACHE="${PXCHAOS_GOCACHE:-$work/gocache}"
unset GOFLAGS
mkdir -p "$GOPATH/src/k8s.io"
ln -s "$tree" "$GOPATH/src/k8s.io/kubernetes"
cd "$GOPATH/src/k8s.io/kubernetes"

step "make gen_openapi (kube-apiserver needs the generated OpenAPI code the tarball lacks)"
make gen_openapi >"$work/openapi.log" 2>&1 || { tail -n 20 "$work/openapi.log" >&2; exit 1; }

version=v1.20.2
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  for base in "k8s.io/kubernetes/vendor/$pkg" "$pkg"; do
    ldflags+=" -X $base.gitVersion=$version -X $base.gitMajor=1 -X $base.gitMinor=20"
    ldflags+=" -X $base.gitTreeState=clean -X $base.buildDate=1970-01-01T00:00:00Z"
  done
done
mkdir -p "$out.partial"
for bin in "${bins[@]}"; do
  step "go build $bin"
  go build -ldflags "$ldflags" -o "$out.partial/$bin" "k8s.io/kubernetes/cmd/$bin"
done
step "building the pause binary from build/pause/linux/pause.c"
gcc -Os -static -o "$out.partial/pause" build/pause/linux/pause.c
printf '%s\n' "$version" >"$out.partial/VERSION"
rm -rf "$out"
mv "$out.partial" "$out"
step "done: ${bins[*]} pause in $out"
