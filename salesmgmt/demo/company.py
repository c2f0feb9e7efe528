"""The shape of the demo company: its sizes, regions and teams, what it sells, and the
scripted stories (which team and which people they are about).

The standard company is the East China one of `TEAMS`; `LARGE_SIZE` is a national company
drawn from `NATIONAL_REGIONS`. `geography(size)` gives every team index its name, region and
the places its clients and projects are named after."""

from __future__ import annotations

from dataclasses import dataclass

from salesmgmt.measures import VISIT_NORM_PER_WEEK

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
    # The weekly forecast calls (demo/calls.py). Neither name can be drawn (names.py), so
    # naming them changes nobody else.
    "sandbagging_rep": "孟子涵",  # 龙 Dragon: commits ~30% below what he then wins
    "optimistic_manager": "白宏亮",  # 豹 Leopard's manager: calls the team ~20% above what it wins
    "unallocated_team": "狼 Wolf",  # from next month its target holds a post to fill, not yet split
}


STAR_TEAM, STRUGGLING_TEAM, BEHIND_TEAM, COLD_TEAM = 0, 1, 3, 1
SANDBAG_TEAM, OPTIMISTIC_TEAM, UNALLOCATED_TEAM = 0, 2, 3


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
class Geography:
    """Per team index: (team, region) as shown, and the cities and provinces its clients and
    projects are named after."""

    teams: list[tuple[str, str]]
    cities: list[list[str]]
    provinces: list[list[str]]


def geography(size: DemoSize) -> Geography:
    if size.regions == len(TEAMS) and size.teams_per_region == 1:
        return Geography(TEAMS, _CITIES, _PROVINCES)
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
    return Geography(teams, cities, provinces)
