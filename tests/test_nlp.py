from hypothesis import given, settings, strategies as st

from conftest import CORPUS
from pipeline.nlp import get_nlp, PIPE_NAMES


def test_tokenizer_splits_punctuation_and_keeps_numbers():
    doc = get_nlp().make_doc("Nghị quyết số 20-NQ/TW, ngày 25/10/2017 (đạt 95,2%).")
    words = [t.text for t in doc]
    assert "25/10/2017" in words and "95,2" in words
    assert words[:4] == ["Nghị", "quyết", "số", "20-NQ"] or "20" in words
    assert "," in words and "(" in words and "%" in words


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aăâđêôơư ÀỦỹ\n\t .,:;-/()%0123456789")), max_size=80))
def test_tokenizer_text_roundtrip(text):
    assert get_nlp().make_doc(text).text == text


def test_every_stage_is_a_spacy_component():
    assert tuple(get_nlp().pipe_names) == PIPE_NAMES


def test_spacy_pipeline_and_plain_extract_agree(seed_docs):
    from pipeline.nlp import annotate

    for doc_id, plain in seed_docs.items():
        text = (CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")
        sdoc = annotate(text, doc_id=doc_id)
        via_spacy = sdoc._.chidao.to_dict()
        expected = plain.to_dict()
        via_spacy["source"] = expected["source"]
        assert via_spacy == expected, doc_id
        # every extracted item is also a spaCy Span covering it
        for field in ("references", "dates", "targets"):
            items = getattr(sdoc._.chidao, field)
            assert len(sdoc.spans[field]) == len(items)
            for span, item in zip(sdoc.spans[field], items):
                assert span.start_char <= item.start and item.end <= span.end_char
