"""The sales school at deal level: steps in the seed's terms, verdicts, the command line."""

EN = {
    "sd.points": "{n} points",
    "sd.group.lost": "lost deals",
    "sd.group.others": "the other reps' won deals",
    "sd.step.design_institute_first": "Visit the design institute first: {winners} of won deals started there, {others} of {group}",
    "sd.step.parties_met": "Meet every party of the project: won deals met {winners} of the four parties, {others} for {group}",
    "sd.step.owner_met": "Meet the owner: {winners} of won deals did, {others} of {group}",
    "sd.step.visits_before_quote": "Visit before you quote: won deals had {winners} visits before the quote, {others} for {group}",
    "sd.step.ride_along": "Bring your manager along: {winners} of won deals had a ride-along, {others} of {group}",
    "sd.step.followup_days_after_quote": "Follow up the quote quickly: won deals were visited {winners} days after the quote, {others} for {group}",
    "sd.step.days_to_close": "Mind the pace: won deals closed in {winners} days, {others} for {group}",
    "sd.step.tail": " (difference {difference}, interval {low} to {high}; {verdict})",
    "sd.verdict.clear": "clear",
    "sd.verdict.suggestive": "suggestive only",
    "sd.verdict.none": "no difference",
    "sd.verdict.too_few": "too few deals",
    "sd.error.months": "--months {value}: the window must be 1 to {most} months",
}

ZH = {
    "sd.points": "{n}个百分点",
    "sd.group.lost": "输单",
    "sd.group.others": "其他人的赢单",
    "sd.step.design_institute_first": "先拜访设计院：{winners}的赢单从设计院开始，{group}为{others}",
    "sd.step.parties_met": "拜访项目各方：赢单平均拜访了四方中的{winners}方，{group}为{others}方",
    "sd.step.owner_met": "拜访业主：{winners}的赢单拜访了业主，{group}为{others}",
    "sd.step.visits_before_quote": "报价前多拜访：赢单报价前平均拜访{winners}次，{group}为{others}次",
    "sd.step.ride_along": "请经理陪访：{winners}的赢单有经理陪访，{group}为{others}",
    "sd.step.followup_days_after_quote": "报价后尽快跟进：赢单报价后{winners}天再次拜访，{group}为{others}天",
    "sd.step.days_to_close": "把握节奏：赢单{winners}天成交，{group}为{others}天",
    "sd.step.tail": "（差异{difference}，区间{low}至{high}；{verdict}）",
    "sd.verdict.clear": "明确",
    "sd.verdict.suggestive": "仅供参考",
    "sd.verdict.none": "无差异",
    "sd.verdict.too_few": "商机太少",
    "sd.error.months": "--months {value}：时间窗须为1至{most}个月",
}
