"""`vsh sync` against a loopback fake of the GOV.UK Content API serving small documents written here.

The index is real (the packaged embedding model); the documents are a few paragraphs each, so every sync
embeds a handful of passages."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from index import GuidanceIndex
from settings import REPO_ROOT, Settings
from sync import ManifestError, SyncError, load_manifest, sync_sources
from sync.client import GovukClient
from sync.govuk import parse_item
from sync.run import SyncReport
from tests.fake_govuk import FakeGovuk, Fault, fake_govuk, make_pdf
from tests.fakes import count_embedding

EXTENSION = "/government/publications/vsh-role-extension-test"
EXTENSION_HTML = EXTENSION + "/promoting-the-education-of-children-with-a-social-worker"
LAC = "/government/publications/promoting-education-lac-test"
LAC_PDF = "/media/5a82/promoting-the-education-of-looked-after-children.pdf"
PP_VSH = "/guidance/pupil-premium-vsh-test"

MANIFEST = f"""
[[govuk]]
path = "{EXTENSION}"
doc_id = "vsh-extension"
status = "non-statutory"
audience = ["virtual school heads", "social workers"]
short_title = "VSH role extension"
attachments = ["Promoting the education of children with a social worker*"]

[[govuk]]
path = "{LAC}"
doc_id = "promoting-lac"
status = "statutory"
audience = ["local authorities"]
formats = ["pdf"]

[[govuk]]
path = "{PP_VSH}"
doc_id = "pp-vsh"
status = "non-statutory"
"""

EXTENSION_V1 = """<h2 id="introduction">1. Introduction</h2>
<p>1. This guidance is for local authorities and virtual school heads in England.</p>
<p>2. It explains how the virtual school head promotes the education of children with a social worker.</p>
<h2 id="the-strategic-role">2. The strategic role</h2>
<h3 id="leadership">Leadership</h3>
<p>3. The virtual school head should:</p>
<ul><li>make visible the disadvantages that children with a social worker experience<sup id="fnref:1" role="doc-noteref"><a href="#fn:1" class="footnote" rel="footnote">[footnote 1]</a></sup></li>
<li>promote practice that supports their attendance and attainment</li></ul>
<p>4. Local authorities receive grant funding to carry out this strategic leadership role.</p>
<div class="footnotes" role="doc-endnotes"><ol><li id="fn:1" role="doc-endnote"><p>The children in need review
found persistent gaps in outcomes. <a href="#fnref:1" class="reversefootnote" role="doc-backlink">&#8617;</a></p></li></ol></div>
"""
EXTENSION_V2 = (
    EXTENSION_V1
    + """<h2 id="children-in-kinship-care-arrangements">3. Children in kinship care arrangements</h2>
<p>5. From September 2024 the role extends to children in kinship care arrangements, who may attend school
with the support of their kinship carers.</p>
"""
)
FIRST_NOTE = ("2021-06-16T09:30:00+01:00", "First published.")
KINSHIP_NOTE = ("2023-12-15T10:00:00+00:00", "Updated to include children in kinship care arrangements.")

LAC_V1 = [
    ["Promoting the education of looked-after children", "Statutory guidance for local authorities", "February 2018"],
    [
        "1. This guidance is for local authorities and the virtual school heads they appoint.",
        "2. The virtual school head must promote the educational achievement of looked-after children.",
        "3. Every looked-after child must have a personal education plan as part of the care plan.",
    ],
]
LAC_V2 = [*LAC_V1, ["4. Previously looked-after children are also entitled to advice from the virtual school head."]]
PP_BODY = """<h2 id="managing-the-grant">Managing the grant</h2>
<p>The virtual school head manages pupil premium plus for the children looked after by the authority.</p>
<h2 id="working-with-schools">Working with schools</h2>
<p>Virtual school heads should agree with designated teachers how the funding meets needs in the plan.</p>
"""


def publish_v1(fake: FakeGovuk) -> None:
    html = fake.html_publication(
        EXTENSION_HTML,
        title="Promoting the education of children with a social worker: virtual school head role extension",
        body=EXTENSION_V1,
        updated="2021-06-16T09:30:00+01:00",
    )
    fake.publish(
        EXTENSION,
        title="Virtual school head role extension to children with a social worker",
        updated="2021-06-16T09:30:00+01:00",
        attachments=[html],
        change_history=[FIRST_NOTE],
        document_type="guidance",
    )
    pdf = fake.asset(
        LAC_PDF,
        make_pdf(LAC_V1),
        title="Promoting the education of looked-after children",
        updated="2018-02-01T00:00:00+00:00",
    )
    fake.publish(
        LAC,
        title="Promoting the education of looked-after children and previously looked-after children",
        updated="2018-02-28T09:00:00+00:00",
        attachments=[pdf],
        change_history=[("2018-02-28T09:00:00+00:00", "First published.")],
    )
    fake.publish(
        PP_VSH,
        title="Pupil premium: virtual school heads' responsibilities",
        updated="2019-03-01T12:00:00+00:00",
        body=PP_BODY,
        schema="detailed_guide",
        document_type="detailed_guide",
    )


def publish_extension_v2(fake: FakeGovuk) -> None:
    html = fake.html_publication(
        EXTENSION_HTML,
        title="Promoting the education of children with a social worker and children in kinship care "
        "arrangements: virtual school head role extension",
        body=EXTENSION_V2,
        updated="2023-12-15T10:00:00+00:00",
    )
    fake.publish(
        EXTENSION,
        title="Virtual school head role extension to children with a social worker",
        first_published="2021-06-16T09:30:00+01:00",
        updated="2023-12-15T10:00:00+00:00",
        attachments=[html],
        change_history=[KINSHIP_NOTE, FIRST_NOTE],
        document_type="guidance",
    )


def publish_lac_v2(fake: FakeGovuk) -> None:
    pdf = fake.asset(
        LAC_PDF,
        make_pdf(LAC_V2),
        title="Promoting the education of looked-after children",
        updated="2024-09-02T00:00:00+00:00",
    )
    fake.publish(
        LAC,
        title="Promoting the education of looked-after children and previously looked-after children",
        first_published="2018-02-28T09:00:00+00:00",
        updated="2024-09-02T09:00:00+00:00",
        attachments=[pdf],
        change_history=[
            ("2024-09-02T09:00:00+00:00", "Added paragraph 4."),
            ("2018-02-28T09:00:00+00:00", "First published."),
        ],
    )


@pytest.fixture()
def fake() -> Iterator[FakeGovuk]:
    with fake_govuk() as server:
        yield server


@pytest.fixture()
def settings(tmp_path: Path, fake: FakeGovuk) -> Settings:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    return Settings(
        data_dir=tmp_path / "data",
        govuk_base_url=fake.base_url,
        sources_manifest=manifest,
        sync_retries=2,
        sync_backoff_s=0.01,
        sync_max_retry_wait_s=30,
    )


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run_sync(settings: Settings, sleeps: Sleeps | None = None, **kwargs: object) -> SyncReport:
    client = GovukClient(
        timeout_s=10,
        retries=settings.sync_retries,
        backoff_s=settings.sync_backoff_s,
        max_retry_wait_s=settings.sync_max_retry_wait_s,
        sleep=sleeps if sleeps is not None else Sleeps(),
    )
    with client:
        report = sync_sources(settings, client=client, **kwargs)  # type: ignore[arg-type]
    assert report.requests == client.requests
    return report


def current_version(settings: Settings) -> str:
    return (settings.data_dir / "index" / "CURRENT").read_text().strip()


def test_first_sync_unchanged_run_and_update_with_change_note(
    fake: FakeGovuk, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsh.cli import app

    publish_v1(fake)
    monkeypatch.setattr("sync.cli.get_settings", lambda: settings)
    monkeypatch.setattr("index.cli.get_settings", lambda: settings)
    runner = CliRunner()

    # dry run: lists what would be added, fetches only the items, writes nothing
    dry = runner.invoke(app, ["sync", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.output)
    assert [e["action"] for e in planned["entries"]] == ["added", "added", "added"]
    assert planned["requests"] == 3 and not (settings.data_dir / "index").exists()

    # first sync, through the real CLI
    first = runner.invoke(app, ["sync", "--quiet"])
    assert first.exit_code == 0, first.output
    assert "3 added" in first.output
    index = GuidanceIndex.open(settings)
    ids = {doc.doc_id for doc in index.documents()}
    assert ids == {"vsh-extension", "vsh-extension-changes", "promoting-lac", "promoting-lac-changes", "pp-vsh"}

    # the HTML publication: citable passages by heading and numbered paragraph, anchors to GOV.UK headings
    doc = next(d for d in index.documents() if d.doc_id == "vsh-extension")
    assert doc.format == "html" and doc.status == "non-statutory" and doc.short_title == "VSH role extension"
    assert doc.source_url == fake.base_url + EXTENSION_HTML
    assert doc.published_label == "16 June 2021" and doc.audience == ["virtual school heads", "social workers"]
    assert [(v.updated.isoformat(), v.note) for v in doc.versions] == [("2021-06-16", "First published.")]
    assert doc.last_checked is not None and not doc.withdrawn
    by_para = {p.paragraphs[0]: p for p in index.passages("vsh-extension") if p.paragraphs}
    assert by_para["3"].section_path == ["2. The strategic role", "Leadership"]
    assert by_para["3"].section_anchor == "leadership"
    assert "• make visible the disadvantages that children with a social worker experience" in by_para["3"].text
    assert "[footnote 1]" not in by_para["3"].text
    assert doc.source_link(by_para["3"].section_anchor) == fake.base_url + EXTENSION_HTML + "#leadership"
    notes = [p for p in index.passages("vsh-extension") if p.text.startswith("Footnote 1 ")]
    assert notes and "persistent gaps" in notes[0].text and not notes[0].paragraphs
    # the PDF attachment and the page without attachments
    lac = next(d for d in index.documents() if d.doc_id == "promoting-lac")
    assert lac.format == "pdf" and lac.status == "statutory" and lac.source_url == fake.base_url + LAC
    assert lac.published_label == "28 February 2018"
    assert any("2" in p.paragraphs for p in index.passages("promoting-lac"))
    assert [p.section_anchor for p in index.passages("pp-vsh")] == ["managing-the-grant", "working-with-schools"]

    # unchanged: one conditional request per item, nothing parsed or embedded
    fake.clear()
    calls = count_embedding(monkeypatch)
    again = run_sync(settings)
    assert [e.action for e in again.entries] == ["unchanged"] * 3
    assert again.requests == 3 and len(fake.requests) == 3
    assert all("if-none-match" in r.headers and r.status == 304 for r in fake.requests)
    assert calls == [] and again.ingest is None

    # an update with a change note: the HTML publication changes, only its new text is embedded
    publish_extension_v2(fake)
    fake.clear()
    updated = run_sync(settings)
    assert [e.action for e in updated.entries] == ["updated", "unchanged", "unchanged"]
    assert [v.note for v in updated.entries[0].new_notes] == [KINSHIP_NOTE[1]]
    assert updated.requests == 4  # the changed item, its HTML publication, one each for the others
    assert updated.ingest is not None and 0 < updated.ingest.embedded_passages < updated.ingest.reused_passages
    index = GuidanceIndex.open(settings)
    doc = next(d for d in index.documents() if d.doc_id == "vsh-extension")
    assert doc.published_label == "16 June 2021, updated 15 December 2023"
    assert doc.published is not None and doc.published.isoformat() == "2023-12-15"
    assert [v.note for v in doc.versions] == [KINSHIP_NOTE[1], FIRST_NOTE[1]]
    assert doc.versions[0].url == fake.base_url + EXTENSION_HTML
    assert any("kinship care arrangements" in p.text for p in index.passages("vsh-extension"))

    # "what changed" finds the dated change note as its own passage
    hits = index.search("What changed in the virtual school head role extension guidance?", k=5)
    change = next(h for h in hits if h.doc.doc_id == "vsh-extension-changes" and KINSHIP_NOTE[1] in h.passage.text)
    assert "15 December 2023" in change.passage.text
    assert change.doc.status == "announcement" and change.passage.section_path[-1] == "15 December 2023"

    # vsh docs shows the version and the last check
    listing = runner.invoke(app, ["docs", "--json"])
    rows = {row["doc_id"]: row for row in json.loads(listing.output)}
    assert rows["vsh-extension"]["published_label"] == "16 June 2021, updated 15 December 2023"
    assert rows["vsh-extension"]["last_checked"] and len(rows["vsh-extension"]["versions"]) == 2
    monkeypatch.setattr("index.cli.console", Console(width=250))
    table = runner.invoke(app, ["docs"])
    assert "updated 15 December 2023 (2 versions)" in table.output and "UTC" in table.output


def test_errors_keep_the_index_and_withdrawn_documents_are_kept_marked(fake: FakeGovuk, settings: Settings) -> None:
    publish_v1(fake)
    assert run_sync(settings).ok
    good = current_version(settings)
    lac_sha = {d.doc_id: d.sha256 for d in GuidanceIndex.open(settings).documents()}["promoting-lac"]

    # 429 with Retry-After: waits what GOV.UK asks, then succeeds
    fake.fault("/api/content" + PP_VSH, Fault(status=429, headers={"Retry-After": "7"}))
    sleeps = Sleeps()
    report = run_sync(settings, sleeps)
    assert report.ok and 7.0 in sleeps and report.requests == 4

    # 429 asking for longer than the limit, and a 500 that persists: those entries fail, nothing is lost
    fake.fault("/api/content" + PP_VSH, Fault(status=429, headers={"Retry-After": "3600"}))
    fake.fault("/api/content" + EXTENSION, *[Fault(status=500)] * 3)
    report = run_sync(settings)
    actions = {e.doc_id: e for e in report.entries}
    assert actions["pp-vsh"].action == "failed" and "rate limited" in actions["pp-vsh"].error
    assert actions["vsh-extension"].action == "failed" and "HTTP 500" in actions["vsh-extension"].error
    assert actions["promoting-lac"].action == "unchanged" and not report.ok
    assert {d.doc_id for d in GuidanceIndex.open(settings).documents()} >= {"vsh-extension", "pp-vsh"}

    # a new PDF version whose download is truncated on every attempt: the previous version stays indexed
    publish_lac_v2(fake)
    fake.fault(LAC_PDF, *[Fault(truncate=400)] * 3)
    report = run_sync(settings)
    lac = next(e for e in report.entries if e.doc_id == "promoting-lac")
    assert lac.action == "failed" and "truncated" in lac.error
    held = {d.doc_id: d for d in GuidanceIndex.open(settings).documents()}
    assert held["promoting-lac"].sha256 == lac_sha and held["promoting-lac"].published_label == "28 February 2018"
    assert not list((settings.data_dir / "sync" / "incoming").glob("*"))

    # truncated once, then whole: the retry gets the new version
    fake.fault(LAC_PDF, Fault(truncate=400))
    report = run_sync(settings)
    assert next(e for e in report.entries if e.doc_id == "promoting-lac").action == "updated"
    held = {d.doc_id: d for d in GuidanceIndex.open(settings).documents()}
    assert held["promoting-lac"].sha256 != lac_sha
    assert held["promoting-lac"].published_label == "28 February 2018, updated 2 September 2024"

    # network down: every entry fails, the index is untouched
    before = current_version(settings)
    down = settings.model_copy(update={"govuk_base_url": "http://127.0.0.1:9"})
    report = run_sync(down)
    assert {e.action for e in report.entries} == {"failed"} and current_version(settings) == before
    assert before != good  # (the syncs above did write new versions)

    # withdrawn with a notice, and unpublished (410): both kept, marked withdrawn
    fake.publish(
        EXTENSION,
        title="Virtual school head role extension to children with a social worker",
        updated="2025-03-03T10:00:00+00:00",
        first_published="2021-06-16T09:30:00+01:00",
        attachments=[
            {
                "attachment_type": "html",
                "id": "x",
                "title": "Promoting the education of children with a social worker",
                "url": fake.base_url + EXTENSION_HTML,
            }
        ],
        change_history=[FIRST_NOTE],
        withdrawn=("2025-03-03T10:00:00+00:00", "Replaced by new guidance."),
    )
    fake.remove(PP_VSH, 410)
    report = run_sync(settings)
    actions = {e.doc_id: e.action for e in report.entries}
    assert actions == {"vsh-extension": "withdrawn", "promoting-lac": "unchanged", "pp-vsh": "withdrawn"}
    held = {d.doc_id: d for d in GuidanceIndex.open(settings).documents()}
    assert held["vsh-extension"].withdrawn and "Replaced by new guidance" in held["vsh-extension"].withdrawn_note
    assert "withdrawn" in held["vsh-extension"].published_label
    assert held["pp-vsh"].withdrawn and "HTTP 410" in held["pp-vsh"].withdrawn_note
    assert GuidanceIndex.open(settings).passages("pp-vsh")
    again = run_sync(settings)
    assert {e.action for e in again.entries} == {"unchanged"}


def test_kill_in_the_middle_leaves_the_previous_index(fake: FakeGovuk, settings: Settings) -> None:
    publish_v1(fake)
    assert run_sync(settings).ok
    good = current_version(settings)
    state = (settings.data_dir / "sync" / "state.json").read_bytes()
    publish_extension_v2(fake)
    publish_lac_v2(fake)
    fake.fault(LAC_PDF, Fault(hang=True))  # the second entry's download never finishes
    env = {
        **os.environ,
        "VSH_DATA_DIR": str(settings.data_dir),
        "VSH_GOVUK_BASE_URL": fake.base_url,
        "VSH_SOURCES_MANIFEST": str(settings.sources_manifest),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "vsh", "sync", "--quiet"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert fake.hanging.wait(120), process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert current_version(settings) == good
    assert (settings.data_dir / "sync" / "state.json").read_bytes() == state
    index = GuidanceIndex.open(settings)
    assert not any("kinship care arrangements" in p.text for p in index.passages("vsh-extension"))
    fake.release.set()
    report = run_sync(settings)
    assert report.ok and [e.action for e in report.entries] == ["updated", "updated", "unchanged"]
    index = GuidanceIndex.open(settings)
    assert any("kinship care arrangements" in p.text for p in index.passages("vsh-extension"))


def test_shipped_manifest_names_the_vsh_guidance_set() -> None:
    manifest = load_manifest()
    by_id = {source.doc_id: source for source in manifest.govuk}
    assert by_id["promoting-education-lac"].status == "statutory"
    assert by_id["vsh-role-extension"].status == "non-statutory"
    assert by_id["vsh-role-extension"].path.endswith(
        "virtual-school-head-role-extension-to-children-with-a-social-worker"
    )
    assert {
        "designated-teacher",
        "kcsie",
        "working-together",
        "children-missing-education",
        "exclusion",
        "care-leavers-transition",
        "health-lac",
        "kinship-care-strategy",
        "pupil-premium-conditions",
        "pupil-premium-vsh",
    } <= set(by_id)
    assert all(source.path.startswith(("/government/", "/guidance/")) and source.audience for source in manifest.govuk)


def test_local_sources_in_the_manifest_get_status_and_audience(tmp_path: Path, fake: FakeGovuk) -> None:
    policy = tmp_path / "policies" / "school-moves.md"
    policy.parent.mkdir()
    policy.write_text(
        "# School moves\n\n## Planning\n\n1. The virtual school is told before a move.\n", encoding="utf-8"
    )
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        '[[local]]\npath = "policies"\nstatus = "local"\naudience = ["our schools"]\n', encoding="utf-8"
    )
    settings = Settings(data_dir=tmp_path / "data", govuk_base_url=fake.base_url, sources_manifest=manifest)
    report = run_sync(settings)
    assert report.ok and report.requests == 0 and report.ingest is not None
    (doc,) = GuidanceIndex.open(settings).documents()
    assert doc.status == "local" and doc.audience == ["our schools"] and doc.title == "School moves"
    assert run_sync(settings).ingest is not None and not fake.requests
    with (settings.data_dir / "sync" / ".lock").open("w") as held:  # another sync running
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(SyncError, match="another `vsh sync` is running"):
            run_sync(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[govuk]]\npath = "/x"\ndoc_id = "Bad Id"\nstatus = "statutory"\n', "doc_id"),
        ('[[govuk]]\npath = "x?y"\ndoc_id = "x"\nstatus = "statutory"\n', "GOV.UK path"),
        ('[[govuk]]\npath = "/x"\ndoc_id = "x"\nstatus = "law"\n', "status"),
        (
            '[[govuk]]\npath = "/x"\ndoc_id = "x"\nstatus = "statutory"\n[[govuk]]\npath = "/y"\ndoc_id = "x"\nstatus = "statutory"\n',
            "twice",
        ),
        ("[[source]]\nmatch = '*.pdf'\n", "unknown table"),
        ("[[govuk]\n", "cannot read"),
    ],
)
def test_a_bad_manifest_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    from vsh.cli import app

    path = tmp_path / "manifest.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=message) as caught:
        load_manifest(path)
    assert str(path) in str(caught.value)
    result = CliRunner().invoke(app, ["sync", "--manifest", str(path), "--dry-run"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_older_items_list_attachments_only_in_documents() -> None:
    item = parse_item(
        {
            "base_path": "/government/publications/old",
            "title": "Old publication",
            "public_updated_at": "2015-03-01T00:00:00Z",
            "details": {
                "documents": [
                    '<section class="attachment"><h3><a href="/government/publications/old/old-guidance">Old guidance'
                    "</a></h3></section>",
                    '<section><a href="https://assets.publishing.service.gov.uk/media/1/old.pdf">Old guidance (PDF)</a></section>',
                ],
                "change_history": [{"public_timestamp": "2015-03-01T00:00:00Z", "note": "First published."}],
            },
        },
        "https://www.gov.uk",
    )
    assert [(a.kind, a.title, a.url) for a in item.attachments] == [
        ("html", "Old guidance", "https://www.gov.uk/government/publications/old/old-guidance"),
        ("pdf", "Old guidance (PDF)", "https://assets.publishing.service.gov.uk/media/1/old.pdf"),
    ]
    assert item.version_date is not None and item.version_date.isoformat() == "2015-03-01"
    assert [v.note for v in item.change_history] == ["First published."] and not item.withdrawn
