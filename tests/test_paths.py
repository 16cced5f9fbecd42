"""Paths between two people and nodes opened in place, on the tiny dataset (worked out by hand).

张三 declared 李梅 (配偶), 張小明 (儿子) and 张四 (兄弟); 张三, 李梅 and 张小明 share household
H001; 王五 and 赵六 share H003; nobody of H001/H002 is linked to H003.
"""

from __future__ import annotations

import pytest
from test_egonet import LI_MEI, ZHANG_SAN, ZHANG_SI, ZHANG_XIAOMING, _edges

from workbench.egonet import ego_map, node_id
from workbench.paths import describe, path_map, shortest_paths

WANG_WU, ZHAO_LIU = "370123196001100718", "370123194002200914"


def test_two_relatives_of_one_cadre_are_two_hops_apart(tiny_view) -> None:
    r = shortest_paths(tiny_view, LI_MEI, ZHANG_SI)
    assert r.hops == 2 and len(r.paths) == 1
    # directions kept as stored: the cadre declared both
    assert describe(r, r.paths[0]) == "李梅 ←亲属（配偶）— 张三 —亲属（兄弟）→ 张四"


def test_people_of_one_household_meet_in_it(tiny_view) -> None:
    r = shortest_paths(tiny_view, WANG_WU, ZHAO_LIU)
    assert r.hops == 2
    assert [describe(r, p) for p in r.paths] == ["王五 —户籍成员（户主）→ 户 H003 ←户籍成员（父亲）— 赵六"]


def test_all_shortest_paths_and_only_those(tiny_view) -> None:
    r = shortest_paths(tiny_view, ZHANG_SAN, ZHANG_XIAOMING)
    assert r.hops == 1 and [describe(r, p) for p in r.paths] == ["张三 —亲属（儿子）→ 张小明"]
    r = shortest_paths(tiny_view, LI_MEI, ZHANG_XIAOMING)  # via the cadre, or via their household
    assert r.hops == 2
    assert sorted(describe(r, p) for p in r.paths) == [
        "李梅 —户籍成员（配偶）→ 户 H001 ←户籍成员（子）— 张小明",
        "李梅 ←亲属（配偶）— 张三 —亲属（儿子）→ 张小明",
    ]


def test_no_path_within_the_hop_limit(tiny_view) -> None:
    assert shortest_paths(tiny_view, ZHANG_SAN, WANG_WU).paths == []
    assert shortest_paths(tiny_view, LI_MEI, ZHANG_SI, max_hops=1).hops is None
    with pytest.raises(ValueError, match="跳数"):
        shortest_paths(tiny_view, LI_MEI, ZHANG_SI, max_hops=5)


def test_the_path_map_masks_ids_and_draws_every_step(tiny_view) -> None:
    r = shortest_paths(tiny_view, LI_MEI, ZHANG_SI)
    m = path_map(r, grades={ZHANG_SI: "red"})
    assert [n.label for n in m.nodes] == ["张三", "李梅", "张四"]
    assert {n.details["身份证号"] for n in m.nodes} == {"370123********0116", "370123********0227", "370123********0511"}
    assert next(n.grade for n in m.nodes if n.label == "张四") == "red"
    assert _edges(m) == {(ZHANG_SAN, LI_MEI, "亲属（配偶）"), (ZHANG_SAN, ZHANG_SI, "亲属（兄弟）")}


def test_a_node_opened_in_place_adds_its_links_and_keeps_the_rest(tiny_view) -> None:
    before = ego_map(tiny_view, ZHANG_SAN, depth=1)
    after = ego_map(tiny_view, ZHANG_SAN, depth=1, expand=[node_id("Person", ZHANG_SI)])
    assert before.node_ids() < after.node_ids()
    assert after.node_ids() - before.node_ids() == {
        "Household:H002",
        "Account:6217000000000002",
        f"PaymentGroup:{ZHANG_SI}|耕地地力保护补贴",
    }
    assert (ZHANG_SI, "H002", "户籍成员（户主）") in _edges(after)
    # a household opens to its members; opening a node twice changes nothing
    hh = ego_map(tiny_view, ZHANG_SAN, depth=1, expand=["Household:H001", "Household:H001"])
    assert (LI_MEI, "H001", "户籍成员（配偶）") in _edges(hh)
    assert len(hh.edges) == len({(e.source, e.target, e.label) for e in hh.edges})
