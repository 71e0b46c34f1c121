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
<label for="a1"><input type="radio" name="a" id="a1" value="1"> Ja</label>
<label for="a2"><input type="radio" name="a" id="a2" value="2"> Nej</label></fieldset></form>
<span id="save-status" aria-live="polite"></span></main></body></html>"""


@pytest.fixture
def checked(new_checked_page):
    context, page, checks = new_checked_page()
    page.route(URL, lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE))
    yield page, checks
    context.close()


def _changed(page, script):
    """Change the page as an htmx swap would, and say so as the swap's hook does."""
    page.evaluate(f"() => {{ {script}; window.__overgangChanged(); }}")
    page.wait_for_function("() => true")  # the binding's call has reached Python
    checks_run_on = page.title  # any call of the page runs the pending check first
    checks_run_on()


def test_a_page_is_checked_when_it_loads_and_again_only_when_its_markup_changes(checked):
    page, checks = checked
    page.goto(URL)
    page.title()
    assert checks.checked and checks.problems == []
    first = set(checks.checked)

    # What an autosave changes: the counter's words, the progress bar's count, the
    # record version, the answer ticked, htmx's classes while a request is under way.
    _changed(page, """document.querySelector("#counter").textContent = "4 af 41";
        document.querySelector("progress").setAttribute("max", "41");
        document.querySelector("progress").setAttribute("value", "4");
        document.querySelector("[name=version]").setAttribute("value", "8");
        document.querySelector("#a1").setAttribute("checked", "");
        document.querySelector("#fields").classList.add("htmx-request");
        document.querySelector("#save-status").textContent = "Gemt"; """)
    # The save status was empty and now says something: that is a change a rule could
    # see (an empty text), so it is checked once; the rest is not.
    assert len(checks.checked) == 2 and checks.problems == []
    _changed(page, """document.querySelector("#counter").textContent = "5 af 41";
        document.querySelector("#fields").classList.remove("htmx-request"); """)
    assert len(checks.checked) == 2

    # The same page loaded again is not checked again.
    page.goto(URL)
    page.title()
    assert len(checks.checked) == 2 and first <= checks.checked


@pytest.mark.parametrize("script, problem", [
    # A swapped fragment that repeats an id (a label then ticks another question's box).
    ("""document.querySelector("#fields").insertAdjacentHTML("beforeend",
        '<label for="a1"><input type="checkbox" id="a1" name="b"> Igen</label>')""", 'duplicate id "a1"'),
    # A question that appears without a name for screen readers (axe-core's rule).
    ("""document.querySelector("#fields").insertAdjacentHTML("beforeend", '<input type="text" name="c" id="c">')""",
     "axe label"),
    # A hint that points to nothing.
    ("""document.querySelector("#a2").setAttribute("aria-describedby", "gone")""", 'aria-describedby="gone"'),
], ids=["a repeated id", "a field without a label", "a hint pointing nowhere"])
def test_a_change_a_rule_can_see_is_checked(checked, script, problem):
    page, checks = checked
    page.goto(URL)
    page.title()
    assert checks.problems == []
    _changed(page, script)
    assert any(problem in found for found in checks.problems), checks.problems


def test_a_text_that_empties_is_checked_again(checked):
    page, checks = checked
    page.goto(URL)
    _changed(page, """document.querySelector("#fields").insertAdjacentHTML("beforeend",
        '<button type="button" id="go">Næste</button>')""")
    assert checks.problems == [] and len(checks.checked) == 2
    _changed(page, """document.querySelector("#go").textContent = "Videre" """)  # words for words
    assert len(checks.checked) == 2
    _changed(page, """document.querySelector("#go").textContent = " " """)  # the words went away
    assert any("axe button-name" in found for found in checks.problems), checks.problems
