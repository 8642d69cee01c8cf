package fpmath

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// canon writes an AST as a fully bracketed tree without positions,
// comments or parentheses (the tree holds the grouping), with float64(e) of
// an arithmetic expression e written as e and math.F as F: two functions
// with the same canonical form do the same arithmetic in the same order
// and differ at most by those conversions, which round a float64 to itself
// and only stop the compiler from fusing.
type canon struct {
	b        strings.Builder
	stripped int // float64(...) conversions left out
}

var posType = reflect.TypeFor[token.Pos]()

func (c *canon) walk(n any) {
	switch n := n.(type) {
	case *ast.ParenExpr:
		c.walk(n.X)
		return
	case *ast.CallExpr:
		if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "float64" && len(n.Args) == 1 {
			if _, ok := ast.Unparen(n.Args[0]).(*ast.BinaryExpr); ok {
				c.stripped++
				c.walk(n.Args[0])
				return
			}
		}
	case *ast.SelectorExpr:
		if id, ok := n.X.(*ast.Ident); ok && id.Name == "math" {
			c.walk(n.Sel)
			return
		}
	case *ast.Ident:
		fmt.Fprintf(&c.b, "Ident(%s)", n.Name)
		return
	}
	v := reflect.ValueOf(n)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	c.value(v)
}

func (c *canon) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			c.b.WriteString("nil")
			return
		}
		if n, ok := v.Interface().(ast.Node); ok && v.Kind() == reflect.Pointer {
			c.walk(n) // walk knows the nodes canon rewrites
			return
		}
		c.value(v.Elem())
	case reflect.Struct:
		fmt.Fprintf(&c.b, "%s{", v.Type().Name())
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			switch {
			case f.Type == posType, f.Name == "Obj", f.Name == "Scope", f.Name == "Doc", f.Name == "Comment":
				continue
			}
			fmt.Fprintf(&c.b, "%s:", f.Name)
			c.value(v.Field(i))
			c.b.WriteByte(' ')
		}
		c.b.WriteByte('}')
	case reflect.Slice:
		c.b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			c.value(v.Index(i))
			c.b.WriteByte(' ')
		}
		c.b.WriteByte(']')
	default:
		fmt.Fprint(&c.b, v.Interface())
	}
}

// funcs parses a Go file and returns its functions by name.
func funcs(t *testing.T, path string) map[string]*ast.FuncDecl {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	m := map[string]*ast.FuncDecl{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			m[fd.Name.Name] = fd
		}
	}
	return m
}

// form is the canonical form of a function's signature and body.
func form(fd *ast.FuncDecl) (string, int) {
	var c canon
	c.walk(fd.Type)
	c.walk(fd.Body)
	return c.b.String(), c.stripped
}

// TestExpIsStdlibAlgorithm: Exp and expmulti are the pure-Go exp and
// expmulti of the toolchain's math/exp.go with float64(...) conversions
// added and nothing else changed, so at GOAMD64=v1 (where the conversions
// change no instruction) they give that algorithm's bits. amd64's
// math.Exp runs assembly instead, so the bits cannot be compared at run
// time as TestTrigMatchesMath does for Sin, Cos and Atan.
func TestExpIsStdlibAlgorithm(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not on PATH (%v): cannot find the standard library's source", err)
	}
	out, err := exec.Command(goTool, "env", "GOROOT", "GOVERSION").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	env := strings.Fields(string(out))
	if len(env) != 2 {
		t.Fatalf("go env GOROOT GOVERSION printed %q", out)
	}
	if env[1] != runtime.Version() {
		t.Skipf("go command is %s, this binary was built by %s: its math/exp.go is not the one compiled in", env[1], runtime.Version())
	}
	std := funcs(t, filepath.Join(env[0], "src", "math", "exp.go"))
	ours := funcs(t, "exp.go")
	stripped := 0
	for our, theirs := range map[string]string{"Exp": "exp", "expmulti": "expmulti"} {
		if ours[our] == nil || std[theirs] == nil {
			t.Fatalf("no %s in exp.go or no %s in the standard library's", our, theirs)
		}
		o, n := form(ours[our])
		s, _ := form(std[theirs])
		if o != s {
			t.Errorf("%s is not math's %s with float64(...) added:\n ours %s\n math %s", our, theirs, o, s)
		}
		stripped += n
	}
	// Control: the comparison sees the conversions, and it tells a
	// different algorithm apart.
	if stripped == 0 {
		t.Error("no float64(...) conversions found in Exp and expmulti")
	}
	o, _ := form(ours["Exp"])
	if s, _ := form(std["exp2"]); o == s {
		t.Error("Exp has the canonical form of math's exp2")
	}
}
