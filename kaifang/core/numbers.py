"""How numbers leave the API and the exports (issue 15, finding 2).

- A figure carries its indicator's decimals: 400.5 of an indicator with 2 decimals is "400.50".
- A ratio (completion, year-on-year growth, progress ratio, a share) is a 0–1 decimal with
  RATIO_PLACES places, rounded half up: 0.5066719745222929936305732484 is "0.506672".
- Any other number has no float noise and no trailing zeros, and at most RATIO_PLACES places: a sum
  that went through a float ("0.860000000000000") is "0.86".

Numbers travel as text so that every digit shown is a digit meant; None stays None.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

RATIO_PLACES = 6
RATIO_DESCRIPTION = f"比率（0–1 的小数，文本），保留 {RATIO_PLACES} 位小数，四舍五入"
FIGURE_DESCRIPTION = "数值（文本），小数位数与指标规定的一致"
NUMBER_DESCRIPTION = f"数值（文本），不含多余的零，最多 {RATIO_PLACES} 位小数"
# A float carries 15 significant decimal digits; anything after them is noise of the binary form.
FLOAT_DIGITS = Context(prec=15, rounding=ROUND_HALF_UP)


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return FLOAT_DIGITS.create_decimal(repr(value))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _fixed(number: Decimal, places: int) -> str:
    return format(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")


def without_noise(number: Decimal) -> Decimal:
    """The number with what a float added removed (15 significant digits at most past the point)."""
    if number == number.to_integral_value() or len(number.as_tuple().digits) <= 15:
        return number
    return FLOAT_DIGITS.plus(number)


def figure_text(value: Any, decimals: int) -> str | None:
    """A figure with exactly its indicator's `decimals`: figure_text(Decimal("400.5"), 2) == "400.50"."""
    number = _decimal(value)
    return None if number is None else _fixed(without_noise(number), max(0, decimals))


def ratio_text(value: Any) -> str | None:
    """A ratio with RATIO_PLACES places: ratio_text(Decimal(1) / 3) == "0.333333"."""
    number = _decimal(value)
    return None if number is None else _fixed(number, RATIO_PLACES)


def number_text(value: Any) -> str | None:
    """Any other number: no float noise, no trailing zeros, at most RATIO_PLACES places."""
    number = _decimal(value)
    if number is None:
        return None
    number = without_noise(number)
    if -number.as_tuple().exponent > RATIO_PLACES:  # type: ignore[operator]
        number = number.quantize(Decimal(1).scaleb(-RATIO_PLACES), rounding=ROUND_HALF_UP)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_display(value: Any, decimals: int) -> str:
    """A figure for a page or a document, with the indicator's decimals and thousands separators:
    2,763.36; missing → —. (The one formatting helper every area shares: cards, bulletins.)"""
    if not isinstance(value, Decimal):
        return "—"
    return f"{value:,.{decimals}f}"
