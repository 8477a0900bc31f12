"""Pinyin initials for the units that exist already (new and renamed units get them when saved)."""

from django.db import migrations


def initials(name):
    # The same reading as kaifang.orgs.services.pinyin_initials (copied: migrations import no app code).
    from pypinyin import Style, lazy_pinyin, pinyin

    def first(reading):
        return reading[:1].lower() if reading[:1].isascii() and reading[:1].isalpha() else ""

    usual = "".join(first(r) for r in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    heads = [""]
    for readings in pinyin(name[:2], style=Style.FIRST_LETTER, heteronym=True, errors="ignore"):
        letters = sorted({first(r) for r in readings} - {""})
        heads = [h + letter for h in heads for letter in letters or [""]]
    tail = usual[len(heads[0]) :]
    variants = [usual] + [h + tail for h in heads if h + tail != usual]
    return " ".join(dict.fromkeys(v for v in variants if v))[:200]


def fill(apps, schema_editor):
    OrgUnit = apps.get_model("orgs", "OrgUnit")
    for unit in OrgUnit.objects.all().only("pk", "name"):
        OrgUnit.objects.filter(pk=unit.pk).update(initials=initials(unit.name))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_orgunit_initials")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
