"""What a visit says: its purpose, outcome and notes, by what it is about: a stage key for the
visit that moved a deal into that stage, 'follow:<stage>' for a follow-up while the deal is in
it, 'key_account', 'general' or 'call' otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

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
#: None as numpy's where takes it (its stubs do not).
_NONE: Any = None


def _choose_text(rng: np.random.Generator, options: dict[str, list[str]], keys: np.ndarray) -> np.ndarray:
    """One text per row from the option list of the row's key (vectorised per key)."""
    out = np.empty(len(keys), dtype=object)
    for key in sorted(set(keys.tolist())):
        mask = keys == key
        texts = options[key]
        out[mask] = np.asarray(texts, dtype=object)[rng.integers(len(texts), size=int(mask.sum()))]
    return out


@dataclass(frozen=True)
class VisitTexts:
    purpose: np.ndarray
    outcome: np.ndarray
    notes: np.ndarray
    """A note on about half of the contacts, None on the others."""


def visit_texts(rng: np.random.Generator, cat: np.ndarray) -> VisitTexts:
    """Purpose, outcome and notes of each contact, by what it is about (`cat`)."""
    n = len(cat)
    purpose = _choose_text(rng, _PURPOSES, cat)
    out_key = np.array(
        [
            c.split(":")[0] if c.startswith("follow") else (c if c in _OUTCOMES else "general")
            for c in cat.tolist()
        ],
        dtype=object,
    )
    outcome = _choose_text(rng, _OUTCOMES, out_key)
    with_note = rng.random(n) < 0.45
    notes = np.where(with_note, np.asarray(_NOTES, dtype=object)[rng.integers(len(_NOTES), size=n)], _NONE)
    return VisitTexts(purpose, outcome, notes)
