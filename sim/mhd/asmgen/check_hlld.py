import math, random, struct, sys
sys.argv = ['hlld.py']
import hlld as G

def bits(x):
    if isinstance(x, bool) or x is None: return x
    return struct.pack('<d', x)

def div(a, b):
    try: return a / b
    except ZeroDivisionError:
        if a != a or a == 0: return float('nan')
        s = math.copysign(1, a) * math.copysign(1, b)
        return s * float('inf')
def sqrt(a):
    if a != a or a < 0: return float('nan')
    return math.sqrt(a)
def mul(a, b):
    try: return a * b
    except: return float('nan')

OPS = {'add': lambda a, b: a + b, 'sub': lambda a, b: a - b, 'mul': mul, 'div': div}
def cmpf(p, a, b):
    return {'lt': a < b, 'le': a <= b, 'ge': a >= b, 'gt': a > b}[p]

def evalv(v, env):
    if id(v) in env: return env[id(v)]
    if v.op == 'leaf':
        if hasattr(v, 'pv'): r = evalv(v.pv, env)
        else:
            h = v.home
            if h[0] == 'arr': r = INP[h[1]]
            elif h[0] == 'k': r = KV[h[1]]
            else: raise Exception('leaf ' + v.name)
    else:
        a = [evalv(x, env) for x in v.args]
        if v.op in OPS: r = OPS[v.op](*a)
        elif v.op == 'sqrt': r = sqrt(a[0])
        elif v.op == 'and': r = abs(a[0])
        elif v.op == 'or': r = a[0] or a[1]
        elif v.op == 'cmp': r = cmpf(v.extra, a[0], a[1])
        elif v.op == 'blend': r = a[1] if a[0] else a[2]
    env[id(v)] = r
    return r

def kstr(i): return '%d(R15)' % (32 * i)

def emulate(em, R, M, env, tag):
    def read(o):
        if o[0] == 'reg': return R[o[1]]
        if o[0] == 'arr': return INP[o[1]]
        return M[o[1]]
    def chk(x, v, what):
        e = evalv(v, env)
        if bits(x) != bits(e):
            raise SystemExit('%s: %s: %s got %r want %r' % (tag, what, v.name, x, e))
    for i, e in enumerate(em):
        k = e[0]
        if k == 'note': continue
        if k == 'load':
            v, r, mo = e[1:]
            R[r] = read(mo); chk(R[r], v, 'load #%d' % i)
        elif k == 'spill':
            v, r, m = e[1:]
            chk(R[r], v, 'spill #%d' % i); M[m] = R[r]
        elif k == 'store':
            key, r, v = e[1:]
            chk(R[r], v, 'store #%d' % i)
        elif k == 'bin':
            v, op, ra, bo, rd, a, b = e[1:]
            x, y = R[ra], read(bo)
            chk(x, a, 'opA #%d' % i); chk(y, b, 'opB #%d' % i)
            if op in OPS: z = OPS[op](x, y)
            elif op == 'and': z = abs(x) if b.name == 'absmask' else abs(y)
            elif op == 'or': z = x or y
            elif op == 'cmp': z = cmpf(v.extra, x, y)
            R[rd] = z; chk(z, v, 'res #%d' % i)
        elif k == 'sqrt':
            v, ao, rd, a = e[1:]
            x = read(ao); chk(x, a, 'sqrtop #%d' % i); R[rd] = sqrt(x); chk(R[rd], v, 'sqrt #%d' % i)
        elif k == 'blend':
            v, rm, to, rf, rd, m, tv, fv = e[1:]
            mm, t, f = R[rm], read(to), R[rf]
            chk(mm, m, 'mask #%d' % i); chk(t, tv, 't #%d' % i); chk(f, fv, 'f #%d' % i)
            R[rd] = t if mm else f; chk(R[rd], v, 'blend #%d' % i)

# The generator's own prefix and suffix programs and their allocations.
pre, sfx, branch, pa, allocs = G.build()

rng = random.Random(1)
for trial in range(300):
    INP = {}
    for side in ('pl', 'pr'):
        INP[side + '0'] = 0.05 + 2 * rng.random()
        for m in (1, 2, 3): INP[side + str(m)] = 2 * rng.random() - 1
        INP[side + '4'] = 0.01 + 2 * rng.random()
        INP[side + '5'], INP[side + '6'] = 2 * rng.random() - 1, 2 * rng.random() - 1
    INP['bn'] = [0.0, 1e-9, 2 * rng.random() - 1][trial % 3]
    KV = {'gamma': 5 / 3, 'igm1': 1 / (5 / 3 - 1), 'absmask': None}
    for c in G.KNAMES:
        if not isinstance(c, str): KV[c] = c
    M0 = {kstr(i): KV[k] for i, k in enumerate(G.KNAMES)}
    env = {}
    R = [None] * 16; M = dict(M0)
    emulate(pa.out, R, M, env, 'prefix')
    for s, a in zip(sfx, allocs):
        emulate(a.out, list(R), dict(M), dict(env), 'suffix %s' % (s.mode,))
print('ok')
