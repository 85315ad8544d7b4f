"""text[start:end] == item.text for every item of every extractor, on real documents."""
import pytest

import pipeline
from pipeline.model import ITEM_FIELDS

from conftest import bench_sample


def _bad_items(doc):
    for field in ITEM_FIELDS:
        for item in getattr(doc, field):
            if doc.text[item.start:item.end] != item.text or not item.text:
                yield field, item


def test_offsets_hold_on_seeds(seed_docs):
    for doc_id, doc in seed_docs.items():
        assert doc.chars == len(doc.text)
        assert list(_bad_items(doc)) == [], doc_id


def test_every_item_names_its_rule(seed_docs):
    for doc in seed_docs.values():
        for field in ITEM_FIELDS:
            for item in getattr(doc, field):
                assert item.rule, (field, item)


@pytest.mark.slow
def test_offsets_hold_on_bench_sample():
    for rec in bench_sample(250):
        doc = pipeline.extract(rec["text"], doc_id=rec["id"])
        assert list(_bad_items(doc)) == [], rec["id"]
