"""Independent reference implementation of the loyalsim model (SPEC section 3).

Written from /work/shared/SPEC.md section 3 alone (plus the conventions of
docs/MODEL.md section 8 where SPEC is open), in plain Python + numpy, without
reading the engine's sources. It is deliberately literal: one Bernoulli trial
per rep per month for departures, one per attached customer per month for
churn, one per customer unattached since before the month for acquisition.

Its own random numbers (numpy Generator); it is compared with the engine in
distribution only (tests/reference/test_against_reference.py).
"""
import math
import tomllib

import numpy as np

# Defaults as printed by `loyalsim params` (the test checks this table against it).
MARKET_DEFAULTS = dict(customers=10000, months=120, burn_in_months=24,
                       substitutability=0.5, acquisition_rate=0.02,
                       initial_attached_share=0.8, rep_skill_sd=0.3)
FIRM_DEFAULTS = dict(reps=10, brand_strength=0.5, service_touchpoints=0.5,
                     relationship_transfer=0.1, handoff_quality=0.5,
                     non_solicit=0.0, rep_turnover_annual=0.2,
                     to_competitor=0.5, vacancy_months=3)
SEGMENT_DEFAULTS = dict(share=1.0, brand_weight=1.0, rep_weight=1.0,
                        service_weight=1.0, switching_cost=1.0,
                        outside_utility=0.0, decision_noise=0.5,
                        brand_growth=0.05, service_growth=0.05, rep_growth=0.1,
                        brand_decay=0.02, rep_decay=0.03, churn_annual=0.1,
                        monthly_value=1000.0, initial_brand_loyalty=0.2,
                        initial_rep_loyalty=0.1)
DEPARTURE_DEFAULTS = dict(month=1, count=1, which="largest_book", to="industry")


class Scenario:
    def __init__(self, text, overrides=None):
        doc = tomllib.loads(text)
        self.seed = doc.get("seed", 1)
        self.market = dict(MARKET_DEFAULTS)
        self.market.update(doc.get("market", {}))
        self.firms = []
        for t in doc.get("firms", []):
            d = dict(FIRM_DEFAULTS)
            d.update(t)
            self.firms.append(d)
        self.segments = []
        for t in doc.get("segments", []):
            d = dict(SEGMENT_DEFAULTS)
            d.update(t)
            self.segments.append(d)
        self.departures = []
        for t in doc.get("departures", []):
            d = dict(DEPARTURE_DEFAULTS)
            d.update(t)
            self.departures.append(d)
        for path, value in (overrides or {}).items():
            head, rest = path.split(".", 1)
            if head == "market":
                self.market[rest] = value
            else:
                name, key = rest.split(".", 1)
                table = self.firms if head == "firms" else self.segments
                next(d for d in table if d["name"] == name)[key] = value

    @classmethod
    def load(cls, path, overrides=None):
        with open(path, "rb") as fh:
            return cls(fh.read().decode(), overrides)


def _arr(dicts, key):
    return np.array([float(d[key]) for d in dicts])


def simulate(sc, rng):
    """One run. Returns a dict of numpy arrays shaped like the engine's output
    for one run: timeseries (month, firm, segment) / (month, firm)."""
    mk = sc.market
    F, S = len(sc.firms), len(sc.segments)
    N = int(mk["customers"])
    months, burn = int(mk["months"]), int(mk["burn_in_months"])
    subst = float(mk["substitutability"])
    acq_rate = float(mk["acquisition_rate"])
    sd = float(mk["rep_skill_sd"])
    firm_index = {d["name"]: i for i, d in enumerate(sc.firms)}

    target = [int(d["reps"]) for d in sc.firms]
    bs = _arr(sc.firms, "brand_strength")
    st = _arr(sc.firms, "service_touchpoints")
    kappa = _arr(sc.firms, "relationship_transfer")
    h = _arr(sc.firms, "handoff_quality")
    nsol = _arr(sc.firms, "non_solicit")
    m_leave = 1.0 - (1.0 - _arr(sc.firms, "rep_turnover_annual")) ** (1.0 / 12.0)
    to_comp = _arr(sc.firms, "to_competitor")
    vac_months = [int(d["vacancy_months"]) for d in sc.firms]

    share = _arr(sc.segments, "share")
    wb = _arr(sc.segments, "brand_weight")
    wr = _arr(sc.segments, "rep_weight")
    ws = _arr(sc.segments, "service_weight")
    cost = _arr(sc.segments, "switching_cost")
    u0 = _arr(sc.segments, "outside_utility")
    theta = _arr(sc.segments, "decision_noise")
    gb = _arr(sc.segments, "brand_growth")
    gs = _arr(sc.segments, "service_growth")
    gr = _arr(sc.segments, "rep_growth")
    db = _arr(sc.segments, "brand_decay")
    dr = _arr(sc.segments, "rep_decay")
    churn_base = 1.0 - (1.0 - _arr(sc.segments, "churn_annual")) ** (1.0 / 12.0)
    B0 = _arr(sc.segments, "initial_brand_loyalty")
    R0 = _arr(sc.segments, "initial_rep_loyalty")
    wsum = wb + wr

    if sd > 0:
        s2 = math.log(1.0 + sd * sd)
        ln_mu, ln_sigma = -0.5 * s2, math.sqrt(s2)

    def draw_skill():
        return 1.0 if sd == 0 else float(rng.lognormal(ln_mu, ln_sigma))

    # ---- reps: slots -------------------------------------------------------
    slot_firm = []    # firm of an active rep, -1 for a free / departed slot
    slot_skill = []
    free_slots = []   # reusable slots (lowest first)

    def new_slot(f, skill):
        if free_slots:
            free_slots.sort()
            s = free_slots.pop(0)
            slot_firm[s] = f
            slot_skill[s] = skill
        else:
            s = len(slot_firm)
            slot_firm.append(f)
            slot_skill.append(skill)
        return s

    for f in range(F):
        for _ in range(target[f]):
            new_slot(f, draw_skill())
    vacancies = [[] for _ in range(F)]   # open steps, oldest first

    def active_of(f):
        return [s for s, g in enumerate(slot_firm) if g == f]

    def active_count(f):
        return sum(1 for g in slot_firm if g == f)

    def leave(s, t):
        f = slot_firm[s]
        slot_firm[s] = -1
        if active_count(f) + len(vacancies[f]) < target[f]:
            vacancies[f].append(t)
        return f

    def join(s, g):
        if vacancies[g]:
            vacancies[g].pop(0)   # oldest vacancy
        slot_firm[s] = g

    # ---- customers ---------------------------------------------------------
    seg = rng.choice(S, size=N, p=share / share.sum())
    firm = np.full(N, -1, dtype=np.int64)
    rep = np.full(N, -1, dtype=np.int64)
    B = np.zeros(N)
    R = np.zeros(N)
    unatt_step = np.full(N, -1, dtype=np.int64)  # step at which it became unattached
    n_slots0 = len(slot_firm)
    if n_slots0 > 0:
        att = rng.random(N) < float(mk["initial_attached_share"])
        na = int(att.sum())
        r = rng.integers(0, n_slots0, size=na)
        rep[att] = r
        firm[att] = np.array(slot_firm)[r]
        B[att] = B0[seg[att]]
        R[att] = R0[seg[att]]

    shp = (months, F, S)
    out = {k: np.zeros(shp, dtype=np.int64) for k in
           ("customers", "orphaned", "stayed", "followed", "defected",
            "followers_gained", "churned", "acquired")}
    out["brand_loyalty_mean"] = np.full(shp, np.nan)
    out["rep_loyalty_mean"] = np.full(shp, np.nan)
    for k in ("reps_active", "rep_departures", "rep_departures_to_competitor"):
        out[k] = np.zeros((months, F), dtype=np.int64)

    def add(counter, fidx, sidx):
        if len(fidx):
            np.add.at(counter, (fidx, sidx), 1)

    for t in range(burn + months):
        m = t - burn + 1
        rec = m >= 1
        mi = m - 1
        c_orph = np.zeros((F, S), dtype=np.int64)
        c_stay = np.zeros_like(c_orph)
        c_fol = np.zeros_like(c_orph)
        c_def = np.zeros_like(c_orph)
        c_gain = np.zeros_like(c_orph)
        c_churn = np.zeros_like(c_orph)
        c_acq = np.zeros_like(c_orph)
        c_dep = np.zeros(F, dtype=np.int64)
        c_dep_comp = np.zeros(F, dtype=np.int64)

        # ---- step 1: rep departures --------------------------------------
        nsl = len(slot_firm)
        book = np.bincount(rep[rep >= 0], minlength=nsl) if nsl else np.zeros(0, int)
        moved = set()
        leavers = {}   # slot -> [from_firm, dest_firm or -1, barred]
        for dep in sc.departures:
            if int(dep["month"]) != m:
                continue
            f = firm_index[dep["firm"]]
            cands = [s for s in active_of(f) if s not in moved]
            cnt = min(int(dep["count"]), len(cands))
            if dep["which"] == "largest_book":
                cands.sort(key=lambda s: (-book[s], s))
                chosen = cands[:cnt]
            else:
                chosen = [cands[i] for i in rng.choice(len(cands), size=cnt, replace=False)] if cnt else []
            for s in chosen:
                leave(s, t)
                moved.add(s)
                barred = rng.random() < nsol[f]
                if dep["to"] == "industry":
                    dest = -1
                else:
                    dest = firm_index[dep["to"]]
                    join(s, dest)
                    c_dep_comp[f] += 1
                leavers[s] = [f, dest, barred]
                c_dep[f] += 1
        random_leavers = []
        for s in range(len(slot_firm)):
            f = slot_firm[s]
            if f < 0 or s in moved:
                continue
            if rng.random() < m_leave[f]:
                random_leavers.append((s, f))
        for s, f in random_leavers:
            leave(s, t)
            moved.add(s)
            c_dep[f] += 1
        for s, f in random_leavers:   # rep-id order
            barred = rng.random() < nsol[f]
            dest = -1
            if rng.random() < to_comp[f] and F > 1:
                w = np.array([len(vacancies[g]) if g != f else 0 for g in range(F)], dtype=float)
                if w.sum() > 0:
                    dest = int(rng.choice(F, p=w / w.sum()))
                    join(s, dest)
                    c_dep_comp[f] += 1
            leavers[s] = [f, dest, barred]

        # ---- step 2: decisions --------------------------------------------
        if leavers:
            ls = np.array(sorted(leavers))
            idx = np.nonzero(np.isin(rep, ls) & (firm >= 0))[0]
            if len(idx):
                sg = seg[idx]
                fi = firm[idx]
                lv_dest = np.array([leavers[s][1] for s in rep[idx]])
                lv_from = np.array([leavers[s][0] for s in rep[idx]])
                assert np.all(lv_from == fi)
                lv_bar = np.array([leavers[s][2] for s in rep[idx]])
                can_follow = (lv_dest >= 0) & (lv_dest != fi) & ~lv_bar
                us = wb[sg] * B[idx] + ws[sg] * st[fi]
                uf = wr[sg] * R[idx] - cost[sg] * (1.0 - subst)
                ud = u0[sg]
                th = theta[sg]
                umax = np.maximum(np.maximum(us, ud), np.where(can_follow, uf, -np.inf))
                es = np.exp((us - umax) / th)
                ef = np.where(can_follow, np.exp((uf - umax) / th), 0.0)
                ed = np.exp((ud - umax) / th)
                tot = es + ef + ed
                u = rng.random(len(idx)) * tot
                stay = u < es
                follow = ~stay & (u < es + ef) & can_follow
                defect = ~stay & ~follow
                add(c_orph, fi, sg)
                add(c_stay, fi[stay], sg[stay])
                add(c_fol, fi[follow], sg[follow])
                add(c_def, fi[defect], sg[defect])
                add(c_gain, lv_dest[follow], sg[follow])
                # stay
                si = idx[stay]
                for f in range(F):
                    sel = si[firm[si] == f]
                    if not len(sel):
                        continue
                    act = active_of(f)
                    if act:
                        rep[sel] = np.array(act)[rng.integers(0, len(act), size=len(sel))]
                    else:
                        rep[sel] = -1
                    R[sel] = h[f] * R[sel]
                # follow
                fo = idx[follow]
                firm[fo] = lv_dest[follow]
                B[fo] = B0[seg[fo]]
                # defect
                de = idx[defect]
                firm[de] = -1
                rep[de] = -1
                B[de] = 0.0
                R[de] = 0.0
                unatt_step[de] = t

        # ---- step 3: hiring, then assignment of unserved ---------------------
        for f in range(F):
            while (vacancies[f] and vacancies[f][0] <= t - vac_months[f]
                   and active_count(f) < target[f]):
                vacancies[f].pop(0)
                new_slot(f, draw_skill())
        unserved = np.nonzero((firm >= 0) & (rep < 0))[0]
        if len(unserved):
            for f in range(F):
                sel = unserved[firm[unserved] == f]
                act = active_of(f)
                if len(sel) and act:
                    rep[sel] = np.array(act)[rng.integers(0, len(act), size=len(sel))]

        # ---- step 4: loyalty --------------------------------------------------
        att = np.nonzero(firm >= 0)[0]
        if len(att):
            sk = np.array(slot_skill + [0.0])
            r_idx = rep[att]
            k = np.where(r_idx >= 0, sk[r_idx], 0.0)
            sg = seg[att]
            fi = firm[att]
            Rold = R[att]
            Rn = Rold + np.minimum(1.0, gr[sg] * k) * (1.0 - Rold) - dr[sg] * Rold
            ab = np.minimum(1.0, gb[sg] * bs[fi] + gs[sg] * st[fi] + kappa[fi] * Rold)
            Bo = B[att]
            Bn = Bo + ab * (1.0 - Bo) - db[sg] * Bo
            R[att] = Rn
            B[att] = Bn

            # ---- step 5: churn ------------------------------------------------
            loy = np.where(wsum[sg] > 0,
                           (wb[sg] * Bn + wr[sg] * Rn) / np.where(wsum[sg] > 0, wsum[sg], 1.0), 0.0)
            p = churn_base[sg] * (1.0 - loy)
            ch = rng.random(len(att)) < p
            ci = att[ch]
            add(c_churn, firm[ci], seg[ci])
            firm[ci] = -1
            rep[ci] = -1
            B[ci] = 0.0
            R[ci] = 0.0
            unatt_step[ci] = t

        # ---- step 6: acquisition -------------------------------------------
        all_active = [s for s, g in enumerate(slot_firm) if g >= 0]
        if all_active and acq_rate > 0:
            elig = np.nonzero((firm < 0) & (unatt_step < t))[0]
            won = elig[rng.random(len(elig)) < acq_rate]
            if len(won):
                r = np.array(all_active)[rng.integers(0, len(all_active), size=len(won))]
                rep[won] = r
                firm[won] = np.array(slot_firm)[r]
                B[won] = B0[seg[won]]
                R[won] = R0[seg[won]]
                add(c_acq, firm[won], seg[won])

        # ---- step 7: record ---------------------------------------------------
        if rec:
            out["orphaned"][mi] = c_orph
            out["stayed"][mi] = c_stay
            out["followed"][mi] = c_fol
            out["defected"][mi] = c_def
            out["followers_gained"][mi] = c_gain
            out["churned"][mi] = c_churn
            out["acquired"][mi] = c_acq
            out["rep_departures"][mi] = c_dep
            out["rep_departures_to_competitor"][mi] = c_dep_comp
            a = firm >= 0
            cust = np.zeros((F, S), dtype=np.int64)
            add(cust, firm[a], seg[a])
            out["customers"][mi] = cust
            sb = np.zeros((F, S))
            sr = np.zeros((F, S))
            np.add.at(sb, (firm[a], seg[a]), B[a])
            np.add.at(sr, (firm[a], seg[a]), R[a])
            with np.errstate(invalid="ignore", divide="ignore"):
                out["brand_loyalty_mean"][mi] = np.where(cust > 0, sb / np.maximum(cust, 1), np.nan)
                out["rep_loyalty_mean"][mi] = np.where(cust > 0, sr / np.maximum(cust, 1), np.nan)
            out["reps_active"][mi] = [active_count(f) for f in range(F)]

        # end of month: slots of reps who left the industry become reusable
        for s, (f, dest, _) in leavers.items():
            if dest < 0:
                free_slots.append(s)

    out["summary"] = {k: out[k].sum(axis=0) for k in ("orphaned", "stayed", "followed", "defected")}
    return out
