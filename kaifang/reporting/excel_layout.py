"""The layout of a round's workbook, shared by the template, the check and the apply.

Columns A–I are what a clerk sees; column J "数据版本" (hidden, locked) carries the version of each
stored figure when the template was downloaded, so a check can tell a figure someone changed since
(stale) from one the clerk typed. Older templates without it still import, without that guard.
"""

from __future__ import annotations

from collections.abc import Callable

SHEET = "填报"
INFO_SHEET = "说明"
HEADERS = ["单位代码", "单位名称", "指标代码", "指标名称", "计量单位", "口径", "上年同期", "本期数值", "说明"]
VERSION_HEADER = "数据版本"
UNIT_COL, IND_COL, VALUE_COL, COMMENT_COL, VERSION_COL = 0, 2, 7, 8, 9
MAX_CELLS = 300_000
APPLY_CHUNK_VALUES = 3000  # figures per service call while applying (progress steps; queries per call are fixed)
Progress = Callable[[int], None]
