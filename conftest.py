import functools
import os
import subprocess
from pathlib import Path

import pytest

from overgang import testing

# pytest-django's live_server runs beside Playwright's sync API in one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):
    return testing.make_world()


@pytest.fixture
def login(client):
    def _login(user):
        return testing.login(client, user)

    return _login


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Real headless Chromium from Debian's package, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("OVERGANG_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(f"{executable} is missing: install Debian's chromium package (scripts/test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


ROOT = Path(__file__).resolve().parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.x A and AA, and axe's best practices (landmarks, headings, one main).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Runs in the page: axe-core's rules, and two checks axe leaves out or only hints at: an
# id used twice (a label then ticks another form's checkbox) and an aria-* reference or
# a label[for] naming an id that is not there (a hint never announced).
PAGE_CHECK = """async (tags) => {
  if (!window.axe) return null;  // not injected into this document yet
  const found = [];
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  for (const v of result.violations) {
    const where = v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(", ");
    found.push(`axe ${v.id}: ${v.help} [${where}]`);
  }
  const ids = new Map();
  for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, count] of ids) if (count > 1) found.push(`duplicate id "${id}" (${count} elements)`);
  const refs = ["aria-describedby", "aria-labelledby", "aria-controls", "aria-owns", "aria-activedescendant",
                "aria-errormessage", "aria-details", "aria-flowto"];
  for (const attr of refs) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) found.push(`${attr}="${id}" on <${el.localName} name="${el.getAttribute("name") || ""}"> points to no element`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) found.push(`<label for="${label.htmlFor}"> points to no element`);
  }
  return found;
}"""


@functools.cache
def _axe_source():
    if not AXE.exists():
        # scripts/test fetches the pinned axe-core with `npm ci`; a developer's run of
        # pytest fetches it the same way, once.
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=ROOT, check=True,
                       capture_output=True)
    return AXE.read_text(encoding="utf-8")


class PageChecks:
    """Checks every page a browser test visits, the moment the test next touches it.

    A page that loaded (or that htmx changed) is marked; the next call of any ``page``
    method first runs axe-core and the id checks on it, and the fixture's teardown runs
    them on the last one. Event handlers only set the mark: Playwright's sync API must
    not be called from inside them.
    """

    def __init__(self, page):
        self.page = page
        self.problems = []
        self.pending = False
        self._evaluate = page.evaluate
        self._is_closed = page.is_closed
        page.on("load", lambda _page: self._mark())
        page.expose_binding("__overgangChanged", lambda _source: self._mark())
        for name in dir(page):
            if name.startswith("_") or name in ("on", "once", "remove_listener", "expose_binding", "expose_function"):
                continue
            if isinstance(getattr(type(page), name, None), property):
                continue
            original = getattr(page, name)
            if callable(original):
                setattr(page, name, self._checked(original))

    def _mark(self):
        self.pending = True

    def _checked(self, method):
        def call(*args, **kwargs):
            self.run()
            return method(*args, **kwargs)

        return call

    def run(self):
        if not self.pending or self._is_closed():
            return
        self.pending = False
        if self.page.url in ("about:blank", "") or self.page.url.endswith(".pdf"):
            return
        try:
            # Injected when checked, not into every document: evaluate is not subject to
            # the page's Content-Security-Policy, a script tag would be. Once per document:
            # axe-core's 650 kB go to the browser (and are compiled there) only when the
            # page has no axe yet, not on every check of an htmx change.
            found = self._evaluate(PAGE_CHECK, AXE_TAGS)
            if found is None:
                self._evaluate("() => { if (!window.axe) {\n" + _axe_source() + "\n} }")
                found = self._evaluate(PAGE_CHECK, AXE_TAGS)
        except Exception as exc:  # the page navigated away while it was checked: check the next one
            if "Execution context was destroyed" in str(exc) or "navigation" in str(exc).lower():
                self.pending = True
                return
            raise
        self.problems += [f"{self.page.url}: {problem}" for problem in found]


# Tells Python when htmx swapped part of a page (no load event), so it is checked again.
HTMX_HOOK = """document.addEventListener("htmx:afterSettle", () => window.__overgangChanged && window.__overgangChanged());"""


@pytest.fixture
def page(browser, request):
    marker = request.node.get_closest_marker("browser_locale")
    context = browser.new_context(viewport={"width": 768, "height": 1024},
                                  locale=marker.args[0] if marker else "da-DK")
    context.add_init_script(script=HTMX_HOOK)
    page = context.new_page()
    # Generous: a page that works can still take seconds on a loaded two-core CI machine.
    page.set_default_timeout(30000)
    checks = PageChecks(page)
    yield page
    checks.run()
    context.close()
    if checks.problems:
        pytest.fail("Accessibility and markup problems on the pages this test visited:\n  "
                    + "\n  ".join(dict.fromkeys(checks.problems)), pytrace=False)


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's key store file (test_settings.py), with its WAL files."""
    import tempfile

    base = os.path.join(tempfile.gettempdir(), f"overgang-test-{os.getpid()}.keys.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(base + suffix)
        except OSError:
            pass
