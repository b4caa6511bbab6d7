# Every Go package (test files included, as go vet type-checks them) builds and vets for the
# platforms the package serves: Linux and macOS, each on x86-64 and arm64. Pure Go (CGO_ENABLED=0),
# so no cross C compiler or macOS SDK is needed; the darwin code is compiled here, never run.
for target in linux/amd64 linux/arm64 darwin/arm64 darwin/amd64; do
    echo "go build + go vet for $target"
    GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go build ./...
    GOOS=${target%/*} GOARCH=${target#*/} CGO_ENABLED=0 go vet ./...
done
