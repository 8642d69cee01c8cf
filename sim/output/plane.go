package output

import "fmt"

// planeAxes are the two in-plane axes of a cut normal to axis, lower one first (fastest).
func planeAxes(axis int) (int, int) {
	switch axis {
	case 0:
		return 1, 2
	case 1:
		return 0, 2
	default:
		return 0, 1
	}
}

var axisNames = [3]string{"x", "y", "z"}

// NewSlice returns an empty Slice of the global plane normal to axis (0 x, 1 y, 2 z) at cell
// index, sized and labelled from the piece's grid, for CutPlane to fill.
func (p *Piece) NewSlice(axis, index int) (*Slice, error) {
	if err := checkWhole(p.Whole); err != nil {
		return nil, err
	}
	if err := checkGeometry(p.Origin, p.Spacing); err != nil {
		return nil, err
	}
	if axis < 0 || axis > 2 || index < 0 || index >= p.Whole[axis] {
		return nil, fmt.Errorf("output: plane %d on axis %d outside the grid %v", index, axis, p.Whole)
	}
	u, v := planeAxes(axis)
	s := &Slice{NX: p.Whole[u], NY: p.Whole[v], XLabel: axisNames[u], YLabel: axisNames[v],
		X0: p.Origin[u], X1: p.Origin[u] + float64(p.Whole[u])*p.Spacing[u],
		Y0: p.Origin[v], Y1: p.Origin[v] + float64(p.Whole[v])*p.Spacing[v]}
	if s.NX > maxSliceCells/s.NY {
		return nil, fmt.Errorf("output: plane of %d by %d cells is too large", s.NX, s.NY)
	}
	s.Data = make([]float64, s.NX*s.NY)
	return s, nil
}

// CutPlane copies the cells this piece holds in the plane normal to axis at global cell index
// into s.Data (a Slice from NewSlice), component comp of the named field, and reports whether
// the piece crosses the plane. Other cells are left untouched: every cell has one owner, so
// each rank filling its part of a zeroed slice and a Sum reduction (or a gather to rank 0)
// assembles the plane exactly.
func (p *Piece) CutPlane(field string, comp, axis, index int, s *Slice) (bool, error) {
	if err := p.check(); err != nil {
		return false, err
	}
	if axis < 0 || axis > 2 || index < 0 || index >= p.Whole[axis] {
		return false, fmt.Errorf("output: plane %d on axis %d outside the grid %v", index, axis, p.Whole)
	}
	u, v := planeAxes(axis)
	if s.NX != p.Whole[u] || s.NY != p.Whole[v] || len(s.Data) != s.NX*s.NY {
		return false, fmt.Errorf("output: slice of %d by %d cells (%d values) does not match the plane of %v",
			s.NX, s.NY, len(s.Data), p.Whole)
	}
	var f *NamedField
	for i := range p.Fields {
		if p.Fields[i].Name == field {
			f = &p.Fields[i]
		}
	}
	if f == nil || comp < 0 || comp >= f.comps() {
		return false, fmt.Errorf("output: no field %q with component %d", field, comp)
	}
	local := index - p.Start[axis]
	if local < 0 || local >= p.N[axis] {
		return false, nil
	}
	ng := p.Ng
	var stride [3]int
	stride[0], stride[1], stride[2] = 1, p.N[0]+2*ng, (p.N[0]+2*ng)*(p.N[1]+2*ng)
	size := stride[2] * (p.N[2] + 2*ng)
	d := f.Data[comp*size : (comp+1)*size]
	su, sv := stride[u], stride[v]
	base := (local + ng) * stride[axis]
	for b := 0; b < p.N[v]; b++ {
		src := base + (b+ng)*sv + ng*su
		dst := s.Data[s.NX*(p.Start[v]+b)+p.Start[u]:]
		dst = dst[:p.N[u]]
		for a := range dst {
			dst[a] = d[src+a*su]
		}
	}
	return true, nil
}
