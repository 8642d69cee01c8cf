#!/usr/bin/env python3
"""Generates sim/mhd/hlld_amd64.s: hlldGo as AVX2 code, four faces a group.

The programs below are hlldGo's arithmetic written with Python's operator
precedence and left associativity (the same as Go's for + - * /), so each
expression is evaluated in hlldGo's order; hlldGo's branches are compares and
blends. A prefix computes the wave speeds and the region/guard masks; then,
per group of four faces, one of seven suffixes computes the fluxes: a general
one (every blend of hlldGo's branches) and six fast ones for groups whose four
faces all take the same guard branches (no degenerate U*, no supersonic face,
the rotation guard the same on all) and whose side (left or right of the
contact) is uniform or not. Fast suffixes drop the blends and the values that
no selected region needs; they select exactly what the general code selects.
A Belady register allocator (evict the value used farthest ahead) maps values
onto Y0..Y15, spilling to 32-byte aligned frame slots.
"""
import ast
import sys

PTR = {}
for m in range(7):
    PTR['pl%d' % m] = 8 * m
    PTR['pr%d' % m] = 56 + 8 * m
    PTR['f%d' % m] = 112 + 8 * m
PTR['bn'] = 168
KOFF = 176
KNAMES = ['gamma', 'igm1', 1.0, 0.5, 4.0, 1e-8, -1.0, 0.0, 'absmask']

INPUTS = {
    'bx': 'bn',
    'd1': 'pl0', 'u1': 'pl1', 'v1': 'pl2', 'w1': 'pl3', 'p1': 'pl4', 'by1': 'pl5', 'bz1': 'pl6',
    'd2': 'pr0', 'u2': 'pr1', 'v2': 'pr2', 'w2': 'pr3', 'p2': 'pr4', 'by2': 'pr5', 'bz2': 'pr6',
}

PREFIX = """
# Energies, total pressures and fast speeds of both states (hlldGo pass 1).
bxsq = bx * bx
id1 = 1 / d1
bt1 = by1*by1 + bz1*bz1
pb1 = 0.5 * (bxsq + bt1)
e1 = p1*igm1 + 0.5*d1*(u1*u1+v1*v1+w1*w1) + pb1
pt1 = p1 + pb1
asq1 = gamma*p1*id1
ca21 = bxsq*id1
ct21 = bt1*id1
tmp1 = ca21 + ct21 - asq1
cf1 = sqrt(0.5 * (ca21 + ct21 + asq1 + sqrt(tmp1*tmp1+4*asq1*ct21)))
id2 = 1 / d2
bt2 = by2*by2 + bz2*bz2
pb2 = 0.5 * (bxsq + bt2)
e2 = p2*igm1 + 0.5*d2*(u2*u2+v2*v2+w2*w2) + pb2
pt2 = p2 + pb2
asq2 = gamma*p2*id2
ca22 = bxsq*id2
ct22 = bt2*id2
tmp2 = ca22 + ct22 - asq2
cf2 = sqrt(0.5 * (ca22 + ct22 + asq2 + sqrt(tmp2*tmp2+4*asq2*ct22)))
# Davis outer speeds: s0 = min(u1-cf1, u2-cf2), s4 = max(u1+cf1, u2+cf2), as hlldGo's ifs.
s0a = u1 - cf1
x0 = u2 - cf2
s0 = blend(lt(x0, s0a), x0, s0a)
s4a = u1 + cf1
x4 = u2 + cf2
s4 = blend(gt(x4, s4a), x4, s4a)
# Contact speed s2 and star total pressure ptst (M&K 38, 41).
sdl = s0 - u1
sdr = s4 - u2
sdl1 = sdl*d1
sdr2 = sdr*d2
iden = 1 / (sdr2 - sdl1)
s2 = ((sdr2*u2 - sdl1*u1) + (pt1 - pt2)) * iden
sdml = s0 - s2
sdmr = s4 - s2
ptst = (sdr2*pt1 - sdl1*pt2 + sdl1*sdr2*(u2-u1)) * iden
sptst = 1e-8 * ptst
# Star densities, Alfven speeds s1, s3 and the guards: degl, degr (|sd*sdm - bx^2| < small*ptst keeps the outer v, B), rot (0.5*bx^2 >= small*ptst, else U** = U*).
ld = sdl1 / sdml
rd = sdr2 / sdmr
tmpl = sdl1*sdml - bxsq
degl = lt(abs(tmpl), sptst)
tmpr = sdr2*sdmr - bxsq
degr = lt(abs(tmpr), sptst)
sqdl = sqrt(ld)
sqdr = sqrt(rd)
abx = abs(bx)
s1 = s2 - abx/sqdl
s3 = s2 + abx/sqdr
rot = ge(0.5*bxsq, sptst)
# Region masks in hlldGo's order: FL (s0 >= 0), FR (s4 <= 0), F*L (s1 >= 0), F**L (s2 >= 0), F**R (s3 > 0), else F*R.
mL = ge(s0, 0)
mR = le(s4, 0)
m1 = ge(s1, 0)
m2 = ge(s2, 0)
m3 = gt(s3, 0)
m12 = bor(m1, m2)
anyg = bor(bor(degl, degr), bor(mL, mR))
"""

SUFFIX = """
# U*L (M&K 43-48).
lmx = ld * s2
itl = 1 / tmpl
ql = bx*(sdl - sdml)*itl
lvy = seldeg(degl, v1, v1 - by1*ql)
lvz = seldeg(degl, w1, w1 - bz1*ql)
ql2 = (sdl1*sdl - bxsq)*itl
lby = seldeg(degl, by1, by1*ql2)
lbz = seldeg(degl, bz1, bz1*ql2)
lmy = ld*lvy
lmz = ld*lvz
vb1 = u1*bx + v1*by1 + w1*bz1
vbstl = s2*bx + lvy*lby + lvz*lbz
isdml = 1 / sdml
le = (sdl*e1 - pt1*u1 + ptst*s2 + bx*(vb1 - vbstl)) * isdml
# U*R, the mirror image.
rmx = rd * s2
itr = 1 / tmpr
qr = bx*(sdr - sdmr)*itr
rvy = seldeg(degr, v2, v2 - by2*qr)
rvz = seldeg(degr, w2, w2 - bz2*qr)
qr2 = (sdr2*sdr - bxsq)*itr
rby = seldeg(degr, by2, by2*qr2)
rbz = seldeg(degr, bz2, bz2*qr2)
rmy = rd*rvy
rmz = rd*rvz
vb2 = u2*bx + v2*by2 + w2*bz2
vbstr = s2*bx + rvy*rby + rvz*rbz
isdmr = 1 / sdmr
re = (sdr*e2 - pt2*u2 + ptst*s2 + bx*(vb2 - vbstr)) * isdmr
# U** (M&K 59-63), where rot holds.
inv = 1 / (sqdl + sqdr)
sg = blend(lt(bx, 0), -1, 1)
vy = inv * (sqdl*lvy + sqdr*rvy + sg*(rby-lby))
vz = inv * (sqdl*lvz + sqdr*rvz + sg*(rbz-lbz))
by = inv * (sqdl*rby + sqdr*lby + sg*sqdl*sqdr*(rvy-lvy))
bz = inv * (sqdl*rbz + sqdr*lbz + sg*sqdl*sqdr*(rvz-lvz))
vbdst = s2*bx + vy*by + vz*bz
ldmy = selrot(rot, ld*vy, lmy)
ldmz = selrot(rot, ld*vz, lmz)
rdmy = selrot(rot, rd*vy, rmy)
rdmz = selrot(rot, rd*vz, rmz)
ldby = selrot(rot, by, lby)
ldbz = selrot(rot, bz, lbz)
rdby = selrot(rot, by, rby)
rdbz = selrot(rot, bz, rbz)
lde = selrot(rot, le - sqdl*sg*(vbstl - vbdst), le)
rde = selrot(rot, re + sqdr*sg*(vbstr - vbdst), re)
# Mass flux: F*L and F**L (and F*R, F**R) coincide.
fl0 = d1 * u1
fr0 = d2 * u2
OUT_f0 = pick2(fl0, fr0, fl0 + s0*(ld - d1), fr0 + s4*(rd - d2))
# Normal momentum flux.
fl1 = fl0*u1 + pt1 - bxsq
fr1 = fr0*u2 + pt2 - bxsq
OUT_f1 = pick2(fl1, fr1, fl1 + s0*(lmx - fl0), fr1 + s4*(rmx - fr0))
# Tangential momentum t1: F*L = FL + s0 (U*L - UL), F**L = F*L + s1 (U**L - U*L), mirrored on the right.
fl2 = fl0*v1 - bx*by1
fr2 = fr0*v2 - bx*by2
sl2 = fl2 + s0*(lmy - d1*v1)
sr2 = fr2 + s4*(rmy - d2*v2)
OUT_f2 = pick(fl2, fr2, sl2, sl2 + s1*(ldmy - lmy), sr2 + s3*(rdmy - rmy), sr2)
# Tangential momentum t2.
fl3 = fl0*w1 - bx*bz1
fr3 = fr0*w2 - bx*bz2
sl3 = fl3 + s0*(lmz - d1*w1)
sr3 = fr3 + s4*(rmz - d2*w2)
OUT_f3 = pick(fl3, fr3, sl3, sl3 + s1*(ldmz - lmz), sr3 + s3*(rdmz - rmz), sr3)
# Energy.
fl4 = (e1+pt1)*u1 - bx*vb1
fr4 = (e2+pt2)*u2 - bx*vb2
sl4 = fl4 + s0*(le - e1)
sr4 = fr4 + s4*(re - e2)
OUT_f4 = pick(fl4, fr4, sl4, sl4 + s1*(lde - le), sr4 + s3*(rde - re), sr4)
# B_t1.
fl5 = by1*u1 - bx*v1
fr5 = by2*u2 - bx*v2
sl5 = fl5 + s0*(lby - by1)
sr5 = fr5 + s4*(rby - by2)
OUT_f5 = pick(fl5, fr5, sl5, sl5 + s1*(ldby - lby), sr5 + s3*(rdby - rby), sr5)
# B_t2.
fl6 = bz1*u1 - bx*w1
fr6 = bz2*u2 - bx*w2
sl6 = fl6 + s0*(lbz - bz1)
sr6 = fr6 + s4*(rbz - bz2)
OUT_f6 = pick(fl6, fr6, sl6, sl6 + s1*(ldbz - lbz), sr6 + s3*(rdbz - rbz), sr6)
"""

PRED = {'lt': 0x11, 'le': 0x12, 'ge': 0x1d, 'gt': 0x1e}  # ordered, quiet: NaN compares false as in Go
PNAME = {'lt': '<', 'le': '<=', 'ge': '>=', 'gt': '>'}
COMMUT = {'add', 'mul', 'or', 'and'}
SYM = {'add': '+', 'sub': '-', 'mul': '*', 'div': '/', 'and': '&', 'or': '|'}
INS = {'add': 'VADDPD', 'sub': 'VSUBPD', 'mul': 'VMULPD', 'div': 'VDIVPD', 'and': 'VANDPD', 'or': 'VORPD'}


class V:
    def __init__(self, op, args, home=None, name=None, extra=None):
        self.op, self.args, self.home, self.name, self.extra = op, args, home, name, extra
        self.uses = []


class Prog:
    """mode: None for the prefix; else (rot, side) with rot in
    'mixed'|'all'|'none' and side in 'general'|'L'|'R'|'M'."""

    def __init__(self, mode=None, parent=None):
        self.mode, self.parent = mode, parent
        self.vals, self.env, self.cse, self.leaf = [], {}, {}, {}
        self.outs, self.notes = [], []
        self.pleaves = {}  # id(prefix value) -> leaf

    def leafv(self, key, home, name):
        if key not in self.leaf:
            self.leaf[key] = V('leaf', [], home=home, name=name)
        return self.leaf[key]

    def mk(self, op, args, extra=None):
        ids = [id(a) for a in args]
        if op in COMMUT:
            ids.sort()
        key = (op, extra, tuple(ids))
        if key in self.cse:
            return self.cse[key]
        v = V(op, args, extra=extra)
        self.cse[key] = v
        self.vals.append(v)
        return v

    def blend(self, m, t, f):
        return self.mk('blend', [m, t, f])

    def expr(self, e):
        if isinstance(e, ast.Name):
            n = e.id
            if n in self.env:
                return self.env[n]
            if self.parent is not None and n in self.parent.env:
                pv = self.parent.env[n]
                if id(pv) not in self.pleaves:
                    lv = V('leaf', [], home=None, name=pv.name)
                    lv.pv = pv
                    self.pleaves[id(pv)] = lv
                return self.pleaves[id(pv)]
            if n in INPUTS:
                return self.leafv(n, ('arr', INPUTS[n]), n)
            if n in ('gamma', 'igm1'):
                return self.leafv(n, ('k', n), n)
            raise SystemExit('unknown name ' + n)
        if isinstance(e, ast.Constant):
            c = float(e.value)
            return self.leafv(c, ('k', c), str(c))
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) and isinstance(e.operand, ast.Constant):
            c = -float(e.operand.value)
            return self.leafv(c, ('k', c), str(c))
        if isinstance(e, ast.BinOp):
            op = {ast.Add: 'add', ast.Sub: 'sub', ast.Mult: 'mul', ast.Div: 'div'}[type(e.op)]
            return self.mk(op, [self.expr(e.left), self.expr(e.right)])
        if isinstance(e, ast.Call):
            f = e.func.id
            a = [self.expr(x) for x in e.args]
            if f == 'sqrt':
                return self.mk('sqrt', a)
            if f == 'abs':
                return self.mk('and', [a[0], self.leafv('absmask', ('k', 'absmask'), 'absmask')])
            if f in PRED:
                return self.mk('cmp', a, extra=f)
            if f == 'blend':
                return self.blend(*a)
            if f == 'bor':
                return self.mk('or', a)
            rot, side = self.mode
            if f == 'seldeg':  # no lane degenerate on the fast paths
                return self.blend(*a) if side == 'general' else a[2]
            if f == 'selrot':
                return {'mixed': lambda: self.blend(*a), 'all': lambda: a[1], 'none': lambda: a[2]}[rot]()
            if f == 'pick2':  # hlldGo's six regions where F*L = F**L, F*R = F**R
                outl, outr, sl, sr = a
                m12, mL, mR, m1 = (self.expr(ast.Name(id=n)) for n in ('m12', 'mL', 'mR', 'm1'))
                if side == 'general':
                    return self.blend(mL, outl, self.blend(mR, outr, self.blend(m12, sl, sr)))
                if side == 'M':
                    return self.blend(m12, sl, sr)
                return sl if side == 'L' else sr
            if f == 'pick':
                outl, outr, sl, ssl, ssr, sr = a
                mL, mR, m1, m2, m3 = (self.expr(ast.Name(id=n)) for n in ('mL', 'mR', 'm1', 'm2', 'm3'))
                if side == 'L':  # m2 on every lane
                    return self.blend(m1, sl, ssl)
                if side == 'R':  # neither m1 nor m2 on any lane
                    return self.blend(m3, ssr, sr)
                r = self.blend(m1, sl, self.blend(m2, ssl, self.blend(m3, ssr, sr)))
                if side == 'general':
                    r = self.blend(mL, outl, self.blend(mR, outr, r))
                return r
        raise SystemExit('cannot translate ' + ast.dump(e))

    def parse(self, src):
        for line in src.strip().split('\n'):
            if not line.strip():
                continue
            if line.startswith('#'):
                self.notes.append((len(self.vals), line[1:].strip()))
                continue
            st = ast.parse(line).body[0]
            name = st.targets[0].id
            n0 = len(self.vals)
            v = self.expr(st.value)
            if v.name is None:
                v.name = name
            for w in self.vals[n0:]:
                if w.name is None:
                    w.name = '(' + name + ')'
            self.env[name] = v
            if name.startswith('OUT_'):
                self.outs.append((name[4:], v))

    def dce(self, roots):
        live = set()
        stack = list(roots)
        while stack:
            v = stack.pop()
            if id(v) in live:
                continue
            live.add(id(v))
            stack.extend(v.args)
        # Notes move to the next surviving value.
        keep = []
        notes = []
        ni = 0
        for i, v in enumerate(self.vals):
            while ni < len(self.notes) and self.notes[ni][0] <= i:
                notes.append((len(keep), self.notes[ni][1]))
                ni += 1
            if id(v) in live:
                keep.append(v)
        self.vals = keep
        # Drop notes with nothing after them before the next note.
        self.notes = []
        for j, (pos, txt) in enumerate(notes):
            nxt = notes[j + 1][0] if j + 1 < len(notes) else len(keep)
            if nxt > pos:
                self.notes.append((pos, txt))
        return live


class Alloc:
    def __init__(self, slot_base):
        self.reg = [None] * 16
        self.loc = {}
        self.slot = {}
        self.free_slots = []
        self.nslots = 0
        self.base = slot_base
        self.out = []
        self.pending = []

    def memop(self, v):
        h = v.home
        if h is not None and h[0] == 'arr':
            return ('arr', h[1])
        if h is not None and h[0] == 'k':
            return ('mem', '%d(R15)' % (32 * KNAMES.index(h[1])))
        if h is not None and h[0] == 'mem':
            return h
        if v in self.slot:
            return ('mem', '%d(R15)' % (32 * (len(KNAMES) + self.base + self.slot[v])))
        return None

    def next_use(self, v, t):
        for u in v.uses:
            if u > t:
                return u
        return None

    def getreg(self, t, keep):
        for r in range(16):
            if self.reg[r] is None:
                return r
        best, bd = None, -1
        for r in range(16):
            v = self.reg[r]
            if v in keep:
                continue
            nu = self.next_use(v, t)
            d = 10 ** 6 if nu is None else nu
            d = d * 2 + (1 if self.memop(v) is not None else 0)
            if d > bd:
                best, bd = r, d
        v = self.reg[best]
        if self.memop(v) is None and self.next_use(v, t) is not None:
            if self.free_slots:
                s = self.free_slots.pop()
            else:
                s = self.nslots
                self.nslots += 1
            self.slot[v] = s
            self.out.append(('spill', v, best, self.memop(v)[1]))
        del self.loc[v]
        self.reg[best] = None
        return best

    def inreg(self, v, t, keep):
        if v in self.loc:
            return self.loc[v]
        mo = self.memop(v)
        if mo is None:
            raise SystemExit('value %s is nowhere' % v.name)
        r = self.getreg(t, keep)
        self.out.append(('load', v, r, mo))
        self.reg[r] = v
        self.loc[v] = r
        return r

    def release(self, vs, t):
        for v in vs:
            if self.next_use(v, t) is None:
                if v in self.loc:
                    self.reg[self.loc[v]] = None
                    del self.loc[v]
                if v in self.slot:
                    # Reusable only after this instruction has read it.
                    self.pending.append(self.slot.pop(v))

    def operand(self, v, t, keep):
        if v in self.loc or self.memop(v) is None:
            return ('reg', self.inreg(v, t, keep))
        return self.memop(v)

    def dst(self, v, t):
        r = self.getreg(t, set())
        self.reg[r] = v
        self.loc[v] = r
        return r

    def run(self, stream):
        for t, s in enumerate(stream):
            if s[0] == 'op':
                for a in s[1].args:
                    a.uses.append(t)
            elif s[0] == 'store':
                s[2].uses.append(t)
            elif s[0] == 'liveout':
                for v in s[1]:
                    v.uses.append(t)
        for t, s in enumerate(stream):
            if s[0] == 'note':
                self.out.append(('note', s[1]))
                continue
            if s[0] == 'store':
                _, key, v = s
                r = self.inreg(v, t, {v})
                self.out.append(('store', key, r, v))
                self.release([v], t)
                self.free_slots += self.pending
                self.pending = []
                continue
            if s[0] == 'liveout':
                for v in s[2]:  # branch masks must be in registers
                    self.inreg(v, t, set(s[2]))
                continue
            v = s[1]
            op, args = v.op, list(v.args)
            keep = set(args)
            if op in ('add', 'sub', 'mul', 'div', 'and', 'or', 'cmp'):
                a, b = args
                if op in COMMUT and a not in self.loc and (b in self.loc or self.memop(a) is not None and a.home is not None and a.home[0] == 'k'):
                    a, b = b, a
                ra = self.inreg(a, t, keep)
                bo = self.operand(b, t, keep)
                self.release(set(args), t)
                self.out.append(('bin', v, op, ra, bo, self.dst(v, t), a, b))
            elif op == 'sqrt':
                ao = self.operand(args[0], t, keep)
                self.release(set(args), t)
                self.out.append(('sqrt', v, ao, self.dst(v, t), args[0]))
            elif op == 'blend':
                m, tv, fv = args
                rm = self.inreg(m, t, keep)
                rf = self.inreg(fv, t, keep)
                to = self.operand(tv, t, keep)
                self.release(set(args), t)
                self.out.append(('blend', v, rm, to, rf, self.dst(v, t), m, tv, fv))
            else:
                raise SystemExit(op)
            if not v.uses:
                raise SystemExit('unused value ' + v.name)
            self.free_slots += self.pending
            self.pending = []


def stream_of(p, tail=None):
    stream = []
    notes = list(p.notes)
    outs = {id(v): k for k, v in p.outs}
    stored = set()
    for i, v in enumerate(p.vals):
        while notes and notes[0][0] == i:
            stream.append(('note', notes.pop(0)[1]))
        stream.append(('op', v))
        for k, w in p.outs:
            if w is v and k not in stored:
                stream.append(('store', k, w))
                stored.add(k)
    for k, w in p.outs:  # outputs that are leaves or came early
        if k not in stored:
            stream.append(('store', k, w))
    if tail:
        stream.append(tail)
    return stream


def render(emitted, fixed):
    out = []

    def arrop(key):
        if key in fixed:
            return [], '(%s)(AX*1)' % fixed[key]
        return ['\tMOVQ\t%d(DI), R14' % PTR[key]], '(R14)(AX*1)'

    def opnd(o):
        if o[0] == 'reg':
            return [], 'Y%d' % o[1]
        if o[0] == 'arr':
            return arrop(o[1])
        return [], o[1]

    for e in emitted:
        k = e[0]
        if k == 'note':
            out.append('')
            out.append('\t// ' + e[1])
        elif k == 'spill':
            out.append('\tVMOVAPD\tY%d, %s\t// spill %s' % (e[2], e[3], e[1].name))
        elif k == 'load':
            v, r, mo = e[1], e[2], e[3]
            pre, m = opnd(mo)
            out += pre
            ins = 'VMOVUPD' if mo[0] == 'arr' else 'VMOVAPD'
            out.append('\t%s\t%s, Y%d\t// %s' % (ins, m, r, v.name))
        elif k == 'store':
            key, r, v = e[1], e[2], e[3]
            pre, m = arrop(key)
            out += pre
            out.append('\tVMOVUPD\tY%d, %s\t// %s = %s' % (r, m, key, v.name))
        elif k == 'bin':
            v, op, ra, bo, rd, a, b = e[1:]
            pre, bs = opnd(bo)
            out += pre
            if op == 'cmp':
                out.append('\tVCMPPD\t$0x%02x, %s, Y%d, Y%d\t// %s = %s %s %s' % (PRED[v.extra], bs, ra, rd, v.name, a.name, PNAME[v.extra], b.name))
            else:
                out.append('\t%s\t%s, Y%d, Y%d\t// %s = %s %s %s' % (INS[op], bs, ra, rd, v.name, a.name, SYM[op], b.name))
        elif k == 'sqrt':
            v, ao, rd, a = e[1:]
            pre, s = opnd(ao)
            out += pre
            out.append('\tVSQRTPD\t%s, Y%d\t// %s = sqrt(%s)' % (s, rd, v.name, a.name))
        elif k == 'blend':
            v, rm, to, rf, rd, m, tv, fv = e[1:]
            pre, s = opnd(to)
            out += pre
            out.append('\tVBLENDVPD\tY%d, %s, Y%d, Y%d\t// %s = %s ? %s : %s' % (rm, s, rf, rd, v.name, m.name, tv.name, fv.name))
    return out


VARIANTS = [('mixed', 'general'),
            ('all', 'M'), ('all', 'L'), ('all', 'R'),
            ('none', 'M'), ('none', 'L'), ('none', 'R')]


def label(mode):
    return 'sfx_%s_%s' % mode


def build():
    """Parses the prefix and every suffix variant, drops dead values and
    allocates registers: the prefix, then each suffix from the prefix's
    final registers (prefix slots stay). Returns (pre, sfx, branch, pa,
    allocs); check_hlld.py emulates exactly this."""
    pre = Prog()
    pre.parse(PREFIX)
    sfx = []
    for mode in VARIANTS:
        s = Prog(mode, pre)
        s.parse(SUFFIX)
        s.dce([v for _, v in s.outs])
        sfx.append(s)
    # Prefix values the suffixes read, and the masks the dispatch tests.
    branch = [pre.env[n] for n in ('anyg', 'rot', 'm2', 'm12')]
    live = {}
    for s in sfx:
        for lv in s.pleaves.values():
            if any(lv in w.args for w in s.vals) or any(lv is w for _, w in s.outs):
                live[id(lv.pv)] = lv.pv
    for v in branch:
        live[id(v)] = v
    liveout = list(live.values())
    pre.dce(liveout)
    pa = Alloc(0)
    pa.run(stream_of(pre, ('liveout', liveout, branch)))
    allocs = []
    for s in sfx:
        a = Alloc(pa.nslots)
        used = [lv for lv in s.pleaves.values()
                if any(lv in w.args for w in s.vals) or any(lv is w for _, w in s.outs)]
        for lv in used:
            pv = lv.pv
            if pv in pa.loc:
                r = pa.loc[pv]
                a.reg[r] = lv
                a.loc[lv] = r
            mo = pa.memop(pv)
            if mo is not None:
                lv.home = mo if mo[0] == 'mem' else ('arr', mo[1])
            elif pv not in pa.loc:
                raise SystemExit('prefix value %s lost' % pv.name)
        a.run(stream_of(s))
        allocs.append(a)
    return pre, sfx, branch, pa, allocs


def main():
    pre, sfx, branch, pa, allocs = build()
    bodies = [(s.mode, a.out) for s, a in zip(sfx, allocs)]
    maxs = max(a.nslots for a in allocs)
    # Fixed pointer registers for the most referenced arrays, over all code.
    cnt = {}
    for em in [pa.out] + [b[1] for b in bodies]:
        for e in em:
            key = None
            if e[0] == 'load' and e[3][0] == 'arr':
                key = e[3][1]
            elif e[0] == 'store':
                key = e[1]
            elif e[0] == 'bin' and e[4][0] == 'arr':
                key = e[4][1]
            elif e[0] == 'sqrt' and e[2][0] == 'arr':
                key = e[2][1]
            elif e[0] == 'blend' and e[3][0] == 'arr':
                key = e[3][1]
            if key:
                cnt[key] = cnt.get(key, 0) + 1
    regs = ['BX', 'DX', 'SI', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13']
    top = sorted(cnt, key=lambda k: (-cnt[k], k))[:len(regs)]
    fixed = dict(zip(top, regs))
    frame = 32 * (len(KNAMES) + pa.nslots + maxs) + 32
    emit(pa, branch, bodies, fixed, frame)


def emit(pa, branch, bodies, fixed, frame):
    w = sys.stdout.write
    w('//go:build amd64 && !purego && !goexperiment.simd\n\n')
    w('#include "textflag.h"\n\n')
    w('// func hlldAVX2(a *hlldArgs, n int)\n//\n')
    w('// hlldGo on faces [0, n), n >= 4, four faces per iteration (the last\n')
    w('// four again if n is not a multiple of 4; f must not overlap the inputs).\n')
    w('// Every operation is hlldGo\'s IEEE operation in its order (VMULPD,\n')
    w('// VADDPD, VDIVPD, VSQRTPD; no FMA), and each of its branches is a compare\n')
    w('// (ordered, so NaN compares false as in Go) and VBLENDVPD, so the bits are\n')
    w('// hlldGo\'s. A prefix computes the wave speeds and the masks of hlldGo\'s\n')
    w('// branches; one of seven suffixes then computes the fluxes: the general one\n')
    w('// with every blend, or, when the four faces agree on the degenerate-state,\n')
    w('// supersonic and rotation guards, one that leaves out the blends (and the\n')
    w('// values) that no face of the group selects.\n//\n')
    w('// Straight-line code laid out by a register-allocating generator from\n')
    w('// hlldGo\'s expressions; each instruction\'s comment gives the expression it\n')
    w('// computes (a name in parentheses is a partial result of that variable).\n')
    w('// Registers: DI the arguments, AX the byte offset of the current faces, CX\n')
    w('// the end, R15 a 32-byte aligned frame base holding the broadcast constants\n')
    w('// then the spill slots, R14 scratch; the other GPRs hold the most used\n')
    w('// pencil pointers.\n')
    w('TEXT ·hlldAVX2(SB), 0, $%d-16\n' % frame)
    w('\tMOVQ\ta+0(FP), DI\n')
    w('\tMOVQ\tn+8(FP), CX\n')
    w('\tSHLQ\t$3, CX\n')
    w('\tLEAQ\t31(SP), R15\n')
    w('\tANDQ\t$-32, R15\n\n')
    w('\t// Broadcast the constants (hlldArgs.k) into the frame.\n')
    for i, k in enumerate(KNAMES):
        w('\tVBROADCASTSD\t%d(DI), Y0\n' % (KOFF + 8 * i))
        w('\tVMOVAPD\tY0, %d(R15)\t// %s\n' % (32 * i, k))
    w('\n\t// Pencil pointers kept in registers.\n')
    for key, r in sorted(fixed.items(), key=lambda x: PTR[x[0]]):
        w('\tMOVQ\t%d(DI), %s\t// %s\n' % (PTR[key], r, key))
    w('\tXORQ\tAX, AX\n\n')
    w('loop:\n')
    for l in render(pa.out, fixed):
        w(l + '\n')
    r = {v.name: pa.loc[v] for v in branch}
    w('\n\t// Dispatch: the general suffix unless no face of the group is\n')
    w('\t// degenerate or supersonic and rot is the same on all four; then by\n')
    w('\t// side: all F*L/F**L (m2 on all), all F*R/F**R (m1, m2 on none), or mixed.\n')
    w('\tVMOVMSKPD\tY%d, R14\t// anyg\n' % r['anyg'])
    w('\tTESTQ\tR14, R14\n')
    w('\tJNE\t%s\n' % label(VARIANTS[0]))
    w('\tVMOVMSKPD\tY%d, R14\t// rot\n' % r['rot'])
    w('\tCMPQ\tR14, $15\n')
    w('\tJEQ\trotall\n')
    w('\tTESTQ\tR14, R14\n')
    w('\tJNE\t%s\n' % label(VARIANTS[0]))
    for rot in ('none', 'all'):
        if rot == 'all':
            w('\nrotall:\n')
        w('\tVMOVMSKPD\tY%d, R14\t// m2\n' % r['m2'])
        w('\tCMPQ\tR14, $15\n')
        w('\tJEQ\t%s\n' % label((rot, 'L')))
        w('\tVMOVMSKPD\tY%d, R14\t// m12\n' % r['m12'])
        w('\tTESTQ\tR14, R14\n')
        w('\tJEQ\t%s\n' % label((rot, 'R')))
        w('\tJMP\t%s\n' % label((rot, 'M')))
    for i, (mode, em) in enumerate(bodies):
        w('\n%s:\n' % label(mode))
        w('\t// Fluxes: rot %s, side %s.\n' % mode)
        for l in render(em, fixed):
            w(l + '\n')
        w('\tJMP\tnext\n')
    w('\n\t// Next group; a last partial group is redone as the final four\n')
    w('\t// faces, which rewrites some outputs with the same bits.\n')
    w('next:\n')
    w('\tADDQ\t$32, AX\n')
    w('\tCMPQ\tAX, CX\n')
    w('\tJGE\tdone\n')
    w('\tLEAQ\t32(AX), R14\n')
    w('\tCMPQ\tR14, CX\n')
    w('\tJLE\tloop\n')
    w('\tLEAQ\t-32(CX), AX\n')
    w('\tJMP\tloop\n')
    w('\ndone:\n')
    w('\tVZEROUPPER\n\tRET\n')


if __name__ == '__main__':
    main()
