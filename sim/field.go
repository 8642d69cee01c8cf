package sim

import "fmt"

// Location says where in a cell a field's values sit.
type Location int

// Locations. FaceX values sit on the x faces (one more point along x), EdgeX
// values on the edges parallel to x (one more point along y and z).
const (
	Cell Location = iota
	FaceX
	FaceY
	FaceZ
	EdgeX
	EdgeY
	EdgeZ
)

// Stag returns 1 for each axis along which loc has one more point than
// cells.
func (l Location) Stag() [3]int {
	switch l {
	case FaceX:
		return [3]int{1, 0, 0}
	case FaceY:
		return [3]int{0, 1, 0}
	case FaceZ:
		return [3]int{0, 0, 1}
	case EdgeX:
		return [3]int{0, 1, 1}
	case EdgeY:
		return [3]int{1, 0, 1}
	case EdgeZ:
		return [3]int{1, 1, 0}
	}
	return [3]int{}
}

func (l Location) String() string {
	names := [...]string{"cell", "facex", "facey", "facez", "edgex", "edgey", "edgez"}
	if l >= 0 && int(l) < len(names) {
		return names[l]
	}
	return fmt.Sprintf("Location(%d)", int(l))
}

// Field is one variable of a block: a contiguous []float64 with ghosts, x
// fastest (see the package doc for the layout and the loop idiom).
type Field struct {
	Name string
	Loc  Location
	Data []float64
	Ng   int    // ghost width
	Stag [3]int // 1 on axes where the field has one more point than cells
	N    [3]int // interior points per axis: local cells + Stag
	Dim  [3]int // points per axis including ghosts: N + 2*Ng
	// Sx and Sy are Dim[0] and Dim[1]: the j stride is Sx, the k stride
	// Sx*Sy. Off is the offset of point (0, 0, 0).
	Sx, Sy, Off int
}

// Idx returns the offset in Data of local point (i, j, k); indices may be
// negative down to -Ng.
func (f *Field) Idx(i, j, k int) int { return f.Off + i + f.Sx*(j+f.Sy*k) }

// At returns the value at local point (i, j, k). Hot loops index Data
// directly instead.
func (f *Field) At(i, j, k int) float64 { return f.Data[f.Idx(i, j, k)] }

// Set stores v at local point (i, j, k).
func (f *Field) Set(i, j, k int, v float64) { f.Data[f.Idx(i, j, k)] = v }
