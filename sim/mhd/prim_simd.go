//go:build goexperiment.simd && amd64

package mhd

import "simd/archsimd"

// primRow converts the n cells of a row to primitives, four at a time with
// AVX2 and the same operations as primRowGo (TestPrimRowSIMDMatchesGo). A
// group of four in which any cell needs a floor goes through primRowGo, which
// applies and counts the floors; nothing of the group has been written then.
func primRow(r *primRowArgs, n int) int64 {
	if !useAVX2 {
		return primRowGo(r, 0, n)
	}
	bc := archsimd.BroadcastFloat64x4
	half, one := bc(0.5), bc(1)
	gm1, dfl, pfl := bc(r.gm1), bc(r.dfloor), bc(r.pfloor)
	var hits int64
	t := 0
	for ; t+4 <= n; t += 4 {
		rho := ld4(r.rd, t)
		ren := ld4(r.ren, t)
		b1 := half.Mul(ld4(r.bxl, t).Add(ld4(r.bxr, t)))
		b2 := half.Mul(ld4(r.byl, t).Add(ld4(r.byr, t)))
		b3 := half.Mul(ld4(r.bzl, t).Add(ld4(r.bzr, t)))
		di := one.Div(rho)
		v1, v2, v3 := ld4(r.rm1, t).Mul(di), ld4(r.rm2, t).Mul(di), ld4(r.rm3, t).Mul(di)
		ke := half.Mul(rho).Mul(v1.Mul(v1).Add(v2.Mul(v2)).Add(v3.Mul(v3)))
		me := half.Mul(b1.Mul(b1).Add(b2.Mul(b2)).Add(b3.Mul(b3)))
		p := gm1.Mul(ren.Sub(ke).Sub(me))
		if rho.Less(dfl).Or(p.Less(pfl)).ToBits() != 0 {
			hits += primRowGo(r, t, t+4)
			continue
		}
		rho.StoreSlice(r.od[t : t+4])
		v1.StoreSlice(r.ov1[t : t+4])
		v2.StoreSlice(r.ov2[t : t+4])
		v3.StoreSlice(r.ov3[t : t+4])
		p.StoreSlice(r.op[t : t+4])
		b1.StoreSlice(r.ob1[t : t+4])
		b2.StoreSlice(r.ob2[t : t+4])
		b3.StoreSlice(r.ob3[t : t+4])
		v3.Mul(b2).Sub(v2.Mul(b3)).StoreSlice(r.oe1[t : t+4])
		v1.Mul(b3).Sub(v3.Mul(b1)).StoreSlice(r.oe2[t : t+4])
		v2.Mul(b1).Sub(v1.Mul(b2)).StoreSlice(r.oe3[t : t+4])
	}
	if t < n {
		hits += primRowGo(r, t, n)
	}
	return hits
}

// cornerRow is cornerRowGo four edges at a time, the same operations in the
// same order (TestCornerSIMDMatchesGo).
func cornerRow(r *cornerRowArgs) {
	n := len(r.o)
	n4 := 0
	if useAVX2 {
		n4 = n &^ 3
		half, quarter := archsimd.BroadcastFloat64x4(0.5), archsimd.BroadcastFloat64x4(0.25)
		for t := 0; t < n4; t += 4 {
			ec0, ecB, eb0, ebC := ld4(r.ec0, t), ld4(r.ecB, t), ld4(r.eb0, t), ld4(r.ebC, t)
			cc0, ccB, ccC, ccBC := ld4(r.cc0, t), ld4(r.ccB, t), ld4(r.ccC, t), ld4(r.ccBC, t)
			vbl, vbr, vcl, vcr := ld4(r.wbC, t), ld4(r.wb0, t), ld4(r.wcB, t), ld4(r.wc0, t)
			deLc := half.Sub(vbl).Mul(ec0.Sub(ccC)).Add(half.Add(vbl).Mul(ecB.Sub(ccBC)))
			deRc := half.Sub(vbr).Mul(ec0.Sub(cc0)).Add(half.Add(vbr).Mul(ecB.Sub(ccB)))
			deLb := half.Sub(vcl).Mul(eb0.Sub(ccB)).Add(half.Add(vcl).Mul(ebC.Sub(ccBC)))
			deRb := half.Sub(vcr).Mul(eb0.Sub(cc0)).Add(half.Add(vcr).Mul(ebC.Sub(ccC)))
			sum := deLb.Add(deRb).Add(deLc.Add(deRc)).Add(ecB.Add(ec0).Add(ebC.Add(eb0)))
			quarter.Mul(sum).StoreSlice(r.o[t : t+4])
		}
	}
	if n4 < n {
		cornerRowGo(r, n4, n)
	}
}
