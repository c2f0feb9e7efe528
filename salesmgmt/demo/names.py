"""Names: people (reps), clients and projects, drawn from word lists and templates, unique
within the company (clients compare by `name_key`, as the importer does)."""

from __future__ import annotations

import numpy as np

from salesmgmt.demo.company import Geography
from salesmgmt.demo.draws import pick
from salesmgmt.text import name_key

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


def unique_person_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
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


def trade_name(rng: np.random.Generator, words: int) -> str:
    return "".join(_WORDS[int(rng.integers(len(_WORDS)))] for _ in range(words))


def client_name(
    rng: np.random.Generator, client_type: str, geo: Geography, team: int, taken: set[str], words: int = 1
) -> str:
    templates = _CLIENT_TEMPLATES[client_type]
    for _ in range(1000):
        template = templates[int(rng.integers(len(templates)))]
        name = template.format(
            city=pick(rng, geo.cities[team]),
            prov=pick(rng, geo.provinces[team]),
            w=trade_name(rng, words),
            n=_CHINESE_NUMERALS[int(rng.integers(len(_CHINESE_NUMERALS)))],
        )
        if name_key(name) not in taken:
            taken.add(name_key(name))
            return name
    raise RuntimeError("ran out of client names")  # only if the word lists shrink a lot


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


def project_name(rng: np.random.Generator, cities: list[str], taken: set[str], words: int = 1) -> str:
    for _ in range(1000):
        city = pick(rng, cities)
        name = city + trade_name(rng, words) + pick(rng, _PARKS) + pick(rng, _PHASES) + pick(rng, _BUILDINGS)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of project names")
