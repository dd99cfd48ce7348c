"""End to end: the HTML report opened in headless Chromium, as a screenshot and as an A4 PDF.

Needs the Debian package `chromium` (and `poppler-utils` for pdfinfo/pdftotext, optional).
Skipped when Chromium is missing on a developer's machine; under CI (CI set) it must run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import indicateurs
from indicateurs.render.html import render_html
from indicateurs.results import PlanResult
from indicateurs.sources import from_records

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
MOLENBEEK = REPO / "plans" / "molenbeek-2023.plan"
TIMEOUT = 180


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI: chromium is not installed (apt-get install -y chromium); the HTML report is untested"
            )
        pytest.skip(
            "chromium is not installed (Debian: apt-get install -y chromium); set CI=1 to make this fail"
        )
    return path


def run_chromium(chromium: str, tmp_path: Path, page: Path, *args: str) -> None:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pdf_pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", info, re.M)
        assert match, info
        return int(match[1])
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def page_texts(pdf: Path, pages: int) -> list[str] | None:
    """The text of each page (pdftotext), or None without poppler-utils."""
    if not shutil.which("pdftotext"):
        return None
    out = []
    for n in range(1, pages + 1):
        done = subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        out.append(done.stdout)
    return out


def molenbeek_mid_year() -> PlanResult:
    records = [
        {"type": "espace_ecoute", "date": "2023-01-10"},
        {"type": "prise_en_charge", "date": "2023-02-01", "personne": "P1", "forme": "individuelle"},
        {"type": "prise_en_charge", "date": "2023-03-15", "personne": "P2", "forme": "familiale"},
        {"type": "formation", "date": "2023-03-01", "participants": 4, "id": "F-1"},
        {"type": "formation", "date": "2023-04-01", "participants": 3, "id": "F-2"},
        {"type": "participation", "date": "2023-05-04", "catégorie": "colloque"},
        {"type": "concertation", "date": "2023-05-12", "instance": "csil"},
        {"type": "concertation", "date": "2023-05-12", "instance": "conseil"},
    ]
    return indicateurs.evaluate(MOLENBEEK, from_records(records, "activites.csv"), as_of=dt.date(2023, 6, 30))


@pytest.fixture(scope="module")
def molenbeek_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("report") / "rapport.html"
    page.write_text(render_html(molenbeek_mid_year()), encoding="utf-8")
    return page


def test_screenshot(chromium: str, molenbeek_page: Path, tmp_path: Path) -> None:
    png = tmp_path / "rapport.png"
    run_chromium(chromium, tmp_path, molenbeek_page, f"--screenshot={png}", "--window-size=1200,1600")
    data = png.read_bytes()
    assert png_size(data) == (1200, 1600)
    # A blank or unstyled page compresses to a few kilobytes; the report has text, badges, charts.
    assert len(data) > 60_000, len(data)


def test_pdf_is_a4_with_sectors_on_their_own_pages(
    chromium: str, molenbeek_page: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "rapport.pdf"
    run_chromium(chromium, tmp_path, molenbeek_page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes)
    pages = pdf_pages(pdf)
    assert 3 <= pages <= 12, pages
    texts = page_texts(pdf, pages)
    if texts is None:
        return
    starts = [next((line.strip() for line in t.splitlines() if line.strip()), "") for t in texts]
    assert starts[0].startswith("RAPPORT D'ÉVALUATION")
    # Sector 2 opens a page of its own; the page number is printed at the bottom right.
    assert any(s.startswith("SECTEUR D'ACTIVITÉ 2") for s in starts[1:]), starts
    assert re.search(rf"\b1 ?/ ?{pages}\s*$", texts[0].strip())
    everything = "\n".join(texts)
    assert "en cours" in everything and "atteint" in everything and "cible 10" in everything


def test_pdf_page_count_follows_the_sectors(chromium: str, tmp_path: Path) -> None:
    """Three small sectors: one page each, the header and sector 1 on the first."""
    plan = tmp_path / "trois.plan"
    lines = ["plan « Trois secteurs »", "commune « Essai »", "période 2023", "niveaux « secteur »"]
    lines += ["événement visite « Visite »"]
    for n in (1, 2, 3):
        lines += [
            f"secteur {n} « Secteur numéro {n} »",
            f"  indicateur i{n} « Visites {n} »",
            "    nombre(visite) >= 2",
        ]
    plan.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = indicateurs.evaluate(
        plan,
        [{"type": "visite", "date": "2023-02-01"}, {"type": "visite", "date": "2023-03-01"}],
        as_of=dt.date(2024, 1, 1),
    )
    page = tmp_path / "trois.html"
    page.write_text(render_html(result), encoding="utf-8")
    pdf = tmp_path / "trois.pdf"
    run_chromium(chromium, tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert pdf_pages(pdf) == 3
    texts = page_texts(pdf, 3)
    if texts is not None:
        for n, text in enumerate(texts, start=1):
            assert f"Secteur numéro {n}" in text
            assert re.search(rf"\b{n} ?/ ?3\s*$", text.strip())
