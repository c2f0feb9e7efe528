"""The demo company: a deterministic, believable two years of a daylighting maker's sales.

`generate_demo(con, as_of, seed)` replaces every data table with a company modelled on the
seed plan: a Kunshan (昆山) maker of daylighting and ventilation products for industrial
buildings, one sales director, four teams (龙 虎 豹 狼) of a manager and 8-10 sales engineers,
each team owning a region of East China; their clients (design institutes, steel-structure
firms, construction companies, owners), opportunities with their change history, visits and
monthly targets.

Determinism: the same seed and as-of give the same database content. Randomness comes only
from numpy generators seeded with (seed, part) - one stream per part, so a change to how
visits are drawn does not reshuffle the clients - the clock is never read, and every table is
sorted by its key before it is written.

The stories a manager should recognise (`DEMO_STORIES`) are scripted, not left to chance:
they hold for every seed. Amounts won are planned per rep and quarter against the targets and
then split into deals, so team attainment is what the script says, not what the dice say.
"""

from __future__ import annotations

import bisect
import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from salesmgmt import db
from salesmgmt.measures import VISIT_NORM_PER_WEEK
from salesmgmt.periods import Period
from salesmgmt.stages import LOST, OPEN_STAGES, WON
from salesmgmt.text import name_key

# --------------------------------------------------------------------------------------
# The company

#: (team, region) exactly as the dashboard shows them; the order is rep_id order. The lists
#: below (cities, provinces used in company names) follow the same order.
TEAMS: list[tuple[str, str]] = [
    ("龙 Dragon", "苏南 South Jiangsu"),
    ("虎 Tiger", "上海 Shanghai"),
    ("豹 Leopard", "浙江 Zhejiang"),
    ("狼 Wolf", "苏北皖 North Jiangsu & Anhui"),
]
_CITIES: list[list[str]] = [
    ["昆山", "苏州", "无锡", "常州", "江阴", "张家港", "常熟", "太仓", "南京", "镇江", "宜兴"],
    [
        "上海松江",
        "上海嘉定",
        "上海青浦",
        "上海浦东",
        "上海闵行",
        "上海宝山",
        "上海奉贤",
        "上海金山",
        "上海临港",
    ],
    ["杭州", "宁波", "嘉兴", "绍兴", "湖州", "台州", "温州", "金华", "义乌", "平湖", "海宁"],
    ["南通", "盐城", "扬州", "泰州", "淮安", "徐州", "连云港", "宿迁", "合肥", "芜湖", "滁州", "马鞍山"],
]
_PROVINCES: list[list[str]] = [["江苏"], ["上海"], ["浙江"], ["江苏", "安徽"]]

#: Product strings exactly as the dashboard shows them, with the amount range of one deal (CNY)
#: and how common the product is.
PRODUCTS: list[tuple[str, int, int, float]] = [
    ("采光板 Daylighting panel", 80_000, 3_000_000, 0.34),
    ("采光天窗 Skylight", 100_000, 2_500_000, 0.20),
    ("屋顶通风器 Roof ventilator", 50_000, 1_500_000, 0.20),
    ("排烟天窗 Smoke-exhaust window", 60_000, 1_800_000, 0.16),
    ("通风气楼 Ventilation louvre", 80_000, 2_500_000, 0.10),
]
MIN_DEAL, MAX_DEAL = 50_000, 3_000_000

#: The scripted stories. Names are fixed (not drawn), so they hold for every seed and the
#: dashboard's walkthrough can name them.
DEMO_STORIES: dict[str, str] = {
    "star_rep": "陈思远",  # 龙 Dragon: ~150% of target lately, ~3 visits a week
    "struggling_rep": "周晓东",  # 虎 Tiger: under one visit a week, ~40% of target lately
    "team_behind": "狼 Wolf",  # ~70% of target in the current and previous quarter
    "cold_account": "华东建筑设计研究院",  # key design institute, no visit for 60-90 days
}
_STAR_TEAM, _STRUGGLING_TEAM, _BEHIND_TEAM, _COLD_TEAM = 0, 1, 3, 1

#: Chinese New Year's day. The table covers the years a demo is likely to be asked for;
#: other years fall back to 1 February (close enough for a dip in a chart).
SPRING_FESTIVALS: dict[int, date] = {
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
    2031: date(2031, 1, 23),
    2032: date(2032, 2, 11),
}

#: Share of the annual quota per calendar month: slow around Spring Festival, a year-end push.
_SEASON = np.array([0.85, 0.55, 0.95, 1.0, 1.05, 1.1, 1.0, 0.95, 1.1, 0.9, 1.15, 1.4])

#: Tables whose rows the demo replaces. Later schema versions add tables that point at
#: clients or reps (key-account reviews); they are emptied too when present, since their ids
#: would point at the wrong demo rows. Users, the audit log and saved import mappings are
#: not company data and are kept.
DATA_TABLES: list[str] = [
    "reps",
    "clients",
    "opportunities",
    "opportunity_history",
    "visits",
    "targets",
    "monthly_plans",
    "plan_visits",
    "uploads",
    "upload_changes",
    "client_reviews",
]


@dataclass(frozen=True)
class DemoSize:
    """How big the company is: the standard regional company (four teams, each its own region
    of East China) or a national one (`LARGE_SIZE`: ten regions of ten teams). The standard
    values are the defaults; a size with other values never changes what the standard size
    draws, so the standard company stays the same for a seed."""

    engineers_per_team: tuple[int, int] = (8, 10)
    """Inclusive range of sales engineers in a team."""
    clients_per_engineer: float = 9.4
    """Clients owned per engineer (~340 in total at the standard size)."""
    open_deals_per_engineer: float = 5.5
    """Average open opportunities of an ordinary engineer at as-of."""
    visit_norm_per_week: float = float(VISIT_NORM_PER_WEEK)
    """The seed's norm: at least two client visits a week; most reps sit around it."""
    regions: int = 4
    """Regions of the company. 4 with one team each is the East China company of `TEAMS`;
    anything else draws from the national regions (`NATIONAL_REGIONS`, at most ten)."""
    teams_per_region: int = 1
    history_years: int = 2
    """History starts at the beginning of the quarter this many years before as-of."""
    quota_factor: float = 1.0
    """Multiplies every engineer's annual quota (CNY)."""
    deal_factor: float = 1.0
    """Multiplies the typical size of a deal (won deals are split from the plan at this size)."""
    call_rate: tuple[float, float] = (0.15, 0.4)
    """Range of an engineer's phone calls logged a week."""
    meeting_rate: tuple[float, float] = (0.04, 0.15)
    """Range of an engineer's meetings (at the office, with several clients) a week."""
    key_account_share: float = 0.1
    """Share of an engineer's clients that are key accounts (seen every two to four weeks)."""
    client_name_words: int = 1
    """Trade-name words in a client's or project's name: two leave room for 100,000 names."""

    @property
    def teams(self) -> int:
        return self.regions * self.teams_per_region


STANDARD_SIZE = DemoSize()

#: The national company: 10 regions x 10 teams of 10-12 engineers (~1,200 reps), ~100,000
#: clients, three years of history with ~200,000 opportunities and ~1,000,000 contacts.
#: Engineers carry a bigger quota in smaller deals and log their phone calls.
LARGE_SIZE = DemoSize(
    engineers_per_team=(10, 12),
    clients_per_engineer=94.0,
    open_deals_per_engineer=12.0,
    regions=10,
    teams_per_region=10,
    history_years=3,
    quota_factor=2.6,
    deal_factor=0.3,
    call_rate=(1.5, 2.5),
    meeting_rate=(0.3, 0.6),
    key_account_share=0.04,
    client_name_words=2,
)

#: `python -m salesmgmt demo --scale NAME`.
SIZES: dict[str, DemoSize] = {"standard": STANDARD_SIZE, "large": LARGE_SIZE}

#: Regions of the national company: (region as shown, team name stem in Chinese and English,
#: provinces, cities). Teams are numbered within their region ("华东一组 East 1").
NATIONAL_REGIONS: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "华东 East China",
        "华东",
        "East",
        ["江苏", "浙江", "上海"],
        ["上海", "南京", "苏州", "无锡", "常州", "南通", "杭州", "宁波", "嘉兴", "绍兴", "温州", "昆山"],
    ),
    (
        "华北 North China",
        "华北",
        "North",
        ["河北", "北京", "天津"],
        [
            "北京",
            "天津",
            "石家庄",
            "唐山",
            "保定",
            "廊坊",
            "沧州",
            "邯郸",
            "秦皇岛",
            "邢台",
            "衡水",
            "张家口",
        ],
    ),
    (
        "华南 South China",
        "华南",
        "South",
        ["广东", "广西", "海南"],
        ["广州", "深圳", "东莞", "佛山", "惠州", "珠海", "中山", "江门", "南宁", "柳州", "海口", "湛江"],
    ),
    (
        "华中 Central China",
        "华中",
        "Central",
        ["湖北", "湖南", "河南"],
        ["武汉", "长沙", "郑州", "洛阳", "襄阳", "宜昌", "株洲", "湘潭", "岳阳", "新乡", "许昌", "南阳"],
    ),
    (
        "西南 Southwest",
        "西南",
        "Southwest",
        ["四川", "重庆", "云南", "贵州"],
        ["成都", "重庆", "昆明", "贵阳", "绵阳", "德阳", "宜宾", "遵义", "曲靖", "泸州", "南充", "乐山"],
    ),
    (
        "西北 Northwest",
        "西北",
        "Northwest",
        ["陕西", "甘肃", "宁夏", "新疆"],
        [
            "西安",
            "兰州",
            "银川",
            "乌鲁木齐",
            "宝鸡",
            "咸阳",
            "渭南",
            "天水",
            "榆林",
            "西宁",
            "酒泉",
            "克拉玛依",
        ],
    ),
    (
        "东北 Northeast",
        "东北",
        "Northeast",
        ["辽宁", "吉林", "黑龙江"],
        [
            "沈阳",
            "大连",
            "长春",
            "哈尔滨",
            "鞍山",
            "吉林",
            "大庆",
            "营口",
            "锦州",
            "齐齐哈尔",
            "抚顺",
            "盘锦",
        ],
    ),
    (
        "山东 Shandong",
        "山东",
        "Shandong",
        ["山东"],
        ["济南", "青岛", "烟台", "潍坊", "淄博", "临沂", "济宁", "威海", "日照", "东营", "泰安", "德州"],
    ),
    (
        "闽赣 Fujian & Jiangxi",
        "闽赣",
        "Fujian-Jiangxi",
        ["福建", "江西"],
        ["福州", "厦门", "泉州", "漳州", "莆田", "龙岩", "南昌", "赣州", "九江", "上饶", "宜春", "景德镇"],
    ),
    (
        "晋蒙 Shanxi & Inner Mongolia",
        "晋蒙",
        "Shanxi-Mongolia",
        ["山西", "内蒙古"],
        [
            "太原",
            "大同",
            "长治",
            "晋中",
            "临汾",
            "运城",
            "阳泉",
            "呼和浩特",
            "包头",
            "鄂尔多斯",
            "赤峰",
            "忻州",
        ],
    ),
]
_TEAM_NUMERALS = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
]


@dataclass(frozen=True)
class _Geography:
    """Per team index: (team, region) as shown, and the cities and provinces its clients and
    projects are named after."""

    teams: list[tuple[str, str]]
    cities: list[list[str]]
    provinces: list[list[str]]


def _geography(size: DemoSize) -> _Geography:
    if size.regions == len(TEAMS) and size.teams_per_region == 1:
        return _Geography(TEAMS, _CITIES, _PROVINCES)
    if not 1 <= size.regions <= len(NATIONAL_REGIONS) or not 1 <= size.teams_per_region <= len(
        _TEAM_NUMERALS
    ):
        raise ValueError(f"unsupported demo size: {size.regions} regions of {size.teams_per_region} teams")
    teams, cities, provinces = [], [], []
    for region, zh, en, provs, region_cities in NATIONAL_REGIONS[: size.regions]:
        for k in range(size.teams_per_region):
            teams.append((f"{zh}{_TEAM_NUMERALS[k]}组 {en} {k + 1}", region))
            cities.append(region_cities)
            provinces.append(provs)
    # At least four teams: the scripted stories sit in teams 0, 1 and 3.
    if len(teams) < 4:
        raise ValueError("a demo company needs at least four teams")
    return _Geography(teams, cities, provinces)


_EPOCH = date(1970, 1, 1).toordinal()


def _rng(seed: int, part: int) -> np.random.Generator:
    # One independent stream per part; SeedSequence wants non-negative entropy.
    return np.random.default_rng([seed % (2**63), part])


_CDFS: dict[tuple[Any, ...], list[float]] = {}


def _choice_cdf(p: list[float] | np.ndarray) -> list[float]:
    """The cumulative distribution `Generator.choice(n, p=p)` builds, cached by `p`.

    `items[bisect_right(cdf, rng.random())]` draws exactly what `rng.choice(len(items), p=p)`
    draws, from the same stream, without choice's per-call checks: at the national size the
    generator draws millions of times from a few fixed distributions.
    """
    key = tuple(p.tolist() if isinstance(p, np.ndarray) else p)
    cdf = _CDFS.get(key)
    if cdf is None:
        c = np.asarray(p, dtype=float).cumsum()
        c /= c[-1]
        cdf = _CDFS[key] = c.tolist()
    return cdf


def _choose(rng: np.random.Generator, items: list[Any], p: list[float] | np.ndarray) -> Any:
    """`items[rng.choice(len(items), p=p)]`, faster (see `_choice_cdf`)."""
    return items[bisect.bisect_right(_choice_cdf(p), rng.random())]


def _pick(rng: np.random.Generator, items: list[Any], p: list[float] | np.ndarray | None = None) -> Any:
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
        return _choose(rng, items, p)
    return items[int(rng.integers(0, len(items)))]  # what rng.choice(len(items)) draws


# --------------------------------------------------------------------------------------
# Calendar: working days, weekends and holidays


class _Calendar:
    """Day weights for activity (1 on a working day, near 0 on weekends and holidays) and
    snapping of dates to working days, over a fixed span of days."""

    def __init__(self, start: date, end: date) -> None:
        self.offset = start.toordinal() - _EPOCH
        days = np.arange(self.offset, end.toordinal() - _EPOCH + 1)
        self.days = days
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        factor = np.where(weekday < 5, 1.0, 0.04)
        for year in range(start.year, end.year + 1):
            cny = SPRING_FESTIVALS.get(year, date(year, 2, 1)).toordinal() - _EPOCH
            # A dip of about two weeks: winding down before, the holiday, a slow restart.
            for lo, hi, f in ((-7, -2, 0.5), (-1, 7, 0.02), (8, 12, 0.45)):
                mask = (days >= cny + lo) & (days <= cny + hi)
                factor = np.where(mask, np.minimum(factor, f), factor)
            for m, d0, d1, f in ((1, 1, 1, 0.05), (5, 1, 5, 0.1), (10, 1, 7, 0.05)):
                lo_o = date(year, m, d0).toordinal() - _EPOCH
                hi_o = date(year, m, d1).toordinal() - _EPOCH
                mask = (days >= lo_o) & (days <= hi_o)
                factor = np.where(mask, np.minimum(factor, f), factor)
        self.factor = factor
        self.workday = (weekday < 5) & (factor >= 0.4)
        idx = np.arange(len(days))
        prev = np.maximum.accumulate(np.where(self.workday, idx, -1))
        self._prev = np.where(prev < 0, idx, prev)
        nxt = np.minimum.accumulate(np.where(self.workday, idx, len(days))[::-1])[::-1]
        self._next = np.where(nxt >= len(days), idx, nxt)
        # Working-day ranks let schedules advance in working days, so a holiday pauses them
        # instead of piling their dates onto the first day back.
        self._rank = np.maximum(np.cumsum(self.workday) - 1, 0)
        self._workday_idx = np.nonzero(self.workday)[0]
        #: Working days of a month up to a date, with their draw weights (see `_close_day`).
        self.close_days: dict[tuple[date, date], tuple[list[date], list[float]]] = {}

    def _index(self, d: date) -> int:
        return min(max(d.toordinal() - _EPOCH - self.offset, 0), len(self.days) - 1)

    def prev_workday(self, d: date) -> date:
        """The working day on or before `d`."""
        return date.fromordinal(int(self.days[self._prev[self._index(d)]]) + _EPOCH)

    def next_workday(self, d: date) -> date:
        return date.fromordinal(int(self.days[self._next[self._index(d)]]) + _EPOCH)

    def prev_workday_days(self, days: np.ndarray) -> np.ndarray:
        """`prev_workday` for an array of epoch days."""
        i = np.clip(days - self.offset, 0, len(self.days) - 1)
        return self.days[self._prev[i]]

    def factor_days(self, days: np.ndarray) -> np.ndarray:
        i = np.clip(days - self.offset, 0, len(self.days) - 1)
        return self.factor[i]

    def rank(self, d: date) -> int:
        """Rank of the working day on or before `d` among all working days."""
        return int(self._rank[self._index(d)])

    def rank_days(self, days: np.ndarray) -> np.ndarray:
        i = np.clip(days - self.offset, 0, len(self.days) - 1)
        return self._rank[i]

    def at_rank_days(self, ranks: np.ndarray) -> np.ndarray:
        """Epoch days of the working days with these ranks."""
        return self.days[self._workday_idx[np.clip(ranks, 0, len(self._workday_idx) - 1)]]

    def at_rank(self, rank: int) -> date:
        rank = min(max(rank, 0), len(self._workday_idx) - 1)
        return date.fromordinal(int(self.days[self._workday_idx[rank]]) + _EPOCH)

    def prev_workday_day(self, day: int) -> int:
        """`prev_workday_days` for one epoch day."""
        i = min(max(day - self.offset, 0), len(self.days) - 1)
        return int(self.days[self._prev[i]])

    def workdays(self, lo: date, hi: date) -> list[date]:
        """Working days in [lo, hi]."""
        i, j = self._index(lo), self._index(hi)
        picked = self.days[i : j + 1][self.workday[i : j + 1]]
        return [date.fromordinal(int(o) + _EPOCH) for o in picked]


# --------------------------------------------------------------------------------------
# People and clients

_SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛顾毛钱严戴"
)
_GIVEN_TWO = [
    "志强",
    "建华",
    "海涛",
    "文杰",
    "俊杰",
    "佳怡",
    "雨婷",
    "晓明",
    "丽娟",
    "春梅",
    "国栋",
    "振华",
    "建平",
    "立新",
    "子豪",
    "欣怡",
    "思琪",
    "浩然",
    "宇航",
    "晨曦",
    "明辉",
    "永刚",
    "家豪",
    "婉清",
    "瑞琪",
    "天宇",
    "嘉伟",
    "雪梅",
    "玉兰",
    "秀英",
    "卫东",
    "红霞",
    "晓燕",
    "鹏飞",
    "志远",
    "海燕",
    "国强",
    "俊峰",
    "文静",
    "亚楠",
    "凯文",
    "一鸣",
    "梦洁",
    "晓峰",
    "金龙",
    "宏伟",
    "丽萍",
    "永辉",
]
_GIVEN_ONE = list(
    "伟强磊军勇杰涛明超刚平辉鹏浩宇凯斌峰俊健晨亮波鑫飞芳娜敏静丽艳娟霞婷雪琳倩颖慧佳蕾洁燕萍晶"
)

_WORDS = [
    "华信",
    "中恒",
    "东方",
    "嘉和",
    "新城",
    "鼎盛",
    "同创",
    "宏图",
    "汇通",
    "金鼎",
    "天合",
    "博远",
    "恒信",
    "瑞丰",
    "盛世",
    "华晟",
    "永信",
    "协力",
    "联创",
    "大地",
    "鸿业",
    "海纳",
    "合众",
    "润达",
    "泰和",
    "启明",
    "德润",
    "兴业",
    "安达",
    "长江",
    "江南",
    "太湖",
    "东吴",
    "吴越",
    "锦程",
    "友邦",
    "万通",
    "卓越",
    "远大",
    "中天",
    "恒通",
    "宏达",
    "精工",
    "银河",
    "星辰",
    "蓝天",
    "绿源",
    "立信",
    "鑫源",
    "富达",
    "天成",
    "宏远",
    "永盛",
    "荣达",
    "亿达",
    "明珠",
    "凯达",
    "东升",
    "明德",
    "中瑞",
    "晨光",
    "新宇",
    "百川",
    "嘉诚",
    "博创",
    "信达",
    "华宇",
    "安泰",
    "盛达",
    "宝丰",
    "瑞华",
    "金桥",
]
_CLIENT_TEMPLATES: dict[str, list[str]] = {
    "design_institute": [
        "{city}{w}建筑设计研究院",
        "{city}{w}建筑设计院有限公司",
        "{prov}{w}工业设计研究院有限公司",
        "{city}{w}工程设计有限公司",
    ],
    "steel_structure": [
        "{prov}{w}钢结构有限公司",
        "{city}{w}钢结构工程有限公司",
        "{city}{w}重型钢构有限公司",
        "{prov}{w}空间结构有限公司",
    ],
    "construction": [
        "中建{n}局{city}分公司",
        "{city}{w}建设集团有限公司",
        "{city}第{n}建筑工程有限公司",
        "{prov}{w}建工集团有限公司",
        "{city}{w}建筑安装工程有限公司",
    ],
    "owner": [
        "{city}{w}汽车零部件有限公司",
        "{city}{w}物流园",
        "{city}{w}精密机械有限公司",
        "{city}{w}新能源科技有限公司",
        "{city}{w}电子科技有限公司",
        "{city}{w}食品有限公司",
        "{city}{w}仓储物流有限公司",
        "{city}{w}产业园开发有限公司",
        "{city}{w}纺织有限公司",
        "{city}{w}光伏科技有限公司",
        "{city}{w}冷链物流有限公司",
        "{city}{w}机械制造有限公司",
    ],
    "other": ["{city}{w}建材贸易有限公司", "{city}{w}幕墙工程有限公司", "{city}{w}工程咨询有限公司"],
}
_CHINESE_NUMERALS = "一二三四五六七八"
_CLIENT_TYPES = ["design_institute", "steel_structure", "construction", "owner", "other"]
_CLIENT_TYPE_P = [0.20, 0.25, 0.25, 0.26, 0.04]


@dataclass
class _Rep:
    rep_id: int
    name: str
    team: int | None
    role: str
    manager: str | None
    visit_rate: float = 0.0
    """Client visits (type 'visit') a week, before holidays."""
    call_rate: float = 0.0
    meeting_rate: float = 0.0
    ride_rate: float = 0.0
    """Manager ride-alongs a month."""
    quota: float = 0.0
    """Annual quota of the as-of year, CNY."""
    skill: float = 1.0
    key_visit_p: float = 0.6
    """Chance that a stage change is preceded by a visit."""
    lose_ratio: float = 0.8
    """Lost deals per won deal."""
    open_deals: float = 0.0


@dataclass
class _Client:
    client_id: int
    name: str
    client_type: str
    team: int
    key_account: bool
    owner_rep_id: int
    level: int


def _unique_person_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        surname = _SURNAMES[int(rng.integers(len(_SURNAMES)))]
        if rng.random() < 0.6:
            given = _GIVEN_TWO[int(rng.integers(len(_GIVEN_TWO)))]
        else:
            given = _GIVEN_ONE[int(rng.integers(len(_GIVEN_ONE)))]
        name = surname + given
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _build_reps(rng: np.random.Generator, size: DemoSize) -> list[_Rep]:
    taken = set(DEMO_STORIES.values())
    sizes = [
        int(rng.integers(size.engineers_per_team[0], size.engineers_per_team[1] + 1))
        for _ in range(size.teams)
    ]
    names = _unique_person_names(rng, 1 + size.teams + sum(sizes), taken)
    director = names.pop(0)
    reps = [_Rep(1, director, None, "director", None)]
    norm = size.visit_norm_per_week
    quotas = [2_400_000, 2_700_000, 3_000_000, 3_300_000, 3_600_000]
    for t, n_eng in enumerate(sizes):
        manager = names.pop(0)
        reps.append(_Rep(len(reps) + 1, manager, t, "sales_manager", director))
        # One or two engineers per team visit clearly less than the norm: the view of
        # visits against the norm needs someone to point at besides the scripted story.
        below = set(rng.choice(n_eng, size=int(rng.integers(1, 3)), replace=False).tolist())
        for i in range(n_eng):
            name = names.pop(0)
            if t == _STAR_TEAM and i == 0:
                name = DEMO_STORIES["star_rep"]
            if t == _STRUGGLING_TEAM and i == 1:
                name = DEMO_STORIES["struggling_rep"]
            rep = _Rep(len(reps) + 1, name, t, "sales_engineer", manager)
            base = 0.88 * norm if t == _BEHIND_TEAM else 1.1 * norm
            rep.visit_rate = float(np.clip(rng.normal(base, 0.09 * norm), 0.8 * norm, 1.25 * norm))
            if i in below and not (t == _STAR_TEAM and i == 0):
                rep.visit_rate = float(rng.uniform(0.65, 0.78) * norm)
            rep.call_rate = float(rng.uniform(*size.call_rate))
            rep.meeting_rate = float(rng.uniform(*size.meeting_rate))
            rep.ride_rate = float(rng.uniform(1.5, 2.5) if rng.random() < 0.75 else rng.uniform(0.3, 0.7))
            if t == _BEHIND_TEAM:
                rep.ride_rate *= 0.5  # the Wolf manager coaches in the field less
            rep.quota = float(quotas[int(rng.integers(len(quotas)))]) * size.quota_factor
            rep.skill = float(np.exp(rng.normal(0, 0.12)))
            rep.lose_ratio = float(rng.uniform(0.6, 1.0) * (1.25 if t == _BEHIND_TEAM else 1.0))
            rep.open_deals = size.open_deals_per_engineer * (0.7 if t == _BEHIND_TEAM else 1.0)
            if name == DEMO_STORIES["star_rep"]:
                rep.visit_rate, rep.key_visit_p = 1.9 * norm, 0.75
                rep.quota = 3_300_000.0 * size.quota_factor
                rep.lose_ratio, rep.ride_rate = 0.5, 1.0
                rep.open_deals = 1.6 * size.open_deals_per_engineer
            if name == DEMO_STORIES["struggling_rep"]:
                rep.visit_rate, rep.call_rate, rep.meeting_rate = 0.2 * norm, 0.05, 0.0
                rep.quota, rep.key_visit_p, rep.lose_ratio = 2_700_000.0 * size.quota_factor, 0.2, 1.6
                rep.open_deals, rep.ride_rate = 0.5 * size.open_deals_per_engineer, 1.0
            reps.append(rep)
    return reps


def _trade_name(rng: np.random.Generator, words: int) -> str:
    return "".join(_WORDS[int(rng.integers(len(_WORDS)))] for _ in range(words))


def _engineers_by_team(reps: list[_Rep], n_teams: int) -> list[list[_Rep]]:
    """Each team's engineers in rep order."""
    out: list[list[_Rep]] = [[] for _ in range(n_teams)]
    for r in reps:
        if r.team is not None and r.role == "sales_engineer":
            out[r.team].append(r)
    return out


def _client_name(
    rng: np.random.Generator, client_type: str, geo: _Geography, team: int, taken: set[str], words: int = 1
) -> str:
    templates = _CLIENT_TEMPLATES[client_type]
    for _ in range(1000):
        template = templates[int(rng.integers(len(templates)))]
        name = template.format(
            city=_pick(rng, geo.cities[team]),
            prov=_pick(rng, geo.provinces[team]),
            w=_trade_name(rng, words),
            n=_CHINESE_NUMERALS[int(rng.integers(len(_CHINESE_NUMERALS)))],
        )
        if name_key(name) not in taken:
            taken.add(name_key(name))
            return name
    raise RuntimeError("ran out of client names")  # only if the word lists shrink a lot


def _build_clients(
    rng: np.random.Generator, reps: list[_Rep], size: DemoSize, geo: _Geography
) -> list[_Client]:
    taken = {name_key(DEMO_STORIES["cold_account"])}
    clients: list[_Client] = []
    by_team = _engineers_by_team(reps, size.teams)
    for t in range(size.teams):
        engineers = by_team[t]
        n = int(round(len(engineers) * size.clients_per_engineer))
        types = [str(x) for x in rng.choice(_CLIENT_TYPES, size=n, p=_CLIENT_TYPE_P)]
        # Key accounts: big steel-structure firms and key design institutes first.
        n_key = max(1, int(round(n * size.key_account_share)))
        key_w = np.array(
            [
                {"steel_structure": 5, "design_institute": 4, "construction": 1, "owner": 0.6, "other": 0}[x]
                for x in types
            ],
            dtype=float,
        )
        key_idx = set(rng.choice(n, size=n_key, replace=False, p=key_w / key_w.sum()).tolist())
        region_clients: list[_Client] = []
        if t == _COLD_TEAM:
            region_clients.append(_Client(0, DEMO_STORIES["cold_account"], "design_institute", t, True, 0, 4))
        for i, ctype in enumerate(types):
            key = i in key_idx
            level = (
                _choose(rng, [3, 4, 5], [0.2, 0.45, 0.35])
                if key
                else _choose(rng, [1, 2, 3, 4], [0.15, 0.35, 0.35, 0.15])
            )
            name = _client_name(rng, ctype, geo, t, taken, size.client_name_words)
            region_clients.append(_Client(0, name, ctype, t, key, 0, level))
        # Owners: round-robin over a shuffled order, key accounts dealt first so each engineer
        # gets about one; the struggling rep owns none (his visits would not cover them).
        eligible_key = [r for r in engineers if r.name != DEMO_STORIES["struggling_rep"]]
        order = sorted(range(len(region_clients)), key=lambda j: (not region_clients[j].key_account, j))
        k_i = o_i = 0
        owner_order = [engineers[j] for j in rng.permutation(len(engineers))]
        key_order = [eligible_key[j] for j in rng.permutation(len(eligible_key))]
        for j in order:
            c = region_clients[j]
            if c.key_account:
                c.owner_rep_id = key_order[k_i % len(key_order)].rep_id
                k_i += 1
            else:
                c.owner_rep_id = owner_order[o_i % len(owner_order)].rep_id
                o_i += 1
        if t == _COLD_TEAM:
            # The cold account belongs to an ordinary engineer: it went cold while its owner was
            # busy elsewhere, not because the owner is the struggling one.
            region_clients[0].owner_rep_id = eligible_key[0].rep_id
        # Keep the cold account off the first row: it should be found, not be obvious.
        perm = rng.permutation(len(region_clients))
        clients.extend(region_clients[j] for j in perm)
    for i, c in enumerate(clients, start=1):
        c.client_id = i
    return clients


# --------------------------------------------------------------------------------------
# Targets and the won plan


@dataclass
class _Frame:
    """The time frame of the demo."""

    as_of: date
    start: date
    """First day of history: the start of the quarter two years before as-of."""
    months: list[date]
    """Target months: from `start` to December of the as-of year."""
    quarters: list[Period]
    """Quarters with history: from `start` to the as-of quarter."""

    def elapsed(self, month: date) -> float:
        """Share of a month that lies on or before as-of."""
        last = calendar.monthrange(month.year, month.month)[1]
        if month > self.as_of:
            return 0.0
        if (month.year, month.month) == (self.as_of.year, self.as_of.month):
            return self.as_of.day / last
        return 1.0


def _frame(as_of: date, years: int = 2) -> _Frame:
    start = Period.containing(date(as_of.year - years, as_of.month, 1), "quarter").start
    months, m = [], start
    while m <= date(as_of.year, 12, 1):
        months.append(m)
        m = Period.month_of(m).end
    quarters, q = [], Period.containing(start, "quarter")
    while q.start <= as_of:
        quarters.append(q)
        q = q.shift(1)
    return _Frame(as_of, start, months, quarters)


def _targets(reps: list[_Rep], frame: _Frame) -> dict[tuple[int, date], int]:
    """Monthly target per engineer, CNY rounded to 万: the quota grows ~8% a year and follows
    the construction season."""
    out: dict[tuple[int, date], int] = {}
    for r in reps:
        if r.role != "sales_engineer":
            continue
        for m in frame.months:
            quota = r.quota * 1.08 ** (m.year - frame.as_of.year)
            out[(r.rep_id, m)] = int(round(quota / 12 * _SEASON[m.month - 1], -4))
    return out


def _team_factors(rng: np.random.Generator, n_quarters: int, n_teams: int) -> np.ndarray:
    """Attainment of each team in each quarter (teams x quarters)."""
    f = np.empty((n_teams, n_quarters))
    for t in range(n_teams):
        for j in range(n_quarters):
            recent = j >= n_quarters - 2
            if t == _BEHIND_TEAM:
                # Wolf slides from about target to ~70% in the last two quarters.
                f[t, j] = rng.uniform(0.68, 0.72) if recent else rng.uniform(0.86, 1.0)
            elif recent:
                f[t, j] = rng.uniform(0.97, 1.07)
            else:
                f[t, j] = rng.uniform(0.93, 1.08) + (0.02 if t == _STAR_TEAM else 0.0)
    return f


def _won_plan(
    rng: np.random.Generator,
    reps: list[_Rep],
    frame: _Frame,
    targets: dict[tuple[int, date], int],
    n_teams: int,
) -> dict[tuple[int, int], float]:
    """Amount each engineer wins in each quarter (to as-of), CNY."""
    team_f = _team_factors(rng, len(frame.quarters), n_teams)
    plan: dict[tuple[int, int], float] = {}
    n_q = len(frame.quarters)
    by_team = _engineers_by_team(reps, n_teams)
    for t in range(n_teams):
        engineers = by_team[t]
        for j, q in enumerate(frame.quarters):
            due = {
                r.rep_id: sum(targets[(r.rep_id, m)] * frame.elapsed(m) for m in q.month_starts())
                for r in engineers
            }
            fixed: dict[int, float] = {}
            for r in engineers:
                late = j >= n_q - 4
                if r.name == DEMO_STORIES["star_rep"]:
                    fixed[r.rep_id] = 1.5 if late else 1.25
                elif r.name == DEMO_STORIES["struggling_rep"]:
                    fixed[r.rep_id] = 0.4 if late else 0.65
            raw = {
                r.rep_id: r.skill * float(np.exp(rng.normal(0, 0.22)))
                for r in engineers
                if r.rep_id not in fixed
            }
            wanted = team_f[t, j] * sum(due.values())
            rest = wanted - sum(due[k] * v for k, v in fixed.items())
            scale = rest / max(1.0, sum(due[k] * v for k, v in raw.items()))
            for r in engineers:
                factor = fixed.get(r.rep_id, raw.get(r.rep_id, 1.0) * scale)
                plan[(r.rep_id, j)] = due[r.rep_id] * factor
    return plan


# --------------------------------------------------------------------------------------
# Opportunities and their history

_OPEN_KEYS = [key for key, _ in OPEN_STAGES]
_KEEP_STAGE_P = {"qualified": 0.9, "solution": 0.85, "quote": 0.95, "negotiation": 0.7}
_CYCLE_DAYS = {
    "design_institute": (100, 260),
    "steel_structure": (45, 160),
    "construction": (45, 160),
    "owner": (60, 200),
    "other": (30, 120),
}
_LOST_REASONS = {
    "early": (["项目取消", "预算不足", "项目延期搁置", "竞争对手关系更好"], [0.3, 0.25, 0.25, 0.2]),
    "solution": (["技术参数不符", "竞争对手关系更好", "业主指定品牌", "项目取消"], [0.35, 0.25, 0.2, 0.2]),
    "late": (["价格偏高", "竞争对手关系更好", "付款条件不接受", "项目取消"], [0.5, 0.25, 0.15, 0.1]),
}
_FIELDS = ("stage", "status", "amount", "probability", "expected_close_date", "close_date")


@dataclass
class _Opp:
    seq: int
    rep_id: int
    outcome: str
    """'won', 'lost' or 'open'."""
    amount: int
    """Final (current) amount, CNY."""
    final_stage: str
    """The stage reached (lost: the stage it was lost in; open: the current stage)."""
    close: date | None = None
    client_id: int = 0
    client_type: str = ""
    team: int = 0
    created: date = date.min
    """date.min until the timeline is built."""
    lost_reason: str | None = None
    product: str = ""
    project: str = ""
    opp_id: str = ""
    cold: bool = False
    events: list[tuple[date, dict[str, Any]]] = field(default_factory=list)
    transitions: list[tuple[date, str]] = field(default_factory=list)
    """(date, stage entered) for creation and every stage change: visits precede them."""


def _split_amount(rng: np.random.Generator, total: float, deal_factor: float = 1.0) -> list[int]:
    """Deals (CNY, rounded to thousands) that add up to `total`: mostly one or two at the
    standard deal size."""
    total_k = int(round(total, -3))
    if total_k < MIN_DEAL:
        return []  # a few days into a quarter: nothing signed yet
    k_min = -(-total_k // MAX_DEAL)
    k = max(k_min, int(round(total_k / rng.uniform(450_000 * deal_factor, 1_100_000 * deal_factor))))
    for _ in range(100):
        if k == 1:
            return [total_k]
        parts = np.round(rng.dirichlet(np.full(k, 3.0)) * total_k, -3).astype(int)
        parts[-1] = total_k - parts[:-1].sum()
        if parts.min() >= MIN_DEAL and parts.max() <= MAX_DEAL:
            return [int(x) for x in parts]
        k = max(k_min, k - 1)
    raise RuntimeError(f"cannot split {total_k} into deals")  # not reached for sane totals


def _deal_amount(rng: np.random.Generator, median: float) -> int:
    return int(np.clip(round(float(np.exp(rng.normal(np.log(median), 0.6))), -3), MIN_DEAL, MAX_DEAL))


def _months_for(
    deals: list[tuple[_Rep, int, _Client | None]], months: list[date], due: list[float]
) -> list[date]:
    """The month each of a team's won deals of a quarter closes in, so that every month's total
    follows its share of the target: the team's story shows in a month's view as in the
    quarter's. Largest deals first, each to the month furthest behind its share."""
    total = sum(amount for _, amount, _ in deals)
    need = np.array(due) / sum(due) * total
    out: list[date] = [months[0]] * len(deals)
    for i in sorted(range(len(deals)), key=lambda i: (-deals[i][1], i)):
        k = int(np.argmax(np.where(np.array(due) > 0, need, -np.inf)))
        need[k] -= deals[i][1]
        out[i] = months[k]
    return out


def _close_day(rng: np.random.Generator, cal: _Calendar, m: date, as_of: date) -> date:
    last = min(date(m.year, m.month, calendar.monthrange(m.year, m.month)[1]), as_of)
    found = cal.close_days.get((m, last))
    if found is None:
        days = cal.workdays(m, last) or [last]
        # Deals cluster towards month end, when customers sign and reps chase the number.
        w = np.linspace(1.0, 2.0, len(days))
        found = cal.close_days[(m, last)] = (days, _choice_cdf(w / w.sum()))
    days, cdf = found
    return days[bisect.bisect_right(cdf, rng.random())]


def _stage_path(rng: np.random.Generator, final: str) -> list[str]:
    """Open stages passed through up to `final`, some skipped as real deals do."""
    last = _OPEN_KEYS.index(final)
    first = 0 if (last == 0 or rng.random() < 0.75) else 1
    path = []
    for i in range(first, last + 1):
        key = _OPEN_KEYS[i]
        if i in (first, last) or rng.random() < _KEEP_STAGE_P[key]:
            path.append(key)
    return path


def _transition_dates(
    rng: np.random.Generator, cal: _Calendar, created: date, end: date, path: list[str], end_is_event: bool
) -> list[tuple[date, str]]:
    """Dates of the stage changes after creation, strictly increasing working days in
    (created, end]; when `end_is_event` the last stage in `path` changes exactly on `end`."""
    n = len(path) - 1
    if n <= 0:
        return []
    # Spread in working days: nobody moves a deal over Spring Festival.
    r0, r1 = cal.rank(created), cal.rank(end)
    cuts = np.cumsum(rng.dirichlet(np.full(n + (0 if end_is_event else 1), 2.0)))[:n]
    out: list[tuple[date, str]] = []
    prev = r0
    for i, stage in enumerate(path[1:]):
        if end_is_event and i == n - 1:
            d = end
        else:
            r = max(r0 + int(round(cuts[i] * (r1 - r0))), prev + 1)
            if r >= r1:
                continue  # no room left: the deal skipped this stage
            d = cal.at_rank(r)
            prev = r
        out.append((d, stage))
    return out


def _build_timeline(
    rng: np.random.Generator,
    cal: _Calendar,
    opp: _Opp,
    as_of: date,
    extra: list[tuple[date, dict[str, Any]]] | None = None,
    open_last_change: date | None = None,
) -> None:
    """Fill `opp.created`, `opp.events` and `opp.transitions` from its outcome and dates."""
    lo, hi = _CYCLE_DAYS.get(opp.client_type, (45, 160))
    path = _stage_path(rng, opp.final_stage)
    if opp.outcome in (WON, LOST):
        assert opp.close is not None
        cycle = int(rng.integers(lo, hi + 1))
        if opp.outcome == LOST:
            cycle = max(14, int(cycle * (0.35 + 0.65 * (_OPEN_KEYS.index(opp.final_stage) + 1) / 5)))
        if opp.created == date.min:
            opp.created = cal.prev_workday(opp.close - timedelta(days=cycle))
        cycle = (opp.close - opp.created).days
        changes = _transition_dates(rng, cal, opp.created, opp.close, path + [opp.outcome], True)
        planned_cycle = int(cycle * rng.uniform(0.6, 1.1))
    else:
        if opp.created == date.min:
            base = {"lead": 30, "qualified": 60, "solution": 90, "quote": 120, "negotiation": 140}
            age = int(base[opp.final_stage] * rng.uniform(0.5, 1.7)) + 7
            opp.created = cal.prev_workday(as_of - timedelta(days=age))
        age = (as_of - opp.created).days
        if open_last_change is None:
            # Most deals moved lately; some have been stuck for a while.
            share = rng.uniform(0, 0.25) if rng.random() < 0.9 else rng.uniform(0.3, 0.6)
            stale = int(share * age)
            open_last_change = as_of - timedelta(days=stale)
        last_change = cal.prev_workday(open_last_change)
        if last_change <= opp.created:
            last_change = cal.next_workday(opp.created + timedelta(days=1))
        changes = _transition_dates(rng, cal, opp.created, last_change, path, True)
        changes = [(d, s) for d, s in changes if d <= as_of]
        cycle = age
        planned_cycle = int((lo + hi) / 2 * rng.uniform(0.6, 1.1))

    amount0 = opp.amount
    change_p = 0.35 if opp.outcome == WON else 0.25
    amount_change_at: date | None = None
    if rng.random() < change_p and changes:
        if rng.random() < 0.8:
            amount0 = int(min(MAX_DEAL, round(opp.amount * rng.uniform(1.08, 1.35), -3)))  # discounted
        else:
            amount0 = int(max(MIN_DEAL, round(opp.amount * rng.uniform(0.7, 0.92), -3)))  # scope grew
        late = [d for d, s in changes if s in ("quote", "negotiation")]
        amount_change_at = late[0] if late else changes[0][0]

    expected0 = opp.created + timedelta(days=max(14, planned_cycle))
    events: list[tuple[date, dict[str, Any]]] = [
        (
            opp.created,
            {
                "stage": path[0],
                "status": "open",
                "amount": amount0,
                "probability": None,
                "expected_close_date": expected0,
                "close_date": None,
            },
        )
    ]
    if amount_change_at is not None:
        events.append((amount_change_at, {"amount": opp.amount}))
    explicit_p = rng.random() < 0.15
    for d, stage in changes:
        ev: dict[str, Any] = {"stage": stage}
        if stage in (WON, LOST):
            ev.update(status=stage, close_date=d, probability=None)
        elif explicit_p and stage == "quote":
            ev["probability"] = float(rng.choice([0.3, 0.5, 0.7]))
        elif explicit_p and stage == "negotiation":
            ev["probability"] = float(rng.choice([0.7, 0.85, 0.9]))
        events.append((d, ev))

    end = opp.close if opp.close else as_of
    if opp.outcome in (WON, LOST):
        if expected0 < end - timedelta(days=20) and rng.random() < 0.6:
            push = min(
                max(expected0 - timedelta(days=int(rng.integers(0, 11))), opp.created + timedelta(days=1)),
                end - timedelta(days=1),
            )
            slipped = end + timedelta(days=int(rng.integers(-7, 22)))
            events.append((push, {"expected_close_date": slipped}))
    else:
        # Open deals: mostly expected in the coming four months, some overdue, some pushed.
        if rng.random() < 0.12:  # overdue: nobody updated it, sometimes for months
            final_expected = max(
                as_of - timedelta(days=int(rng.integers(5, 91))), opp.created + timedelta(days=14)
            )
        else:
            final_expected = as_of + timedelta(days=int(rng.integers(3, 126)))
        if final_expected > as_of and rng.random() < 0.3 and age > 30:
            first = max(
                opp.created + timedelta(days=14), final_expected - timedelta(days=int(rng.integers(20, 76)))
            )
            events[0][1]["expected_close_date"] = first
            push = min(
                max(first - timedelta(days=int(rng.integers(0, 15))), opp.created + timedelta(days=1)), as_of
            )
            events.append((push, {"expected_close_date": final_expected}))
        else:
            events[0][1]["expected_close_date"] = final_expected
    events.extend(extra or [])
    opp.events = sorted(events, key=lambda e: e[0])  # stable: same-day events keep their order
    opp.transitions = [(opp.created, path[0])] + changes


def _intervals(opp: _Opp) -> list[tuple[date, date | None, dict[str, Any]]]:
    """Change intervals: a new one only on a day when something changed."""
    state: dict[str, Any] = {}
    out: list[tuple[date, date | None, dict[str, Any]]] = []
    for d, changes in opp.events:
        new = {**state, **changes}
        if out and out[-1][0] == d:
            out[-1] = (d, None, new)
        elif new != state:
            out.append((d, None, new))
        state = new
    # Drop intervals that ended up equal to the one before (a same-day merge undid a change).
    merged: list[tuple[date, date | None, dict[str, Any]]] = []
    for item in out:
        if merged and merged[-1][2] == item[2]:
            continue
        merged.append(item)
    ends = [m[0] for m in merged[1:]] + [None]
    return [(d, end, st) for (d, _, st), end in zip(merged, ends)]


_PARKS = [
    "产业园",
    "工业园",
    "物流园",
    "智能制造基地",
    "科技园",
    "汽车零部件产业园",
    "冷链物流中心",
    "新能源产业园",
    "装备制造园",
    "电子信息产业园",
]
_PHASES = ["", "一期", "二期", "三期"]
_BUILDINGS = [
    "厂房",
    "联合厂房",
    "生产车间",
    "仓库",
    "物流仓储中心",
    "钢结构厂房",
    "1#厂房",
    "2#车间",
    "总装车间",
    "成品库",
]


def _project_name(rng: np.random.Generator, cities: list[str], taken: set[str], words: int = 1) -> str:
    for _ in range(1000):
        city = _pick(rng, cities)
        name = (
            city + _trade_name(rng, words) + _pick(rng, _PARKS) + _pick(rng, _PHASES) + _pick(rng, _BUILDINGS)
        )
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of project names")


def _assign_projects(rng: np.random.Generator, opps: list[_Opp], geo: _Geography, words: int = 1) -> None:
    """Group opportunities of a region into projects: one project reaches several client types
    (the design institute specifies, the steel-structure firm or builder buys, the owner
    decides), so a project's chain can be followed across clients."""
    taken: set[str] = set()
    by_team: list[list[_Opp]] = [[] for _ in geo.teams]
    for o in opps:
        by_team[o.team].append(o)
    for t in range(len(geo.teams)):
        region = sorted(by_team[t], key=lambda o: (o.created, o.seq))
        done = [False] * len(region)
        for i, o in enumerate(region):
            if done[i]:
                continue
            done[i] = True
            group = [o]
            size = _choose(rng, [1, 2, 3, 4], [0.35, 0.35, 0.2, 0.1])
            types = {o.client_type}
            for j in range(i + 1, len(region)):
                if len(group) >= size or (region[j].created - o.created).days > 150:
                    break
                if not done[j] and region[j].client_type not in types and region[j].cold == o.cold:
                    done[j] = True
                    group.append(region[j])
                    types.add(region[j].client_type)
            project = _project_name(rng, geo.cities[t], taken, words)
            used: set[str] = set()
            for member in group:
                member.project = project
                member.product = _product_for(rng, member, used)
                used.add(member.product)


def _product_for(rng: np.random.Generator, opp: _Opp, used: set[str]) -> str:
    top = max(int(v["amount"]) for _, v in opp.events if "amount" in v)
    fits = [(p, w) for p, lo, hi, w in PRODUCTS if lo <= top <= hi]
    fits = [(p, w) for p, w in fits if p not in used] or fits or [(PRODUCTS[0][0], 1.0)]
    return _pick(rng, [p for p, _ in fits], [w for _, w in fits])


_DEAL_WEIGHT_BY_TYPE = {
    "steel_structure": 1.3,
    "construction": 1.1,
    "owner": 1.0,
    "design_institute": 0.9,
    "other": 0.4,
}


class _ClientPicker:
    """Draws the client of a new deal: nearly always one of the rep's own, weighted towards
    key accounts and the client types that buy; now and then another client of the region."""

    def __init__(self, own: dict[int, list[_Client]], region: dict[int, list[_Client]]) -> None:
        self._pools = {
            **{("own", k): v for k, v in own.items()},
            **{("region", k): v for k, v in region.items()},
        }
        self._cdf: dict[tuple[str, int], list[float]] = {}
        for key, pool in self._pools.items():
            w = np.array(
                [(2.5 if c.key_account else 1.0) * _DEAL_WEIGHT_BY_TYPE[c.client_type] for c in pool]
            )
            if len(w):
                cdf = (w / w.sum()).cumsum()  # as rng.choice(len(pool), p=w / w.sum()) does
                cdf /= cdf[-1]
                self._cdf[key] = cdf.tolist()

    def pick(self, rng: np.random.Generator, rep: _Rep) -> _Client:
        key = ("own", rep.rep_id)
        if rng.random() >= 0.95 or not self._pools.get(key):
            key = ("region", rep.team or 0)
        pool = self._pools[key]
        return pool[bisect.bisect_right(self._cdf[key], rng.random())]


def _script_cold_timeline(
    rng: np.random.Generator,
    cal: _Calendar,
    opp: _Opp,
    quiet: date,
    peak: int,
    cold_last: date,
    extra: list[tuple[date, dict[str, Any]]],
) -> None:
    """A cold-account deal: stages move until `quiet`, then only the scripted `extra` changes."""
    opp.created = cal.prev_workday(quiet - timedelta(days=int(rng.integers(100, 220))))
    path = _stage_path(rng, opp.final_stage)
    changes = _transition_dates(rng, cal, opp.created, quiet, path, True)
    # Before it went quiet the deal was expected to close soon after the last visit.
    expected0 = cold_last + timedelta(days=int(rng.integers(25, 60)))
    events: list[tuple[date, dict[str, Any]]] = [
        (
            opp.created,
            {
                "stage": path[0],
                "status": "open",
                "amount": peak,
                "probability": None,
                "expected_close_date": expected0,
                "close_date": None,
            },
        )
    ]
    events += [(d, {"stage": s}) for d, s in changes]
    opp.events = sorted(events + extra, key=lambda e: e[0])
    opp.transitions = [(opp.created, path[0])] + changes


def _build_opportunities(
    seed: int,
    cal: _Calendar,
    frame: _Frame,
    reps: list[_Rep],
    clients: list[_Client],
    plan: dict[tuple[int, int], float],
    targets: dict[tuple[int, date], int],
    size: DemoSize = STANDARD_SIZE,
    geo: _Geography | None = None,
) -> tuple[list[_Opp], date]:
    """Won deals from the plan, lost and open deals around them, the cold account's script.
    Returns the opportunities and the cold account's last visit day."""
    rng = _rng(seed, 4)
    as_of = frame.as_of
    cold = next(c for c in clients if c.name == DEMO_STORIES["cold_account"])
    cold_owner = next(r for r in reps if r.rep_id == cold.owner_rep_id)
    # The last visit: 62-85 days before as-of, on a working day.
    window = cal.workdays(as_of - timedelta(days=85), as_of - timedelta(days=62))
    cold_last = (
        window[int(rng.integers(len(window)))] if window else cal.prev_workday(as_of - timedelta(days=70))
    )

    n_q = len(frame.quarters)
    # The cold account was a good customer: part of its owner's wins in three past quarters.
    cold_won: dict[int, int] = {}
    for j in (n_q - 8, n_q - 6, n_q - 5):
        if 0 <= j < n_q - 2 and plan[(cold_owner.rep_id, j)] > 200_000:
            cold_won[j] = int(round(plan[(cold_owner.rep_id, j)] * 0.6, -3))
            plan[(cold_owner.rep_id, j)] -= cold_won[j]

    engineers = [r for r in reps if r.role == "sales_engineer"]
    own: dict[int, list[_Client]] = {r.rep_id: [] for r in engineers}
    region: dict[int, list[_Client]] = {t: [] for t in range(size.teams)}
    for c in clients:
        if c is not cold:
            own[c.owner_rep_id].append(c)
            region[c.team].append(c)
    picker = _ClientPicker(own, region)
    opps: list[_Opp] = []

    def new(
        rep: _Rep, outcome: str, amount: int, stage: str, close: date | None, client: _Client | None = None
    ) -> _Opp:
        client = client or picker.pick(rng, rep)
        o = _Opp(
            len(opps),
            rep.rep_id,
            outcome,
            amount,
            stage,
            close,
            client.client_id,
            client.client_type,
            rep.team or 0,
            cold=client is cold,
        )
        opps.append(o)
        return o

    won_stage = _OPEN_KEYS[-1]
    lost_stage_p = [0.15, 0.2, 0.2, 0.3, 0.15]
    lost_days = cal.workdays(frame.start, as_of)
    n_won = {r.rep_id: 0 for r in engineers}
    by_team = _engineers_by_team(reps, size.teams)
    for t in range(size.teams):
        team = by_team[t]
        for j, q in enumerate(frame.quarters):
            months = q.month_starts()
            due = [sum(targets[(r.rep_id, m)] for r in team) * frame.elapsed(m) for m in months]
            if sum(due) <= 0:
                continue
            deals: list[tuple[_Rep, int, _Client | None]] = []
            for rep in team:
                deals += [
                    (rep, amount, None)
                    for amount in _split_amount(rng, plan[(rep.rep_id, j)], size.deal_factor)
                ]
                if rep is cold_owner and j in cold_won:
                    deals.append((rep, cold_won[j], cold))
            for (rep, amount, client), m in zip(deals, _months_for(deals, months, due)):
                new(rep, WON, amount, won_stage, _close_day(rng, cal, m, as_of), client)
                n_won[rep.rep_id] += 1
    for rep in engineers:
        for _ in range(int(round(n_won[rep.rep_id] * rep.lose_ratio))):
            stage = _pick(rng, _OPEN_KEYS, lost_stage_p)
            close = lost_days[int(rng.integers(len(lost_days)))]
            new(rep, LOST, _deal_amount(rng, 550_000 * size.deal_factor), stage, close)
        for _ in range(max(1, int(rng.poisson(rep.open_deals)))):
            stage = _pick(rng, _OPEN_KEYS, [0.2, 0.2, 0.25, 0.2, 0.15])
            new(rep, "open", _deal_amount(rng, 600_000 * size.deal_factor), stage, None)

    for o in opps:
        _build_timeline(rng, cal, o, as_of)
        if o.outcome == LOST:
            kind = (
                "early"
                if o.final_stage in ("lead", "qualified")
                else ("solution" if o.final_stage == "solution" else "late")
            )
            reasons, p = _LOST_REASONS[kind]
            o.lost_reason = _pick(rng, reasons, p)

    # The cold account's open pipeline: built up while it was visited, then left to drift.
    # After the last visit no stage moves; deals are pushed out, cut, or lost.
    quiet = cal.prev_workday(cold_last - timedelta(days=3))
    scripts: list[tuple[str, int, int, list[tuple[int, dict[str, Any]]]]] = [
        # (current stage, amount at its peak, amount now, [(days after the last visit, change)])
        (
            "quote",
            1_200_000,
            800_000,
            [(20, {"amount": 800_000}), (35, {"expected_close_date": as_of + timedelta(days=95)})],
        ),
        (
            "solution",
            900_000,
            900_000,
            [
                (10, {"expected_close_date": cold_last + timedelta(days=75)}),
                (48, {"expected_close_date": as_of + timedelta(days=70)}),
            ],
        ),
        ("qualified", 600_000, 400_000, [(45, {"amount": 400_000})]),
    ]
    for stage, peak, final, changes in scripts:
        o = new(cold_owner, "open", final, stage, None, cold)
        extra = [(cold_last + timedelta(days=d), ch) for d, ch in changes]
        _script_cold_timeline(rng, cal, o, quiet, peak, cold_last, extra)
    # And a deal in negotiation, lost to a competitor with a better relationship.
    o = new(cold_owner, LOST, 1_500_000, "negotiation", None, cold)
    o.close = cal.prev_workday(as_of - timedelta(days=int(rng.integers(18, 36))))
    o.lost_reason = "竞争对手关系更好"
    _script_cold_timeline(
        rng,
        cal,
        o,
        quiet,
        o.amount,
        cold_last,
        [(o.close, {"stage": LOST, "status": LOST, "close_date": o.close, "probability": None})],
    )
    for o in opps:
        if o.cold:  # nobody visits it after the last visit, so nothing is preceded by one
            o.transitions = [(d, s) for d, s in o.transitions if d <= quiet]

    _assign_projects(rng, opps, geo or _geography(size), size.client_name_words)
    # Ids: numbered per year of creation, in order of creation.
    counter: dict[int, int] = {}
    for o in sorted(opps, key=lambda o: (o.created, o.rep_id, o.seq)):
        counter[o.created.year] = counter.get(o.created.year, 0) + 1
        o.opp_id = f"OPP-{o.created.year}-{counter[o.created.year]:04d}"
    return opps, cold_last


# --------------------------------------------------------------------------------------
# Visits

#: Purpose and outcome texts by what the visit is about. A stage key means "the visit that
#: moved the deal into this stage"; 'follow:<stage>' a follow-up while the deal is in it.
_PURPOSES: dict[str, list[str]] = {
    "lead": ["初次拜访", "项目信息收集"],
    "qualified": ["需求确认", "项目信息收集"],
    "solution": ["技术交流", "方案介绍"],
    "quote": ["提交报价", "报价沟通"],
    "negotiation": ["商务谈判", "报价跟进"],
    "won": ["合同签订"],
    "lost": ["丢单原因了解"],
    "follow:lead": ["项目信息收集", "需求了解"],
    "follow:qualified": ["需求确认", "技术交流"],
    "follow:solution": ["方案介绍", "技术交流", "样品展示"],
    "follow:quote": ["报价跟进", "投标准备"],
    "follow:negotiation": ["商务谈判", "合同条款沟通"],
    "key_account": ["重点客户回访", "客户关系维护", "项目进展沟通", "高层拜访"],
    "general": ["客户维护", "新产品推介", "回款跟进", "售后回访", "工地现场勘察", "关系维护"],
    "call": ["电话沟通", "报价跟进", "项目进展确认"],
}
_OUTCOMES: dict[str, list[str]] = {
    "lead": ["获得项目信息", "获得新项目线索"],
    "qualified": ["确认项目需求和预算", "确认项目时间节点"],
    "solution": ["客户认可方案", "客户要求修改方案"],
    "quote": ["已提交报价", "客户要求重新报价"],
    "negotiation": ["价格基本谈妥", "需再次商谈付款条件"],
    "won": ["合同已签订"],
    "lost": ["确认丢单原因"],
    "follow": ["需再次拜访", "等待客户反馈", "客户认可方案", "约定下次技术交流"],
    "general": [
        "需再次拜访",
        "等待客户反馈",
        "客户暂无新需求",
        "介绍新产品,客户有兴趣",
        "获得新项目线索",
        "约定技术交流",
    ],
}
_NOTES = [
    "客户关注采光均匀性",
    "需提供节点大样图",
    "关注消防排烟验收要求",
    "竞争对手报价较低",
    "项目进度推迟",
    "需经理协助推进",
    "已对接设计负责人",
    "客户要求提供样品",
    "已发送技术资料",
    "关注防水与抗风揭性能",
    "采购部门参与",
    "需要同类项目业绩案例",
    "客户关注交货周期",
    "业主倾向进口品牌",
]
# Where a visit came from: sets how likely it was planned, and which of two contacts with a
# client on one day is kept (the lower: a visit that moved a deal says the most).
_SRC_STAGE, _SRC_KEY_ACCOUNT, _SRC_FILLER = 0, 1, 2


def _choose_text(rng: np.random.Generator, options: dict[str, list[str]], keys: np.ndarray) -> np.ndarray:
    """One text per row from the option list of the row's key (vectorised per key)."""
    out = np.empty(len(keys), dtype=object)
    for key in sorted(set(keys.tolist())):
        mask = keys == key
        texts = options[key]
        out[mask] = np.asarray(texts, dtype=object)[rng.integers(len(texts), size=int(mask.sum()))]
    return out


def _window_sum(a: np.ndarray, width: int) -> np.ndarray:
    """Sum over a centred window of `width` columns (cut at the edges), per row."""
    half = width // 2
    cs = np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)
    n = a.shape[1]
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    return cs[:, hi] - cs[:, lo]


def _build_visits(
    seed: int,
    cal: _Calendar,
    frame: _Frame,
    reps: list[_Rep],
    clients: list[_Client],
    opps: list[_Opp],
    history: pd.DataFrame,
    cold_last: date,
    n_teams: int = len(TEAMS),
) -> pd.DataFrame:
    rng = _rng(seed, 5)
    d0 = frame.start.toordinal() - _EPOCH
    d1 = frame.as_of.toordinal() - _EPOCH
    engineers = [r for r in reps if r.role == "sales_engineer"]
    by_id = {r.rep_id: r for r in reps}
    client_by_id = {c.client_id: c for c in clients}
    cold = next(c for c in clients if c.name == DEMO_STORIES["cold_account"])
    cold_end = cold_last.toordinal() - _EPOCH

    # Scripted visits (key-account rhythm and visits before stage changes), as rows.
    rows: list[tuple[int, int, int, str, str | None, str, int]] = []

    # Key accounts are seen every two to four weeks by their owner; the cold account every
    # two to three weeks until its last visit.
    for c in clients:
        if not c.key_account:
            continue
        end = cold_end if c is cold else d1
        lo, hi = (7, 15) if c is cold else (7, 21)  # working days between visits
        ranks = (
            int(cal.rank_days(np.array([d0]))[0])
            + int(rng.integers(0, 10))
            + np.cumsum(rng.integers(lo, hi, size=(end - d0) // lo + 2))
        )
        days = cal.at_rank_days(ranks)
        # Half-speed days around holidays keep only some of their visits.
        days = days[(days >= d0) & (days <= end) & (rng.random(len(days)) < cal.factor_days(days))]
        if c is cold:
            days = np.append(days[days < cold_end - 5], cold_end)
        kinds = np.where(rng.random(len(days)) < 0.9, "visit", "meeting")
        rows += [
            (c.owner_rep_id, c.client_id, int(d), str(k), None, "key_account", _SRC_KEY_ACCOUNT)
            for d, k in zip(days.tolist(), kinds.tolist())
        ]

    # A visit comes before most stage changes: the change is what the visit achieved.
    for o in opps:
        rep = by_id[o.rep_id]
        created = o.created.toordinal() - _EPOCH
        for i, (t, stage) in enumerate(o.transitions):
            t_day = t.toordinal() - _EPOCH
            if t_day < d0 or t_day > d1:
                continue
            if stage == LOST:
                if rng.random() < 0.3:  # sometimes a call to learn why
                    rows.append((o.rep_id, o.client_id, t_day, "call", o.opp_id, "lost", _SRC_STAGE))
                continue
            if rng.random() >= rep.key_visit_p * (0.8 if i == 0 else 1.0):
                continue
            day = t_day
            if i > 0:
                day = cal.prev_workday_day(t_day - int(rng.integers(0, 4)))
            day = max(day, created)
            if day < d0:
                continue
            u = rng.random()
            kind = "visit" if u < 0.85 else ("meeting" if u < 0.95 else "call")
            rows.append((o.rep_id, o.client_id, day, kind, o.opp_id, stage, _SRC_STAGE))

    scripted = pd.DataFrame(
        rows, columns=["rep_id", "client_id", "day", "visit_type", "opp_id", "cat", "src"]
    )
    scripted["opp_id"] = scripted["opp_id"].astype(object)

    # Filler: each engineer's weekly rhythm up to their visit rate, drawn per week with little
    # spread (reps plan their week around the norm), then spread over the week's working days.
    monday0 = d0 - (d0 + 3) % 7
    n_weeks = (d1 - monday0) // 7 + 1
    grid = monday0 + np.arange(n_weeks * 7)
    in_window = (grid >= d0) & (grid <= d1)
    day_f = np.where(in_window, cal.factor_days(grid), 0.0).reshape(n_weeks, 7)
    week_f = day_f.sum(axis=1) / 5
    cdf = np.cumsum(day_f, axis=1) / np.maximum(day_f.sum(axis=1, keepdims=True), 1e-9)
    rep_ids = np.array([r.rep_id for r in engineers])
    visit_rate = np.array([r.visit_rate for r in engineers])
    # The filler tops the scripted visits up to the rep's rate. Scripted visits come in
    # bursts (a deal moving), so subtract their rate over the surrounding quarter, not the
    # week: weeks stay natural, and every stretch of time still shows the rep's rhythm.
    row = {rid: i for i, rid in enumerate(rep_ids.tolist())}
    s_visits = scripted[scripted.visit_type == "visit"]
    s_count = np.zeros((len(rep_ids), n_weeks))
    np.add.at(s_count, (s_visits.rep_id.map(row).to_numpy(), (s_visits.day.to_numpy() - monday0) // 7), 1)
    s_rate = _window_sum(s_count, 13) / np.maximum(_window_sum(week_f[None, :], 13), 1e-9)
    streams = {
        "visit": np.maximum(0.15 * visit_rate[:, None], visit_rate[:, None] - s_rate),
        "call": np.array([r.call_rate for r in engineers])[:, None],
        "meeting": np.array([r.meeting_rate for r in engineers])[:, None],
    }
    f_rep: list[np.ndarray] = []
    f_day: list[np.ndarray] = []
    f_type: list[np.ndarray] = []
    for vtype, rate in streams.items():
        mean = rate * week_f[None, :] * np.exp(rng.normal(0, 0.2, size=(len(rep_ids), n_weeks)))
        counts = np.floor(mean + rng.random(mean.shape)).astype(int)
        flat = np.repeat(np.arange(counts.size), counts.ravel())
        r_i, w_i = flat // n_weeks, flat % n_weeks
        k = (rng.random(len(flat))[:, None] > cdf[w_i]).sum(axis=1).clip(0, 6)
        f_rep.append(rep_ids[r_i])
        f_day.append(monday0 + 7 * w_i + k)
        f_type.append(np.full(len(flat), vtype, dtype=object))
    fr, fd, ft = np.concatenate(f_rep), np.concatenate(f_day), np.concatenate(f_type)
    keep = (fd >= d0) & (fd <= d1)
    fr, fd, ft = fr[keep], fd[keep], ft[keep]
    fc = np.zeros(len(fr), dtype=np.int64)
    fo = np.full(len(fr), None, dtype=object)

    # Whom they see: often a client with a deal in progress (the visit is about the deal),
    # otherwise someone from their own book, now and then another client of the region.
    opp_rep = np.array([o.rep_id for o in opps])
    opp_client = np.array([o.client_id for o in opps])
    opp_ids = np.array([o.opp_id for o in opps], dtype=object)
    opp_from = np.array([o.created.toordinal() - _EPOCH for o in opps])
    opp_to = np.array([(o.close or frame.as_of).toordinal() - _EPOCH for o in opps])
    opp_cold = np.array([o.cold for o in opps])
    book: dict[int, list[_Client]] = {r.rep_id: [] for r in engineers}
    team_book: dict[int, list[_Client]] = {t: [] for t in range(n_teams)}
    for c in clients:
        if c is not cold:
            book[c.owner_rep_id].append(c)
            team_book[c.team].append(c)
    for rep in engineers:
        idx = np.nonzero(fr == rep.rep_id)[0]
        if not len(idx):
            continue
        days = fd[idx]
        share = np.where(ft[idx] == "call", 0.6, 0.45)
        pipe = rng.random(len(idx)) < share
        mine = np.nonzero((opp_rep == rep.rep_id) & ~opp_cold)[0]
        if len(mine):
            live = (opp_from[mine][None, :] <= days[:, None]) & (days[:, None] <= opp_to[mine][None, :])
            pick = np.argmax(rng.random(live.shape) * live, axis=1)
            pipe &= live.any(axis=1)
            fc[idx[pipe]] = opp_client[mine[pick[pipe]]]
            fo[idx[pipe]] = opp_ids[mine[pick[pipe]]]
        else:
            pipe[:] = False
        rest = idx[~pipe]
        own = book[rep.rep_id]
        region = [c for c in team_book[rep.team or 0] if c.owner_rep_id != rep.rep_id]
        pool = own + region
        w = np.array([(2.0 if c.key_account else 1.0) * (0.6 + 0.2 * c.level) for c in pool])
        w[: len(own)] *= 0.85 / w[: len(own)].sum()
        w[len(own) :] *= 0.15 / max(w[len(own) :].sum(), 1e-9)
        chosen = rng.choice(len(pool), size=len(rest), p=w / w.sum())
        fc[rest] = np.array([c.client_id for c in pool])[chosen]

    filler = pd.DataFrame(
        {
            "rep_id": fr,
            "client_id": fc,
            "day": fd,
            "visit_type": ft,
            "opp_id": pd.array(fo, dtype=object),
            "cat": np.where(ft == "call", "call", "general"),
            "src": _SRC_FILLER,
        }
    )
    v = pd.concat([scripted, filler], ignore_index=True)
    v = v[~((v.client_id == cold.client_id) & (v.day > cold_end))]
    v = v.sort_values(["day", "rep_id", "client_id", "src"], kind="stable")
    # One contact per client a day: the scripted one (it carries the deal) wins.
    v = v.drop_duplicates(["day", "rep_id", "client_id"]).reset_index(drop=True)

    # Half of the visits without a deal are still about one: a deal of that client and rep
    # open on the day.
    links = (
        v[v.opp_id.isna()]
        .reset_index()
        .merge(
            pd.DataFrame(
                {"rep_id": opp_rep, "client_id": opp_client, "opp": opp_ids, "lo": opp_from, "hi": opp_to}
            ),
            on=["rep_id", "client_id"],
        )
    )
    links = links[(links.lo <= links.day) & (links.day <= links.hi)]
    links = links.sort_values(["index", "opp"], kind="stable")
    links = links.drop_duplicates("index")
    links = links[rng.random(len(links)) < 0.5]
    v.loc[links["index"].to_numpy(), "opp_id"] = links["opp"].to_numpy()

    # A follow-up's purpose depends on the deal's stage that day.
    follow = v.opp_id.notna() & v.cat.isin(["general", "key_account", "call"])
    if follow.any():
        f = v[follow].reset_index()[["index", "opp_id", "day"]].sort_values("day", kind="stable")
        h = history[["opp_id", "from_day", "stage"]].sort_values("from_day", kind="stable")
        f["opp_id"], h["opp_id"] = f["opp_id"].astype(str), h["opp_id"].astype(str)  # same key dtype
        f = pd.merge_asof(f, h, left_on="day", right_on="from_day", by="opp_id")
        stage = f.stage.where(f.stage.isin(_OPEN_KEYS), "negotiation")
        v.loc[f["index"].to_numpy(), "cat"] = ("follow:" + stage.astype(str)).to_numpy()

    n = len(v)
    cat = v.cat.to_numpy(dtype=object)
    purpose = _choose_text(rng, _PURPOSES, cat)
    out_key = np.array(
        [
            c.split(":")[0] if c.startswith("follow") else (c if c in _OUTCOMES else "general")
            for c in cat.tolist()
        ],
        dtype=object,
    )
    outcome = _choose_text(rng, _OUTCOMES, out_key)
    notes = np.where(
        rng.random(n) < 0.45, np.asarray(_NOTES, dtype=object)[rng.integers(len(_NOTES), size=n)], None
    )

    types = v.visit_type.to_numpy(dtype=object)
    src = v.src.to_numpy()
    planned_p = np.select(
        [types == "call", src == _SRC_KEY_ACCOUNT, src == _SRC_STAGE], [0.4, 0.85, 0.75], 0.7
    )
    planned = rng.random(n) < planned_p

    # Ride-alongs: the manager joins one or two visits a month, more often at key accounts
    # and for the deciding talks; a manager is in one place a day.
    rep_arr = v.rep_id.to_numpy()
    per_month = np.array(
        [by_id[r].ride_rate / max(by_id[r].visit_rate * 4.33, 0.5) for r in rep_arr.tolist()]
    )
    key_client = np.array([client_by_id[c].key_account for c in v.client_id.tolist()])
    boost = np.where(key_client | np.isin(cat, ["negotiation", "won"]), 1.8, 0.85)
    ride = (types != "call") & (rng.random(n) < per_month * boost)
    manager = np.array([by_id[r].manager for r in rep_arr.tolist()], dtype=object)
    accompanied = np.where(ride, manager, None)
    dup = pd.DataFrame({"m": accompanied, "d": v.day.to_numpy()}).duplicated()
    accompanied[dup.to_numpy() & ride] = None

    keys = np.arange(1, n + 1)
    return pd.DataFrame(
        {
            "visit_key": keys,
            "visit_id": [f"V{k:06d}" for k in keys],
            "visit_date": (v.day.to_numpy() + 0).astype("datetime64[D]"),
            "rep_id": rep_arr,
            "client_id": v.client_id.to_numpy(),
            "visit_type": types,
            "planned": planned,
            "accompanied_by": accompanied,
            "opp_id": v.opp_id.to_numpy(dtype=object),
            "purpose": purpose,
            "outcome": outcome,
            "notes": notes,
        }
    )


# --------------------------------------------------------------------------------------
# Assembly and writing


def _as_dates(values: list[date | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[s]")


def build_demo_frames(as_of: date, seed: int = 7, size: DemoSize = STANDARD_SIZE) -> dict[str, pd.DataFrame]:
    """The demo company as one DataFrame per table, sorted by key (pure: no database)."""
    frame = _frame(as_of, size.history_years)
    geo = _geography(size)
    # Wide enough for deals created before the history starts and expected after as-of.
    cal = _Calendar(frame.start - timedelta(days=400), date(as_of.year + 2, 12, 31))
    reps = _build_reps(_rng(seed, 1), size)
    clients = _build_clients(_rng(seed, 2), reps, size, geo)
    targets = _targets(reps, frame)
    plan = _won_plan(_rng(seed, 3), reps, frame, targets, size.teams)
    opps, cold_last = _build_opportunities(seed, cal, frame, reps, clients, plan, targets, size, geo)

    reps_df = pd.DataFrame(
        {
            "rep_id": [r.rep_id for r in reps],
            "name": [r.name for r in reps],
            "name_key": [name_key(r.name) for r in reps],
            "code": [f"E{r.rep_id:03d}" for r in reps],
            "team": [geo.teams[r.team][0] if r.team is not None else None for r in reps],
            "region": [geo.teams[r.team][1] if r.team is not None else None for r in reps],
            "role": [r.role for r in reps],
            "manager": [r.manager for r in reps],
            "active": True,
        }
    )
    clients_df = pd.DataFrame(
        {
            "client_id": [c.client_id for c in clients],
            "name": [c.name for c in clients],
            "name_key": [name_key(c.name) for c in clients],
            "code": [f"C{c.client_id:04d}" for c in clients],
            "client_type": [c.client_type for c in clients],
            "region": [geo.teams[c.team][1] for c in clients],
            "key_account": [c.key_account for c in clients],
            "owner_rep_id": [c.owner_rep_id for c in clients],
            "relationship_level": [c.level for c in clients],
        }
    )

    hist_rows: list[dict[str, Any]] = []
    opp_rows: list[dict[str, Any]] = []
    for o in sorted(opps, key=lambda o: o.opp_id):
        intervals = _intervals(o)
        for valid_from, valid_to, st in intervals:
            hist_rows.append(
                {
                    "opp_id": o.opp_id,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "client_id": o.client_id,
                    "rep_id": o.rep_id,
                    "product": o.product,
                    **{k: st[k] for k in _FIELDS},
                }
            )
        cur = intervals[-1][2]
        short = o.product.split(" ")[0]
        opp_rows.append(
            {
                "opp_id": o.opp_id,
                "name": f"{o.project}-{short}",
                "client_id": o.client_id,
                "rep_id": o.rep_id,
                "product": o.product,
                "project": o.project,
                **{k: cur[k] for k in _FIELDS},
                "created_date": o.created,
                "lost_reason": o.lost_reason if cur["status"] == LOST else None,
            }
        )
    history = pd.DataFrame(hist_rows)
    opportunities = pd.DataFrame(opp_rows)
    for df in (history, opportunities):
        for col in ("valid_from", "valid_to", "expected_close_date", "close_date", "created_date"):
            if col in df:
                df[col] = _as_dates(df[col].tolist())
        df["probability"] = pd.array(df["probability"].tolist(), dtype="Float64")
        df["amount"] = df["amount"].astype("int64")
    history_days = pd.DataFrame(
        {
            "opp_id": history.opp_id,
            "from_day": np.array([d.toordinal() - _EPOCH for d in (r["valid_from"] for r in hist_rows)]),
            "stage": history.stage,
        }
    )

    visits = _build_visits(seed, cal, frame, reps, clients, opps, history_days, cold_last, size.teams)

    target_rows = sorted(targets.items(), key=lambda kv: (kv[0][1], str(kv[0][0])))
    targets_df = pd.DataFrame(
        {
            "month": _as_dates([m for (_, m), _ in target_rows]),
            "scope_kind": "rep",
            "scope_key": [str(r) for (r, _), _ in target_rows],
            "amount": [a for _, a in target_rows],
        }
    )
    return {
        "reps": reps_df,
        "clients": clients_df,
        "opportunities": opportunities,
        "opportunity_history": history,
        "visits": visits,
        "targets": targets_df,
    }


_DATE_COLUMNS = frozenset(
    {"valid_from", "valid_to", "created_date", "expected_close_date", "close_date", "visit_date", "month"}
)
#: Sequences that hand out ids of tables the demo fills with explicit ids.
_SEQUENCES = [
    ("rep_seq", "reps", "rep_id"),
    ("client_seq", "clients", "client_id"),
    ("visit_seq", "visits", "visit_key"),
]


def _advance_sequence(con: duckdb.DuckDBPyConnection, seq: str, table: str, column: str) -> None:
    """Move a sequence past the ids the demo wrote, so a later import's nextval() cannot
    collide with them (a sequence cannot be set directly, only stepped)."""
    top = con.execute(f"SELECT coalesce(max({column}), 0) FROM {db.quote_ident(table)}").fetchone()[0]
    current = con.execute(f"SELECT nextval('{seq}')").fetchone()[0]
    if current < top:
        con.execute(f"SELECT max(nextval('{seq}')) FROM range(?)", [int(top - current)])


def write_demo_frames(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> None:
    """Replace every data table's rows with `frames`, in one transaction."""
    with db.transaction(con):
        present = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }
        for table in DATA_TABLES:
            if table in present:
                con.execute(f"DELETE FROM {db.quote_ident(table)}")
        for table, df in frames.items():
            view = f"demo_frame_{table}"
            columns = [str(c) for c in df.columns]
            select = ", ".join(f"CAST({c} AS DATE)" if c in _DATE_COLUMNS else c for c in columns)
            con.register(view, df)
            try:
                con.execute(
                    f"INSERT INTO {db.quote_ident(table)} ({', '.join(columns)}) SELECT {select} FROM {view}"
                )
            finally:
                con.unregister(view)
        for seq, table, column in _SEQUENCES:
            _advance_sequence(con, seq, table, column)


def generate_demo(
    con: duckdb.DuckDBPyConnection, as_of: date, seed: int = 7, size: DemoSize = STANDARD_SIZE
) -> dict[str, int]:
    """Replace all data with the demo company as of `as_of`; return row counts per table.

    Same `seed` and `as_of`: same content. The stories in DEMO_STORIES hold for any seed.
    """
    frames = build_demo_frames(as_of, seed, size)
    write_demo_frames(con, frames)
    return {
        table: int(con.execute(f"SELECT count(*) FROM {db.quote_ident(table)}").fetchone()[0])
        for table in frames
    }
