import pytest

from overgang.synthetic import package as cohort


@pytest.fixture
def package(tmp_path):
    """A small generated package of 12 courses in the world's municipalities."""
    target = tmp_path / "package"
    cohort.write_cohort(target, courses=12, seed=7)
    return target
