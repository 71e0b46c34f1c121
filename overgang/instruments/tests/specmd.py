"""Read the item tables and choice lists of docs/instruments.md into plain data.

The codebook test compares the YAML definitions with the Markdown codebook item by
item, so this reader is deliberately independent of the YAML loader: it knows the
table layout of instruments.md and nothing else.
"""

import re
from pathlib import Path

# The codebook as the project documents it, inside the repository (docs/README.md).
SPEC = Path(__file__).resolve().parents[3] / "docs" / "instruments.md"
INSTRUMENTS = ["registration", "star", "cti_start", "cti_ongoing", "cti_end", "not_started"]

_SECTION = re.compile(r"^## \d+\. `(\w+)`")
_THEME = re.compile(r"^### Theme (\d) — (.+?) \((.+)\)$")
_LIST_HEAD = re.compile(r"^\*\*`(\w+)`\*\*")
_FLAGS = re.compile(r"\s*\((m|x|\+)\)")


def spec_text():
    return SPEC.resolve().read_text(encoding="utf-8")


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _unquote(cell):
    return cell.replace("`", "").strip()


def parse_codes(text):
    """'(1–7, 99)' → [1..7, 99]; ranges may run downwards (who5 '5–0')."""
    codes = []
    for token in text.split(","):
        token = token.strip()
        m = re.fullmatch(r"(\d+)–(\d+)", token)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            step = 1 if b >= a else -1
            codes.extend(range(a, b + step, step))
        elif token.isdigit():
            codes.append(int(token))
        else:
            codes.append(token)
    return codes


def parse_item_row(row, theme=None):
    num, item, paper, qtype, da, en, choices, relevant, req = cells(row)
    fixed = "◆" in item
    name = _unquote(item.replace("◆", ""))
    out = {
        "num": num, "name": name, "fixed": fixed, "paper": paper, "type": qtype,
        "da": da, "en": en, "choices_cell": choices, "relevant": _unquote(relevant),
        "required": req == "yes", "theme": theme, "list": None, "codes": None,
    }
    if qtype.startswith("select"):
        m = re.match(r"`(\w+)` \(([^)]*)\)", choices)
        out["list"] = m.group(1)
        out["codes"] = parse_codes(m.group(2))
    return out


def parse_items(text=None):
    """instrument name → its rows in form order, with the T1–T82 block spliced in."""
    text = text or spec_text()
    tables, block, current, theme = {}, [], None, None
    for line in text.splitlines():
        m = _SECTION.match(line)
        if m:
            current = m.group(1)
            theme = None
            continue
        if line.startswith("## 7."):
            current = "__block__"
            continue
        if line.startswith("## ") and not line.startswith("## 7"):
            current = None if not _SECTION.match(line) else current
        m = _THEME.match(line)
        if m:
            theme = (int(m.group(1)), m.group(2), m.group(3))
            continue
        if not line.startswith("| ") or current is None:
            continue
        c = cells(line)
        if len(c) != 9 or c[0] in ("#",) or set(c[0]) <= set("-"):
            continue
        if "*block T1–T82*" in line:
            tables.setdefault(current, []).append("BLOCK")
            continue
        row = parse_item_row(line, theme)
        if current == "__block__":
            block.append(row)
        else:
            tables.setdefault(current, []).append(row)
    out = {}
    for name, rows in tables.items():
        if name == "__block__":
            continue
        expanded = []
        for row in rows:
            expanded.extend(block if row == "BLOCK" else [row])
        out[name] = expanded
    return out


def _split_flags(label):
    flags = set(_FLAGS.findall(label))
    return _FLAGS.sub("", label).strip(), flags


def _choice(code, da, en):
    da, f1 = _split_flags(da)
    en, f2 = _split_flags(en)
    flags = f1 | f2
    return {"code": int(code), "da": da, "en": en, "missing": "m" in flags,
            "exclusive": "x" in flags, "added": "+" in flags}


def _inline(rest):
    out = []
    for part in rest.split(" · "):
        m = re.match(r"^(\d+) (.+?) / (.+)$", part.strip())
        out.append(_choice(m.group(1), m.group(2), m.group(3)))
    return out


def parse_choice_lists(text=None):
    """list name → [{code, da, en, missing, exclusive, added}] as §3 prints them."""
    text = text or spec_text()
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("## 3."))
    end = next(i for i, l in enumerate(lines) if l.startswith("## 4."))
    lists, current, paragraph = {}, None, ""
    for line in lines[start:end]:
        m = _LIST_HEAD.match(line)
        if m:
            current = m.group(1)
            paragraph = line
            if " — " in line and re.search(r" — \d", line):
                lists[current] = _inline(line.split(" — ", 1)[1])
            continue
        if current and line.startswith("| ") and not line.startswith("| code") and not line.startswith("|---"):
            c = cells(line)
            if current == "paid_motives":
                lists.setdefault("paid_motives", []).append(_choice(c[0], c[1], c[3]))
                lists.setdefault("considered_motives", []).append(_choice(c[0], c[2], c[3]))
            elif current == "first_paid":
                da = c[1].replace(" (`first_paid` only)", "")
                lists.setdefault("first_paid", []).append(_choice(c[0], da, c[2]))
            else:
                lists.setdefault(current, []).append(_choice(c[0], c[1], c[2]))
            continue
        if current and line and not line.startswith("|") and not _LIST_HEAD.match(line):
            paragraph += " " + line
            if current == "municipality" and re.match(r"^\d{3} ", line) and " · " in line:
                for part in line.strip(" ·").split(" · "):
                    code, label = part.strip().split(" ", 1)
                    lists.setdefault("municipality", []).append(_choice(code, label, label))
    lists["last_paid"] = [c for c in lists["first_paid"] if c["code"] != 88]
    degree = lists["degree"]
    lists["degree_no_home"] = degree + [_choice(88, "Irrelevant, har ikke bolig", "Not applicable, has no home (m)")]
    lists["degree_no_family"] = degree[:4] + [
        _choice(88, "Irrelevant, borgeren har ingen nær familie", "Not applicable, the citizen has no close family (m)"),
        degree[4]]
    lists["degree_na"] = degree[:4] + [_choice(88, "Irrelevant", "Not applicable (m)"), degree[4]]
    lists["home_municipality"] = lists["municipality"] + [
        _choice(88, "Ingen dansk bopælskommune (fx bor i udlandet)",
                "No Danish municipality of residence (e.g. lives abroad) (m)"),
        _choice(99, "Ved ikke", "Don't know (m)")]
    return lists


def parse_counts(text=None):
    """§11: instrument → (rows, notes, answerable, required, text, fixed)."""
    text = text or spec_text()
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\| `(\w+)` \| \d+ \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", line)
        if m:
            out[m.group(1)] = tuple(int(g) for g in m.groups()[1:])
    return out
