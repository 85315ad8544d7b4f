"""bytes -> str. (to be filled: legacy encodings, docx/html, jsonl archives)"""
from __future__ import annotations

from pathlib import Path


def read_text(path: Path) -> str:
    data = Path(path).read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8")
