"""Opportunity stages: the canonical stage keys, their order, default win probabilities, and the
labels found in real exports that map to them.

A stage label that maps to none of these is kept verbatim (an imported CRM may have its own
stages); its default probability is `UNKNOWN_OPEN_PROBABILITY`. The status (open/won/lost) is
decided by the label alone: won and lost labels close the opportunity, everything else is open.
"""

from __future__ import annotations

from salesmgmt.text import name_key

#: Open stages in funnel order, with the default probability used when a row has none.
OPEN_STAGES: list[tuple[str, float]] = [
    ("lead", 0.10),  # 线索: a project heard of, no contact with the decision makers yet
    ("qualified", 0.20),  # 需求确认: need, budget and timing confirmed with the client
    ("solution", 0.40),  # 方案设计: our products specified in the design / solution
    ("quote", 0.60),  # 报价投标: quotation or tender submitted
    ("negotiation", 0.80),  # 商务谈判: commercial terms being negotiated
]
WON, LOST = "won", "lost"
STAGE_ORDER: list[str] = [key for key, _ in OPEN_STAGES] + [WON, LOST]
DEFAULT_PROBABILITY: dict[str, float] = {**dict(OPEN_STAGES), WON: 1.0, LOST: 0.0}
UNKNOWN_OPEN_PROBABILITY = 0.30

_LABELS: dict[str, list[str]] = {
    "lead": ["lead", "prospecting", "prospect", "new", "线索", "初步接触", "潜在"],
    "qualified": ["qualified", "qualification", "engaging", "needs analysis", "需求确认", "需求分析", "立项"],
    "solution": [
        "solution",
        "proposal",
        "design",
        "value proposition",
        "方案设计",
        "方案",
        "技术交流",
        "设计",
    ],
    "quote": ["quote", "quotation", "tender", "bid", "报价", "报价投标", "投标"],
    "negotiation": ["negotiation", "negotiation/review", "contract", "商务谈判", "谈判", "合同"],
    WON: ["won", "closed won", "win", "赢单", "成交", "已成交", "签约"],
    LOST: ["lost", "closed lost", "lose", "输单", "丢单", "失败", "无效"],
}
_LABEL_TO_KEY = {name_key(label): key for key, labels in _LABELS.items() for label in labels}


def canonical_stage(label: str | None) -> str | None:
    """'Closed Won' -> 'won'; '方案设计' -> 'solution'; an unknown label is returned trimmed."""
    if label is None:
        return None
    text = str(label).strip()
    if not text:
        return None
    return _LABEL_TO_KEY.get(name_key(text), text)


def status_of(stage: str | None) -> str:
    """'won', 'lost' or 'open', from a stage label or key."""
    key = canonical_stage(stage)
    return key if key in (WON, LOST) else "open"


def stage_rank(stage: str | None) -> int:
    """Position in the funnel (unknown stages sort after the known open ones)."""
    key = canonical_stage(stage)
    return STAGE_ORDER.index(key) if key in STAGE_ORDER else len(OPEN_STAGES)


def stage_probability_sql(stage_col: str, prob_col: str) -> str:
    """A SQL expression for the effective probability: the row's own, else its stage's default.

    Column names are ours (never user input); the stage map is inlined from constants.
    """
    cases = " ".join(f"WHEN '{key}' THEN {p}" for key, p in DEFAULT_PROBABILITY.items())
    return f"coalesce({prob_col}, CASE {stage_col} {cases} ELSE {UNKNOWN_OPEN_PROBABILITY} END)"
