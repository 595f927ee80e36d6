"""What a task's name says it does, in Chinese and in the English of US and UK schedules.

Tried in this order, the first type whose pattern matches wins: curing before pour
("混凝土养护", "Concrete curing"); crane erection and dismantling only when a crane is
named ("Erect TC-3"; "Erect steel" is a lift, "Dismantle scaffold" is not crane work);
formwork and rebar before pour ("Concrete formwork", "Strip forms", "Reinforcing steel");
finishing last. Patterns are data: a mapping file may replace them."""

from __future__ import annotations

_CRANE = r"(?:tower\s*crane|crane|TC\b|TC-?\d|塔吊|塔机)"

DEFAULT_TYPE_PATTERNS: dict[str, list[str]] = {
    "curing": [r"养护", r"\bcur(e|ed|es|ing)\b"],
    "climbing": [r"爬升", r"顶升", r"\bclimb", r"\bjump(ing)?\s+(the\s+)?crane"],
    "erection": [
        r"安装塔吊",
        r"塔吊安装",
        r"塔机安装",
        rf"\berect\w*\s+(the\s+)?{_CRANE}",
        rf"{_CRANE}\s+erect",
    ],
    "dismantling": [
        r"拆除塔吊",
        r"塔吊拆除",
        r"塔机拆除",
        rf"\b(dismantl|remov)\w*\s+(the\s+)?{_CRANE}",
        rf"{_CRANE}\s+(dismantl|remov)",
    ],
    "formwork": [
        r"模板",
        r"支模",
        r"拆模",
        r"\bform(s|ed|ing|work)?\b",
        r"\bshutter",
        r"\bfalsework",
        r"\b(re)?shor(e|es|ing)\b",
    ],
    "rebar": [r"钢筋", r"\brebar", r"\breinforc", r"\bmesh\b", r"\bpost[- ]?tension"],
    "pour": [
        r"浇筑",
        r"浇捣",
        r"\bpour",
        r"\bconcret(e|ing)\b",
        r"\bplac(e|ing)\s+(concrete|slab|topping)",
        r"\bcast(ing)?\b",
        r"\bslab\s+on\s+grade\b",
        r"\bSOG\b",
        r"\btopping\b",
    ],
    "lift": [
        r"吊装",
        r"\blift",
        r"\bhoist",
        r"\b(erect|set)\w*\s+(\w+\s+)?(steel|precast|joists?|truss(es)?|beams?|columns?|panels?)",
        r"\bsteel\s+erection",
        r"\bprecast\b",
        r"\bcrane\s+pick",
    ],
    "noisy": [
        r"切割",
        r"钻孔",
        r"破碎",
        r"剔凿",
        r"\bcore drill",
        r"\bdrill",
        r"\bbreak",
        r"\bsaw ?cut",
        r"\bnois",
        r"\bdemoli",
        r"\bjackhammer",
        r"\bchipp",
        r"\bpil(e|es|ing)\b",
    ],
    "masonry": [r"砌筑", r"砌体", r"\bmasonry", r"\bblock ?work", r"\bbrick", r"\bCMU\b"],
    "finishing": [
        r"抹灰",
        r"涂料",
        r"吊顶",
        r"地面",
        r"装修",
        r"\bpaint",
        r"\bplaster",
        r"\bceil",
        r"\bgyp",
        r"\bdrywall",
        r"\bstuds?\b",
        r"\btil(e|ing)",
        r"^floor(ing)?$",
        r"\bflooring\b",
        r"\bfinish",
        r"\btap(e|ing)\b",
        r"\bcarpet",
        r"\bmillwork",
        r"\bcasework",
    ],
}
