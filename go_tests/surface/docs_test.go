package surface_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEveryExportedIdentifierIsDocumented walks every package under jarvisrs/: exported functions,
// methods, types, and the constants and variables declared outside a documented group must carry
// a doc comment, and each package a package comment.
func TestEveryExportedIdentifierIsDocumented(t *testing.T) {
	root := jarvisrsDir(t)
	var missing []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, path, func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, parser.ParseComments)
		if err != nil {
			return err
		}
		for name, pkg := range pkgs {
			hasPkgDoc := false
			for _, f := range pkg.Files {
				hasPkgDoc = hasPkgDoc || f.Doc != nil
				missing = append(missing, undocumented(fset, f)...)
			}
			if !hasPkgDoc {
				missing = append(missing, "package "+name+" in "+path)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Empty(t, missing, "exported identifiers without a doc comment")
}

func undocumented(fset *token.FileSet, f *ast.File) []string {
	var out []string
	where := func(p token.Pos) string {
		pos := fset.Position(p)
		return filepath.Base(filepath.Dir(pos.Filename)) + string(os.PathSeparator) + filepath.Base(pos.Filename)
	}
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && (d.Recv == nil || ast.IsExported(receiverType(d))) {
				out = append(out, where(d.Pos())+": func "+d.Name.Name)
			}
		case *ast.GenDecl:
			previousDoc := "" // a comment may document a pair: "MinX and MaxX bound ..."
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Name.IsExported() && s.Doc == nil && d.Doc == nil {
						out = append(out, where(s.Pos())+": type "+s.Name.Name)
					}
				case *ast.ValueSpec:
					for _, n := range s.Names {
						covered := strings.Contains(previousDoc, n.Name)
						if n.IsExported() && s.Doc == nil && s.Comment == nil && d.Doc == nil && !covered {
							out = append(out, where(n.Pos())+": "+n.Name)
						}
					}
					if s.Doc != nil {
						previousDoc = s.Doc.Text()
					}
				}
			}
		}
	}
	return out
}
