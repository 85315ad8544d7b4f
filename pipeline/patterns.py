"""Rules live in ``patterns/*.yaml`` as data; this module loads them once and turns word
lists into regex alternations (eyecite-style: regexes built from tables)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import regex
import yaml

PATTERNS_DIR = Path(os.environ.get("CHIDAO_PATTERNS", Path(__file__).resolve().parent.parent / "patterns"))


@lru_cache(maxsize=None)
def load(name: str) -> Any:
    """Load ``patterns/<name>.yaml`` (cached)."""
    path = PATTERNS_DIR / f"{name}.yaml"
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def alternation(words: Iterable[str], flexible_space: bool = True) -> str:
    """A non-capturing alternation, longest first, spaces matching any run of blanks."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        esc = regex.escape(w)
        if flexible_space:
            esc = esc.replace(r"\ ", r"\s+")
        parts.append(esc)
    return "(?:" + "|".join(parts) + ")"


@lru_cache(maxsize=None)
def compiled(pattern: str, flags: int = regex.V1) -> "regex.Pattern[str]":
    return regex.compile(pattern, flags)
