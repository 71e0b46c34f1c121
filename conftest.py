import functools
import os
import re
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


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo installation (``overgang demo``'s staff and courses, seeded through the
    application's actions on an emptied database), seeded once for the test run and kept
    aside (``testing.Snapshot``)."""
    from django.core.management import call_command

    from overgang.accounts.demo import seed
    from overgang.courses.demo import seed_courses

    snapshot = testing.Snapshot(tmp_path_factory.mktemp("demo") / "snapshot.sqlite3")
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)  # as a transactional test finds the database
        seed()
        seed_courses()
        snapshot.take()
    return snapshot


@pytest.fixture
def demo(transactional_db, demo_snapshot):
    """The demo installation for one test, exactly as seeded once for the run (its
    changes are flushed after the test, as ``transactional_db`` does)."""
    demo_snapshot.restore()


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

# What the checks below can see of a page, as one string (the page's "markup"): the
# window's size and colour preferences; every element with its attributes, in its place
# in the tree (open shadow roots included; the app has no frames); every text, with its
# digits as 0; which kinds of choice are ticked; each select's chosen values. Reduced:
# the digits of a text (an autosave's progress count "3 af 40", a time), the value of
# ``value``, ``min`` and ``max`` attributes to whether each is blank (a form's version
# and token, a CSRF token, the progress bar's count), a ticked radio or checkbox to its
# kind (type and its label's class: the look ``:checked`` gives it) instead of which one,
# and htmx's passing classes (htmx-request, htmx-settling, …: a request under way). A
# page whose markup was checked already in a test gets the verdict it got then and is not
# checked again; any other change (a word, a question that appears, an id, a class, an
# aria-* attribute, a new kind of ticked choice, another window size) is checked.
MARKUP = """() => {
  const AMOUNT = new Set(["value", "max", "min"]);
  const media = (query) => (matchMedia(query).matches ? 1 : 0);
  const out = [JSON.stringify([innerWidth, innerHeight, devicePixelRatio, media("(prefers-color-scheme: dark)"),
                               media("(forced-colors: active)"), media("(prefers-reduced-motion: reduce)")])];
  const ticked = new Set();
  const walk = (node) => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = child.data.trim();
        if (text) out.push(JSON.stringify(node.localName === "style" ? text : text.replace(/[0-9]+/g, "0")));
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        const attributes = [...child.attributes].map((a) => [a.name,
          AMOUNT.has(a.name) ? (a.value.trim() ? "+" : "")
          : a.name === "class" ? a.value.split(/\\s+/).filter((c) => c && !c.startsWith("htmx-")).join(" ")
          : a.value]).filter(([name, value]) => name !== "class" || value);
        out.push(`<${child.localName}${JSON.stringify(attributes)}>`);
        if (child.localName === "input" && child.checked) ticked.add(`${child.type} in ${child.closest("label")?.className}`);
        if (child.localName === "select") out.push(JSON.stringify([...child.selectedOptions].map((o) => o.value)));
        if (child.shadowRoot) walk(child.shadowRoot);
        walk(child);
        out.push(`</${child.localName}>`);
      }
    }
  };
  walk(document);
  out.push(JSON.stringify([...ticked].sort()));
  return out.join("");
}"""

# Runs in the page: axe-core's rules, and two checks axe leaves out or only hints at: an
# id used twice (a label then ticks another form's checkbox) and an aria-* reference or
# a label[for] naming an id that is not there (a hint never announced). Gives back the
# page's markup after the checks as well: a page that changed while axe ran is not the
# page the verdict is for.
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
  return {found, markup: (%s)()};
}""" % MARKUP


@functools.cache
def _axe_source():
    if not AXE.exists():
        # scripts/test fetches the pinned axe-core with `npm ci`; a developer's run of
        # pytest fetches it the same way, once.
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=ROOT, check=True,
                       capture_output=True)
    return AXE.read_text(encoding="utf-8")


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
VERDICTS = {}  # canonical markup -> the problems found on it, for the whole test run


def canonical(markup):
    """The markup with each code (a UUID: a citizen's, a course's, a record's, in a link,
    a form's action or an id) renamed by the order it first appears in: two pages
    that differ only in their codes are the same page to every check, while which codes
    are the same (an id used twice, an aria-* reference) stays as it was."""
    names = {}
    return UUID.sub(lambda found: names.setdefault(found.group(0), f"code{len(names)}"), markup)


class PageChecks:
    """Checks every page a browser test visits, the moment the test next touches it.

    A page that loaded (or that htmx changed) is marked; the next call of any ``page``
    method first runs axe-core and the id checks on it, and the fixture's teardown runs
    them on the last one. Event handlers only set the mark: Playwright's sync API must
    not be called from inside them.
    """

    def __init__(self, page, verdicts=None):
        self.page = page
        self.problems = []
        self.pending = False
        self.checked = set()  # the MARKUP of every page checked so far in this test
        # The verdicts of the pages checked in this test run, by their markup with the
        # codes (UUIDs) renamed in order (``canonical``): another test's page that differs
        # only in which citizen, course or record it shows gets the verdict given then.
        self.verdicts = VERDICTS if verdicts is None else verdicts
        self.runs = 0  # how many times the checks ran
        self._evaluate = page.evaluate
        self._is_closed = page.is_closed
        self._wait_for_load_state = page.wait_for_load_state
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
        for attempt in range(3):
            if self.page.url in ("about:blank", "") or self.page.url.endswith(".pdf"):
                return
            try:
                found = self._check()
            except Exception as exc:
                if self._is_closed():
                    return
                if "Execution context was destroyed" in str(exc) or "navigation" in str(exc).lower():
                    self.pending = True  # the page navigated away while it was checked: check the next one
                    return
                if attempt == 2:
                    raise
                # A page that navigates while axe-core reads it (a form posted by the click
                # before) can fail inside axe-core instead, as its document goes away:
                # "Cannot read properties of null (reading 'documentElement')", seen once in
                # CI. The page that is there once loaded is checked; one that fails every
                # time fails the test.
                self._wait_for_load_state()
                continue
            if found is not None:
                self.problems += [f"{self.page.url}: {problem}" for problem in found]
            return

    def _check(self):
        """The problems axe-core and the id checks find on the page, or None when its markup
        was checked already in this test."""
        # A page whose markup was checked already in this test (an autosave that changed
        # only the progress counter, a page seen before) is not checked again: axe-core
        # after every answer was 40 % of a browser walk's time.
        markup = self._evaluate(MARKUP)
        if markup in self.checked:
            return None
        key = canonical(markup)
        if key in self.verdicts:
            self.checked.add(markup)
            return list(self.verdicts[key])
        checked = self._evaluate(PAGE_CHECK, AXE_TAGS)
        if checked is None:  # a document the context's init script did not reach
            self._evaluate("() => { if (!window.axe) {\n" + _axe_source() + "\n} }")
            checked = self._evaluate(PAGE_CHECK, AXE_TAGS)
        self.runs += 1
        if checked["markup"] == markup:
            self.checked.add(markup)
            self.verdicts[key] = tuple(checked["found"])
        else:  # the page changed while it was checked (htmx settling): check it again
            self.pending = True
        return checked["found"]


# Tells Python when htmx swapped part of a page (no load event), so it is checked again.
HTMX_HOOK = """document.addEventListener("htmx:afterSettle", () => window.__overgangChanged && window.__overgangChanged());"""


def checked_page(browser, locale="da-DK", verdicts=None):
    """A new browser context's page, 768 px wide, whose every page is checked
    (``PageChecks``; ``verdicts``: the run's unless given): (context, page, checks)."""
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale=locale)
    context.add_init_script(script=HTMX_HOOK)
    # axe-core in every document from its start, as Playwright's init scripts run: not a
    # script tag, so the page's Content-Security-Policy does not apply. Sending its 650 kB
    # with page.evaluate into each checked page instead cost 8 % of a browser walk more
    # (measured; Chromium seems to reuse the init script's compiled code).
    context.add_init_script(script=_axe_source())
    page = context.new_page()
    # Generous: a page that works can still take seconds on a loaded two-core CI machine.
    page.set_default_timeout(30000)
    return context, page, PageChecks(page, verdicts)


@pytest.fixture
def new_checked_page(browser):
    """``checked_page`` for a test of the checks themselves (test_page_checks.py), with
    verdicts of its own (none given by another test)."""
    return lambda locale="da-DK", verdicts=None: checked_page(browser, locale, {} if verdicts is None else verdicts)


@pytest.fixture
def page(browser, request):
    marker = request.node.get_closest_marker("browser_locale")
    context, page, checks = checked_page(browser, marker.args[0] if marker else "da-DK")
    yield page
    checks.run()
    context.close()
    if checks.problems:
        pytest.fail("Accessibility and markup problems on the pages this test visited:\n  "
                    + "\n  ".join(dict.fromkeys(checks.problems)), pytrace=False)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that may use the database (scripts/test's run on PostgreSQL: the "
             "others cannot reach a database, give the same result on any, and run on SQLite)")


def uses_the_database(item):
    """Whether a test may use the database: marked django_db, or given a fixture that opens
    it (db, transactional_db, live_server, …: all of them need django_db_setup). pytest-django
    refuses any other test a database connection."""
    return item.get_closest_marker("django_db") is not None or "django_db_setup" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    if not config.getoption("database_tests_only"):
        return
    kept, left_out = [], []
    for item in items:
        (kept if uses_the_database(item) else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


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
