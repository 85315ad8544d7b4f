"""Score extractions against a gold file, exactly as SPEC.md "Gold format for evaluation" says.

Everything is micro-averaged over the documents of the gold file: a gold document missing
from the predictions counts as all misses, predicted documents absent from gold are ignored.
``score`` is pure (lists of dicts in, a dict out); ``main`` reads files and prints.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from .fold import fold_query

SIMILARITY = 0.8  # token-set similarity needed for two assignment units to match
DOC_FIELDS = ("doc_type", "number", "issue_date")
DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]")
# The three expansions SPEC.md fixes for scoring (extraction rules live in patterns/*.yaml):
# expanded before folding, so "UBND huyện" meets "Ủy ban nhân dân huyện".
EXPANSIONS = (
    (re.compile(r"\bUBND\b", re.I), "Ủy ban nhân dân"),
    (re.compile(r"\bHĐND\b", re.I), "Hội đồng nhân dân"),
    (re.compile(r"\bMTTQ\b", re.I), "Mặt trận Tổ quốc"),
)


# ---------------------------------------------------------------- canonical forms
def canon_id(value: Optional[str]) -> Optional[str]:
    """Reference ids compare without spaces, with one kind of dash, case-folded."""
    if not value:
        return None
    text = unicodedata.normalize("NFC", str(value))
    return DASHES.sub("-", re.sub(r"\s+", "", text)).casefold() or None


# lowercase, no Vietnamese tone and vowel marks, đ -> d: the search folding
strip_tones = fold_query


def fold_unit(unit: Optional[str]) -> str:
    """Folded form of a responsible body: abbreviations expanded, no marks, words only."""
    text = unicodedata.normalize("NFC", unit or "")
    for pattern, full in EXPANSIONS:
        text = pattern.sub(full, text)
    return " ".join(re.findall(r"\w+", strip_tones(text)))


def unit_similarity(a: str, b: str) -> float:
    """Token-set similarity of two folded units: Dice coefficient 2|A∩B| / (|A|+|B|)."""
    ta, tb = set(a.split()), set(b.split())
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    return 2 * len(ta & tb) / (len(ta) + len(tb))


def unit_class(unit: Optional[str]) -> str:
    """Class of a target's unit: marks, case and spaces folded; "%" and "%/năm" stay apart."""
    text = strip_tones(unit or "")
    text = re.sub(r"phan\s*tram", "%", text)
    return re.sub(r"\s+", "", text)


def _num(value: Any) -> Optional[float]:
    if value is None or value == "":
        return None
    return round(float(value), 6)


def _date(value: Any) -> Optional[str]:
    return str(value).strip() if value not in (None, "") else None


def is_goal(target: dict) -> bool:
    return (target.get("status") or "target") == "target"


# ---------------------------------------------------------------- counting
class Counts:
    """tp / fp / fn with the derived precision, recall and F1."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def as_dict(self) -> dict:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if not (self.tp + self.fp + self.fn):  # nothing to find and nothing found
            p = r = f1 = 1.0
        return {"p": p, "r": r, "f1": f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


class Accuracy:
    def __init__(self) -> None:
        self.correct = self.n = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.correct += bool(ok)

    def as_dict(self) -> dict:
        return {"accuracy": self.correct / self.n if self.n else None,
                "correct": self.correct, "n": self.n}


# ---------------------------------------------------------------- per-field matching
def match_sets(gold: Iterable, pred: Iterable) -> tuple[set, set, set]:
    """(matched, missed, spurious) of two sets, None dropped."""
    g = {x for x in gold if x is not None}
    p = {x for x in pred if x is not None}
    return g & p, g - p, p - g


def match_multisets(gold: list[tuple[Any, dict]], pred: list[tuple[Any, dict]],
                    prefer: Callable[[dict, dict], bool]):
    """One-to-one pairing of items with equal keys, preferring pairs where ``prefer`` holds.

    Returns (pairs, missed gold items, spurious pred items).
    """
    by_key: dict[Any, list[dict]] = defaultdict(list)
    for key, item in pred:
        by_key[key].append(item)
    pairs, missed = [], []
    pending = []
    for key, item in gold:
        pool = by_key.get(key, [])
        best = next((p for p in pool if prefer(item, p)), None)
        if best is not None:
            pool.remove(best)
            pairs.append((item, best))
        else:
            pending.append((key, item))
    for key, item in pending:
        pool = by_key.get(key, [])
        if pool:
            pairs.append((item, pool.pop(0)))
        else:
            missed.append(item)
    spurious = [item for pool in by_key.values() for item in pool]
    return pairs, missed, spurious


def match_units(gold: list, pred: list, key: Callable[[Any], str],
                same: Callable[[Any, Any], bool] = lambda a, b: True):
    """Greedy one-to-one matching by best unit similarity (>= SIMILARITY)."""
    cands = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if same(g, p):
                sim = unit_similarity(key(g), key(p))
                if sim >= SIMILARITY:
                    cands.append((-sim, i, j))
    cands.sort()
    used_g, used_p, pairs = set(), set(), []
    for _neg, i, j in cands:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((gold[i], pred[j]))
    missed = [g for i, g in enumerate(gold) if i not in used_g]
    spurious = [p for j, p in enumerate(pred) if j not in used_p]
    return pairs, missed, spurious


# ---------------------------------------------------------------- scoring one document
def _refs(doc: dict) -> dict[str, list[Optional[str]]]:
    out: dict[str, list[Optional[str]]] = defaultdict(list)
    for ref in doc.get("references") or []:
        cid = canon_id(ref.get("id"))
        if cid:
            out[cid].append(_date(ref.get("date")))
    return out


def _units(doc: dict) -> list[tuple[str, str]]:
    """Distinct (folded, as written) units of a document's assignments."""
    seen: dict[str, str] = {}
    for a in doc.get("assignments") or []:
        folded = fold_unit(a.get("unit"))
        if folded:
            seen.setdefault(folded, a.get("unit"))
    return list(seen.items())


def _unit_deadlines(doc: dict) -> list[tuple[str, Optional[str], str]]:
    seen: dict[tuple, str] = {}
    for a in doc.get("assignments") or []:
        folded = fold_unit(a.get("unit"))
        if folded:
            seen.setdefault((folded, _date(a.get("deadline"))), a.get("unit"))
    return [(u, d, raw) for (u, d), raw in seen.items()]


def _target_key(t: dict) -> tuple:
    return (_num(t.get("value")), _num(t.get("value_max")), unit_class(t.get("unit")))


def _show_target(t: dict) -> str:
    rng = f"{t.get('value')}-{t.get('value_max')}" if t.get("value_max") is not None else f"{t.get('value')}"
    return f"{t.get('comparator') or '='} {rng} {t.get('unit') or ''} ({t.get('year')}) {t.get('indicator') or ''}".strip()


def score_document(gold: dict, pred: Optional[dict], acc: dict, counts: dict) -> dict:
    """Add one document's matches to the running totals; return its misses and false positives."""
    absent = pred is None  # a missing document gets every field wrong, too
    pred = pred or {}
    detail: dict[str, dict[str, list]] = {}

    def note(field: str, missed: Iterable, spurious: Iterable) -> None:
        missed, spurious = sorted(map(str, missed)), sorted(map(str, spurious))
        if missed or spurious:
            detail[field] = {"fn": missed, "fp": spurious}

    # references + their dates
    g_refs, p_refs = _refs(gold), _refs(pred)
    hit, missed, spurious = match_sets(g_refs, p_refs)
    counts["references"].add(len(hit), len(spurious), len(missed))
    note("references", missed, spurious)
    wrong_dates = []
    for cid in sorted(hit):
        g_date = next((d for d in g_refs[cid] if d), None)
        if g_date:
            ok = g_date in {d for d in p_refs[cid] if d}
            acc["reference_date"].add(ok)
            if not ok:
                wrong_dates.append(f"{cid}: gold {g_date}, pred {[d for d in p_refs[cid] if d]}")
    if wrong_dates:
        detail["reference_dates"] = {"wrong": wrong_dates}

    # dates and deadlines: sets of values
    for field in ("dates", "deadlines"):
        hit, missed, spurious = match_sets((_date(x.get("value")) for x in gold.get(field) or []),
                                           (_date(x.get("value")) for x in pred.get(field) or []))
        counts[field].add(len(hit), len(spurious), len(missed))
        note(field, missed, spurious)

    # targets: multiset of (value, value_max, unit class), goals only
    g_t = [(_target_key(t), t) for t in gold.get("targets") or [] if is_goal(t)]
    p_t = [(_target_key(t), t) for t in pred.get("targets") or [] if is_goal(t)]
    same_attrs = lambda g, p: g.get("comparator") == p.get("comparator") and g.get("year") == p.get("year")
    pairs, missed, spurious = match_multisets(g_t, p_t, same_attrs)
    counts["targets"].add(len(pairs), len(spurious), len(missed))
    note("targets", map(_show_target, missed), map(_show_target, spurious))
    wrong = []
    for g, p in pairs:
        acc["target_comparator"].add(g.get("comparator") == p.get("comparator"))
        acc["target_year"].add(_num(g.get("year")) == _num(p.get("year")))
        if not same_attrs(g, p):
            wrong.append(f"{_show_target(g)}  <- pred {p.get('comparator')} year {p.get('year')}")
    if wrong:
        detail["target_attributes"] = {"wrong": wrong}

    # assignments: units, then unit+deadline pairs
    pairs, missed, spurious = match_units(_units(gold), _units(pred), key=lambda u: u[0])
    counts["assignments"].add(len(pairs), len(spurious), len(missed))
    note("assignments", (u[1] for u in missed), (u[1] for u in spurious))
    pairs, missed, spurious = match_units(_unit_deadlines(gold), _unit_deadlines(pred),
                                          key=lambda u: u[0], same=lambda g, p: g[1] == p[1])
    counts["assignment_deadlines"].add(len(pairs), len(spurious), len(missed))
    note("assignment_deadlines", (f"{u[2]} @ {u[1]}" for u in missed),
         (f"{u[2]} @ {u[1]}" for u in spurious))

    # document fields
    for field in DOC_FIELDS:
        g_val, p_val = gold.get(field), pred.get(field)
        if field == "number":
            g_val, p_val = canon_id(g_val), canon_id(p_val)
        ok = not absent and (g_val or None) == (p_val or None)
        acc[field].add(ok)
        if not ok:
            detail.setdefault("fields", {}).setdefault("wrong", []).append(
                f"{field}: gold {gold.get(field)!r}, pred {pred.get(field)!r}")
    return detail


ITEM_KEYS = ("references", "dates", "deadlines", "targets", "assignments", "assignment_deadlines")
ACC_KEYS = ("reference_date", "target_comparator", "target_year") + DOC_FIELDS


def score(gold_docs: list[dict], pred_docs: list[dict]) -> dict:
    """Micro P/R/F1 per field and the accuracies, over the documents of ``gold_docs``."""
    preds = {d.get("doc_id"): d for d in pred_docs}
    counts = {k: Counts() for k in ITEM_KEYS}
    acc = {k: Accuracy() for k in ACC_KEYS}
    details, missing = {}, []
    for gold in gold_docs:
        pred = preds.get(gold.get("doc_id"))
        if pred is None:
            missing.append(gold.get("doc_id"))
        detail = score_document(gold, pred, acc, counts)
        if detail:
            details[gold.get("doc_id")] = detail
    return {
        "documents": {"gold": len(gold_docs), "scored": len(gold_docs) - len(missing),
                      "missing": missing},
        **{k: c.as_dict() for k, c in counts.items()},
        "accuracy": {k: a.as_dict() for k, a in acc.items()},
        "details": details,
    }


# ---------------------------------------------------------------- files and printing
def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_predictions(path: Path) -> list[dict]:
    """PRED is a documents.jsonl file or an output folder holding one."""
    path = Path(path)
    if path.is_dir():
        path = path / "documents.jsonl"
    return read_jsonl(path)


def render(result: dict, details: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    docs = result["documents"]
    console.print(f"documents: {docs['gold']} in gold, {docs['scored']} scored"
                  + (f", missing: {', '.join(docs['missing'])}" if docs["missing"] else ""))
    table = Table(title="items (micro over gold documents)")
    for col in ("field", "P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(col, justify="left" if col == "field" else "right")
    for key in ITEM_KEYS:
        m = result[key]
        table.add_row(key, f"{m['p']:.3f}", f"{m['r']:.3f}", f"{m['f1']:.3f}",
                      str(m["tp"]), str(m["fp"]), str(m["fn"]))
    console.print(table)
    acc = Table(title="accuracies")
    for col in ("what", "accuracy", "correct", "n"):
        acc.add_column(col, justify="left" if col == "what" else "right")
    for key, a in result["accuracy"].items():
        shown = "-" if a["accuracy"] is None else f"{a['accuracy']:.3f}"
        acc.add_row(key, shown, str(a["correct"]), str(a["n"]))
    console.print(acc)
    if details:
        for doc_id, fields in result["details"].items():
            console.print(f"[bold]{doc_id}[/bold]")
            for field, kinds in fields.items():
                for kind, items in kinds.items():
                    for item in items:
                        console.print(f"  {field:<22} {kind:<5} {item}", markup=False, highlight=False, soft_wrap=True)


def main(gold: Path, pred: Optional[Path] = None, json_out: bool = False, details: bool = False,
         extract: bool = False, save: Optional[Path] = None,
         corpus_dir: Path = Path("corpus"), bench_dir: Path = Path("../shared/bench")) -> dict:
    """Score PRED (or, with ``extract``, a fresh run of the pipeline on the gold's texts)."""
    gold_docs = read_jsonl(gold)
    if extract:
        from .devset import extract_gold_docs

        pred_docs, errors = extract_gold_docs([d["doc_id"] for d in gold_docs], corpus_dir, bench_dir)
        for doc_id, message in errors.items():
            print(f"extraction failed for {doc_id}: {message}", file=sys.stderr)
        if save:
            with open(save, "w", encoding="utf-8") as fh:
                for d in pred_docs:
                    fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    elif pred is not None:
        pred_docs = read_predictions(pred)
    else:
        raise SystemExit("give PRED (documents.jsonl or an output folder) or --extract")
    result = score(gold_docs, pred_docs)
    if json_out:
        if not details:
            result = {k: v for k, v in result.items() if k != "details"}
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        render(result, details=details)
    return result
