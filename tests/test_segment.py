from pipeline.normalise import normalise
from pipeline.segment import segment

PLAN = """KẾ HOẠCH

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

Triển khai thực hiện có hiệu quả Kết luận số 111-KL/TU của Tỉnh ủy.

II. NỘI DUNG

1.2. Mục tiêu đến năm 2025

- (1) 100% trạm y tế xã có cơ sở vật chất.
- (2) Nhân lực chuyên môn y tế có trình độ đại học trở lên đạt trên 30%.

III. TỔ CHỨC THỰC HIỆN

3. Trung tâm Y tế:

- Tham mưu UBND huyện ban hành Kế hoạch, thời gian xong trước ngày 16/01/2023.

Nơi nhận:

- Thường trực Tỉnh ủy (B/c),
"""


def _block(seg, startswith):
    for i, b in enumerate(seg.blocks):
        if seg.text[b.body_start:b.end].startswith(startswith):
            return i, b
    raise AssertionError(startswith)


def test_items_inherit_heading_and_section():
    seg = segment(PLAN)
    i, item = _block(seg, "Nhân lực chuyên môn")
    assert item.label == "- (2)" and item.section == "muc_tieu"
    heads = [seg.block_text(b) for b in seg.ancestors(i)]
    assert heads[0] == "Mục tiêu đến năm 2025"


def test_unit_heading_with_colon_is_parent_of_dashed_items():
    seg = segment(PLAN)
    i, item = _block(seg, "Tham mưu UBND huyện")
    assert seg.block_text(next(seg.ancestors(i))) == "Trung tâm Y tế:"
    assert item.section == "to_chuc_thuc_hien"


def test_recipients_section():
    seg = segment(PLAN)
    _, item = _block(seg, "Thường trực Tỉnh ủy")
    assert item.section == "noi_nhan"


def test_sentences_cover_blocks_with_exact_offsets():
    text = "Ngày 16/12/2022, UBND huyện tổ chức Hội nghị. TP. Hồ Chí Minh có 3 quận. Hết./."
    seg = segment(text)
    sents = [text[s.start:s.end] for s in seg.sentences]
    assert sents == ["Ngày 16/12/2022, UBND huyện tổ chức Hội nghị.", "TP. Hồ Chí Minh có 3 quận.", "Hết./."]
    assert seg.sentence_at(text.index("quận")).start == text.index("TP.")


def test_segment_on_seed_plan_finds_named_sections(seed_docs):
    doc = seed_docs["001_6e3d7479b8752292"]
    seg = segment(doc.text, normalise(doc.text).match_text)
    names = {b.section for b in seg.blocks}
    assert {"muc_dich_yeu_cau", "muc_tieu", "nhiem_vu_giai_phap", "to_chuc_thuc_hien", "noi_nhan"} <= names


def test_sentence_split_equals_lookbehind_form():
    """The split regex led by the end mark finds the same breaks as the lookbehind form it
    replaced (which the engine cannot skip ahead on), in ranges that start like a block
    does: on a non-blank character."""
    import regex

    from pipeline import segment as S

    old = regex.compile(r"(?<=[.!?…;])\s+(?=[\p{Lu}\d\"“(\-–])|(?<=\./\.)\s+")
    texts = [PLAN, "Ông A. Nguyễn nói. Sau đó ./.  hết; 2 việc… (tiếp) - và \"trích\"  “dẫn”. kết thúc.",
             "TP. Hà Nội. Đ/c. Nam ...   Xong!  Rồi? tiếp theo."]
    for text in texts:
        inner = next(i for i in range(3, len(text)) if not text[i].isspace())
        for b_start, b_end in ((0, len(text)), (inner, len(text) - 2)):
            new = [(m.start(1), m.end()) for m in S._SENT_SPLIT.finditer(text, b_start, b_end)]
            assert new == [m.span() for m in old.finditer(text, b_start, b_end)]
