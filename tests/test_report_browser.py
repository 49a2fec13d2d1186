"""The study report end to end: opened in headless Chromium, at two widths, with a hostile
patient id.

Browser tests need the Debian packages chromium and chromium-driver (/usr/bin/chromium,
/usr/bin/chromedriver) and Python selenium; they are skipped, with the reason, only when those
are not installed. Cost: no workflow run of its own (the hostile patient ids are in the
session's `variant_run`), a few seconds of browser per test and about 3 s for Snakemake's own
report.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from workflow_helpers import IMAGE_ID, SCRIPT_ID, load_config, snakemake

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SECTION_HEADINGS = [
    "Claims check and the study at a glance",
    "Data and flow",
    "Table 1: baseline characteristics by line of therapy",
    "Per subgroup",
    "Methods",
    "Provenance",
]

selenium = pytest.importorskip("selenium", reason="Python package selenium is not installed")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason="Chromium is not installed (Debian packages chromium and chromium-driver)",
)


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium with a fresh profile, recording network events and the console."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # Leave an alert open instead of failing the next command, so a test can see it was opened.
    options.set_capability("unhandledPromptBehavior", "ignore")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_report(driver, path: Path) -> list[dict]:
    """Load the report and return the DevTools events recorded while loading it."""
    # Settle on a blank page and drop what the browser's own start-up tab loaded (chrome://
    # resources), so every event left is the report's.
    driver.get("about:blank")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def requested_urls(events: list[dict]) -> list[str]:
    return [
        event["params"]["request"]["url"]
        for event in events
        if event["method"] == "Network.requestWillBeSent"
    ]


def dialogs_opened(driver, events: list[dict]) -> list[str]:
    """Messages of any alert/confirm/prompt the page opened (a script ran)."""
    opened = [
        event["params"].get("message", "")
        for event in events
        if event["method"] == "Page.javascriptDialogOpening"
    ]
    try:
        opened.append(driver.switch_to.alert.text)
    except NoAlertPresentException:
        pass
    return opened


def full_page_screenshot(driver, path: Path) -> None:
    """A screenshot of the whole page (not only the window), through the DevTools protocol."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics["cssContentSize"]
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


@needs_chromium
def test_report_opens_offline_with_every_section_and_no_error(completed_run, browser, tmp_path):
    report = completed_run / "results" / "report.html"
    events = open_report(browser, report)

    headings = [element.text for element in browser.find_elements(By.TAG_NAME, "h2")]
    for heading in SECTION_HEADINGS:
        assert any(text.endswith(heading) for text in headings), (heading, headings)
    subheadings = [element.text for element in browser.find_elements(By.TAG_NAME, "h3")]
    config = load_config(completed_run)
    summaries = browser.find_elements(By.CSS_SELECTOR, "#subgroups details.subgroup > summary")
    assert len(summaries) == len(config["subgroups"])
    for summary, (subgroup, label) in zip(
        summaries, config["report"]["subgroup_labels"].items(), strict=True
    ):
        assert summary.text.startswith(f"Subgroup {subgroup}: {label} (n = "), summary.text
    unfolded = browser.find_elements(By.CSS_SELECTOR, "#subgroups details[open]")
    assert [d.get_attribute("data-subgroup") for d in unfolded] == [
        config["report"]["main_subgroup"]
    ]
    for heading in ("Participant flow (STARD)", "Software versions", "Rule graph"):
        assert heading in subheadings

    urls = requested_urls(events)
    assert report.resolve().as_uri() in urls
    leaving = [
        url for url in urls if url != report.resolve().as_uri() and not url.startswith("data:")
    ]
    assert leaving == []

    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []

    # Every figure (paired plots, ROC curves, rule graph) decoded from its data URI.
    images = browser.find_elements(By.TAG_NAME, "img")
    n_markers = len(config["markers"])
    assert len(images) >= len(config["subgroups"]) * (n_markers + 1) + 1
    for image in images:
        assert image.get_attribute("src").startswith("data:image/svg+xml;base64,")
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 0

    body = browser.find_element(By.TAG_NAME, "body").text
    assert "SIMULATED DATA" in body
    assert "Caveat on sample size" in body


@needs_chromium
@pytest.mark.parametrize("width", [1280, 800])
def test_report_fits_the_window_with_every_section_unfolded(
    completed_run, browser, tmp_path, width
):
    """No horizontal overflow of the page at a laptop's and a narrow window's width (wide
    tables scroll inside their own box); a full-page screenshot is taken for a person to see."""
    browser.set_window_size(width, 900)
    open_report(browser, completed_run / "results" / "report.html")
    for details in browser.find_elements(By.TAG_NAME, "details"):
        browser.execute_script("arguments[0].open = true", details)
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    window_width = browser.execute_script("return document.documentElement.clientWidth")
    assert page_width <= window_width, (page_width, window_width)
    for image in browser.find_elements(By.CSS_SELECTOR, "figure img"):
        assert image.size["width"] <= window_width
    screenshot = tmp_path / f"report-{width}.png"
    full_page_screenshot(browser, screenshot)
    assert screenshot.stat().st_size > 100_000


@needs_chromium
def test_the_overflow_check_sees_an_overflowing_page(browser, tmp_path):
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html><body><div style="width: 2000px">x</div></body></html>')
    browser.set_window_size(800, 900)
    open_report(browser, page)
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert page_width > browser.execute_script("return document.documentElement.clientWidth")


@needs_chromium
def test_the_checks_see_a_request_a_script_and_a_console_error(browser, tmp_path):
    """The detectors used above are not blind: a page that does all three is caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        "</head><body><p>bad</p><script>console.error('boom'); alert(3)</script></body></html>",
        encoding="utf-8",
    )
    events = open_report(browser, page)
    assert "http://127.0.0.1:9/x.css" in requested_urls(events)
    assert "3" in dialogs_opened(browser, events)
    browser.switch_to.alert.accept()
    assert any(entry["level"] == "SEVERE" for entry in browser.get_log("browser"))


def test_report_source_makes_no_request_and_needs_no_script(completed_run):
    html = (completed_run / "results" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html) is None
    assert "@import" not in html and "url(" not in html
    assert 'href="provenance.tsv"' in html
    assert (completed_run / "results" / "provenance.tsv").is_file()


def test_hostile_patient_id_is_escaped_in_the_source(variant_run):
    workdir, _ = variant_run
    html = (workdir / "results" / "report.html").read_text(encoding="utf-8")
    assert SCRIPT_ID not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<img src="x"' not in html
    assert "&lt;img src=&#34;x&#34; onerror=&#34;alert(2)&#34;&gt;" in html
    assert "<script" not in html.lower()


@needs_chromium
def test_hostile_patient_id_is_shown_as_text_not_run(variant_run, browser):
    workdir, _ = variant_run
    events = open_report(browser, workdir / "results" / "report.html")
    assert dialogs_opened(browser, events) == []
    cells = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#data td")]
    assert any(cell.endswith(SCRIPT_ID) for cell in cells)
    assert any(cell.endswith(IMAGE_ID) for cell in cells)
    assert browser.find_elements(By.CSS_SELECTOR, "body script") == []


def test_snakemakes_own_report_builds_with_filled_captions(completed_copy, tmp_path):
    target = tmp_path / "workflow-report.html"
    snakemake(completed_copy, "--report", str(target))
    html = target.read_text(encoding="utf-8")
    assert "Paired plot, subgroup <strong>first_line</strong>" in html
    assert 'Change metric: <tt class=\\"docutils literal\\">log2_ratio</tt>' in html
    # Captions are rendered: no template expression is left in them.
    assert "snakemake.params" not in html and "snakemake.wildcards" not in html
    assert "Kaplan-Meier curves, subgroup <strong>all</strong>" in html
    for category in ("1 Study report", "2 Claims check", "8 Figures", "9 Provenance"):
        assert category in html
