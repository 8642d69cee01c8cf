// Package mhd is a 3D ideal magnetohydrodynamics solver: a conservative
// second-order Godunov finite-volume scheme with constrained transport, run
// on one block of a structured grid with ghost zones.
//
// # Equations
//
// Ideal MHD in conservative form (units with μ₀ = 1, B absorbing 1/√4π):
//
//	∂ρ/∂t + ∇·(ρv)                          = 0
//	∂(ρv)/∂t + ∇·(ρvv − BB + P*I)           = 0,   P* = p + B²/2
//	∂E/∂t + ∇·((E + P*)v − B(B·v))          = 0,   E = p/(γ−1) + ρv²/2 + B²/2
//	∂B/∂t − ∇×(v×B)                         = 0,   ∇·B = 0
//
// # Scheme
//
//   - Time integration: the van Leer predictor–corrector (VL2) of Stone &
//     Gardiner (2009, New Astron. 14, 139) as in Athena++: a half step with
//     first-order (donor-cell) fluxes, then a full step with second-order
//     fluxes computed from the half-step state.
//   - Reconstruction: piecewise linear in the primitive variables
//     (ρ, v, p, B⊥) with the van Leer (harmonic-mean) limiter, which is
//     Athena++'s default PLM on a uniform grid.
//   - Riemann solvers: HLLD (Miyoshi & Kusano 2005, J. Comput. Phys. 208,
//     315) or HLLE (Harten, Lax & van Leer 1983; Einfeldt 1988) with the
//     Davis wave-speed bounds min/max(vₗ − c_fₗ, v_r − c_fr).
//   - Constrained transport: B lives on cell faces; the edge electric fields
//     are built from the face fluxes with the upwind "contact-mode" CT of
//     Gardiner & Stone (2005, J. Comput. Phys. 205, 509; 2008, 227, 4123),
//     and faces are updated with Stokes' theorem, so the discrete ∇·B of
//     each cell does not change beyond round-off.
//   - Time step: CFL number times min over cells and axes of
//     Δx_d / (|v_d| + c_f,d), c_f the fast magnetosonic speed along d.
//   - Boundaries per face: periodic, outflow (zero gradient) or reflecting,
//     a mirror plane where the normal momentum and, B being an axial vector,
//     the tangential field flip sign (the ghost state is the exact image).
//   - Positivity: density and pressure floors applied when converting
//     conserved to primitive variables; every hit is counted and reported
//     (Diagnostics.FloorHits), never silent.
//
// # Layout
//
// Fields follow the sim package's layout: a cell field is one []float64 of
// (nx+2ng)(ny+2ng)(nz+2ng) values, x fastest; a face field in direction d
// has one more point along d. Work is done on x-pencils (contiguous rows)
// for all three sweep directions, with reused scratch buffers, no allocation
// per step and no interface call per cell.
//
// A stage (predictor or corrector) runs its passes (primitives, the three
// sweeps, corner EMFs, CT) one z-plane at a time, each pass lagging the
// one before by its stencil's reach in z, so the intermediates (primitives,
// cell and face EMFs, CT weights, edge EMFs) are read while still in cache
// and are kept in a ring of four planes rather than whole arrays. Values
// and the order of every operation are those of the pass-by-pass schedule:
// the bits do not depend on the slab size (TestSlabsSameBits).
//
// Axes with a single cell are inactive: no sweep is made along them and
// their ghosts are always periodic copies, which gives 1D and 2D problems.
//
// # Same bits in every build
//
// The Go spec lets the compiler fuse x*y + z into one FMA instruction, and
// with GOAMD64=v3 it does. The assembly kernels round every product, so a
// fused scalar Go path (remainders, floored groups, purego, non-AVX2 CPUs)
// would give different bits depending on where block boundaries fall, and
// nodes built at different GOAMD64 levels would disagree. So every float64
// product in this package that is not itself an operand of *, / or a
// comparison is wrapped in an explicit float64(...) conversion, which the
// spec defines as rounding and which prevents fusion; at GOAMD64=v1 the
// arithmetic instructions are unchanged. The standard library's math.Sin,
// math.Cos and math.Atan fuse at v3 too, so the problems use the unfused
// copies in internal/fpmath. Keep new code that way: fma_test.go fails on any fused
// multiply-add in the package's GOAMD64=v3 code.
package mhd
