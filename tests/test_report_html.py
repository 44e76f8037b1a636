"""The demo's ``report.html`` in real headless Chromium: it renders, with no console errors.

A harness page loads the report in an iframe and, once everything has
loaded, writes what it found (tables, images that decoded, headings) into
its own DOM, which ``chromium --dump-dom`` prints. Console messages come
from Chromium's log (``--enable-logging=stderr --v=1``: ``CONSOLE`` lines);
a control page with a ``console.error`` proves that they are caught. Under
``CI=true`` a missing Chromium fails the test (`.ci/run` installs it);
elsewhere it is skipped.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from facetcare.cli import cli

HARNESS = """<!DOCTYPE html><html><body>
<iframe id="r" src="report.html" width="1200" height="900"></iframe><pre id="result">pending</pre>
<script>
window.addEventListener("load", function () {
  var doc = document.getElementById("r").contentDocument;
  var images = Array.prototype.slice.call(doc.images);
  document.getElementById("result").textContent = JSON.stringify({
    tables: doc.querySelectorAll("table").length,
    images: images.length,
    decoded: images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length,
    headings: Array.prototype.map.call(doc.querySelectorAll("h2"),
                                       function (h) { return h.textContent; })
  });
});
</script></body></html>
"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (.ci/run installs the Debian package)")
        pytest.skip("chromium is not installed")
    return found


def _render(chromium: str, page: Path) -> tuple[str, list[str]]:
    """(the DOM after load, the console messages) of ``page``."""
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--allow-file-access-from-files", "--enable-logging=stderr", "--v=1",
         f"--user-data-dir={page.parent / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(cli, ["simulate", "-n", "120", "--replications", "2",
                                      "--compare", "medicare-l38803", "--report",
                                      str(folder / "report.html")])
    assert result.exit_code == 0, result.output
    return folder / "report.html"


def test_the_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text and "https://" not in text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == 2  # the comparison plot and the pathway diagram
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_report_renders_in_chromium_without_console_errors(report: Path) -> None:
    chromium = _chromium()
    harness = report.parent / "harness.html"
    harness.write_text(HARNESS, encoding="utf-8")
    dom, console = _render(chromium, harness)
    found = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    seen = json.loads(found.group(1).replace("&quot;", '"'))
    assert seen["tables"] >= 3
    assert seen["images"] == seen["decoded"] >= 2
    assert "The pathway" in seen["headings"] and "Comparison" in seen["headings"]
    assert console == []


def test_console_errors_would_be_caught(tmp_path: Path) -> None:
    chromium = _chromium()
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><script>console.error("control-error")'
                       "</script></body></html>", encoding="utf-8")
    _, console = _render(chromium, control)
    assert any("control-error" in line for line in console)
