"""One workflow type and one version check, as every area's transition table and stale refusal use them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaifang.core.versions import StaleVersion, check_version, error_status, is_stale
from kaifang.core.workflow import Step, Workflow

# A two-step approval: the reporter submits, the reviewer approves or returns.
FLOW = Workflow(
    {
        ("draft", "submit"): Step("submitted", frozenset({"reporter"}), "提交"),
        ("submitted", "approve"): Step("approved", frozenset({"reviewer"}), "审核通过"),
        ("submitted", "return"): Step("draft", frozenset({"reviewer"}), "退回", needs_reason=True),
    }
)


def test_a_step_the_table_allows_gives_its_target_state():
    assert FLOW.transition("submitted", "approve", {"reviewer"}).to == "approved"


def test_a_step_the_table_lacks_is_refused_with_the_areas_message_and_code():
    with pytest.raises(ValidationError) as caught:
        FLOW.transition("draft", "approve", {"reviewer"}, refused="草稿不能审核。", code="state")
    assert caught.value.messages == ["草稿不能审核。"] and caught.value.code == "state"


def test_someone_playing_no_part_of_the_step_is_denied_but_a_system_actor_is_not():
    with pytest.raises(PermissionDenied, match="无权"):
        FLOW.transition("submitted", "approve", {"reporter"}, forbidden="您无权审核。")
    assert FLOW.transition("submitted", "approve", None).to == "approved"


def test_buttons_offer_only_the_steps_open_to_the_user_in_table_order():
    assert [a for a, _s in FLOW.allowed("submitted", {"reviewer"})] == ["approve", "return"]
    assert FLOW.allowed("submitted", {"reporter"}) == []
    assert FLOW.who_may("return") == {"reviewer"}
    assert FLOW.label("return") == "退回" and FLOW.actions == ["approve", "return", "submit"]
    assert FLOW.states == {"draft", "submitted", "approved"}


def test_a_version_that_moved_on_is_stale_and_answers_409():
    class Row:
        version = 4

    check_version(Row(), 4)  # what the user read: accepted
    check_version(Row(), None)  # the caller did not ask: accepted
    with pytest.raises(StaleVersion) as caught:
        check_version(Row(), 3, "该事项已被他人修改。")
    assert caught.value.messages == ["该事项已被他人修改。"]
    assert is_stale(caught.value) and error_status(caught.value) == 409


def test_an_ordinary_refusal_is_400_and_a_mixed_one_is_not_stale():
    assert error_status(ValidationError("请填写名称。", code="required")) == 400
    mixed = ValidationError({"a": [StaleVersion()], "b": [ValidationError("必填", code="required")]})
    assert not is_stale(mixed)
    assert is_stale(ValidationError({"a": [StaleVersion()]}))


def test_the_refusal_names_both_versions_through_its_params():
    with pytest.raises(StaleVersion) as caught:
        check_version(7, 5, "当前版本 %(v)d，您提交的是版本 %(e)d。", params={"v": 7, "e": 5})
    assert caught.value.messages == ["当前版本 7，您提交的是版本 5。"]


def test_a_create_or_change_write_treats_none_as_no_row():
    check_version(None, None, absent_is_new=True)  # nothing stored, nothing expected: a new row
    check_version(2, 2, absent_is_new=True)
    with pytest.raises(StaleVersion):
        check_version(2, None, absent_is_new=True)  # someone created it meanwhile
    with pytest.raises(StaleVersion):
        check_version(None, 2, absent_is_new=True)  # the row expected is gone
    check_version(2, None)  # without the flag, None means "the caller did not ask"
