// Package fpmath holds elementary functions (Sin, Cos, Atan, Exp) whose
// every product is rounded on its own, so that they give the same bits on
// every CPU and at every GOAMD64 level: the standard library's pure-Go
// versions fuse multiply-adds at GOAMD64=v3, and amd64's math.Exp is
// assembly that picks FMA at run time.
//
// Each is Go's pure-Go algorithm with every product that could fuse wrapped
// in float64(...), which the spec defines as rounding and which the
// compiler may not fuse, so the results are the bits of the standard
// library's unfused (GOAMD64=v1) pure-Go code. The math functions they call
// (Abs, Ldexp, IsNaN, Float64bits, ...) are exact and do not fuse either.
package fpmath
