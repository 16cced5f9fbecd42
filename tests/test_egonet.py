"""Ego networks on the tiny dataset, worked out by hand from tests/fixtures/tiny/."""

from __future__ import annotations

import pytest

from workbench.egonet import ego_map, node_id
from workbench.graphview import external_resources, render_html

ZHANG_SAN, LI_MEI, ZHANG_XIAOMING, ZHANG_SI = (
    "370123197005010116",
    "370123197203020227",
    "370123199506010316",
    "370123197308150511",
)


def _edges(m) -> set[tuple[str, str, str]]:
    return {(e.source.split(":", 1)[1], e.target.split(":", 1)[1], e.label) for e in m.edges}


def test_depth_one_is_the_cadre_with_relatives_household_and_office(tiny_view) -> None:
    m = ego_map(tiny_view, ZHANG_SAN, depth=1)
    centre = m.nodes[0]
    assert (centre.kind, centre.label, centre.details["身份证号"]) == ("Cadre", "张三", "370123********0116")
    assert _edges(m) == {
        (ZHANG_SAN, LI_MEI, "亲属（配偶）"),
        (ZHANG_SAN, ZHANG_XIAOMING, "亲属（儿子）"),
        (ZHANG_SAN, ZHANG_SI, "亲属（兄弟）"),
        (ZHANG_SAN, "H001", "户籍成员（户主）"),
        (ZHANG_SAN, "青山镇/东村", "任职（村党支部书记）"),
    }


def test_depth_two_adds_their_households_accounts_and_payments_per_program(tiny_view) -> None:
    m = ego_map(tiny_view, ZHANG_SAN, depth=2)
    groups = {n.label for n in m.nodes if n.kind == "PaymentGroup"}
    assert groups == {"最低生活保障 2笔 1,600.00元", "耕地地力保护补贴 1笔 120.00元"}
    assert (ZHANG_XIAOMING, "6217000000000001", "使用账户（张小明）") in _edges(m)
    assert (ZHANG_SI, "H002", "户籍成员（户主）") in _edges(m)
    # the relation keeps the cadre → relative direction when the relative is expanded
    assert (LI_MEI, ZHANG_SAN, "亲属（配偶）") not in _edges(m)


def test_relationship_and_date_filters(tiny_view) -> None:
    only_relatives = ego_map(tiny_view, ZHANG_SAN, depth=2, rels={"RELATIVE_OF"})
    assert {n.kind for n in only_relatives.nodes} == {"Cadre", "Person"}
    before = ego_map(tiny_view, ZHANG_SAN, depth=2, day_to=0)  # nothing was paid before 1970
    assert not [n for n in before.nodes if n.kind == "PaymentGroup"]


def test_a_cap_collapses_the_rest_into_one_node_with_a_message(tiny_view) -> None:
    m = ego_map(tiny_view, ZHANG_SAN, depth=1, cap=2)
    more = [n for n in m.nodes if n.kind == "Group"]
    assert [n.label for n in more] == ["另有 3 项未展开"]
    assert m.notes == [f"{ZHANG_SAN} 的关联超过 2 项，另 3 项合并为一个节点"]


def test_grades_ring_people_and_unmasked_ids_on_request(tiny_view) -> None:
    m = ego_map(tiny_view, ZHANG_SAN, depth=1, grades={ZHANG_XIAOMING: "red"}, mask=False)
    node = next(n for n in m.nodes if n.id == node_id("Person", ZHANG_XIAOMING))
    assert node.grade == "red" and node.details["身份证号"] == ZHANG_XIAOMING
    assert external_resources(render_html(m.nodes, m.edges, "张三")) == []


def test_unknown_person_and_bad_depth(tiny_view) -> None:
    with pytest.raises(KeyError, match="没有身份证号为"):
        ego_map(tiny_view, "370123000000000000")
    with pytest.raises(ValueError, match="深度"):
        ego_map(tiny_view, ZHANG_SAN, depth=4)


def test_an_undeclared_household_relative_is_drawn_as_inferred(golden_view) -> None:
    """张建国 declared his wife 王秀英 but not his son 张伟; both live in his household H01:
    the wife's link is the declared one, the son's says 户籍推断."""
    cadre, wife, son = "370123197005011039", "370123197203021043", "370123199506011079"
    edges = _edges(ego_map(golden_view, cadre, depth=1, rels={"RELATIVE_OF"}))
    assert (cadre, wife, "亲属（配偶）") in edges
    assert (cadre, son, "亲属（儿子·户籍推断）") in edges
    assert not any(t == wife and "户籍推断" in label for _, t, label in edges)  # one link per pair, declared first
