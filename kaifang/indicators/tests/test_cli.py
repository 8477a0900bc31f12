"""kaifang export_values: the explorer's view as .xlsx from the command line, scoped by --user."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from kaifang.indicators.figures import ValueEntry
from kaifang.indicators.services import save_values
from kaifang.indicators.tests.factories import make_indicator, open_figures

pytestmark = pytest.mark.django_db


def test_export_values_writes_the_city_and_its_counties(tmp_path, hunnan):
    open_figures([make_indicator("T_EXPORT")], [hunnan.unit], datetime.date(2018, 3, 1))
    save_values(
        actor=hunnan, unit=hunnan.unit, period=datetime.date(2018, 3, 1), entries=[ValueEntry("T_EXPORT", D("400"))]
    )
    target = tmp_path / "out.xlsx"
    out = io.StringIO()
    call_command(
        "export_values",
        "--indicator",
        "T_EXPORT",
        "--unit",
        "210100",
        "--from",
        "2018-01",
        "--to",
        "2018-03",
        "-o",
        str(target),
        stdout=out,
    )
    assert "已导出 沈阳市 出口额 2018年1-3月" in out.getvalue()
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows[1][3] == 400 and any(r[1] == "浑南区" for r in rows)


def test_export_values_respects_the_user_scope_and_bad_input(tmp_path, shenhe):
    make_indicator("T_EXPORT")
    args = [
        "export_values",
        "--indicator",
        "T_EXPORT",
        "--from",
        "2018-01",
        "--to",
        "2018-03",
        "-o",
        str(tmp_path / "x.xlsx"),
    ]
    with pytest.raises(CommandError):
        call_command(*args, "--unit", "210112", "--user", "shenhe")
    with pytest.raises(CommandError):
        call_command(*args[:-2], "-o", str(tmp_path / "x.csv"), "--unit", "210112")
    with pytest.raises(CommandError):
        call_command(
            "export_values",
            "--indicator",
            "T_EXPORT",
            "--unit",
            "210100",
            "--from",
            "2018-13",
            "--to",
            "2018-03",
            "-o",
            str(tmp_path / "y.xlsx"),
        )
