"""Finding a person on the tiny dataset: typos, traditional characters, pinyin initials, ID numbers."""

from __future__ import annotations

import pytest

from workbench.search import PersonIndex, initials, mask_id, spelled


@pytest.fixture(scope="module")
def index(tiny_view) -> PersonIndex:
    return PersonIndex.build(tiny_view)


def _names(df) -> list[str]:
    return df["name"].tolist()


def test_exact_name_first_with_village_role_and_masked_id(index: PersonIndex) -> None:
    top = index.search("张三").iloc[0]
    assert (top["name"], top["town"], top["village"], top["position"]) == ("张三", "青山镇", "东村", "村党支部书记")
    assert top["masked_id"] == "370123********0116" and top["score"] == 100.0


@pytest.mark.parametrize("typed", ["張三", "张山", " 张三 ", "zs"])
def test_variants_of_a_name_find_it_first(index: PersonIndex, typed: str) -> None:
    """Traditional characters, a homophone typo (pinyin IME), spaces, pinyin initials (cadre first on a tie)."""
    assert _names(index.search(typed))[0] == "张三"


def test_initials_of_three_characters(index: PersonIndex) -> None:
    assert _names(index.search("zxm")) == ["张小明"]


def test_id_number_finds_exactly_one_person(index: PersonIndex) -> None:
    assert _names(index.search("370123197005010116")) == ["张三"]
    assert _names(index.search("37012319450303191x")) == ["郑一"]  # lower-case x is normalised
    assert index.search("370123000000000000").empty


def test_unrelated_text_finds_nobody(index: PersonIndex) -> None:
    assert index.search("欧阳娜娜").empty
    assert index.search("").empty


def test_helpers() -> None:
    assert mask_id("370123197005010116") == "370123********0116"
    assert mask_id(None) == ""
    assert initials("张小明") == "zxm" and spelled("张三") == "zhangsan"
