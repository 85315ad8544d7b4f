"""The spaCy side: a tokenizer that splits punctuation off Vietnamese syllables, and every
stage (segment, each extractor, link) registered as a component with one job.

Results ride on ``doc._.chidao`` (the Document being filled) and ``doc.spans[field]``
(spaCy Spans, for displaCy and Matcher-based work).
"""
from __future__ import annotations

from functools import lru_cache

import regex
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import extractors
from . import link, segment

# a token and the single space after it, or a run of other whitespace (its own token)
_PIECE = regex.compile(r"(\d+(?:[.,/:-]\d+)*|[\p{L}\p{M}\p{N}_]+|\S)( ?)|(\s+)")

for _name in ("chidao", "seg", "norm"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class SyllableTokenizer:
    """Whitespace syllables, with punctuation split off; numbers like 16.211 or 25/10/2017
    stay one token."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for tok, space, blank in _PIECE.findall(text):
            words.append(blank or tok)
            spaces.append(space == " ")
        return Doc(self.vocab, words=words, spaces=spaces)

    def to_disk(self, path, **kw):  # spaCy serialisation protocol; nothing to save
        pass

    def from_disk(self, path, **kw):
        return self


@spacy.registry.tokenizers("chidao.syllables")
def create_tokenizer():
    return lambda nlp: SyllableTokenizer(nlp.vocab)


@Language.component("chidao_segmenter")
def segmenter(doc: Doc) -> Doc:
    norm = doc._.norm
    doc._.seg = segment.segment(doc.text, norm.match_text if norm is not None else None)
    return doc


def _make_extractor(name: str):
    def component(doc: Doc) -> Doc:
        result = extractors.apply(name, doc._.seg, doc._.chidao)
        field = extractors.FIELDS[name]
        if field is not None:
            spans = (doc.char_span(i.start, i.end, alignment_mode="expand") for i in result)
            doc.spans[field] = [s for s in spans if s is not None]
        return doc

    return component


for _ex in extractors.ORDER:
    Language.component(f"chidao_{_ex}", func=_make_extractor(_ex))


@Language.component("chidao_linker")
def linker(doc: Doc) -> Doc:
    link.link(doc._.seg, doc._.chidao)
    return doc


PIPE_NAMES = ("chidao_segmenter", *(f"chidao_{n}" for n in extractors.ORDER), "chidao_linker")


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The spaCy pipeline: every stage a component, results on ``doc._.chidao`` and
    ``doc.spans``; use :func:`annotate` to run it on a text."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "chidao.syllables"}}})
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


def annotate(text: str, doc_id: str = "-") -> Doc:
    """A spaCy Doc for ``text`` with every extraction as ``doc.spans[field]`` (for displaCy,
    Matcher work and training); ``doc._.chidao`` holds the Document."""
    from . import new_document
    from .normalise import normalise

    norm = normalise(text)
    nlp = get_nlp()
    sdoc = nlp.make_doc(norm.text)
    sdoc._.chidao = new_document(text, norm, doc_id)
    sdoc._.norm = norm
    for _name, proc in nlp.pipeline:
        sdoc = proc(sdoc)
    return sdoc
