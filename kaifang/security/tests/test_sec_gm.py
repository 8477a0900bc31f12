"""国密 (issue 16 item 4): SM3 / HMAC-SM3 for the audit chain and snapshot digests, SM4 for personal
fields at rest, key rotation — checked against the standards' published test vectors."""

from __future__ import annotations

import hashlib
import hmac
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kaifang.audit.models import AuditEvent
from kaifang.audit.services import record_event, verify_chain
from kaifang.core import gm
from kaifang.core.actors import SystemActor
from kaifang.core.personal import PersonalDataError, decrypt, encrypt, key_id_of
from kaifang.security.tests.test_sec_audit import _tamper

pytestmark = pytest.mark.django_db

K1 = "k1:0123456789abcdeffedcba9876543210"
K2 = "k2:00112233445566778899aabbccddeeff"
AUDIT_KEY = "audit-hmac-key-for-tests-0001"


# --- The standards' vectors -------------------------------------------------------------------


def test_sm3_gives_the_gb_t_32905_examples():
    # GB/T 32905-2016 附录 A, example 1 ("abc") and example 2 ("abcd" × 16, 512 bits)
    assert gm.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert gm.sm3_hex(b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_gives_the_gb_t_32907_example():
    # GB/T 32907-2016 附录 A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    cipher = gm.sm4_block(key, key)
    assert cipher.hex() == "681edf34d206965e86b3e94f536e4246"
    assert gm.sm4_block(key, cipher, decrypt=True) == key


class _Sm3:
    """SM3 as a hashlib-style object, so the standard library's own HMAC checks ours."""

    digest_size, block_size, name = 32, 64, "sm3"

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    def update(self, data: bytes) -> None:
        self.data += data

    def copy(self) -> _Sm3:
        return _Sm3(self.data)

    def digest(self) -> bytes:
        return gm.sm3_digest(self.data)


@pytest.mark.parametrize("key", [b"k", b"x" * 64, b"long key " * 10])
def test_hmac_sm3_is_rfc_2104_over_sm3(key):
    message = "审计记录".encode()
    assert gm.hmac_sm3(key, message) == hmac.new(key, message, _Sm3).digest().hex()


# --- The audit chain and snapshot digests ---------------------------------------------------------


def test_the_chain_switches_to_hmac_sm3_and_verify_audit_checks_each_row_by_its_own_algorithm(settings):
    old = record_event(actor=SystemActor("test"), action="test.before_switch")
    settings.KAIFANG_AUDIT_DIGEST = "hmac-sm3"
    settings.KAIFANG_AUDIT_HMAC_KEY = AUDIT_KEY
    new = record_event(actor=SystemActor("test"), action="test.after_switch", object_repr="国密")
    last = record_event(actor=SystemActor("test"), action="test.third")
    assert (old.algorithm, new.algorithm) == ("sha256", "hmac-sm3")
    # the row's hash by hand: HMAC-SM3 of its canonical JSON, which names the algorithm
    payload = {
        "prev": old.hash, "at": new.at.isoformat(), "actor": "test", "role": "", "unit_code": "",
        "action": "test.after_switch", "type": "", "id": "", "repr": "国密", "unit": None,
        "before": None, "after": None, "channel": new.channel, "ip": None, "alg": "hmac-sm3",
    }  # fmt: skip
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert new.hash == gm.hmac_sm3(AUDIT_KEY.encode(), canonical.encode()) and new.prev_hash == old.hash
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计链完整" in out.getvalue()
    _tamper(new.pk)
    assert verify_chain()[1] == [new.pk]
    assert last.pk not in verify_chain()[1]


def test_without_the_hmac_key_the_chain_cannot_be_forged_or_verified(settings):
    settings.KAIFANG_AUDIT_DIGEST = "hmac-sm3"
    settings.KAIFANG_AUDIT_HMAC_KEY = AUDIT_KEY
    event = record_event(actor=SystemActor("test"), action="test.keyed")
    settings.KAIFANG_AUDIT_HMAC_KEY = "another-key-of-enough-length"
    assert event.pk in verify_chain()[1]  # someone recomputing hashes without the key is caught
    settings.KAIFANG_AUDIT_HMAC_KEY = ""
    with pytest.raises(Exception, match="KAIFANG_AUDIT_HMAC_KEY"):
        record_event(actor=SystemActor("test"), action="test.no_key")


def test_snapshot_digests_follow_the_same_setting(settings):
    from kaifang.assessment.services import digest_of

    inputs, results = {"units": ["210112"]}, {"units": [{"code": "210112", "total": "88.5"}]}
    canonical = json.dumps({"inputs": inputs, "results": results}, sort_keys=True, ensure_ascii=False)
    settings.KAIFANG_AUDIT_HMAC_KEY = AUDIT_KEY
    assert digest_of(inputs, results) == hashlib.sha256(canonical.encode()).hexdigest()
    assert digest_of(inputs, results, "hmac-sm3") == gm.hmac_sm3(AUDIT_KEY.encode(), canonical.encode())


# --- Personal fields at rest ----------------------------------------------------------------


def _stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


def test_a_phone_is_stored_sm4_encrypted_and_read_back_plain(settings, hunnan):
    settings.KAIFANG_SM4_KEYS = K1
    hunnan.phone = "13912345678"
    hunnan.save(update_fields=["phone"])
    stored = _stored("accounts_user", "phone", hunnan.pk)
    assert stored.startswith("sm4:k1:") and "13912345678" not in stored
    hunnan.refresh_from_db()
    assert hunnan.phone == "13912345678"
    assert encrypt("13912345678") != encrypt("13912345678")  # a fresh IV each time
    forged = stored[:-1] + ("0" if stored[-1] != "0" else "1")
    with pytest.raises(PersonalDataError):
        decrypt(forged)


def test_without_keys_nothing_is_encrypted_and_plain_rows_stay_readable(settings, hunnan):
    settings.KAIFANG_SM4_KEYS = ""
    hunnan.phone = "13800000000"
    hunnan.save(update_fields=["phone"])
    assert _stored("accounts_user", "phone", hunnan.pk) == "13800000000"
    settings.KAIFANG_SM4_KEYS = K1
    hunnan.refresh_from_db()
    assert hunnan.phone == "13800000000"


def _talent(n: int, phone: str, id_number: str):  # type: ignore[no-untyped-def]
    import datetime

    from kaifang.ledgers.models import TalentRecord
    from kaifang.orgs.models import OrgUnit

    return TalentRecord.objects.create(
        external_id=f"T-{n}", name=f"人才{n}", field="材料", level="A", employer="沈阳某研究院",
        unit=OrgUnit.objects.get(code="210112"), introduced_on=datetime.date(2018, 5, 1),
        source_region="CN", phone=phone, id_number=id_number,
    )  # fmt: skip


def test_rotation_re_encrypts_in_batches_survives_an_interruption_and_is_audited(settings, hunnan, shenhe):
    from kaifang.ledgers.models import TalentRecord
    from kaifang.security.rotation import remaining, rotate

    settings.KAIFANG_SM4_KEYS = K1
    for person, phone in ((hunnan, "13900000001"), (shenhe, "13900000002")):
        person.phone = phone
        person.save(update_fields=["phone"])
    talents = [_talent(n, f"1370000000{n}", f"21010219800101{n:03d}X") for n in range(3)]
    assert key_id_of(_stored("ledgers_talentrecord", "id_number", talents[0].pk)) == "k1"

    settings.KAIFANG_SM4_KEYS = f"{K2},{K1}"  # new key in front; the old one still decrypts
    assert remaining() == {
        "accounts.User.phone": 2,
        "ledgers.TalentRecord.phone": 3,
        "ledgers.TalentRecord.id_number": 3,
    }
    rotate(batch=2, max_batches=2)  # interrupted after two batches (4 rows)
    assert sum(remaining().values()) == 4
    out = io.StringIO()
    call_command("rotate_personal_keys", "--batch", "2", stdout=out)  # carries on where it stopped
    assert "完成" in out.getvalue() and sum(remaining().values()) == 0
    call_command("rotate_personal_keys", stdout=io.StringIO())  # nothing left: changes nothing

    settings.KAIFANG_SM4_KEYS = K2  # the old key retired
    assert {key_id_of(_stored("ledgers_talentrecord", "phone", t.pk)) for t in talents} == {"k2"}
    assert [t.id_number for t in TalentRecord.objects.order_by("pk")] == [f"21010219800101{n:03d}X" for n in range(3)]
    hunnan.refresh_from_db()
    assert hunnan.phone == "13900000001"
    events = AuditEvent.objects.filter(action="security.personal_keys.rotate")
    assert sorted((e.after["field"], e.after["rows"]) for e in events) == [
        ("accounts.User.phone", 2),
        ("ledgers.TalentRecord.id_number", 3),
        ("ledgers.TalentRecord.phone", 1),  # the interrupted run had done 2 of the 3 already
        ("ledgers.TalentRecord.phone", 2),
    ]


def test_rotation_refuses_to_run_without_a_key(settings):
    settings.KAIFANG_SM4_KEYS = ""
    with pytest.raises(CommandError, match="KAIFANG_SM4_KEYS"):
        call_command("rotate_personal_keys", stdout=io.StringIO())


def test_the_talent_form_takes_phone_and_id_number_encrypted_and_checks_the_id(settings, client_for, hunnan):
    from kaifang.ledgers.models import TalentRecord
    from kaifang.orgs.models import OrgUnit

    settings.KAIFANG_SM4_KEYS = K1
    form = {
        "name": "王研究员", "kind": "person", "headcount": 1, "field": "新材料", "level": "provincial",
        "programme": "", "employer": "沈阳某研究院", "unit": OrgUnit.objects.get(code="210112").pk,
        "introduced_on": "2018-06-15", "source_region": "DE", "phone": "13912345678",
        "id_number": "11010519491231002x",  # the standard's own example number (lower-case x accepted)
    }  # fmt: skip
    page = client_for(hunnan)
    bad = page.post("/ledgers/talents/new/", {**form, "id_number": "110105194912310021"})
    assert bad.status_code == 200 and "末位校验码" in bad.content.decode()
    assert not TalentRecord.objects.exists()
    assert page.post("/ledgers/talents/new/", form).status_code == 302
    record = TalentRecord.objects.get()
    assert (record.phone, record.id_number) == ("13912345678", "11010519491231002X")
    assert _stored("ledgers_talentrecord", "id_number", record.pk).startswith("sm4:k1:")
    event = AuditEvent.objects.get(action="ledgers.talent.create")
    assert "13912345678" not in json.dumps(event.after) and "11010519491231002X" not in json.dumps(event.after)
