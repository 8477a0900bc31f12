"""The assessment engine: pure Python (no Django), Decimal throughout.

A scheme is a list of items; each item has a kind, a weight and parameters (the formula is data).
`score(scheme, units)` scores every unit of a group and explains every point: each item's points
come with the exact inputs, the formula in plain Chinese, the arithmetic that was done and the
source references (indicator + unit + period, task ids) behind them.

Rules stated once here and shown to users by `rules_text()`:
- Item points are rounded to 2 decimals (half up); a unit's total is the sum of its rounded items.
- Missing data is never silently zero: an item whose inputs are missing is scored by its own rule,
  `zero` (0 points, flagged 缺数) or `exclude` (the item does not count and the unit's other
  weighted items are scaled up by total weight ÷ weight of the items that did count).
- Ranks: equal totals share a rank and the next rank skips (1, 1, 3); or a named tie-break item
  decides first.
- Grades by score thresholds or by rank shares (the share's cut-off rank is the group size × the
  cumulative share rounded up: `share_cutoffs`); a triggered veto item (一票否决) sets the grade
  whatever the score.
"""

from kaifang.assessment.engine.kinds import SCORERS
from kaifang.assessment.engine.schemes import (
    CENT,
    COMPLETION,
    DEFAULT_PARAMS,
    EFFICACY,
    GRADES,
    GROWTH,
    HUNDRED,
    INDICATOR_KINDS,
    KIND_LABELS,
    KINDS,
    MANUAL,
    MISSING_EXCLUDE,
    MISSING_ZERO,
    ONE,
    QUANTA,
    RANKING,
    RELATIVE_KINDS,
    REPORTING,
    REQUIRED_INPUTS,
    STEP,
    TASKS,
    THRESHOLD,
    UNWEIGHTED_KINDS,
    VETO,
    ZERO,
    Item,
    Scheme,
    SchemeError,
    dec,
    describe,
    fmt,
    missing_rule_text,
    opt_dec,
    pct,
    r2,
    rules_text,
    share_cutoffs,
    validate_params,
    validate_scheme,
)
from kaifang.assessment.engine.scoring import (
    RULES_CHANGES,
    RULES_VERSION,
    ItemResult,
    Outcome,
    UnitData,
    UnitResult,
    score,
    to_jsonable,
)

__all__ = [
    "CENT",
    "COMPLETION",
    "DEFAULT_PARAMS",
    "EFFICACY",
    "GRADES",
    "GROWTH",
    "HUNDRED",
    "INDICATOR_KINDS",
    "KINDS",
    "KIND_LABELS",
    "MANUAL",
    "MISSING_EXCLUDE",
    "MISSING_ZERO",
    "ONE",
    "QUANTA",
    "RANKING",
    "RELATIVE_KINDS",
    "REPORTING",
    "REQUIRED_INPUTS",
    "RULES_CHANGES",
    "RULES_VERSION",
    "SCORERS",
    "STEP",
    "TASKS",
    "THRESHOLD",
    "UNWEIGHTED_KINDS",
    "VETO",
    "ZERO",
    "Item",
    "ItemResult",
    "Outcome",
    "Scheme",
    "SchemeError",
    "UnitData",
    "UnitResult",
    "dec",
    "describe",
    "fmt",
    "missing_rule_text",
    "opt_dec",
    "pct",
    "r2",
    "rules_text",
    "score",
    "share_cutoffs",
    "to_jsonable",
    "validate_params",
    "validate_scheme",
]
