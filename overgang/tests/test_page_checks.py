"""The browser tests' own checker (conftest.py ``PageChecks``): every page a test visits is
checked with axe-core and the id checks, also after htmx changes part of it; a page whose
markup was checked already is not checked twice, and any change a rule could see is."""

import pytest

pytestmark = pytest.mark.browser

URL = "http://checks.invalid/"
PAGE = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Tjek</title></head>
<body><main><h1>Skema</h1>
<div class="progress" role="group" aria-label="Fremskridt"><progress max="40" value="3"></progress>
<span id="counter">3 af 40</span></div>
<form id="fields"><input type="hidden" name="version" value="7">
<fieldset><legend>Bor du alene?</legend>
<label class="option" for="a1"><input type="radio" name="a" id="a1" value="1"> Ja</label>
<label class="option" for="a2"><input type="radio" name="a" id="a2" value="2"> Nej</label></fieldset>
<button type="submit" id="go" aria-label="Gem svar">Gem</button></form>
<p><a href="/side/2/" id="next">Næste side</a></p>
<span id="save-status" aria-live="polite"></span></main></body></html>"""


@pytest.fixture
def checked(new_checked_page):
    context, page, checks = new_checked_page()
    page.route(URL, lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE))
    page.goto(URL)
    page.title()  # any call of the page runs the pending checks first
    assert checks.runs == 1 and checks.problems == []
    yield page, checks
    context.close()


def _changed(page, script):
    """Change the page as an htmx swap would, and say so as the swap's hook does."""
    page.evaluate(f"() => {{ {script}; window.__overgangChanged(); }}")
    page.wait_for_function("() => true")  # the hook's call has reached Python
    page.title()


def test_a_page_is_checked_again_only_when_its_markup_changes(checked):
    page, checks = checked
    # What an autosave changes: the counter's number, the progress bar's count, the
    # record version, htmx's classes while a request is under way.
    _changed(page, """document.querySelector("#counter").textContent = "4 af 41";
        document.querySelector("progress").setAttribute("max", "41");
        document.querySelector("progress").setAttribute("value", "4");
        document.querySelector("[name=version]").setAttribute("value", "8");
        document.querySelector("#fields").classList.add("htmx-request")""")
    assert checks.runs == 1
    # The first ticked radio changes the option's look (label.option:has(:checked)): once.
    page.locator("#a1").check()
    _changed(page, "")
    assert checks.runs == 2
    page.locator("#a2").check()  # another answer of the same kind
    _changed(page, """document.querySelector("#fields").classList.remove("htmx-request")""")
    assert checks.runs == 2
    # Words: the save status says something, then nothing again (seen before).
    _changed(page, """document.querySelector("#save-status").textContent = "Gemt" """)
    assert checks.runs == 3
    _changed(page, """document.querySelector("#save-status").textContent = "" """)
    assert checks.runs == 3
    # A class, even one without a rule in this page's styles.
    _changed(page, """document.querySelector("#counter").classList.add("visually-hidden")""")
    assert checks.runs == 4
    # The same page loaded again is not checked again; at another width it is.
    page.goto(URL)
    page.title()
    assert checks.runs == 4
    page.set_viewport_size({"width": 390, "height": 844})
    _changed(page, "")
    assert checks.runs == 5 and checks.problems == []


@pytest.mark.parametrize("script, problem", [
    # A swapped fragment that repeats an id (a label then ticks another question's box).
    ("""document.querySelector("#fields").insertAdjacentHTML("beforeend",
        '<label for="a1"><input type="checkbox" id="a1" name="b"> Igen</label>')""", 'duplicate id "a1"'),
    # A question that appears without a name for screen readers (axe-core's rule).
    ("""document.querySelector("#fields").insertAdjacentHTML("beforeend", '<input type="text" name="c" id="c">')""",
     "axe label"),
    # A hint that points to nothing.
    ("""document.querySelector("#a2").setAttribute("aria-describedby", "gone")""", 'aria-describedby="gone"'),
    # An id renamed under its label.
    ("""document.querySelector("#a2").id = "a3" """, '<label for="a2"> points to no element'),
    # A link whose words went away.
    ("""document.querySelector("#next").textContent = " " """, "axe link-name"),
    # A button whose words no longer match the name it is announced by (WCAG 2.5.3).
    ("""document.querySelector("#go").textContent = "Næste" """, "axe label-content-name-mismatch"),
], ids=["a repeated id", "a field without a label", "a hint pointing nowhere", "a label for a renamed id",
        "a link's words gone", "a button's words changed"])
def test_a_change_a_rule_can_see_is_checked(checked, script, problem):
    page, checks = checked
    _changed(page, script)
    assert checks.runs == 2
    assert any(problem in found for found in checks.problems), checks.problems


def test_a_page_that_changes_while_it_is_checked_is_checked_again(checked):
    page, checks = checked
    # The page changes once more while the checks run (as htmx settling would).
    page.evaluate("""() => { const run = axe.run; axe.run = async (...args) => {
        const result = await run(...args); document.querySelector("#counter").textContent = "Gemt"; return result; }; }""")
    page.evaluate("""() => { document.querySelector("#save-status").textContent = "Gemt"; window.__overgangChanged(); }""")
    checks._evaluate("() => true")  # unchecked: the hook's call has reached Python
    assert checks.pending
    checks.run()
    assert checks.runs == 2 and checks.pending  # the verdict was not kept for a page it did not see
    checks.run()
    assert checks.runs == 3 and not checks.pending


def test_a_page_that_goes_away_while_axe_reads_it_is_followed_to_the_next(checked):
    page, checks = checked
    # A click posted a form: the document goes away while axe-core reads it, which can
    # fail inside axe-core (as it once did in CI) instead of as a navigation.
    page.route(URL + "afsluttet/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=PAGE.replace("<h1>Skema</h1>", "<h1>Afsluttet</h1>")))
    page.evaluate(f"""() => {{ axe.run = async () => {{
        setTimeout(() => {{ location.href = "{URL}afsluttet/"; }}, 0);
        throw new TypeError("Cannot read properties of null (reading 'documentElement')"); }};
        document.querySelector("#save-status").textContent = "Gemmer"; window.__overgangChanged(); }}""")
    checks._evaluate("() => true")  # unchecked: the hook's call has reached Python
    page.wait_for_url(URL + "afsluttet/")
    page.title()
    assert checks.runs == 2 and checks.problems == []
    assert "Afsluttet" in page.locator("h1").inner_text()


def test_a_page_on_which_axe_fails_every_time_fails_the_test(checked):
    page, checks = checked
    page.evaluate("""() => { axe.run = async () => { throw new TypeError("axe-core broke"); };
        document.querySelector("#save-status").textContent = "Gemmer"; window.__overgangChanged(); }""")
    checks._evaluate("() => true")
    with pytest.raises(Exception, match="axe-core broke"):
        page.title()


CODED = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Tjek</title></head>
<body><main><h1>Borger</h1>
<p><a href="/borgere/{a}/overblik/">Overblik</a> <a href="/borgere/{a}/skemaer/">Skemaer</a></p>
<form action="/skemaer/{b}/side/1/"><label for="q-{b}">Navn</label><input id="q-{c}" name="q"></form>
</main></body></html>"""
CODES = ["3f2b8c1e-0d4a-4b7e-9c1f-2a6d8e0b5c71", "a91e3d02-77c4-4f1b-8e2d-5c0b9f6a1d34",
         "0c5d7e9f-1a2b-4c3d-8e4f-6a7b8c9d0e1f", "e4f5a6b7-c8d9-4e0f-a1b2-c3d4e5f60718"]


def _coded(new_checked_page, verdicts, a, b, c):
    context, page, checks = new_checked_page(verdicts=verdicts)
    body = CODED.format(a=a, b=b, c=c)
    page.route(URL, lambda route: route.fulfill(status=200, content_type="text/html", body=body))
    page.goto(URL)
    page.title()
    context.close()
    return checks


def test_another_tests_page_that_differs_only_in_its_codes_gets_the_verdict_given_then(new_checked_page):
    verdicts = {}  # one test run's
    # The label points to no field: the first test's check finds it.
    first = _coded(new_checked_page, verdicts, CODES[0], CODES[1], CODES[2])
    assert first.runs == 1 and any("points to no element" in p for p in first.problems), first.problems
    # Another test shows another citizen and record on the same page: not checked again,
    # and the problem is reported again.
    second = _coded(new_checked_page, verdicts, CODES[3], CODES[2], CODES[0])
    assert second.runs == 0 and [p.split(": ", 1)[1] for p in second.problems] == \
        [p.split(": ", 1)[1] for p in first.problems]
    # A page whose label and field share their code is another page: checked, and fine.
    third = _coded(new_checked_page, verdicts, CODES[0], CODES[1], CODES[1])
    assert third.runs == 1 and not any("points to no element" in p for p in third.problems), third.problems
    # Verdicts are kept per test run only when given: a test of its own checks again.
    assert _coded(new_checked_page, None, CODES[3], CODES[2], CODES[0]).runs == 1
