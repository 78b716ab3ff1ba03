"""The sample study's report rendered by headless Chromium.

How each promise of the report is checked:

- *every chart drew*: after load, a script run through the DevTools protocol
  measures every ``svg.chart`` (getBoundingClientRect) and its ``<text>`` and
  shape elements; each must have a non-zero size and hold both.
- *Chinese headings*: every Chinese section heading must be in
  ``document.body.innerText`` (the rendered text, not the source).
- *no network request*: the DevTools ``Network`` domain reports every request
  the page makes (documents, fonts, images, fetches); all must be ``file:``
  or ``data:`` URLs. As a second guard Chromium runs behind a proxy that
  refuses everything, with background networking off, and the HTML holds no
  external URL (``test_report_html``).
- *prints cleanly*: with print media emulated on a paper-wide page (640 px) no chart
  box or table box clips its content and no paged table hides a row;
  ``Page.printToPDF`` gives a PDF.

Chromium talks over ``--remote-debugging-pipe`` (fds 3 and 4, NUL-separated
JSON), so no websocket package is needed. On CI (``CI=true``) a missing
Chromium fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from gtcode.exports.report.i18n import TEXTS

pytestmark = pytest.mark.browser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio",
         "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         "--hide-scrollbars", "--remote-debugging-pipe"]
TIMEOUT = 60.0

MEASURE = """(() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const charts = [...document.querySelectorAll('svg.chart')].map(s => ({
    kind: s.getAttribute('class'), size: box(s),
    texts: [...s.querySelectorAll('text')].filter(t => { const [w, h] = box(t);
      return w > 0 && h > 0; }).length,
    shapes: s.querySelectorAll('rect,circle,line,polyline,polygon,path').length}));
  return {charts, text: document.body.innerText,
          h2: [...document.querySelectorAll('main h2')].map(h => h.innerText),
          pagers: document.querySelectorAll('.pager').length};
})()"""

PRINT_CHECK = """(() => ({
  clipped: [...document.querySelectorAll('.chart-box, .table-wrap')].filter(
    b => b.scrollHeight > b.clientHeight + 1 || b.scrollWidth > b.clientWidth + 1).length,
  hidden_rows: [...document.querySelectorAll('table.data tr')].filter(
    r => r.getBoundingClientRect().height === 0).length}))()"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing on CI: scripts/test-setup.sh must install it")
        pytest.skip("chromium is not installed (run scripts/test-setup.sh as root)")
    return path


class DevTools:
    """A headless Chromium driven over the DevTools protocol on a pipe."""

    def __init__(self, exe: str, profile: Path) -> None:
        to_r, self._to_w = os.pipe()
        self._from_r, from_w = os.pipe()
        script = f'exec "$0" "$@" 3<&{to_r} 4>&{from_w}'
        self.log = (profile.parent / "chromium.log").open("wb")
        self.proc = subprocess.Popen(["bash", "-c", script, exe, *FLAGS,
                                      f"--user-data-dir={profile}", "about:blank"],
                                     pass_fds=(to_r, from_w), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        os.close(to_r)
        os.close(from_w)
        self._buffer, self._next, self.events = b"", 0, []
        self.requests: list[str] = []
        self.session: str | None = None

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        os.close(self._to_w)
        os.close(self._from_r)
        self.log.close()

    def call(self, method: str, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._to_w, json.dumps(message).encode() + b"\0")
        reply = self._wait(lambda m: m.get("id") == self._next)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply.get("result", {})

    def wait_event(self, method: str) -> dict:
        return self._wait(lambda m: m.get("method") == method)

    def drain(self, seconds: float) -> None:
        """Read events for a while (late requests would show up here)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._read(end - time.monotonic())

    def _wait(self, match) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for message in self._take(match):
                return message
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer in time")
            self._read(deadline - time.monotonic())

    def _take(self, match):
        for i, message in enumerate(self.events):
            if match(message):
                yield self.events.pop(i)
                return

    def _read(self, timeout: float) -> None:
        ready, _, _ = select.select([self._from_r], [], [], max(0.0, timeout))
        if not ready:
            return
        chunk = os.read(self._from_r, 1 << 20)
        if not chunk:
            raise RuntimeError("chromium closed the DevTools pipe")
        self._buffer += chunk
        *done, self._buffer = self._buffer.split(b"\0")
        for message in (json.loads(part) for part in done if part):
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            self.events.append(message)


@pytest.fixture(scope="module")
def rendered(sample_run, tmp_path_factory):
    """Load the sample report once; measure it on screen and for print."""
    report = Path(sample_run.study).parent / "report.html"
    assert report.is_file(), "gtcode run did not write report.html"
    tmp = tmp_path_factory.mktemp("browser")
    tools = DevTools(chromium(), tmp / "profile")
    try:
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        tools.session = tools.call("Target.attachToTarget", targetId=target,
                                   flatten=True)["sessionId"]
        for domain in ("Network", "Page", "Runtime"):
            tools.call(f"{domain}.enable")
        tools.call("Emulation.setDeviceMetricsOverride", width=1280, height=900,
                   deviceScaleFactor=1, mobile=False)
        tools.call("Page.navigate", url=report.resolve().as_uri())
        tools.wait_event("Page.loadEventFired")
        tools.drain(1.0)
        screen = _evaluate(tools, MEASURE)
        shot = _screenshot(tools, tmp / "report.png")
        # print media on a page a little narrower than A4 or Letter less margins
        # (the old print CSS clipped the case table at this width)
        tools.call("Emulation.setDeviceMetricsOverride", width=640, height=1000,
                   deviceScaleFactor=1, mobile=False)
        tools.call("Emulation.setEmulatedMedia", media="print")
        printed = _evaluate(tools, PRINT_CHECK)
        pdf = base64.b64decode(tools.call("Page.printToPDF", printBackground=True)["data"])
        errors = [m for m in tools.events if m.get("method") == "Runtime.exceptionThrown"]
        yield {"screen": screen, "print": printed, "pdf": pdf, "shot": shot,
               "requests": list(tools.requests), "errors": errors, "url": report.as_uri()}
    finally:
        tools.close()


def _evaluate(tools: DevTools, expression: str) -> dict:
    result = tools.call("Runtime.evaluate", expression=expression, returnByValue=True)
    assert "exceptionDetails" not in result, result["exceptionDetails"]
    return result["result"]["value"]


def _screenshot(tools: DevTools, path: Path) -> Path:
    size = tools.call("Page.getLayoutMetrics")["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": 1280, "height": min(size["height"], 12000), "scale": 1}
    data = tools.call("Page.captureScreenshot", format="png", clip=clip,
                      captureBeyondViewport=True)["data"]
    path.write_bytes(base64.b64decode(data))
    keep = os.environ.get("GTCODE_REPORT_SCREENSHOT")
    if keep:
        shutil.copyfile(path, keep)
    return path


def test_every_chart_drew(rendered) -> None:
    charts = rendered["screen"]["charts"]
    kinds = {c["kind"].split()[-1] for c in charts}
    assert {"heatmap", "network", "paradigm", "line", "hbar"} <= kinds, kinds
    for chart in charts:
        width, height = chart["size"]
        assert width > 50 and height > 20, chart
        assert chart["texts"] > 0 and chart["shapes"] > 0, chart


def test_chinese_headings_are_rendered(rendered) -> None:
    text = rendered["screen"]["text"]
    headings = [zh for key, (zh, _) in TEXTS.items() if key.startswith("sec_")]
    missing = [h for h in headings if h not in text]
    assert not missing, missing
    assert len(rendered["screen"]["h2"]) == len(headings)
    assert "办事资源压力" in text  # a category name of the sample's codebook


def test_page_made_no_network_request(rendered) -> None:
    requests = rendered["requests"]
    assert requests, "the DevTools Network domain saw no request at all (not even the page)"
    outside = [u for u in requests if not u.startswith(("file:", "data:", "about:"))]
    assert not outside, outside


def test_no_script_errors(rendered) -> None:
    assert not rendered["errors"], rendered["errors"]


def test_prints_without_clipping(rendered) -> None:
    assert rendered["print"] == {"clipped": 0, "hidden_rows": 0}
    assert rendered["pdf"].startswith(b"%PDF") and len(rendered["pdf"]) > 20_000


def test_screenshot_is_a_full_page(rendered) -> None:
    shot = rendered["shot"].read_bytes()
    assert shot.startswith(b"\x89PNG") and len(shot) > 50_000
