"""Document.to_dict is what workers serialise: it must equal dataclasses.asdict exactly."""
from dataclasses import asdict

from pipeline.model import Assignment, Document, Signer, plain


def test_to_dict_equals_asdict_on_the_seeds(seed_docs):
    for doc in seed_docs.values():
        assert doc.to_dict() == asdict(doc)
        assert list(doc.to_dict()) == list(asdict(doc))  # same key order, same JSON


def test_to_dict_copies_lists_and_nested_classes():
    doc = Document(doc_id="d", text="x", signer=Signer(name="A"), recipients=["UBND"],
                   assignments=[Assignment(0, 1, "x", unit="UBND", cooperating=["Sở Y tế"])])
    d = doc.to_dict()
    assert d["signer"] == {"name": "A", "position": None}
    assert d["assignments"][0]["cooperating"] == ["Sở Y tế"]
    d["recipients"].append("HĐND")
    d["assignments"][0]["cooperating"].clear()
    assert doc.recipients == ["UBND"] and doc.assignments[0].cooperating == ["Sở Y tế"]


def test_plain_keeps_atoms_tuples_and_dicts():
    assert plain((1, [2.5, None], {"a": True})) == (1, [2.5, None], {"a": True})
    assert type(plain((1, 2))) is tuple
