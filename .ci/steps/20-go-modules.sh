# Go modules (gopy and goimports are pinned as tools in go.mod).
go mod download
