package mhd

import "math"

// Pencil Riemann solvers. States are primitive, rotated so that component 1
// is normal to the face: 0 ρ, 1 v_n, 2 v_t1, 3 v_t2, 4 p, 5 B_t1, 6 B_t2;
// bn holds the face-normal field. Fluxes come out as 0 ρv_n, 1–3 momentum
// (n, t1, t2), 4 energy, 5–6 the fluxes of B_t1 and B_t2.

// smallNumber guards the degenerate HLLD states, as in Athena++.
const smallNumber = 1e-8

// hlle is the HLLE flux with Davis wave-speed bounds.
func hlle(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64) {
	gm1 := gamma - 1
	dl, vnl, vt1l, vt2l, ppl, b1l, b2l := pl[0][:L], pl[1][:L], pl[2][:L], pl[3][:L], pl[4][:L], pl[5][:L], pl[6][:L]
	dr, vnr, vt1r, vt2r, ppr, b1r, b2r := pr[0][:L], pr[1][:L], pr[2][:L], pr[3][:L], pr[4][:L], pr[5][:L], pr[6][:L]
	f0, f1, f2, f3, f4, f5, f6 := f[0][:L], f[1][:L], f[2][:L], f[3][:L], f[4][:L], f[5][:L], f[6][:L]
	bn = bn[:L]
	for t := 0; t < L; t++ {
		bx := bn[t]
		// Left state and flux.
		d, u, v, w, p, by, bz := dl[t], vnl[t], vt1l[t], vt2l[t], ppl[t], b1l[t], b2l[t]
		pb := float64(0.5 * (float64(bx*bx) + float64(by*by) + float64(bz*bz)))
		el := p/gm1 + float64(0.5*d*(float64(u*u)+float64(v*v)+float64(w*w))) + pb
		ptl := p + pb
		cfl := fastSpeed(gamma, d, p, bx, by, bz)
		ul := [7]float64{d, float64(d * u), float64(d * v), float64(d * w), el, by, bz}
		fl := [7]float64{float64(d * u), float64(d*u*u) + ptl - float64(bx*bx), float64(d*u*v) - float64(bx*by), float64(d*u*w) - float64(bx*bz),
			float64((el+ptl)*u) - float64(bx*(float64(u*bx)+float64(v*by)+float64(w*bz))), float64(by*u) - float64(bx*v), float64(bz*u) - float64(bx*w)}
		ulx := u
		// Right state and flux.
		d, u, v, w, p, by, bz = dr[t], vnr[t], vt1r[t], vt2r[t], ppr[t], b1r[t], b2r[t]
		pb = float64(0.5 * (float64(bx*bx) + float64(by*by) + float64(bz*bz)))
		er := p/gm1 + float64(0.5*d*(float64(u*u)+float64(v*v)+float64(w*w))) + pb
		ptr := p + pb
		cfr := fastSpeed(gamma, d, p, bx, by, bz)
		ur := [7]float64{d, float64(d * u), float64(d * v), float64(d * w), er, by, bz}
		fr := [7]float64{float64(d * u), float64(d*u*u) + ptr - float64(bx*bx), float64(d*u*v) - float64(bx*by), float64(d*u*w) - float64(bx*bz),
			float64((er+ptr)*u) - float64(bx*(float64(u*bx)+float64(v*by)+float64(w*bz))), float64(by*u) - float64(bx*v), float64(bz*u) - float64(bx*w)}
		sl := math.Min(math.Min(ulx-cfl, u-cfr), 0)
		sr := math.Max(math.Max(ulx+cfl, u+cfr), 0)
		a := sr / (sr - sl)
		b := -sl / (sr - sl)
		c := sr * sl / (sr - sl)
		f0[t] = float64(a*fl[0]) + float64(b*fr[0]) + float64(c*(ur[0]-ul[0]))
		f1[t] = float64(a*fl[1]) + float64(b*fr[1]) + float64(c*(ur[1]-ul[1]))
		f2[t] = float64(a*fl[2]) + float64(b*fr[2]) + float64(c*(ur[2]-ul[2]))
		f3[t] = float64(a*fl[3]) + float64(b*fr[3]) + float64(c*(ur[3]-ul[3]))
		f4[t] = float64(a*fl[4]) + float64(b*fr[4]) + float64(c*(ur[4]-ul[4]))
		f5[t] = float64(a*fl[5]) + float64(b*fr[5]) + float64(c*(ur[5]-ul[5]))
		f6[t] = float64(a*fl[6]) + float64(b*fr[6]) + float64(c*(ur[6]-ul[6]))
	}
}

// hlldGo is the five-wave HLLD flux of Miyoshi & Kusano (2005), with the
// Davis outer wave speeds and Athena++'s guards for degenerate states.
// Divisions are replaced by reciprocals where a value is reused; the loop
// body has no calls besides math.Sqrt (a machine instruction).
func hlldGo(L int, gamma float64, pl, pr *[7][]float64, bn []float64, f *[7][]float64, scratch *[6][]float64) {
	igm1 := 1 / (gamma - 1)
	ael, apl, aer, apr, as0, as4 := scratch[0][:L], scratch[1][:L], scratch[2][:L], scratch[3][:L], scratch[4][:L], scratch[5][:L]
	dl, vnl, vt1l, vt2l, ppl, b1l, b2l := pl[0][:L], pl[1][:L], pl[2][:L], pl[3][:L], pl[4][:L], pl[5][:L], pl[6][:L]
	dr, vnr, vt1r, vt2r, ppr, b1r, b2r := pr[0][:L], pr[1][:L], pr[2][:L], pr[3][:L], pr[4][:L], pr[5][:L], pr[6][:L]
	f0, f1, f2, f3, f4, f5, f6 := f[0][:L], f[1][:L], f[2][:L], f[3][:L], f[4][:L], f[5][:L], f[6][:L]
	bn = bn[:L]
	// Pass 1: energies, total pressures and the outer wave speeds. It is
	// split from the rest so that the sqrt chains of many faces overlap
	// (a short loop body keeps several iterations in flight).
	for t := 0; t < L; t++ {
		bx := bn[t]
		bxsq := float64(bx * bx)
		d1, u1, v1, w1, p1, by1, bz1 := dl[t], vnl[t], vt1l[t], vt2l[t], ppl[t], b1l[t], b2l[t]
		id1 := 1 / d1
		bt1 := float64(by1*by1) + float64(bz1*bz1)
		pb1 := float64(0.5 * (bxsq + bt1))
		ael[t] = float64(p1*igm1) + float64(0.5*d1*(float64(u1*u1)+float64(v1*v1)+float64(w1*w1))) + pb1
		apl[t] = p1 + pb1
		asq, ca2, ct2 := float64(gamma*p1*id1), float64(bxsq*id1), float64(bt1*id1)
		tmp := ca2 + ct2 - asq
		cf1 := math.Sqrt(0.5 * (ca2 + ct2 + asq + math.Sqrt(float64(tmp*tmp)+float64(4*asq*ct2))))
		d2, u2, v2, w2, p2, by2, bz2 := dr[t], vnr[t], vt1r[t], vt2r[t], ppr[t], b1r[t], b2r[t]
		id2 := 1 / d2
		bt2 := float64(by2*by2) + float64(bz2*bz2)
		pb2 := float64(0.5 * (bxsq + bt2))
		aer[t] = float64(p2*igm1) + float64(0.5*d2*(float64(u2*u2)+float64(v2*v2)+float64(w2*w2))) + pb2
		apr[t] = p2 + pb2
		asq, ca2, ct2 = float64(gamma*p2*id2), float64(bxsq*id2), float64(bt2*id2)
		tmp = ca2 + ct2 - asq
		cf2 := math.Sqrt(0.5 * (ca2 + ct2 + asq + math.Sqrt(float64(tmp*tmp)+float64(4*asq*ct2))))
		s0 := u1 - cf1
		if x := u2 - cf2; x < s0 {
			s0 = x
		}
		s4 := u1 + cf1
		if x := u2 + cf2; x > s4 {
			s4 = x
		}
		as0[t], as4[t] = s0, s4
	}
	for t := 0; t < L; t++ {
		bx := bn[t]
		bxsq := float64(bx * bx)
		d1, u1, v1, w1, by1, bz1 := dl[t], vnl[t], vt1l[t], vt2l[t], b1l[t], b2l[t]
		d2, u2, v2, w2, by2, bz2 := dr[t], vnr[t], vt1r[t], vt2r[t], b1r[t], b2r[t]
		e1, pt1, e2, pt2, s0, s4 := ael[t], apl[t], aer[t], apr[t], as0[t], as4[t]
		var tmp float64

		// Outer fluxes.
		vb1 := float64(u1*bx) + float64(v1*by1) + float64(w1*bz1)
		vb2 := float64(u2*bx) + float64(v2*by2) + float64(w2*bz2)
		fl0 := float64(d1 * u1)
		fl1, fl2, fl3 := float64(fl0*u1)+pt1-bxsq, float64(fl0*v1)-float64(bx*by1), float64(fl0*w1)-float64(bx*bz1)
		fl4, fl5, fl6 := float64((e1+pt1)*u1)-float64(bx*vb1), float64(by1*u1)-float64(bx*v1), float64(bz1*u1)-float64(bx*w1)
		fr0 := float64(d2 * u2)
		fr1, fr2, fr3 := float64(fr0*u2)+pt2-bxsq, float64(fr0*v2)-float64(bx*by2), float64(fr0*w2)-float64(bx*bz2)
		fr4, fr5, fr6 := float64((e2+pt2)*u2)-float64(bx*vb2), float64(by2*u2)-float64(bx*v2), float64(bz2*u2)-float64(bx*w2)

		if s0 >= 0 {
			f0[t], f1[t], f2[t], f3[t], f4[t], f5[t], f6[t] = fl0, fl1, fl2, fl3, fl4, fl5, fl6
			continue
		}
		if s4 <= 0 {
			f0[t], f1[t], f2[t], f3[t], f4[t], f5[t], f6[t] = fr0, fr1, fr2, fr3, fr4, fr5, fr6
			continue
		}

		// Contact speed and total pressure of the starred states (M&K 38, 41).
		sdl := s0 - u1
		sdr := s4 - u2
		sdl1, sdr2 := float64(sdl*d1), float64(sdr*d2)
		iden := 1 / (sdr2 - sdl1)
		// Grouped so that the mirror image (L ↔ R, v ↦ −v) gives −s2 to
		// the bit: (a − b − c + d) would round in an order the reflection
		// does not preserve.
		s2 := float64(((float64(sdr2*u2) - float64(sdl1*u1)) + (pt1 - pt2)) * iden)
		sdml := s0 - s2
		sdmr := s4 - s2
		ptst := float64((float64(sdr2*pt1) - float64(sdl1*pt2) + float64(sdl1*sdr2*(u2-u1))) * iden)

		// U*L (M&K 43–48).
		ld := sdl1 / sdml
		lmx := float64(ld * s2)
		var lvy, lvz, lby, lbz float64
		tmp = float64(sdl1*sdml) - bxsq
		if math.Abs(tmp) < smallNumber*ptst {
			lvy, lvz, lby, lbz = v1, w1, by1, bz1
		} else {
			it := 1 / tmp
			q := float64(bx * (sdl - sdml) * it)
			lvy = v1 - float64(by1*q)
			lvz = w1 - float64(bz1*q)
			q = float64((float64(sdl1*sdl) - bxsq) * it)
			lby = float64(by1 * q)
			lbz = float64(bz1 * q)
		}
		lmy, lmz := float64(ld*lvy), float64(ld*lvz)
		vbstl := float64(s2*bx) + float64(lvy*lby) + float64(lvz*lbz)
		isdml := 1 / sdml
		le := float64((float64(sdl*e1) - float64(pt1*u1) + float64(ptst*s2) + float64(bx*(vb1-vbstl))) * isdml)

		// U*R.
		rd := sdr2 / sdmr
		rmx := float64(rd * s2)
		var rvy, rvz, rby, rbz float64
		tmp = float64(sdr2*sdmr) - bxsq
		if math.Abs(tmp) < smallNumber*ptst {
			rvy, rvz, rby, rbz = v2, w2, by2, bz2
		} else {
			it := 1 / tmp
			q := float64(bx * (sdr - sdmr) * it)
			rvy = v2 - float64(by2*q)
			rvz = w2 - float64(bz2*q)
			q = float64((float64(sdr2*sdr) - bxsq) * it)
			rby = float64(by2 * q)
			rbz = float64(bz2 * q)
		}
		rmy, rmz := float64(rd*rvy), float64(rd*rvz)
		vbstr := float64(s2*bx) + float64(rvy*rby) + float64(rvz*rbz)
		isdmr := 1 / sdmr
		re := float64((float64(sdr*e2) - float64(pt2*u2) + float64(ptst*s2) + float64(bx*(vb2-vbstr))) * isdmr)

		// U** (M&K 59–63).
		sqdl := math.Sqrt(ld)
		sqdr := math.Sqrt(rd)
		abx := math.Abs(bx)
		s1 := s2 - abx/sqdl
		s3 := s2 + abx/sqdr
		ldmy, ldmz, ldby, ldbz, lde := lmy, lmz, lby, lbz, le
		rdmy, rdmz, rdby, rdbz, rde := rmy, rmz, rby, rbz, re
		if 0.5*bxsq >= smallNumber*ptst {
			inv := 1 / (sqdl + sqdr)
			sg := 1.0
			if bx < 0 {
				sg = -1
			}
			vy := float64(inv * (float64(sqdl*lvy) + float64(sqdr*rvy) + float64(sg*(rby-lby))))
			vz := float64(inv * (float64(sqdl*lvz) + float64(sqdr*rvz) + float64(sg*(rbz-lbz))))
			by := float64(inv * (float64(sqdl*rby) + float64(sqdr*lby) + float64(sg*sqdl*sqdr*(rvy-lvy))))
			bz := float64(inv * (float64(sqdl*rbz) + float64(sqdr*lbz) + float64(sg*sqdl*sqdr*(rvz-lvz))))
			ldmy, ldmz, rdmy, rdmz = float64(ld*vy), float64(ld*vz), float64(rd*vy), float64(rd*vz)
			ldby, ldbz, rdby, rdbz = by, bz, by, bz
			vbdst := float64(s2*bx) + float64(vy*by) + float64(vz*bz)
			lde = le - float64(sqdl*sg*(vbstl-vbdst))
			rde = re + float64(sqdr*sg*(vbstr-vbdst))
		}

		switch {
		case s1 >= 0:
			// F*L = FL + SL (U*L − UL)
			f0[t] = fl0 + float64(s0*(ld-d1))
			f1[t] = fl1 + float64(s0*(lmx-fl0))
			f2[t] = fl2 + float64(s0*(lmy-float64(d1*v1)))
			f3[t] = fl3 + float64(s0*(lmz-float64(d1*w1)))
			f4[t] = fl4 + float64(s0*(le-e1))
			f5[t] = fl5 + float64(s0*(lby-by1))
			f6[t] = fl6 + float64(s0*(lbz-bz1))
		case s2 >= 0:
			// F**L = F*L + S*L (U**L − U*L)
			f0[t] = fl0 + float64(s0*(ld-d1))
			f1[t] = fl1 + float64(s0*(lmx-fl0))
			f2[t] = fl2 + float64(s0*(lmy-float64(d1*v1))) + float64(s1*(ldmy-lmy))
			f3[t] = fl3 + float64(s0*(lmz-float64(d1*w1))) + float64(s1*(ldmz-lmz))
			f4[t] = fl4 + float64(s0*(le-e1)) + float64(s1*(lde-le))
			f5[t] = fl5 + float64(s0*(lby-by1)) + float64(s1*(ldby-lby))
			f6[t] = fl6 + float64(s0*(lbz-bz1)) + float64(s1*(ldbz-lbz))
		case s3 > 0:
			f0[t] = fr0 + float64(s4*(rd-d2))
			f1[t] = fr1 + float64(s4*(rmx-fr0))
			f2[t] = fr2 + float64(s4*(rmy-float64(d2*v2))) + float64(s3*(rdmy-rmy))
			f3[t] = fr3 + float64(s4*(rmz-float64(d2*w2))) + float64(s3*(rdmz-rmz))
			f4[t] = fr4 + float64(s4*(re-e2)) + float64(s3*(rde-re))
			f5[t] = fr5 + float64(s4*(rby-by2)) + float64(s3*(rdby-rby))
			f6[t] = fr6 + float64(s4*(rbz-bz2)) + float64(s3*(rdbz-rbz))
		default:
			f0[t] = fr0 + float64(s4*(rd-d2))
			f1[t] = fr1 + float64(s4*(rmx-fr0))
			f2[t] = fr2 + float64(s4*(rmy-float64(d2*v2)))
			f3[t] = fr3 + float64(s4*(rmz-float64(d2*w2)))
			f4[t] = fr4 + float64(s4*(re-e2))
			f5[t] = fr5 + float64(s4*(rby-by2))
			f6[t] = fr6 + float64(s4*(rbz-bz2))
		}
	}
}
