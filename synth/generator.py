"""A fictitious county's department exports, deterministic for a seed.

Normal data is drawn so that no detection model fires on it: households are split
into pools — cadre families (universal programs only), asset holders and public
employees (no means-tested aid), welfare households (means-tested aid, nothing
else suspicious) and plain households (universal programs, deaths, moves, splits).
Every pattern of the 12 models is then planted explicitly, with look-alike cases
that must not fire, and written to ``truth/planted.csv`` (the expected warnings).
Dirty rows exercise the data contract: a GB18030 file, a BOM, header aliases,
XLSX files with a numeric ID cell, 15-digit and full-width IDs, bad checksums,
bad dates and amounts, duplicate rows, traditional characters.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

from loaders.normalize import id_check_char
from loaders.read import read_xlsx

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单区朴"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕鹏辉建国建华志强海燕春梅小红建军文秀凤英永华德明桂芳玉兰"
)
TOWN_NAMES = ["青山镇", "白水镇", "柳河镇", "石桥镇", "东湖乡", "西岭乡", "南坪镇", "北塘镇", "红旗镇", "新安乡"]
VILLAGE_SUFFIX = ["村", "庄村", "屯村", "河村", "沟村"]
VILLAGE_WORDS = "东西南北前后上下大小新老高李张王刘杨陈赵黄周吴徐孙马朱胡郭何林罗"
POSITIONS = ["村党支部书记", "村民委员会主任", "村务监督委员会主任", "村民委员会委员", "村会计", "村文书"]
PAYMENT_HEADER = [
    "发放流水号",
    "项目名称",
    "主管部门",
    "姓名",
    "身份证号",
    "户号",
    "乡镇",
    "村",
    "发放金额",
    "发放日期",
    "所属期",
    "银行账号",
    "账户户名",
]
MONTHS = [(y, m) for y in (2021, 2022, 2023) for m in range(1, 13)]


@dataclass(frozen=True)
class Program:
    """A subsidy program of the catalogue."""

    name: str
    means_tested: bool
    group: str
    min_age: int | None
    department: str
    amount: float


PROGRAMS = {
    p.name: p
    for p in [
        Program("最低生活保障", True, "社会救助", None, "民政局", 420),
        Program("特困人员救助供养", True, "社会救助", None, "民政局", 860),
        Program("临时救助", True, "", None, "民政局", 1500),
        Program("医疗救助", True, "", None, "医疗保障局", 2300),
        Program("农村危房改造补助", True, "", None, "住房和城乡建设局", 15000),
        Program("困难残疾人生活补贴", True, "", None, "残疾人联合会", 90),
        Program("雨露计划", True, "", None, "乡村振兴局", 3000),
        Program("高龄补贴", False, "", 80, "民政局", 100),
        Program("城乡居民基础养老金", False, "", 60, "人力资源和社会保障局", 163),
        Program("耕地地力保护补贴", False, "", None, "农业农村局", 560),
        Program("生态公益林补偿", False, "", None, "林业局", 210),
        Program("退耕还林补助", False, "", None, "林业局", 1200),
        Program("农机购置补贴", False, "", None, "农业农村局", 8000),
        Program("计划生育奖励扶助", False, "", 60, "卫生健康委员会", 960),
        Program("种粮一次性补贴", False, "", None, "农业农村局", 150),
        Program("重度残疾人护理补贴", False, "", None, "残疾人联合会", 90),
    ]
}


@dataclass(frozen=True)
class Scale:
    """Sizes and rates of one scale."""

    towns: int
    villages_per_town: int
    households: int
    cadres_per_village: int
    dibao: float  # share of households on 最低生活保障
    pension: float  # share of people 60+ whose pension rows are exported
    elderly_share: float  # share of the 80+ who get 高龄补贴


SCALES = {
    "demo": Scale(3, 4, 1700, 3, 0.07, 0.35, 1.0),
    "county": Scale(20, 20, 200_000, 10, 0.012, 0.03, 0.8),
    "city": Scale(60, 25, 3_000_000, 10, 0.012, 0.0, 0.9),
}


@dataclass
class Person:
    """One person of the fictitious county."""

    pid: str
    name: str
    birth: date
    account: str
    death: date | None = None


@dataclass
class Household:
    """A household: id, place, members with their relation to the head."""

    hid: str
    town: str
    village: str
    created: date
    members: list[tuple[Person, str]] = field(default_factory=list)
    split_from: str = ""
    pool: str = "plain"


@dataclass
class Summary:
    """What was written: rows per file and the number of planted warnings."""

    files: dict[str, int]
    planted: int


class County:
    """Builds the rows of every department file."""

    def __init__(self, scale: Scale, seed: int) -> None:
        self.s = scale
        self.r = random.Random(seed)
        self.ids: set[str] = set()
        self.seq = 0
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.planted: list[dict] = []
        self.plant_totals: dict[str, list[float]] = {}
        self.pay_seq = 0
        self.hh_seq = 0
        self.acc_seq = 0
        self.villages: list[tuple[str, str]] = []
        self.households: list[Household] = []
        self.by_village: dict[tuple[str, str], list[Household]] = defaultdict(list)
        self.names_in_village: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        #: (household, person) → date the person moved out of that household
        self.moved: dict[tuple[str, str], date] = {}
        #: planted invalid ID values with their owners: (bad id, pid, name, town, village)
        self.invalid_owners: list[tuple[str, str, str, str, str]] = []

    def noise(self, rate: float, seed: int) -> list[dict]:
        """Damage IDs and names (synth/noise.py); the truth rows, with the planted invalid IDs' owners."""
        from synth.noise import add_noise

        truth = add_noise(self.rows["payments"], self.rows["relatives"], rate, seed)
        for bad, pid, name, town, village in self.invalid_owners:
            truth.append(
                {"kind": "payment", "id_value": bad, "name": name, "town": town, "village": village, "true_pid": pid,
                 "id_damage": "planted", "name_damage": "", "rows": 1}
            )  # fmt: skip
        return truth

    # -- making people and households ------------------------------------------------------
    def person(self, birth: date, sex: str | None = None, name: str | None = None) -> Person:
        """A person with a fresh valid ID number for ``birth``."""
        sex = sex or self.r.choice("男女")
        while True:
            region = f"3701{self.r.randint(20, 20 + self.s.towns):02d}"
            seq = self.r.randint(0, 499) * 2 + (1 if sex == "男" else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            pid = first17 + id_check_char(first17)
            if pid not in self.ids:
                self.ids.add(pid)
                break
        if name is None:
            given = "".join(self.r.choice(GIVEN) for _ in range(self.r.choice((1, 2, 2))))
            name = self.r.choice(SURNAMES) + given
        self.acc_seq += 1
        return Person(pid, name, birth, f"6217{self.acc_seq:015d}")

    def birth(self, lo: int, hi: int) -> date:
        """A birth date for an age between lo and hi on 2021-01-01."""
        return date(2021 - self.r.randint(lo, hi), self.r.randint(1, 12), self.r.randint(1, 28))

    def household(
        self, village: tuple[str, str], pool: str, size: int | None = None, created: date | None = None, split_from: str = ""
    ) -> Household:
        """A household with a head and family members, registered in ``village``."""
        self.hh_seq += 1
        hh = Household(
            f"{village[0][:1]}{self.hh_seq:07d}",
            village[0],
            village[1],
            created or date(self.r.randint(1985, 2018), self.r.randint(1, 12), self.r.randint(1, 28)),
            split_from=split_from,
            pool=pool,
        )
        size = size if size is not None else self.r.choice((1, 2, 2, 3, 3, 3, 4, 4, 5))
        if size:
            head = self.person(self.birth(28, 78), "男")
            self.add_member(hh, head, "户主")
            if size >= 2:
                self.add_member(hh, self.person(head.birth + timedelta(days=self.r.randint(-900, 900)), "女"), "配偶")
            for _ in range(max(0, size - 2 - (size == 5))):
                age = 2021 - head.birth.year
                child = self.person(self.birth(max(1, age - 40), max(2, age - 22)))
                self.add_member(hh, child, "子" if self.r.random() < 0.5 else "女")
            if size == 5:
                self.add_member(hh, self.person(self.birth(80, 95) if self.r.random() < 0.4 else self.birth(62, 79)), "母亲")
        self.households.append(hh)
        self.by_village[village].append(hh)
        return hh

    def add_member(self, hh: Household, p: Person, relation: str) -> None:
        """Register ``p`` in ``hh``."""
        hh.members.append((p, relation))
        self.names_in_village[(hh.town, hh.village)][p.name] += 1

    # -- rows ----------------------------------------------------------------------------
    def pay(
        self,
        p: Person,
        program: str,
        village: tuple[str, str],
        when: date,
        hid: str | None = "",
        period: str | None = None,
        amount: float | None = None,
        account: str | None = None,
        plant: str | None = None,
        pid: str | None = None,
        force: bool = False,
    ) -> None:
        """One payment row; normal payments to a dead person are not made (``force`` plants them)."""
        if plant is None and not force and p.death and when > p.death:
            return
        prog = PROGRAMS[program]
        amount = float(amount if amount is not None else prog.amount)
        self.pay_seq += 1
        self.rows["payments"].append(
            {
                "流水号": f"F{when.year}{self.pay_seq:09d}",
                "项目": program,
                "部门": prog.department,
                "姓名": p.name,
                "身份证号": pid or p.pid,
                "户号": hid or "",
                "乡镇": village[0],
                "村": village[1],
                "金额": amount,
                "日期": when,
                "所属期": period if period is not None else f"{when:%Y-%m}",
                "账号": account if account is not None else p.account,
                "户名": p.name,
            }
        )
        if plant:
            tot = self.plant_totals.setdefault(plant, [0, 0.0])
            tot[0] += 1
            tot[1] += amount

    def monthly(
        self,
        p: Person,
        program: str,
        village: tuple[str, str],
        months: list[tuple[int, int]],
        hid: str = "",
        day: int = 10,
        **kw: object,
    ) -> None:
        """A payment on ``day`` of each month of ``months``."""
        for y, m in months:
            self.pay(p, program, village, date(y, m, day), hid, **kw)

    def plant(self, model: str, grade: str, subject: str, name: str, note: str, key: str | None = None) -> None:
        """Record an expected warning; its payment totals come from the payments tagged ``key``."""
        self.planted.append(
            {"model": model, "grade": grade, "subject_id": subject, "subject_name": name, "note": note, "key": key or ""}
        )

    def lookalike(self, model: str, note: str) -> None:
        """Record a case that must not fire."""
        self.planted.append({"model": model, "grade": "none", "subject_id": "", "subject_name": "", "note": note, "key": ""})

    # -- the county ------------------------------------------------------------------------
    def build(self) -> None:
        """Places, households, cadres, normal payments, base data, plants."""
        r = self.r
        for t in range(self.s.towns):
            town = TOWN_NAMES[t] if t < len(TOWN_NAMES) else f"第{t + 1}镇"
            used: set[str] = set()
            while len(used) < self.s.villages_per_town:
                used.add(r.choice(VILLAGE_WORDS) + r.choice(VILLAGE_WORDS) + r.choice(VILLAGE_SUFFIX))
            self.villages += [(town, v) for v in sorted(used)]
        n_v = len(self.villages)
        for i in range(self.s.households):
            v = self.villages[i % n_v]
            roll = r.random()
            pool = "asset" if roll < 0.06 else ("welfare" if roll < 0.06 + self.s.dibao * 1.6 else "plain")
            self.household(v, pool)
        self.cadres()
        self.normal_payments()
        self.base_data()
        self.plants()

    def cadres(self) -> None:
        """Cadres with their own household, sibling households and declared relatives."""
        r = self.r
        for v in self.villages:
            for k in range(self.s.cadres_per_village):
                hh = self.household(v, "cadre", size=r.choice((2, 3, 3, 4, 5)))
                cadre = hh.members[0][0]
                start = date(r.randint(2015, 2020), r.choice((1, 4, 7)), 1)
                end = date(r.randint(2021, 2023), 12, 31) if r.random() < 0.2 else None
                self.cadre_row(cadre, v, POSITIONS[k % len(POSITIONS)], start, end)
                for member, rel in hh.members[1:]:
                    relation = {"配偶": "配偶", "子": "儿子", "女": "女儿", "母亲": "母亲"}[rel]
                    # Some declarations carry no ID; a name unique in the village still links.
                    unique = self.names_in_village[v][member.name] == 1
                    self.relative_row(cadre, member, relation, v[1], with_id=not (unique and r.random() < 0.15))
                for _ in range(r.choice((2, 2, 3, 3))):
                    sib = self.household(v, "cadre", size=r.choice((1, 2, 3)))
                    self.relative_row(cadre, sib.members[0][0], "兄弟姐妹", v[1])
                    if len(sib.members) > 1:
                        self.relative_row(cadre, sib.members[1][0], "兄弟姐妹的配偶", v[1])

    def cadre_row(self, p: Person, v: tuple[str, str], position: str, start: date | None, end: date | None) -> None:
        """A row of the cadre roster."""
        self.rows["cadres"].append(
            {
                "姓名": p.name,
                "身份证号": p.pid,
                "乡镇": v[0],
                "村": v[1],
                "职务": position,
                "任职开始": start or "",
                "任职结束": end or "",
            }
        )

    def relative_row(self, cadre: Person, rel: Person, relation: str, village: str, with_id: bool = True) -> None:
        """A declared relative."""
        self.rows["relatives"].append(
            {
                "干部身份证号": cadre.pid,
                "干部姓名": cadre.name,
                "亲属姓名": rel.name,
                "亲属身份证号": rel.pid if with_id else "",
                "关系": relation,
                "亲属所在村": village,
                "_true_pid": rel.pid,  # for the noise mode's truth; not written
            }
        )

    def normal_payments(self) -> None:
        """Universal programs for everyone eligible, means-tested aid for welfare households."""
        r = self.r
        for hh in list(self.households):
            v = (hh.town, hh.village)
            head = hh.members[0][0] if hh.members else None
            if head is None:
                continue
            if hh.pool == "plain" and r.random() < 0.02:
                # deaths among the old: payments stop before the death date
                old = [p for p, _ in hh.members if 2021 - p.birth.year >= 70]
                if old:
                    p = old[0]
                    p.death = date(r.randint(2021, 2023), r.randint(1, 12), r.randint(1, 28))
            if r.random() < 0.8:
                for y in (2021, 2022, 2023):
                    self.pay(
                        head, "耕地地力保护补贴", v, date(y, 5, 20), hh.hid, period=str(y), amount=round(r.uniform(80, 900), 2)
                    )
            if r.random() < 0.1:
                for y in (2021, 2022, 2023):
                    self.pay(
                        head, "生态公益林补偿", v, date(y, 11, 15), hh.hid, period=str(y), amount=round(r.uniform(50, 400), 2)
                    )
            if r.random() < 0.02:
                self.pay(head, "种粮一次性补贴", v, date(2022, 6, 30), hh.hid, period="2022")
            for p, _ in hh.members:
                age = 2021 - p.birth.year - 1  # age on 2021-01-01 at least this
                if age >= 80 and r.random() < self.s.elderly_share:
                    self.monthly(p, "高龄补贴", v, MONTHS, hh.hid)
                elif age >= 60 and r.random() < self.s.pension:
                    self.monthly(p, "城乡居民基础养老金", v, MONTHS, hh.hid, day=15)
                if age >= 61 and r.random() < 0.03:
                    for y in (2021, 2022, 2023):
                        self.pay(p, "计划生育奖励扶助", v, date(y, 9, 1), hh.hid, period=str(y))
            if hh.pool == "welfare":
                first = r.randrange(0, 30)
                program = "最低生活保障" if r.random() < 0.85 else "特困人员救助供养"
                months = MONTHS[first : first + r.randint(6, 36)]
                self.monthly(head, program, v, months, hh.hid, amount=PROGRAMS[program].amount * len(hh.members) / 2)
                if r.random() < 0.1:
                    self.pay(head, "临时救助", v, date(r.randint(2021, 2023), r.randint(1, 12), 18), hh.hid)
                if r.random() < 0.05:
                    self.pay(head, "医疗救助", v, date(r.randint(2021, 2023), r.randint(1, 12), 8), hh.hid)
                if r.random() < 0.1:
                    self.monthly(hh.members[-1][0], "困难残疾人生活补贴", v, MONTHS[:12], hh.hid, day=12)
                if r.random() < 0.05:
                    # look-alike: a farm vehicle is no asset
                    self.vehicle(head, "手扶拖拉机", date(2019, 3, 3))

    def vehicle(self, p: Person, kind: str, registered: date) -> None:
        """A row of the vehicle register."""
        self.rows["vehicles"].append(
            {
                "车主姓名": p.name,
                "车主身份证号": p.pid,
                "号牌号码": f"鲁A{len(self.rows['vehicles']) + 10000:05d}",
                "车辆类型": kind,
                "登记日期": registered,
            }
        )

    def business(self, p: Person, founded: date) -> None:
        """A row of the business register."""
        n = len(self.rows["businesses"]) + 1
        self.rows["businesses"].append(
            {
                "企业名称": f"{p.name[:1]}氏{n}号商贸有限公司",
                "信用代码": f"91370123MA{n:08d}",
                "法定代表人": p.name,
                "法定代表人身份证号": p.pid,
                "成立日期": founded,
                "注册资本": self.r.choice((10, 50, 100, 200)),
            }
        )

    def employee(self, p: Person, employer: str, start: date, end: date | None = None) -> None:
        """A row of the public-employee register."""
        self.rows["public_employees"].append(
            {"姓名": p.name, "身份证号": p.pid, "工作单位": employer, "入职日期": start, "离职日期": end or ""}
        )

    def base_data(self) -> None:
        """Public employees, vehicles and businesses in the asset pool; deaths."""
        r = self.r
        for hh in self.households:
            if hh.pool == "asset":
                p = hh.members[0][0]
                roll = r.random()
                if roll < 0.4:
                    self.employee(p, f"{hh.town}人民政府", date(r.randint(1995, 2015), 7, 1))
                elif roll < 0.75:
                    self.vehicle(p, r.choice(("小型轿车", "小型普通客车", "轻型货车")), date(r.randint(2012, 2022), 4, 9))
                else:
                    self.business(p, date(r.randint(2008, 2022), 3, 15))
            for p, _ in hh.members:
                if p.death:
                    self.rows["deaths"].append({"姓名": p.name, "身份证号": p.pid, "死亡日期": p.death, "来源": "公安"})

    # -- the planted cases ---------------------------------------------------------------------
    def plants(self) -> None:
        """Every model's pattern, with look-alikes. Each uses people of its own."""
        r = self.r
        v0, v1 = self.villages[0], self.villages[1]  # same town
        vx = self.villages[self.s.villages_per_town]  # another town
        m21 = MONTHS[:12]

        def cadre_family(v: tuple[str, str], start: date, size: int = 3, end: date | None = None) -> Household:
            hh = self.household(v, "cadre", size=size)
            self.cadre_row(hh.members[0][0], v, "村党支部书记", start, end)
            return hh

        def welfare(v: tuple[str, str], size: int = 2) -> Household:
            return self.household(v, "planted", size=size)

        # 1 RELATIVE_BENEFIT
        hh = cadre_family(v0, date(2019, 1, 1))
        c, son = hh.members[0][0], hh.members[1][0]
        self.relative_row(c, son, "配偶", v0[1])
        self.monthly(son, "最低生活保障", v0, m21, hh.hid, plant="rb_red")
        self.plant("RELATIVE_BENEFIT", "red", f"{c.pid}|{son.pid}", f"{c.name}|{son.name}", "配偶在本村领取低保", "rb_red")
        self.pay(son, "耕地地力保护补贴", v0, date(2022, 5, 20), hh.hid, period="2022")
        self.lookalike("RELATIVE_BENEFIT", f"{c.name}的配偶领取普惠性耕地地力保护补贴，不应预警")

        hh = cadre_family(v0, date(2019, 1, 1))
        c2 = hh.members[0][0]
        bro = welfare(v0, 1)
        self.relative_row(c2, bro.members[0][0], "兄弟", v0[1])
        self.pay(bro.members[0][0], "临时救助", v0, date(2021, 8, 18), bro.hid, plant="rb_orange")
        self.plant(
            "RELATIVE_BENEFIT",
            "orange",
            f"{c2.pid}|{bro.members[0][0].pid}",
            f"{c2.name}|{bro.members[0][0].name}",
            "兄弟在本村领取临时救助",
            "rb_orange",
        )
        far = welfare(vx, 1)
        self.relative_row(c2, far.members[0][0], "兄弟", vx[1])
        self.monthly(far.members[0][0], "最低生活保障", vx, m21, far.hid)
        self.lookalike("RELATIVE_BENEFIT", f"{c2.name}的兄弟在外乡镇领取低保，不应预警")

        hh = cadre_family(v0, date(2019, 1, 1))
        c3 = hh.members[0][0]
        dau = welfare(v1, 1)
        self.relative_row(c3, dau.members[0][0], "女儿", v1[1])
        self.monthly(dau.members[0][0], "最低生活保障", v1, MONTHS[12:18], dau.hid, plant="rb_yellow")
        self.plant(
            "RELATIVE_BENEFIT",
            "yellow",
            f"{c3.pid}|{dau.members[0][0].pid}",
            f"{c3.name}|{dau.members[0][0].name}",
            "女儿在本镇其他村领取低保",
            "rb_yellow",
        )

        hh = cadre_family(v1, date(2018, 7, 1), size=2)
        c4 = hh.members[0][0]
        mother = self.person(self.birth(70, 78), "女")
        self.add_member(hh, mother, "母亲")
        self.monthly(mother, "特困人员救助供养", v1, MONTHS[24:30], hh.hid, plant="rb_inferred")
        self.plant(
            "RELATIVE_BENEFIT",
            "red",
            f"{c4.pid}|{mother.pid}",
            f"{c4.name}|{mother.name}",
            "未申报的同户母亲（户籍推断）领取特困供养",
            "rb_inferred",
        )

        hh = cadre_family(v1, date(2018, 7, 1))
        c5 = hh.members[0][0]
        girl = welfare(v1, 1)
        g = girl.members[0][0]
        while self.names_in_village[v1][g.name] > 1:  # the name must be unique for the match
            self.names_in_village[v1][g.name] -= 1
            g.name = g.name + "娟"
            self.names_in_village[v1][g.name] += 1
        self.relative_row(c5, g, "女儿", v1[1], with_id=False)
        self.monthly(g, "最低生活保障", v1, MONTHS[6:10], girl.hid, plant="rb_name")
        self.plant(
            "RELATIVE_BENEFIT",
            "red",
            f"{c5.pid}|{g.pid}",
            f"{c5.name}|{g.name}",
            "申报时未填身份证号、按姓名唯一匹配的女儿领取低保",
            "rb_name",
        )

        hh = cadre_family(v0, date(2022, 1, 1))
        c6 = hh.members[0][0]
        early = welfare(v0, 1)
        self.relative_row(c6, early.members[0][0], "儿子", v0[1])
        self.monthly(early.members[0][0], "最低生活保障", v0, m21[:6], early.hid)
        self.lookalike("RELATIVE_BENEFIT", f"{c6.name}任职前其子领取低保，不应预警")

        # 2 CADRE_SELF_BENEFIT
        hh = cadre_family(v1, date(2020, 1, 1))
        c7 = hh.members[0][0]
        self.monthly(c7, "最低生活保障", v1, MONTHS[2:8], hh.hid, plant="self")
        self.plant("CADRE_SELF_BENEFIT", "red", c7.pid, c7.name, "村干部本人任职期间领取低保", "self")
        hh = cadre_family(v1, date(2022, 1, 1))
        c8 = hh.members[0][0]
        self.pay(c8, "临时救助", v1, date(2021, 5, 18), hh.hid)
        self.lookalike("CADRE_SELF_BENEFIT", f"{c8.name}任职前领取临时救助，不应预警")

        # 3 DECEASED_RECIPIENT
        hh = self.household(v0, "planted", size=1)
        old = self.person(self.birth(84, 88), "女")
        self.add_member(hh, old, "母亲")
        old.death = date(2021, 6, 15)
        self.rows["deaths"].append({"姓名": old.name, "身份证号": old.pid, "死亡日期": old.death, "来源": "殡葬"})
        self.monthly(old, "高龄补贴", v0, m21[:7], hh.hid, force=True)  # up to 07-10: within 30 days
        self.monthly(old, "高龄补贴", v0, m21[7:], hh.hid, plant="dead1")
        self.plant("DECEASED_RECIPIENT", "red", old.pid, old.name, "死亡后继续领取高龄补贴", "dead1")
        hh = self.household(v1, "planted", size=1)
        y = self.person(self.birth(66, 70), "男")
        self.add_member(hh, y, "父亲")
        y.death = date(2022, 2, 1)
        self.rows["deaths"].append({"姓名": y.name, "身份证号": y.pid, "死亡日期": y.death, "来源": "卫健"})
        self.monthly(y, "城乡居民基础养老金", v1, MONTHS[12:13], hh.hid, day=15)
        self.monthly(y, "城乡居民基础养老金", v1, MONTHS[14:17], hh.hid, day=15, plant="dead2")
        self.plant("DECEASED_RECIPIENT", "red", y.pid, y.name, "死亡后继续领取养老金", "dead2")
        hh = self.household(v1, "planted", size=1)
        z = self.person(self.birth(85, 90), "男")
        self.add_member(hh, z, "父亲")
        z.death = date(2021, 3, 10)
        self.rows["deaths"].append({"姓名": z.name, "身份证号": z.pid, "死亡日期": z.death, "来源": "公安"})
        self.pay(z, "高龄补贴", v1, date(2021, 4, 5), hh.hid, force=True)
        self.lookalike("DECEASED_RECIPIENT", f"{z.name}死亡后26天内的发放（宽限期内），不应预警")

        # 4 PUBLIC_EMPLOYEE_BENEFIT
        hh = welfare(v0, 1)
        e = hh.members[0][0]
        self.employee(e, f"{v0[0]}卫生院", date(2010, 9, 1))
        self.monthly(e, "最低生活保障", v0, m21[:6], hh.hid, plant="emp_red")
        self.plant("PUBLIC_EMPLOYEE_BENEFIT", "red", e.pid, e.name, "财政供养人员本人领取低保", "emp_red")
        hh = welfare(v0, 2)
        e2, w2 = hh.members[0][0], hh.members[1][0]
        self.employee(e2, f"{v0[0]}中心小学", date(2008, 9, 1))
        self.monthly(w2, "最低生活保障", v0, MONTHS[12:18], hh.hid, plant="emp_orange")
        self.plant("PUBLIC_EMPLOYEE_BENEFIT", "orange", w2.pid, w2.name, "同户家庭成员为财政供养人员", "emp_orange")
        hh = welfare(v1, 1)
        e3 = hh.members[0][0]
        self.employee(e3, f"{v1[0]}人民政府", date(1990, 7, 1), date(2019, 12, 31))
        self.monthly(e3, "最低生活保障", v1, m21[:6], hh.hid)
        self.lookalike("PUBLIC_EMPLOYEE_BENEFIT", f"{e3.name}已于2019年退休后领取低保，不应预警")

        # 5 UNDERAGE_ELDERLY
        hh = self.household(v0, "planted", size=1)
        young = self.person(date(1947, 6, 1), "男")
        self.add_member(hh, young, "父亲")
        self.monthly(young, "高龄补贴", v0, MONTHS[12:18], hh.hid, plant="underage")
        self.plant("UNDERAGE_ELDERLY", "red", young.pid, young.name, "不满80周岁领取高龄补贴", "underage")
        hh = self.household(v1, "planted", size=1)
        edge = self.person(date(1941, 5, 10), "女")
        self.add_member(hh, edge, "母亲")
        self.monthly(edge, "高龄补贴", v1, m21[4:10], hh.hid)
        self.lookalike("UNDERAGE_ELDERLY", f"{edge.name}80岁生日当天起领取高龄补贴，不应预警")

        # 6 DUPLICATE_RECEIPT
        hh = welfare(v0, 1)
        d = hh.members[0][0]
        self.monthly(d, "最低生活保障", v0, MONTHS[12:15], hh.hid, plant="dup")
        self.monthly(d, "最低生活保障", vx, MONTHS[12:15], "", day=20, plant="dup")
        self.plant("DUPLICATE_RECEIPT", "orange", f"{d.pid}|最低生活保障", d.name, "同一所属期在两个村重复领取低保", "dup")
        hh = welfare(v1, 1)
        q = hh.members[0][0]
        self.monthly(q, "最低生活保障", v1, m21[:3], hh.hid)
        self.monthly(q, "最低生活保障", self.villages[2], m21[3:6], "")
        self.lookalike("DUPLICATE_RECEIPT", f"{q.name}迁居后在另一村领取不同所属期的低保，不应预警")

        # 7 EXCLUSIVE_PROGRAMS
        hh = welfare(v1, 1)
        x = hh.members[0][0]
        self.monthly(x, "最低生活保障", v1, MONTHS[16:19], hh.hid, plant="excl")
        self.monthly(x, "特困人员救助供养", v1, MONTHS[16:19], hh.hid, day=12, plant="excl")
        self.plant("EXCLUSIVE_PROGRAMS", "orange", f"{x.pid}|社会救助", x.name, "同期领取低保和特困供养", "excl")
        hh = welfare(v0, 1)
        s2 = hh.members[0][0]
        self.monthly(s2, "最低生活保障", v0, MONTHS[16:19], hh.hid)
        self.monthly(s2, "困难残疾人生活补贴", v0, MONTHS[16:19], hh.hid, day=12)
        self.lookalike("EXCLUSIVE_PROGRAMS", f"{s2.name}同期领取低保和残疾人生活补贴（不同互斥组），不应预警")

        # 8 SHARED_ACCOUNT
        acc = "6228480000000000017"
        holder = "李桂香"
        for _ in range(3):
            hh = self.household(v0, "planted", size=1)
            p = hh.members[0][0]
            self.pay(p, "耕地地力保护补贴", v0, date(2022, 5, 20), hh.hid, period="2022", account=acc, plant="acc_orange")
            self.rows["payments"][-1]["户名"] = holder
        self.plant("SHARED_ACCOUNT", "orange", acc, holder, "一个账户为三户不同人员领取补贴", "acc_orange")
        hh = cadre_family(v1, date(2019, 1, 1), size=1)
        c9 = hh.members[0][0]
        acc2 = "6228480000000000025"
        for _ in range(3):
            hh = self.household(v1, "planted", size=1)
            p = hh.members[0][0]
            self.pay(p, "生态公益林补偿", v1, date(2022, 11, 15), hh.hid, period="2022", account=acc2, plant="acc_red")
            self.rows["payments"][-1]["户名"] = c9.name
        self.plant("SHARED_ACCOUNT", "red", acc2, c9.name, "账户户名为本村村干部，为三户不同人员领取补贴", "acc_red")
        hh = self.household(v0, "planted", size=3)
        acc3 = "6228480000000000033"
        for p, _ in hh.members:
            self.pay(p, "耕地地力保护补贴", v0, date(2023, 5, 20), hh.hid, period="2023", account=acc3)
        self.lookalike("SHARED_ACCOUNT", "同一户三名成员共用一个账户，不应预警")

        # 9 SHELL_HOUSEHOLD
        hh = self.household(v0, "planted", size=1)
        mover = hh.members[0][0]
        self.moved[(hh.hid, mover.pid)] = date(2020, 12, 1)
        self.monthly(mover, "最低生活保障", v0, m21[:6], hh.hid, plant="shell_red")
        self.plant("SHELL_HOUSEHOLD", "red", hh.hid, mover.name, "户内唯一成员已迁出仍按该户领取低保", "shell_red")
        shell = self.household(v1, "planted", size=0)
        for _ in range(2):
            other = self.household(v1, "plain", size=1)
            p = other.members[0][0]
            self.add_member(shell, p, "户主" if not shell.members else "其他")
        self.pay(shell.members[0][0], "临时救助", v1, date(2022, 10, 18), shell.hid, plant="shell_orange")
        self.plant("SHELL_HOUSEHOLD", "orange", shell.hid, shell.members[0][0].name, "户内成员均在其他户另有户籍", "shell_orange")
        ghost = f"{v0[0][:1]}9999999"
        hh = welfare(v0, 1)
        self.pay(hh.members[0][0], "临时救助", v0, date(2023, 3, 18), ghost, plant="shell_ghost")
        self.plant("SHELL_HOUSEHOLD", "red", ghost, "", "发放户号在户籍中不存在", "shell_ghost")
        hh = self.household(v0, "planted", size=2)
        self.moved[(hh.hid, hh.members[1][0].pid)] = date(2020, 12, 1)
        self.monthly(hh.members[0][0], "最低生活保障", v0, m21[:3], hh.hid)
        self.lookalike("SHELL_HOUSEHOLD", "户内一人迁出、户主仍在册，不应预警")

        # 10 HOUSEHOLD_SPLIT
        for grade, created, cadre_town in (
            ("orange", date(2021, 3, 1), None),
            ("red", date(2021, 3, 1), vx),
            ("none", date(2019, 1, 1), None),
        ):
            old_hh = self.household(v0, "planted", size=2, created=date(2000, 1, 1))
            if cadre_town:
                c10 = self.person(self.birth(40, 50), "男")
                self.add_member(old_hh, c10, "子")
                self.cadre_row(c10, cadre_town, "村民委员会委员", date(2018, 1, 1), None)
            new_hh = self.household(v0, "planted", size=1, created=created, split_from=old_hh.hid)
            key = f"split_{grade}" if grade != "none" else None
            self.monthly(new_hh.members[0][0], "最低生活保障", v0, m21[3:9], new_hh.hid, plant=key)
            self.monthly(old_hh.members[0][0], "最低生活保障", v0, m21[3:9], old_hh.hid)
            if grade == "none":
                self.lookalike("HOUSEHOLD_SPLIT", "分户两年后两户同期领取低保（超过365天），不应预警")
            else:
                why = "分户一年内新老两户同期领取低保" + ("，老户有村干部" if grade == "red" else "")
                self.plant("HOUSEHOLD_SPLIT", grade, new_hh.hid, new_hh.members[0][0].name, why, key)

        # 11 ASSET_INELIGIBLE
        hh = welfare(v1, 1)
        car = hh.members[0][0]
        self.vehicle(car, "小型轿车", date(2020, 5, 1))
        self.monthly(car, "最低生活保障", v1, m21[:6], hh.hid, plant="asset_car")
        self.plant("ASSET_INELIGIBLE", "orange", car.pid, car.name, "名下有小型轿车仍领取低保", "asset_car")
        hh = welfare(v1, 2)
        boss, wife = hh.members[0][0], hh.members[1][0]
        self.business(boss, date(2019, 4, 1))
        self.pay(wife, "临时救助", v1, date(2021, 9, 18), hh.hid, plant="asset_biz")
        self.plant("ASSET_INELIGIBLE", "orange", wife.pid, wife.name, "同户成员为企业法定代表人仍领取临时救助", "asset_biz")
        hh = welfare(v0, 1)
        later = hh.members[0][0]
        self.vehicle(later, "小型轿车", date(2023, 6, 1))
        self.monthly(later, "最低生活保障", v0, m21[:6], hh.hid)
        self.lookalike("ASSET_INELIGIBLE", f"{later.name}购车前领取的低保，不应预警")

        # 12 INVALID_ID
        for i in range(3):
            hh = self.household(v0 if i < 2 else v1, "plain", size=1)
            p = hh.members[0][0]
            bad = p.pid[:17] + ("0" if p.pid[17] != "0" else "1")
            self.pay(
                p,
                "耕地地力保护补贴",
                (hh.town, hh.village),
                date(2021, 5, 20),
                hh.hid,
                period="2021",
                pid=bad,
                plant=f"invalid{i}",
            )
            self.plant("INVALID_ID", "yellow", bad, p.name, "身份证号校验位错误", f"invalid{i}")
            self.invalid_owners.append((bad, p.pid, p.name, hh.town, hh.village))
        del r


def _fmt_date(d: object, style: int) -> str:
    if not isinstance(d, date):
        return str(d)
    return [f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}", f"{d:%Y.%m.%d}"][
        style
    ]


def _write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> int:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


def _write_xlsx(path: Path, header: list[str], rows: list[list], numeric_cols: set[int] = frozenset()) -> int:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            if c in numeric_cols and isinstance(v, int):
                sheet.write_number(r, c, v)
            else:
                sheet.write_string(r, c, "" if v is None else str(v))
    book.close()
    return len(rows)


def generate(out: Path, scale: str = "demo", seed: int = 7, noise: float = 0.0) -> Summary:
    """Write a county's files to ``out`` and the planted warnings to ``out/truth/planted.csv``.

    ``noise`` > 0: damage that share of (person, program) payment groups' ID numbers
    (and some of their names) and of declared relatives' names, with the truth in
    ``out/truth/noise.csv`` (synth/noise.py). The planted warnings then no longer
    cover model 12, which fires on every damaged ID value.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    county = County(SCALES[scale], seed)
    county.build()
    noise_truth = county.noise(noise, seed + 2) if noise > 0 else []
    r = random.Random(seed + 1)
    files: dict[str, int] = {}

    # programs.xlsx, with Excel's required marker in a header
    prog_rows = [[p.name, "是" if p.means_tested else "否", p.group, p.min_age or "", p.department] for p in PROGRAMS.values()]
    files["programs.xlsx"] = _write_xlsx(
        out / "programs.xlsx", ["项目名称*", "是否经济状况核查*", "互斥组", "最低年龄", "主管部门"], prog_rows
    )

    files["cadres.csv"] = _write_csv(
        out / "cadres.csv",
        ["姓名", "身份证号", "乡镇", "村", "职务", "任职开始", "任职结束"],
        [
            [c["姓名"], c["身份证号"], c["乡镇"], c["村"], c["职务"], _fmt_date(c["任职开始"], 0), _fmt_date(c["任职结束"], 0)]
            for c in county.rows["cadres"]
        ],
    )
    # relatives: UTF-8 with BOM, some names in traditional characters
    trad = str.maketrans({"张": "張", "刘": "劉", "陈": "陳", "杨": "楊", "黄": "黃", "赵": "趙"})
    rel_rows = []
    for i, x in enumerate(county.rows["relatives"]):
        name = x["亲属姓名"].translate(trad) if i % 7 == 3 else x["亲属姓名"]
        rel_rows.append([x["干部身份证号"], x["干部姓名"], name, x["亲属身份证号"], x["关系"], x["亲属所在村"]])
    files["relatives.csv"] = _write_csv(
        out / "relatives.csv",
        ["干部身份证号", "干部姓名", "亲属姓名", "亲属身份证号", "关系", "亲属所在村"],
        rel_rows,
        "utf-8-sig",
    )
    # households: header aliases; some 15-digit and full-width IDs
    hh_rows = []
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    for hh in county.households:
        for i, (p, rel) in enumerate(hh.members):
            pid = p.pid
            if pid[6:8] == "19" and r.random() < 0.02:
                pid = pid[:6] + pid[8:17]  # the old 15-digit form
            elif r.random() < 0.01:
                pid = pid.translate(full)
            status, status_date = "正常", ""
            if p.death:
                status, status_date = "死亡", _fmt_date(p.death, 0)
            if (hh.hid, p.pid) in county.moved:
                status, status_date = "迁出", _fmt_date(county.moved[(hh.hid, p.pid)], 0)
            hh_rows.append(
                [
                    hh.hid,
                    hh.town,
                    hh.village,
                    f"{hh.village}{hh.hid[-4:]}号" if i == 0 else "",
                    p.name,
                    pid,
                    rel,
                    _fmt_date(hh.created, 0) if i == 0 else "",
                    hh.split_from if i == 0 else "",
                    status,
                    status_date,
                ]
            )
    files["households.csv"] = _write_csv(
        out / "households.csv",
        [
            "户编号",
            "乡镇",
            "村(社区)",
            "住址",
            "姓名",
            "公民身份号码",
            "与户主的关系",
            "立户日期",
            "原户号",
            "户籍状态",
            "注销日期",
        ],
        hh_rows,
    )
    # payments: one file a year, each with its own date spelling; 2023 has no 流水号
    pays = county.rows["payments"]
    by_year: dict[int, list[dict]] = defaultdict(list)
    for p in pays:
        by_year[p["日期"].year].append(p)
    styles = {2021: 0, 2022: 1, 2023: 2}
    tail = []
    for year, rows in sorted(by_year.items()):
        with_id = year != 2023
        header = PAYMENT_HEADER if with_id else PAYMENT_HEADER[1:]
        out_rows = []
        for i, p in enumerate(rows):
            amount = f"{p['金额']:,.2f}" if p["金额"] >= 1000 else (f"{p['金额']:g}元" if i % 50 == 7 else f"{p['金额']:g}")
            period = p["所属期"]
            if year == 2022 and len(period) == 7:
                period = f"{period[:4]}年{int(period[5:])}月"
            elif year == 2023 and len(period) == 7:
                period = period.replace("-", "")
            row = ([p["流水号"]] if with_id else []) + [
                p["项目"],
                p["部门"],
                p["姓名"],
                p["身份证号"],
                p["户号"],
                p["乡镇"],
                p["村"],
                amount,
                _fmt_date(p["日期"], styles[year]),
                period,
                p["账号"],
                p["户名"],
            ]
            out_rows.append(row)
        # dirty rows: exact duplicates, bad dates and amounts (quarantined), full-width amounts
        if len(out_rows) > 10:
            for k in range(3):
                out_rows.insert(5 + k * 3, list(out_rows[4 + k * 3]))
            base = list(out_rows[1])
            bad_date = list(base)
            if with_id:
                bad_date[0] = f"X{year}000001"
            bad_date[-4] = f"{year}-02-30"
            bad_amount = list(base)
            if with_id:
                bad_amount[0] = f"X{year}000002"
            bad_amount[-5] = "-100"
            words = list(base)
            if with_id:
                words[0] = f"X{year}000003"
            words[-5] = "壹佰元"
            out_rows += [bad_date, bad_amount, words]
        tail.append((year, header, out_rows))
    for year, header, out_rows in tail:
        files[f"payments_{year}.csv"] = _write_csv(out / f"payments_{year}.csv", header, out_rows)
    # a small XLSX of payments with an ID stored as a number (invalid: digits lost in Excel)
    hh = county.by_village[county.villages[2]][0]
    p = hh.members[0][0]
    num_id = int(p.pid[:17] + "0") if p.pid[17] == "X" else int(p.pid)
    xl_rows = [
        [
            "XL0001",
            "临时救助",
            "民政局",
            p.name,
            num_id,
            hh.hid,
            hh.town,
            hh.village,
            800,
            "2022-12-18",
            "2022-12",
            p.account,
            p.name,
        ]
    ]
    files["payments_临时救助补录.xlsx"] = _write_xlsx(
        out / "payments_临时救助补录.xlsx",
        PAYMENT_HEADER,
        xl_rows,
        numeric_cols={4},
    )
    # Excel keeps a double: read the cell back as the loader will, for the expected ID value.
    norm_num_id = read_xlsx(out / "payments_临时救助补录.xlsx").rows[0][4]
    county.planted.append(
        {
            "model": "INVALID_ID",
            "grade": "yellow",
            "subject_id": norm_num_id,
            "subject_name": p.name,
            "note": "身份证号在 Excel 中存为数值（位数已丢失）",
            "key": "xl",
        }
    )
    county.plant_totals["xl"] = [1, 800.0]
    if noise_truth:
        noise_truth.append(
            {"kind": "payment", "id_value": norm_num_id, "name": p.name, "town": hh.town, "village": hh.village,
             "true_pid": p.pid, "id_damage": "excel_cell", "name_damage": "", "rows": 1}
        )  # fmt: skip

    files["public_employees.csv"] = _write_csv(
        out / "public_employees.csv",
        ["姓名", "身份证号", "单位名称", "参加工作时间", "退休日期"],
        [
            [e["姓名"], e["身份证号"], e["工作单位"], _fmt_date(e["入职日期"], 3), _fmt_date(e["离职日期"], 3)]
            for e in county.rows["public_employees"]
        ],
    )
    files["deaths.csv"] = _write_csv(
        out / "deaths.csv",
        ["姓名", "身份证号", "死亡日期", "数据来源"],
        [[d["姓名"], d["身份证号"], _fmt_date(d["死亡日期"], 2), d["来源"]] for d in county.rows["deaths"]],
        "gb18030",
    )
    files["vehicles.xlsx"] = _write_xlsx(
        out / "vehicles.xlsx",
        ["所有人", "所有人身份证号", "车牌号", "车辆类型", "初次登记日期"],
        [
            [v["车主姓名"], v["车主身份证号"], v["号牌号码"], v["车辆类型"], _fmt_date(v["登记日期"], 0)]
            for v in county.rows["vehicles"]
        ],
    )
    files["businesses.csv"] = _write_csv(
        out / "businesses.csv",
        ["市场主体名称", "统一社会信用代码", "经营者", "经营者身份证号", "成立日期", "注册资本(万元)"],
        [
            [b["企业名称"], b["信用代码"], b["法定代表人"], b["法定代表人身份证号"], _fmt_date(b["成立日期"], 4), b["注册资本"]]
            for b in county.rows["businesses"]
        ],
    )

    if noise_truth:
        cols = ["kind", "id_value", "name", "town", "village", "true_pid", "id_damage", "name_damage", "rows"]
        cols += ["cadre", "relation"]
        _write_csv(out / "truth" / "noise.csv", cols, [[t.get(c, "") for c in cols] for t in noise_truth], "utf-8-sig")
    planted_rows = []
    for p in county.planted:
        n, amount = county.plant_totals.get(p["key"], [0, 0.0]) if p["key"] else (0, 0.0)
        planted_rows.append([p["model"], p["grade"], p["subject_id"], p["subject_name"], n, f"{amount:.2f}", p["note"]])
    _write_csv(
        out / "truth" / "planted.csv",
        ["model", "grade", "subject_id", "subject_name", "payments", "amount", "note"],
        planted_rows,
        "utf-8-sig",
    )
    return Summary(files, sum(1 for p in county.planted if p["grade"] != "none"))
