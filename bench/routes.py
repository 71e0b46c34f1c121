"""Which of the benchmark's pages this installation has, as URLs (bench/bench.py).

Pages that other work adds ("Min uge" and the leader's team page, issue 12) are looked up
by the URL names they are expected to get; until one resolves, the benchmark prints why it
skips the page.
"""

import json

import django

CANDIDATES = {
    "my_week": ("courses:week", "courses:my_week", "week:mine", "week:week"),
    # The leader's team page is "Min uge" seen by a leader (the team's, by worker).
    "team_page": ("courses:week",),
    "fidelity": ("evaluation:fidelity",),
}


def main():
    django.setup()
    from django.urls import NoReverseMatch, reverse

    found = {}
    for key, names in CANDIDATES.items():
        for name in names:
            try:
                found[key] = reverse(name)
                break
            except NoReverseMatch:
                continue
    print(json.dumps(found))


if __name__ == "__main__":
    main()
