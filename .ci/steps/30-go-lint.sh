# gofmt and go vet for the host platform.
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi
go vet ./...
# go.mod and go.sum must be tidy (testify, for instance, is a direct dependency of go_tests).
go mod tidy -diff
