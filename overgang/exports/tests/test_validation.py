"""Every validation code, with the file, line and column it names (interchange.md)."""

import pytest

from overgang.exports.interchange import Reader
from overgang.exports.package import Package, PackageError
from overgang.exports.tests.packages import BASE, add_rows, write_package

C, K, P, R, A = "citizens.csv", "courses.csv", "pauses.csv", "records.csv", "answers.csv"

CASES = {
    "unknown_file": ({"notes_txt": "hej"}, ("notes.txt", None, "", "unknown_file")),
    "bad_manifest": ({"manifest": {"format": "other", "version": 1}}, ("manifest.json", None, "format", "bad_manifest")),
    "missing_column": ({"citizens_csv": "citizen_id,worker\nAnna,\n"}, (C, 1, "municipality", "missing_column")),
    "unknown_column": ({"citizens_csv": "citizen_id,municipality,name\nAnna,Aby Kommune,x\n"}, (C, 1, "name", "unknown_column")),
    "duplicate_column": ({"pauses_csv": "course_id,start_date,start_date\n"}, (P, 1, "start_date", "duplicate_column")),
    "bad_row": ({"citizens_csv": add_rows(C, "Bo,Aby Kommune,,2016-01-01,extra")}, (C, 3, "", "bad_row")),
    "required": ({"citizens_csv": add_rows(C, "Bo,,,")}, (C, 3, "municipality", "required")),
    "too_long": ({"citizens_csv": add_rows(C, "B" * 65 + ",Aby Kommune,,")}, (C, 3, "citizen_id", "too_long")),
    "bad_date": ({"citizens_csv": add_rows(C, "Bo,Aby Kommune,,2016-13-01")}, (C, 3, "created_on", "bad_date")),
    "cpr_number": ({"citizens_csv": add_rows(C, "010190-1234,Aby Kommune,,")}, (C, 3, "citizen_id", "cpr_number")),
    "cpr_number_inside": ({"citizens_csv": add_rows(C, "bo0101901234,Aby Kommune,,")}, (C, 3, "citizen_id", "cpr_number")),
    "duplicate_id": ({"citizens_csv": add_rows(C, "ANNA,Aby Kommune,,")}, (C, 3, "citizen_id", "duplicate_id")),
    "unknown_value": ({"courses_csv": add_rows(K, "F2,Anna,2015-01-01,,paused,,")}, (K, 3, "status", "unknown_value")),
    "unknown_citizen": ({"courses_csv": add_rows(K, "F2,Bo,2015-01-01,2015-06-01,ended,,")}, (K, 3, "citizen_id", "unknown_citizen")),
    "status_mismatch": ({"courses_csv": add_rows(K, "F2,Anna,2015-01-01,,ended,,")}, (K, 3, "status", "status_mismatch")),
    "date_order": ({"courses_csv": add_rows(K, "F2,Anna,2015-01-01,2014-06-01,ended,,")}, (K, 3, "end_date", "date_order")),
    "phase_order": ({"courses_csv": add_rows(K, "F2,Anna,2015-01-01,2015-12-01,ended,2015-06-01,2015-05-01")},
                    (K, 3, "phase3_start", "date_order")),
    "second_active_course": ({"courses_csv": add_rows(K, "F2,Anna,2017-01-01,,active,,")}, (K, 3, "status", "second_active_course")),
    "unknown_course": ({"pauses_csv": add_rows(P, "F9,2016-02-01,2016-03-01")}, (P, 2, "course_id", "unknown_course")),
    "overlapping_pause": ({"pauses_csv": add_rows(P, "F1,2016-02-01,2016-03-01", "F1,2016-02-15,")},
                          (P, 3, "start_date", "overlapping_pause")),
    "course_required": ({"records_csv": add_rows(R, "R3,Anna,,cti_start,2016-01-10,")}, (R, 4, "course_id", "course_required")),
    "not_allowed": ({"records_csv": add_rows(R, "R3,Anna,,registration,2016-01-10,worker")}, (R, 4, "respondent", "not_allowed")),
    "respondent_required": ({"records_csv": add_rows(R, "R3,Anna,F1,star,2016-03-10,")}, (R, 4, "respondent", "required")),
    "course_of_other_citizen": (
        {"citizens_csv": add_rows(C, "Bo,Aby Kommune,,"), "records_csv": add_rows(R, "R3,Bo,F1,star,2016-03-10,worker")},
        (R, 4, "course_id", "course_of_other_citizen")),
    "unknown_record": ({"answers_csv": add_rows(A, "R9,gender,1")}, (A, 6, "record_id", "unknown_record")),
    "duplicate_answer": ({"answers_csv": add_rows(A, "R2,gender,2")}, (A, 6, "item", "duplicate_answer")),
    "unknown_item": ({"answers_csv": add_rows(A, "R2,shoe_size,41")}, (A, 6, "item", "unknown_item")),
    "unknown_code": ({"answers_csv": add_rows(A, "R2,school_edu,42")}, (A, 6, "value", "unknown_code")),
    "not_relevant": ({"answers_csv": add_rows(A, "R1,goal,1")}, (A, 6, "item", "not_relevant")),
    "below_min": ({"answers_csv": BASE[A].replace("1990-05-17", "1890-05-17")}, (A, 4, "value", "below_min")),
    "not_a_date": ({"answers_csv": BASE[A].replace("1990-05-17", "17.05.1990")}, (A, 4, "value", "not_a_date")),
    "exclusive_code": ({"answers_csv": add_rows(A, "R2,first_paid,1", "R2,arenas,1 3")}, None),  # valid: no exclusive code here
    "empty_value": ({"answers_csv": add_rows(A, "R2,school_edu,")}, (A, 6, "value", "empty")),
    "not_utf8": ({"citizens_csv": BASE[C].encode() + "Bjørn,Aby Kommune,,\n".encode("latin-1")}, (C, 3, "citizen_id", "not_utf8")),
    "bad_csv": ({"citizens_csv": add_rows(C, 'Bo,"Aby Kommune,,')}, (C, 3, "", "bad_csv")),
    # Found by trying packages a user could make (review of the import).
    "not_utf8_header": ({"citizens_csv": b"citizen_id,municipality,worker,created_\xe6n\nAnna,Aby Kommune,,\n"},
                        (C, 1, "", "not_utf8")),
    "empty_file": ({"records_csv": ""}, (R, 1, "record_id", "missing_column")),
    "implausible_date": ({"courses_csv": add_rows(K, "F2,Anna,2015-01-01,9999-12-31,ended,,")},
                         (K, 3, "end_date", "implausible_date")),
    "spaces_in_pseudonym": ({"citizens_csv": add_rows(C, '" Bo  Ege ",Aby Kommune,,')}, (C, 3, "citizen_id", "bad_text")),
    "line_break_in_pseudonym": ({"citizens_csv": add_rows(C, '"Bo\nEge",Aby Kommune,,')}, (C, 3, "citizen_id", "bad_text")),
    "nul_in_id": ({"citizens_csv": add_rows(C, "Bo\x00b,Aby Kommune,,")}, (C, 3, "citizen_id", "bad_text")),
    "huge_integer": ({"records_csv": add_rows(R, "R3,Anna,F1,star,2016-03-10,citizen"),
                      "answers_csv": add_rows(A, "R3,possible,1", "R3,paid_last_month,1", "R3,paid_count," + "1" * 5000)},
                     (A, 8, "value", "out_of_range")),
    "huge_code": ({"answers_csv": add_rows(A, "R2,school_edu," + "1" * 5000)}, (A, 6, "value", "unknown_code")),
    "back_to_back_pauses": ({"pauses_csv": add_rows(P, "F1,2016-02-01,2016-03-01", "F1,2016-03-01,2016-04-01")}, None),
}


def read(directory):
    with Package(directory) as package:
        reader = Reader(package)
        rows = list(reader.read())
    return rows, reader.problems


def test_it_accepts_the_base_package(tmp_path):
    rows, problems = read(write_package(tmp_path / "p"))
    assert problems == []
    assert len(rows) == 4


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_reports_each_problem_where_it_is(tmp_path, case):
    files, expected = CASES[case]
    _rows, problems = read(write_package(tmp_path / "p", **files))
    found = [(p.file, p.line, p.column, p.code) for p in problems]
    if expected is None:
        assert found == []
        return
    assert expected in found, found
    problem = problems[found.index(expected)]
    assert problem.message_da and problem.message_en


def test_it_reports_a_missing_file_and_a_subfolder(tmp_path):
    directory = write_package(tmp_path / "p", drop=("answers.csv",))
    (directory / "extra").mkdir()
    _rows, problems = read(directory)
    found = {(p.file, p.code) for p in problems}
    assert ("answers.csv", "missing_file") in found
    assert ("extra", "subfolder") in found


def test_it_names_the_first_line_of_a_row_that_spans_lines(tmp_path):
    answers = add_rows(A, 'R2,citizenship,2', 'R2,citizenship_other,"to\nlinjer"', "R2,school_edu,42")
    _rows, problems = read(write_package(tmp_path / "p", answers_csv=answers))
    assert [(p.line, p.code) for p in problems] == [(9, "unknown_code")]


def test_it_refuses_a_zip_with_a_folder_or_too_much_data(tmp_path):
    import zipfile

    directory = write_package(tmp_path / "p")
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in directory.iterdir():
            bundle.write(path, f"p/{path.name}")
    _rows, problems = read(archive)
    assert {p.code for p in problems} >= {"subfolder", "missing_file"}
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("answers.csv", b"0" * 5_000_000)
    with pytest.raises(PackageError) as info:
        Package(bomb)
    assert info.value.problems[0].code == "too_large"
    with pytest.raises(PackageError) as info:
        Package(tmp_path / "nothing-here")
    assert info.value.problems[0].code == "not_a_package"


def test_it_reports_a_damaged_zip_member_and_a_manifest_nested_too_deep(tmp_path):
    import zipfile

    directory = write_package(tmp_path / "p", citizens_csv=add_rows(C, *[f"Borger{i},Aby Kommune,," for i in range(200)]))
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(directory.iterdir()):
            bundle.write(path, path.name)
    data = bytearray(archive.read_bytes())
    at = data.index(b"citizens.csv") + 40  # inside the member's compressed bytes
    data[at] ^= 0xFF
    archive.write_bytes(bytes(data))
    _rows, problems = read(archive)
    assert ("citizens.csv", "bad_zip") in {(p.file, p.code) for p in problems}
    deep = write_package(tmp_path / "deep")
    (deep / "manifest.json").write_text('{"format": "overgang-interchange", "version": 1, "a": '
                                        + "[" * 100000 + "]" * 100000 + "}")
    _rows, problems = read(deep)
    assert ("manifest.json", "bad_manifest") in {(p.file, p.code) for p in problems}


def test_it_refuses_a_zip_with_two_members_of_one_name(tmp_path):
    import warnings
    import zipfile

    directory = write_package(tmp_path / "p")
    archive = tmp_path / "p.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        with zipfile.ZipFile(archive, "w") as bundle:
            for path in sorted(directory.iterdir()):
                bundle.write(path, path.name)
            bundle.writestr("citizens.csv", BASE[C])
    with pytest.raises(PackageError) as info:
        Package(archive)
    assert info.value.problems[0].code == "duplicate_member"
