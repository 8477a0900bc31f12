"""Message channels against local servers that check each documented request format and signature
(issue 16 item 3): WeCom group robot, DingTalk robot (加签), SMS gateway; failures, timeouts,
retries with backoff, giving up, idempotence, rate limits, and no secret in logs or records."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.test import Client

from kaifang.notifications.delivery import attempt, backoff, deliver_due, dispatch
from kaifang.notifications.models import ChannelRoute, Delivery, DeliveryStatus
from kaifang.notifications.services import notify_unit
from kaifang.notifications.tests.channel_servers import (
    DING_SECRET,
    DING_TOKEN,
    SMS_KEY,
    SMS_TEMPLATE,
    WECOM_KEY,
    running_channels,
)
from kaifang.orgs.models import OrgUnit


@pytest.fixture(scope="module")
def servers():  # type: ignore[no-untyped-def]
    with running_channels() as state:
        yield state


@pytest.fixture
def channels(servers, settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_CHANNEL_TIMEOUT_SECONDS = 1
    settings.KAIFANG_CHANNEL_BACKOFF_SECONDS = 0  # retries due at once, so the tests need not wait
    settings.KAIFANG_CHANNEL_MAX_ATTEMPTS = 3
    for received in servers.received.values():
        received.clear()
    servers.refused.clear()
    servers.fail_next.clear()
    return servers


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the after-commit enqueues (the immediate task backend then sends in this process)."""

    def run(**kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return notify_unit(**kwargs)

    return run


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def wecom(servers, unit_code: str | None = "210112", **extra):  # type: ignore[no-untyped-def]
    return ChannelRoute.objects.create(
        unit=unit(unit_code) if unit_code else None,
        channel="wecom",
        url=servers.base + "/cgi-bin/webhook/send",
        token=WECOM_KEY,
        **extra,
    )


def test_a_reminder_reaches_the_county_wecom_group_once(channels, send_now, hunnan):  # type: ignore[no-untyped-def]
    wecom(channels)
    notice = dict(unit=unit("210112"), kind="task_reminder", title="任务将于3日后到期", dedup_key="t1:2018-07-05")
    send_now(**notice, body="请按时报送进展")
    assert channels.received["wecom"] == [
        {"msgtype": "text", "text": {"content": "【任务将于3日后到期】\n请按时报送进展"}}
    ]
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 1, "")
    # the same notice again (a job run twice), and the same row attempted again (a retried task)
    send_now(**notice, body="请按时报送进展")
    assert attempt(row.pk) == "skipped" and deliver_due().startswith("settled 0")
    assert len(channels.received["wecom"]) == 1 and Delivery.objects.count() == 1


def test_dingtalk_signs_each_request_and_a_wrong_secret_is_given_up_at_once(channels, send_now, hunnan):  # type: ignore[no-untyped-def]
    base = channels.base + "/robot/send"
    ChannelRoute.objects.create(unit=unit("210112"), channel="dingtalk", url=base, token=DING_TOKEN, secret=DING_SECRET)
    bad = ChannelRoute.objects.create(
        unit=unit("210112"), channel="dingtalk", url=base, token=DING_TOKEN, secret="SECwrong"
    )
    send_now(unit=unit("210112"), kind="urge", title="催办：请尽快办理", dedup_key="u1")
    assert channels.received["dingtalk"] == [{"msgtype": "text", "text": {"content": "【催办：请尽快办理】"}}]
    assert channels.refused == ["ding sign"]
    refused = Delivery.objects.get(route=bad)
    # a signature fault is not cured by retrying: given up after one attempt, the reason recorded
    assert (refused.status, refused.attempts) == (DeliveryStatus.GAVE_UP, 1)
    assert refused.last_error == "错误码 310000：sign not match"


def test_sms_goes_to_each_phone_of_the_unit_with_template_and_signature(channels, send_now, hunnan, shenhe):  # type: ignore[no-untyped-def]
    hunnan.phone = "13912345678"
    hunnan.save(update_fields=["phone"])
    ChannelRoute.objects.create(
        channel="sms", url=channels.base + "/sms/send", token=SMS_KEY, template_id=SMS_TEMPLATE, kind="returned"
    )
    send_now(unit=unit("210112"), kind="returned", title="6月报表已退回", body="请核对后重报", dedup_key="r1")
    send_now(unit=unit("210112"), kind="urge", title="催办", dedup_key="u2")  # the SMS route is for returns only
    [message] = channels.received["sms"]
    assert message["mobile"] == "13912345678" and message["template_id"] == SMS_TEMPLATE
    assert message["params"] == {"title": "6月报表已退回", "body": "请核对后重报"}
    assert message["request_id"] == Delivery.objects.get().key
    assert channels.refused == []


def test_a_server_error_is_retried_with_backoff_and_then_sent(channels, send_now, hunnan, settings):  # type: ignore[no-untyped-def]
    wecom(channels)
    channels.fail_next.append("500")
    send_now(unit=unit("210112"), kind="task_reminder", title="到期提醒", dedup_key="k")
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 1, "服务端错误 HTTP 500")
    assert channels.received["wecom"] == []
    assert deliver_due() == "settled 0; sent 1"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)
    assert len(channels.received["wecom"]) == 1


def test_backoff_doubles_from_the_base_and_stops_at_an_hour(settings):  # type: ignore[no-untyped-def]
    settings.KAIFANG_CHANNEL_BACKOFF_SECONDS = 30
    waits = [backoff(n).total_seconds() for n in (1, 2, 3, 4, 7, 8)]
    assert waits == [30, 60, 120, 240, 1920, 3600]  # 30·2^7 = 3840 > 3600


def test_timeouts_are_retried_and_then_given_up(channels, send_now, hunnan):  # type: ignore[no-untyped-def]
    wecom(channels)
    channels.fail_next.extend(["timeout", "timeout", "timeout"])
    send_now(unit=unit("210112"), kind="task_reminder", title="到期提醒", dedup_key="k")
    deliver_due()
    deliver_due()
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.GAVE_UP, 3, "超时（1 秒）未收到应答")
    assert deliver_due() == "settled 0; "  # given up is final


def test_each_robot_keeps_to_its_per_minute_limit(channels, send_now, hunnan):  # type: ignore[no-untyped-def]
    wecom(channels, per_minute=2)
    for n in range(3):
        send_now(unit=unit("210112"), kind="task_reminder", title=f"提醒{n}", dedup_key=f"k{n}")
    assert len(channels.received["wecom"]) == 2
    waiting = Delivery.objects.get(status=DeliveryStatus.PENDING)
    first_sent = Delivery.objects.filter(status=DeliveryStatus.SENT).order_by("sent_at").first().sent_at
    assert waiting.attempts == 0 and waiting.title == "提醒2"
    assert waiting.next_attempt_at == first_sent + datetime.timedelta(minutes=1)


def test_a_province_wide_route_serves_units_without_their_own(channels, send_now, hunnan, shenhe):  # type: ignore[no-untyped-def]
    wecom(channels, unit_code=None, kind="task_reminder")
    own = wecom(channels, unit_code="210103")
    send_now(unit=unit("210112"), kind="task_reminder", title="浑南提醒", dedup_key="a")
    send_now(unit=unit("210112"), kind="approved", title="浑南审核通过", dedup_key="b")  # no route for this kind
    send_now(unit=unit("210103"), kind="task_reminder", title="沈河提醒", dedup_key="c")
    sent = {d.title: d.route_id for d in Delivery.objects.all()}
    assert sent == {"浑南提醒": ChannelRoute.objects.get(unit__isnull=True).pk, "沈河提醒": own.pk}


def test_no_key_or_secret_in_the_logs_or_the_record(channels, send_now, hunnan, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    dead = ChannelRoute.objects.create(
        unit=unit("210112"), channel="wecom", url="http://127.0.0.1:9/cgi-bin/webhook/send", token=WECOM_KEY
    )
    ding = ChannelRoute.objects.create(
        unit=unit("210112"), channel="dingtalk", url=channels.base + "/robot/send", token=DING_TOKEN, secret=DING_SECRET
    )
    alive = wecom(channels)
    channels.fail_next.append("500")
    channels.fail_next.append("500")
    send_now(unit=unit("210112"), kind="task_reminder", title="提醒", dedup_key="k")
    deliver_due()
    deliver_due()
    errors = " ".join(Delivery.objects.values_list("last_error", flat=True))
    assert Delivery.objects.get(route=dead).status == DeliveryStatus.GAVE_UP
    assert "ConnectionError" in errors
    for secret in (WECOM_KEY, DING_TOKEN, DING_SECRET):
        assert secret not in caplog.text and secret not in errors
    assert Delivery.objects.get(route=ding).status == DeliveryStatus.SENT
    assert Delivery.objects.get(route=alive).status == DeliveryStatus.SENT
    assert "/robot/send?access_token=***" in caplog.text  # the HTTP client's own debug line, masked


def test_the_sender_and_the_unit_see_the_record_another_county_does_not(channels, send_now, shenyang, hunnan, shenhe):  # type: ignore[no-untyped-def]
    wecom(channels)
    channels.fail_next.append("500")
    dispatch_kwargs = dict(unit=unit("210112"), kind="urge", title="催办：外资项目进度", dedup_key="u")
    send_now(**dispatch_kwargs, sender=shenyang)
    for user, seen in ((shenyang, True), (hunnan, True), (shenhe, False)):
        client = Client()
        client.force_login(user)
        page = client.get("/notifications/deliveries/").content.decode()
        assert ("催办：外资项目进度" in page) is seen, user.username
        if seen:
            assert "发送失败，待重试" in page and "服务端错误 HTTP 500" in page
    client = Client()
    client.force_login(shenyang)
    assert "催办：外资项目进度" in client.get("/notifications/deliveries/?mine=1").content.decode()
    client.force_login(hunnan)
    assert "催办：外资项目进度" not in client.get("/notifications/deliveries/?mine=1").content.decode()


def test_a_row_left_sending_by_a_dead_worker_is_given_up_not_resent(
    channels, hunnan, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    route = wecom(channels)
    [row] = dispatch(unit=unit("210112"), kind="k", title="t", body="", dedup_key="d")
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert deliver_due() == "settled 1; "
    row.refresh_from_db()
    assert row.status == DeliveryStatus.GAVE_UP and "未再发送" in row.last_error
    assert channels.received["wecom"] == [] and route.pk


def test_routes_are_added_from_the_command_line_with_the_key_from_the_environment(channels, monkeypatch, hunnan):  # type: ignore[no-untyped-def]
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from kaifang.audit.models import AuditEvent

    monkeypatch.setenv("WECOM_KEY_HN", WECOM_KEY)
    out = io.StringIO()
    url = channels.base + "/cgi-bin/webhook/send"
    call_command("channel_route", "add", "--channel", "wecom", "--unit", "210112", "--url", url,
                 "--token-env", "WECOM_KEY_HN", stdout=out)  # fmt: skip
    route = ChannelRoute.objects.get()
    assert route.token == WECOM_KEY and route.unit.code == "210112"
    event = AuditEvent.objects.get(action="notifications.route.add")
    assert WECOM_KEY not in str(event.after) and event.after["has_token"] is True
    call_command("channel_route", "test", str(route.pk), stdout=out)
    assert "sent" in out.getvalue() and len(channels.received["wecom"]) == 1
    with pytest.raises(CommandError, match="不含 \\?key="):
        bad = ["--channel", "wecom", "--url", f"{url}?key=x", "--token-env", "WECOM_KEY_HN"]
        call_command("channel_route", "add", *bad)
    call_command("channel_route", "disable", str(route.pk), stdout=out)
    send_kwargs = dict(unit=unit("210112"), kind="k", title="t", body="", dedup_key="after-disable")
    assert dispatch(**send_kwargs) == []
