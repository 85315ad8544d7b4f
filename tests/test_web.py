"""`chidao serve`: pages over the seed index, bad inputs, and a real headless Chromium run."""
from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from pipeline.store.index import build_index, update_index
from pipeline.web.app import create_app
from search_fixtures import CORPUS, SEED_NEWS, SEED_NOTICE, SEED_PLAN, seed_docs, write_out

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = write_out(tmp_path_factory.mktemp("web") / "out", seed_docs())
    conflict = {"kind": "deadline_before_issue", "doc_id": SEED_NOTICE,
                "explanation": "hạn 16/01/2023 sớm hơn ngày họp"}
    (out / "conflicts.jsonl").write_text(json.dumps(conflict, ensure_ascii=False) + "\n", encoding="utf-8")
    build_index(out)
    return out


@pytest.fixture(scope="module")
def client(out):
    return TestClient(create_app(out), raise_server_exceptions=False)


def _values(html: str) -> list[str]:
    return re.findall(r'<td class="value">([^<]*)</td>', html)


def test_search_page_lists_targets_with_facets(client):
    r = client.get("/", params={"q": "suy dinh duong", "kind": "target"})
    assert r.status_code == 200
    assert sorted(_values(r.text)) == sorted(["&lt; 15% (2025)", "≤ 20% (2025)", "18,48% (2022)", "24,38% (2022)"])
    for facet in ("year", "doc_type", "status"):
        assert f'data-facet="{facet}"' in r.text
    assert '<mark class="hit">dưỡng</mark>' in r.text


def test_facet_link_narrows_results(client):
    r = client.get("/", params={"q": "suy dinh duong", "kind": "target"})
    link = re.search(r'<a href="(/\?[^"]*year=2025[^"]*)">2025</a>', r.text).group(1)
    narrowed = client.get(link.replace("&amp;", "&"))
    assert sorted(_values(narrowed.text)) == ["&lt; 15% (2025)", "≤ 20% (2025)"]


def test_results_link_to_the_item_in_the_document(client):
    r = client.get("/", params={"q": "suy dinh duong", "year": "2025"})
    anchors = re.findall(r'href="/doc/' + SEED_PLAN + r'#(targets-\d+-\d+)"', r.text)
    assert len(anchors) == 2
    doc = client.get(f"/doc/{SEED_PLAN}")
    assert doc.status_code == 200
    for a in anchors:
        assert f'id="{a}"' in doc.text


def test_document_view_highlights_every_kind(client):
    r = client.get(f"/doc/{SEED_NOTICE}")
    assert r.status_code == 200
    for kind in ("targets", "assignments", "deadlines"):
        assert f'<mark class="k-{kind}"' in r.text
    assert re.search(r'<mark class="k-deadlines"[^>]*>xong trước ngày 16/01/2023</mark>', r.text)
    assert "<svg" in r.text  # the document's deadlines chart
    assert "deadline_before_issue" in r.text  # the check's conflicts for this document


def test_deadlines_timeline(client):
    r = client.get("/deadlines")
    assert r.status_code == 200 and "<svg" in r.text
    assert r.text.count('class="dot"') == 3
    assert "2023-01-16" in r.text and "2023-02-15" in r.text
    r = client.get("/deadlines", params={"unit": "trung tam y te"})
    assert r.text.count('class="dot"') == 2


def test_citation_view(client):
    r = client.get("/cites", params={"id": "20 - nq/tw"})
    assert r.status_code == 200
    assert "2 documents cite" in r.text
    r = client.get("/cites", params={"id": "111-KL/TU"})
    assert "implements" in r.text  # the plan carries the id in its title
    top = client.get("/cites")
    assert "20-NQ/TW" in top.text and "25-CT/TW" in top.text


def test_unknown_document_is_404_page(client):
    r = client.get("/doc/khong-co")
    assert r.status_code == 404 and "No document" in r.text


BAD_PARAMS = [
    {"q": '"'}, {"q": '"suy dinh'}, {"q": "NEAR(suy dinh)"}, {"q": "suy AND OR NOT"}, {"q": "*"},
    {"q": "'; DROP TABLE documents; --"}, {"q": "x" * 50_000}, {"q": "suy " * 3000}, {"q": "\x00"},
    {"q": "<script>alert(1)</script>"}, {"q": "y te", "year": "abc"}, {"q": "y te", "year": "99999999999999999999"},
    {"q": "y te", "limit": "-5"}, {"q": "y te", "limit": "1e9"}, {"q": "y te", "kind": "'; --"},
    {"q": "y te", "status": "done"}, {"q": "y te", "kind": "task", "status": "result"},
    {"q": "y te", "from": "hôm qua"}, {"q": "y te", "to": "31/13/2023x"}, {"directive": "///"},
    {"directive": "'; DROP TABLE x"}, {"unit": "%"}, {"issuer": "_"}, {"q": "🙂" * 100},
]


@pytest.mark.parametrize("params", BAD_PARAMS)
def test_bad_search_input_gets_a_message_not_an_error(client, params):
    r = client.get("/", params=params)
    assert r.status_code in (200, 400)
    assert "Traceback" not in r.text and "sqlite3" not in r.text
    assert "<script>alert" not in r.text


@pytest.mark.parametrize("path", ["/doc/%00", "/doc/" + quote("'; DROP TABLE documents; --"), "/doc/../../etc/passwd",
                                  "/deadlines?year=zz", "/deadlines?unit=%27", "/cites?id=" + "9" * 5000,
                                  "/cites?id=%22", "/static/../app.py", "/nowhere"])
def test_bad_paths_never_500(client, path):
    r = client.get(path)
    assert r.status_code < 500 and "Traceback" not in r.text


def test_db_is_opened_read_only(out, client):
    before = (out / "index.sqlite").stat().st_mtime_ns
    client.get("/", params={"q": "suy dinh duong"})
    client.get(f"/doc/{SEED_NEWS}")
    assert (out / "index.sqlite").stat().st_mtime_ns == before


def test_serve_needs_an_index(tmp_path):
    with pytest.raises(FileNotFoundError, match="chidao run"):
        create_app(tmp_path)


# --- real browser ----------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """uvicorn in a thread over an index built by running the pipeline on the five seeds."""
    import uvicorn

    import pipeline

    out = tmp_path_factory.mktemp("live") / "out"
    out.mkdir()
    docs = [pipeline.extract_file(p).to_dict() for p in sorted(CORPUS.glob("*.txt"))]
    update_index(out / "index.sqlite", docs)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(out), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.browser
def test_browser_search_and_document_view(live_server):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make test` does: "
                    "apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(live_server + "/")
            page.fill("input[name=q]", "suy dinh duong")
            page.press("input[name=q]", "Enter")
            page.wait_for_selector("p.summary")
            rows = page.locator("#results tbody tr")
            values = [v.strip() for v in page.locator("#results td.value").all_inner_texts()]
            assert any(v.startswith("< 15%") and "2025" in v for v in values), values
            assert any("20%" in v and "2025" in v for v in values), values
            assert rows.count() >= 2
            assert page.locator("#results mark.hit").count() > 0

            page.locator("#results td a", has_text=SEED_PLAN).first.click()
            page.wait_for_selector("#doctext")
            assert page.locator("#doctext mark.k-targets").count() >= 2
            assert page.locator("#doctext mark").count() > 0
            assert page.locator("#doctext mark.k-targets", has_text="15%").count() >= 1
            assert page.url.split("#")[1].startswith("targets-")
        finally:
            browser.close()


def test_serve_command_explains_a_missing_index(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    result = CliRunner().invoke(app, ["serve", str(tmp_path)])
    assert result.exit_code == 2 and "chidao run" in result.output


def test_reported_results_are_labelled_in_the_results_table(client):
    r = client.get("/", params={"q": "suy dinh duong", "kind": "target"})
    rows = re.findall(r'<tr class="hit k-target">\s*<td>(.*?)</td>.*?<td class="value">([^<]*)</td>', r.text, re.S)
    labelled = {value: "(result)" in kind for kind, value in rows}
    assert labelled == {"&lt; 15% (2025)": False, "≤ 20% (2025)": False,
                        "18,48% (2022)": True, "24,38% (2022)": True}
