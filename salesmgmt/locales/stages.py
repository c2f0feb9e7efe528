"""Stage names."""

EN = {
    "stage.lead": "Lead",
    "stage.qualified": "Qualified",
    "stage.solution": "Solution design",
    "stage.quote": "Quote / tender",
    "stage.negotiation": "Negotiation",
    "stage.won": "Won",
    "stage.lost": "Lost",
}

ZH = {
    "stage.lead": "线索",
    "stage.qualified": "需求确认",
    "stage.solution": "方案设计",
    "stage.quote": "报价投标",
    "stage.negotiation": "商务谈判",
    "stage.won": "赢单",
    "stage.lost": "输单",
}
