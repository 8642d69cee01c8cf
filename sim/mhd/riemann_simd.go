//go:build goexperiment.simd && amd64

package mhd

import "simd/archsimd"

// useAVX2 selects the 4-wide HLLD; without AVX2 the scalar code runs.
var useAVX2 = archsimd.X86.AVX2()

// hlld is the HLLD flux of L faces: hlld4 on groups of four faces, hlldGo on
// the rest. hlld4 performs the IEEE operations of hlldGo in the same order
// (no FMA; branches become selects of values computed on every lane), so
// the two give the same bits (TestHLLDSIMDMatchesGo).
func hlld(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64, scratch *[6][]float64) {
	n4 := 0
	if useAVX2 {
		n4 = L &^ 3
		hlld4(n4, gamma, pl, pr, bn, f)
	}
	if n4 == L {
		return
	}
	var tl, tr, tf [7][]float64
	var ts [6][]float64
	for m := 0; m < 7; m++ {
		tl[m], tr[m], tf[m] = pl[m][n4:L], pr[m][n4:L], f[m][n4:L]
	}
	for m := 0; m < 6; m++ {
		ts[m] = scratch[m][n4:L]
	}
	hlldGo(L-n4, gamma, &tl, &tr, bn[n4:L], &tf, &ts)
}

type f4 = archsimd.Float64x4

func ld4(s []float64, t int) f4 { return archsimd.LoadFloat64x4Slice(s[t : t+4]) }

// hlld4 is hlldGo on n faces (n a multiple of 4), four at a time.
func hlld4(n int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64) {
	bc := archsimd.BroadcastFloat64x4
	one, half, four, zero, negOne := bc(1), bc(0.5), bc(4), bc(0), bc(-1)
	small := bc(smallNumber)
	gam, igm1 := bc(gamma), bc(1/(gamma-1))
	signMask := archsimd.BroadcastUint64x4(1 << 63)
	abs := func(x f4) f4 { return x.AsUint64x4().AndNot(signMask).AsFloat64x4() }
	// side computes energy, total pressure and fast speed of one state.
	side := func(d, u, v, w, p, by, bz, bxsq f4) (e, pt, cf f4) {
		id := one.Div(d)
		bt := by.Mul(by).Add(bz.Mul(bz))
		pb := half.Mul(bxsq.Add(bt))
		e = p.Mul(igm1).Add(half.Mul(d).Mul(u.Mul(u).Add(v.Mul(v)).Add(w.Mul(w)))).Add(pb)
		pt = p.Add(pb)
		asq, ca2, ct2 := gam.Mul(p).Mul(id), bxsq.Mul(id), bt.Mul(id)
		tmp := ca2.Add(ct2).Sub(asq)
		cf = half.Mul(ca2.Add(ct2).Add(asq).Add(tmp.Mul(tmp).Add(four.Mul(asq).Mul(ct2)).Sqrt())).Sqrt()
		return
	}
	for t := 0; t+4 <= n; t += 4 {
		bx := ld4(bn, t)
		bxsq := bx.Mul(bx)
		d1, u1, v1, w1 := ld4(pl[0], t), ld4(pl[1], t), ld4(pl[2], t), ld4(pl[3], t)
		p1, by1, bz1 := ld4(pl[4], t), ld4(pl[5], t), ld4(pl[6], t)
		d2, u2, v2, w2 := ld4(pr[0], t), ld4(pr[1], t), ld4(pr[2], t), ld4(pr[3], t)
		p2, by2, bz2 := ld4(pr[4], t), ld4(pr[5], t), ld4(pr[6], t)
		e1, pt1, cf1 := side(d1, u1, v1, w1, p1, by1, bz1, bxsq)
		e2, pt2, cf2 := side(d2, u2, v2, w2, p2, by2, bz2, bxsq)
		s0 := u1.Sub(cf1)
		x := u2.Sub(cf2)
		s0 = x.Merge(s0, x.Less(s0))
		s4 := u1.Add(cf1)
		x = u2.Add(cf2)
		s4 = x.Merge(s4, x.Greater(s4))

		// Outer fluxes.
		vb1 := u1.Mul(bx).Add(v1.Mul(by1)).Add(w1.Mul(bz1))
		vb2 := u2.Mul(bx).Add(v2.Mul(by2)).Add(w2.Mul(bz2))
		fl0 := d1.Mul(u1)
		fr0 := d2.Mul(u2)

		// Contact speed and star total pressure.
		sdl := s0.Sub(u1)
		sdr := s4.Sub(u2)
		sdl1, sdr2 := sdl.Mul(d1), sdr.Mul(d2)
		iden := one.Div(sdr2.Sub(sdl1))
		s2 := sdr2.Mul(u2).Sub(sdl1.Mul(u1)).Add(pt1.Sub(pt2)).Mul(iden)
		sdml := s0.Sub(s2)
		sdmr := s4.Sub(s2)
		ptst := sdr2.Mul(pt1).Sub(sdl1.Mul(pt2)).Add(sdl1.Mul(sdr2).Mul(u2.Sub(u1))).Mul(iden)
		sptst := small.Mul(ptst)

		// U*L.
		ld := sdl1.Div(sdml)
		lmx := ld.Mul(s2)
		tmp := sdl1.Mul(sdml).Sub(bxsq)
		degL := abs(tmp).Less(sptst)
		it := one.Div(tmp)
		q := bx.Mul(sdl.Sub(sdml)).Mul(it)
		lvy := v1.Merge(v1.Sub(by1.Mul(q)), degL)
		lvz := w1.Merge(w1.Sub(bz1.Mul(q)), degL)
		q = sdl1.Mul(sdl).Sub(bxsq).Mul(it)
		lby := by1.Merge(by1.Mul(q), degL)
		lbz := bz1.Merge(bz1.Mul(q), degL)
		lmy, lmz := ld.Mul(lvy), ld.Mul(lvz)
		vbstl := s2.Mul(bx).Add(lvy.Mul(lby)).Add(lvz.Mul(lbz))
		isdml := one.Div(sdml)
		le := sdl.Mul(e1).Sub(pt1.Mul(u1)).Add(ptst.Mul(s2)).Add(bx.Mul(vb1.Sub(vbstl))).Mul(isdml)

		// U*R.
		rd := sdr2.Div(sdmr)
		rmx := rd.Mul(s2)
		tmp = sdr2.Mul(sdmr).Sub(bxsq)
		degR := abs(tmp).Less(sptst)
		it = one.Div(tmp)
		q = bx.Mul(sdr.Sub(sdmr)).Mul(it)
		rvy := v2.Merge(v2.Sub(by2.Mul(q)), degR)
		rvz := w2.Merge(w2.Sub(bz2.Mul(q)), degR)
		q = sdr2.Mul(sdr).Sub(bxsq).Mul(it)
		rby := by2.Merge(by2.Mul(q), degR)
		rbz := bz2.Merge(bz2.Mul(q), degR)
		rmy, rmz := rd.Mul(rvy), rd.Mul(rvz)
		vbstr := s2.Mul(bx).Add(rvy.Mul(rby)).Add(rvz.Mul(rbz))
		isdmr := one.Div(sdmr)
		re := sdr.Mul(e2).Sub(pt2.Mul(u2)).Add(ptst.Mul(s2)).Add(bx.Mul(vb2.Sub(vbstr))).Mul(isdmr)

		// U**.
		sqdl := ld.Sqrt()
		sqdr := rd.Sqrt()
		abx := abs(bx)
		s1 := s2.Sub(abx.Div(sqdl))
		s3 := s2.Add(abx.Div(sqdr))
		rot := half.Mul(bxsq).GreaterEqual(sptst)
		inv := one.Div(sqdl.Add(sqdr))
		sg := negOne.Merge(one, bx.Less(zero))
		vy := inv.Mul(sqdl.Mul(lvy).Add(sqdr.Mul(rvy)).Add(sg.Mul(rby.Sub(lby))))
		vz := inv.Mul(sqdl.Mul(lvz).Add(sqdr.Mul(rvz)).Add(sg.Mul(rbz.Sub(lbz))))
		by := inv.Mul(sqdl.Mul(rby).Add(sqdr.Mul(lby)).Add(sg.Mul(sqdl).Mul(sqdr).Mul(rvy.Sub(lvy))))
		bz := inv.Mul(sqdl.Mul(rbz).Add(sqdr.Mul(lbz)).Add(sg.Mul(sqdl).Mul(sqdr).Mul(rvz.Sub(lvz))))
		vbdst := s2.Mul(bx).Add(vy.Mul(by)).Add(vz.Mul(bz))
		ldmy := ld.Mul(vy).Merge(lmy, rot)
		ldmz := ld.Mul(vz).Merge(lmz, rot)
		rdmy := rd.Mul(vy).Merge(rmy, rot)
		rdmz := rd.Mul(vz).Merge(rmz, rot)
		ldby, ldbz := by.Merge(lby, rot), bz.Merge(lbz, rot)
		rdby, rdbz := by.Merge(rby, rot), bz.Merge(rbz, rot)
		lde := le.Sub(sqdl.Mul(sg).Mul(vbstl.Sub(vbdst))).Merge(le, rot)
		rde := re.Add(sqdr.Mul(sg).Mul(vbstr.Sub(vbdst))).Merge(re, rot)

		// Region masks in hlldGo's order: FL, FR, F*L, F**L, F**R, F*R.
		mL := s0.GreaterEqual(zero)
		mR := s4.LessEqual(zero)
		m1 := s1.GreaterEqual(zero)
		m2 := s2.GreaterEqual(zero)
		m3 := s3.Greater(zero)
		pick := func(outL, outR, sL, ssL, ssR, sR f4) f4 {
			r := ssR.Merge(sR, m3)
			r = ssL.Merge(r, m2)
			r = sL.Merge(r, m1)
			r = outR.Merge(r, mR)
			return outL.Merge(r, mL)
		}
		// Component by component, to keep few vectors live.
		{
			sL := fl0.Add(s0.Mul(ld.Sub(d1)))
			sR := fr0.Add(s4.Mul(rd.Sub(d2)))
			pick(fl0, fr0, sL, sL, sR, sR).StoreSlice(f[0][t : t+4])
		}
		{
			fl1 := fl0.Mul(u1).Add(pt1).Sub(bxsq)
			fr1 := fr0.Mul(u2).Add(pt2).Sub(bxsq)
			sL := fl1.Add(s0.Mul(lmx.Sub(fl0)))
			sR := fr1.Add(s4.Mul(rmx.Sub(fr0)))
			pick(fl1, fr1, sL, sL, sR, sR).StoreSlice(f[1][t : t+4])
		}
		{
			fl2 := fl0.Mul(v1).Sub(bx.Mul(by1))
			fr2 := fr0.Mul(v2).Sub(bx.Mul(by2))
			sL := fl2.Add(s0.Mul(lmy.Sub(d1.Mul(v1))))
			sR := fr2.Add(s4.Mul(rmy.Sub(d2.Mul(v2))))
			pick(fl2, fr2, sL, sL.Add(s1.Mul(ldmy.Sub(lmy))), sR.Add(s3.Mul(rdmy.Sub(rmy))), sR).StoreSlice(f[2][t : t+4])
		}
		{
			fl3 := fl0.Mul(w1).Sub(bx.Mul(bz1))
			fr3 := fr0.Mul(w2).Sub(bx.Mul(bz2))
			sL := fl3.Add(s0.Mul(lmz.Sub(d1.Mul(w1))))
			sR := fr3.Add(s4.Mul(rmz.Sub(d2.Mul(w2))))
			pick(fl3, fr3, sL, sL.Add(s1.Mul(ldmz.Sub(lmz))), sR.Add(s3.Mul(rdmz.Sub(rmz))), sR).StoreSlice(f[3][t : t+4])
		}
		{
			fl4 := e1.Add(pt1).Mul(u1).Sub(bx.Mul(vb1))
			fr4 := e2.Add(pt2).Mul(u2).Sub(bx.Mul(vb2))
			sL := fl4.Add(s0.Mul(le.Sub(e1)))
			sR := fr4.Add(s4.Mul(re.Sub(e2)))
			pick(fl4, fr4, sL, sL.Add(s1.Mul(lde.Sub(le))), sR.Add(s3.Mul(rde.Sub(re))), sR).StoreSlice(f[4][t : t+4])
		}
		{
			fl5 := by1.Mul(u1).Sub(bx.Mul(v1))
			fr5 := by2.Mul(u2).Sub(bx.Mul(v2))
			sL := fl5.Add(s0.Mul(lby.Sub(by1)))
			sR := fr5.Add(s4.Mul(rby.Sub(by2)))
			pick(fl5, fr5, sL, sL.Add(s1.Mul(ldby.Sub(lby))), sR.Add(s3.Mul(rdby.Sub(rby))), sR).StoreSlice(f[5][t : t+4])
		}
		{
			fl6 := bz1.Mul(u1).Sub(bx.Mul(w1))
			fr6 := bz2.Mul(u2).Sub(bx.Mul(w2))
			sL := fl6.Add(s0.Mul(lbz.Sub(bz1)))
			sR := fr6.Add(s4.Mul(rbz.Sub(bz2)))
			pick(fl6, fr6, sL, sL.Add(s1.Mul(ldbz.Sub(lbz))), sR.Add(s3.Mul(rdbz.Sub(rbz))), sR).StoreSlice(f[6][t : t+4])
		}
	}
}
