package sim

import (
	"context"
	"fmt"
	"math"
	"math/big"

	"github.com/apollo-hpc/apollo/comm"
)

// ExactSum accumulates float64 values exactly, as one fixed-point integer
// spanning the whole float64 range (2^-1074 up to 2^2098, plus carry room)
// in 32-bit digits held in int64 limbs. Because integer addition is exact
// and associative, the result does not depend on the order of the values or
// on how they were split across ranks, and Float64 rounds it once, to
// nearest. That is why sim uses it instead of per-block partial sums in
// block order: those give the same bits only for the same decomposition,
// while diagnostics must agree across 1, 2, 4 or 8 ranks. It costs a few
// integer operations per value and 73 int64 per global reduction.
type ExactSum struct {
	limb            [sumLimbs]int64
	adds            int
	nan, pinf, ninf int64
}

const (
	sumLimbs = 70
	// A digit added is below 2^32, so a limb holds 2^30 additions of
	// either sign before carries must be propagated.
	sumNormEvery = 1 << 30
)

// Reset sets the sum to zero.
func (s *ExactSum) Reset() { *s = ExactSum{} }

// Add adds x exactly.
func (s *ExactSum) Add(x float64) {
	bits := math.Float64bits(x)
	e := int(bits>>52) & 0x7ff
	m := bits & (1<<52 - 1)
	neg := bits>>63 != 0
	if e == 0x7ff {
		switch {
		case m != 0:
			s.nan++
		case neg:
			s.ninf++
		default:
			s.pinf++
		}
		return
	}
	pos := 0 // bit position of m's lowest bit above 2^-1074
	if e != 0 {
		m |= 1 << 52
		pos = e - 1
	}
	if m == 0 {
		return
	}
	l, sh := pos>>5, uint(pos&31)
	lo := m << sh
	hi := m >> (64 - sh) // sh == 0 gives m>>64 == 0 in Go
	d0, d1, d2 := int64(lo&0xffffffff), int64(lo>>32), int64(hi)
	if neg {
		d0, d1, d2 = -d0, -d1, -d2
	}
	s.limb[l] += d0
	s.limb[l+1] += d1
	s.limb[l+2] += d2
	s.adds++
	if s.adds >= sumNormEvery {
		s.normalize()
	}
}

// AddSum adds another accumulator exactly.
func (s *ExactSum) AddSum(o *ExactSum) {
	s.normalize()
	t := *o
	t.normalize()
	for i := range s.limb {
		s.limb[i] += t.limb[i]
	}
	s.nan += t.nan
	s.pinf += t.pinf
	s.ninf += t.ninf
	s.normalize()
}

// normalize propagates carries so every limb but the top is in [0, 2^32).
func (s *ExactSum) normalize() {
	for i := 0; i < sumLimbs-1; i++ {
		c := s.limb[i] >> 32
		s.limb[i] -= c << 32
		s.limb[i+1] += c
	}
	s.adds = 0
}

// Float64 returns the sum rounded to the nearest float64 (ties to even);
// ±Inf when it overflows or infinities were added, NaN for NaN or +Inf-Inf.
func (s *ExactSum) Float64() float64 {
	switch {
	case s.nan > 0 || (s.pinf > 0 && s.ninf > 0):
		return math.NaN()
	case s.pinf > 0:
		return math.Inf(1)
	case s.ninf > 0:
		return math.Inf(-1)
	}
	t := *s
	t.normalize()
	v := new(big.Int).SetInt64(t.limb[sumLimbs-1])
	var d big.Int
	for i := sumLimbs - 2; i >= 0; i-- {
		v.Lsh(v, 32)
		v.Add(v, d.SetInt64(t.limb[i]))
	}
	f := new(big.Float).SetInt(v) // exact: precision grows to fit
	f.SetMantExp(f, -1074)
	r, _ := f.Float64()
	return r
}

// Allreduce replaces s by the exact sum of every rank's s. All ranks get
// the same bits.
func (s *ExactSum) Allreduce(ctx context.Context, c *comm.Comm) error {
	s.normalize()
	var buf [sumLimbs + 3]int64
	copy(buf[:], s.limb[:])
	buf[sumLimbs], buf[sumLimbs+1], buf[sumLimbs+2] = s.nan, s.pinf, s.ninf
	if err := c.AllreduceInt64(ctx, comm.Sum, buf[:], buf[:]); err != nil {
		return fmt.Errorf("sim: exact sum: %w", err)
	}
	copy(s.limb[:], buf[:sumLimbs])
	s.nan, s.pinf, s.ninf = buf[sumLimbs], buf[sumLimbs+1], buf[sumLimbs+2]
	s.normalize()
	return nil
}

// Sum returns the global sum of f over the points the blocks own (see
// Block.Owned), correctly rounded and identical on any rank count.
func Sum(ctx context.Context, env *Env, f *Field) (float64, error) {
	var s ExactSum
	o := env.Block.Owned(f.Loc)
	u := f.Data
	for k := 0; k < o[2]; k++ {
		for j := 0; j < o[1]; j++ {
			c := f.Idx(0, j, k)
			for i := 0; i < o[0]; i++ {
				s.Add(u[c+i])
			}
		}
	}
	if err := s.Allreduce(ctx, env.Comm); err != nil {
		return 0, err
	}
	return s.Float64(), nil
}

func mix64(x uint64) uint64 { // splitmix64 finaliser
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// FieldsChecksum returns a 64-bit checksum of fields over the points the
// blocks own, identical on any decomposition: the wrapping sum over points
// of a hash of (field index, global point index, value bits). Wrapping
// addition is commutative, so neither rank count nor order matters.
func FieldsChecksum(ctx context.Context, env *Env, fields []*Field) (uint64, error) {
	b := env.Block
	var h uint64
	for fi, f := range fields {
		o := b.Owned(f.Loc)
		gx, gy := uint64(b.Grid.N[0]+f.Stag[0]), uint64(b.Grid.N[1]+f.Stag[1])
		u := f.Data
		for k := 0; k < o[2]; k++ {
			for j := 0; j < o[1]; j++ {
				c := f.Idx(0, j, k)
				row := uint64(b.Start[1]+j)*gx + uint64(b.Start[2]+k)*gx*gy + uint64(b.Start[0])
				for i := 0; i < o[0]; i++ {
					key := uint64(fi)<<52 ^ (row + uint64(i))
					h += mix64(mix64(math.Float64bits(u[c+i])) ^ key)
				}
			}
		}
	}
	in := []int64{int64(h)}
	if err := env.Comm.AllreduceInt64(ctx, comm.Sum, in, in); err != nil {
		return 0, fmt.Errorf("sim: fields checksum: %w", err)
	}
	return uint64(in[0]), nil
}
