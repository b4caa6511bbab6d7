// Package surface_test checks the shape of the API gopy binds (package jarvisrs): only types gopy
// handles well, no bare error results (they leak in gopy v0.5.0), and a doc comment on everything
// exported.
package surface_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// allowedParams are the parameter types that cross gopy cleanly.
var allowedParams = map[string]bool{"int": true, "int64": true, "float64": true, "uintptr": true, "string": true, "bool": true}

func jarvisrsDir(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..", "jarvisrs")
}

func exportedFuncs(t *testing.T) []*ast.FuncDecl {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, jarvisrsDir(t), func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	require.NoError(t, err)
	pkg, ok := pkgs["jarvisrs"]
	require.True(t, ok, "package jarvisrs not found")
	var out []*ast.FuncDecl
	for _, f := range pkg.Files {
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.IsExported() {
				if fn.Recv != nil && !ast.IsExported(receiverType(fn)) {
					continue
				}
				out = append(out, fn)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func receiverType(fn *ast.FuncDecl) string {
	expr := fn.Recv.List[0].Type
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	if id, ok := expr.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func typeString(e ast.Expr) string {
	switch v := e.(type) {
	case *ast.Ident:
		return v.Name
	case *ast.StarExpr:
		return "*" + typeString(v.X)
	case *ast.SelectorExpr:
		return typeString(v.X) + "." + v.Sel.Name
	default:
		return "?"
	}
}

func TestNoBareErrorResults(t *testing.T) {
	for _, fn := range exportedFuncs(t) {
		results := fn.Type.Results
		if results == nil || len(results.List) != 1 || len(results.List[0].Names) > 1 {
			continue
		}
		require.NotEqual(t, "error", typeString(results.List[0].Type),
			"%s returns a bare error: gopy v0.5.0 leaks its C string; return (status int, err error)", fn.Name.Name)
	}
}

func TestParametersArePlainTypes(t *testing.T) {
	for _, fn := range exportedFuncs(t) {
		for _, p := range fn.Type.Params.List {
			require.True(t, allowedParams[typeString(p.Type)], "%s takes a %s", fn.Name.Name, typeString(p.Type))
		}
		require.Nil(t, fn.Type.TypeParams, "%s is generic", fn.Name.Name)
	}
}

func TestResultsAreFewAndPlain(t *testing.T) {
	for _, fn := range exportedFuncs(t) {
		if fn.Type.Results == nil {
			continue
		}
		n := 0
		for _, r := range fn.Type.Results.List {
			n += max(1, len(r.Names))
		}
		require.LessOrEqual(t, n, 2, "%s: gopy returns at most (value, error)", fn.Name.Name)
	}
}

func TestEveryExportedFunctionHasADocComment(t *testing.T) {
	for _, fn := range exportedFuncs(t) {
		require.NotNil(t, fn.Doc, "%s has no doc comment", fn.Name.Name)
		require.True(t, strings.HasPrefix(fn.Doc.Text(), fn.Name.Name+" "), "%s: doc comment should start with its name", fn.Name.Name)
	}
}
