"""One actor type: a user or a `SystemActor`; a plain string is refused everywhere it is asked."""

import pytest

from kaifang.core.actors import (
    PlainStringActor,
    SystemActor,
    UnverifiedName,
    actor_display_name,
    actor_name,
    actor_user,
    is_system_actor,
)


class FakeUser:
    pk = 7
    username = "hunnan"
    display_name = "浑南区报送员"


def test_a_system_actor_is_trusted_and_named_by_what_it_is():
    demo = SystemActor("demo")
    assert is_system_actor(demo) is True
    assert actor_name(demo) == "demo"
    assert actor_user(demo) is None
    assert repr(demo) == "SystemActor('demo')"


def test_a_user_is_not_a_system_actor_and_is_recorded_by_username():
    user = FakeUser()
    assert is_system_actor(user) is False
    assert actor_name(user) == "hunnan"
    assert actor_display_name(user) == "浑南区报送员"
    assert actor_user(user) is user


@pytest.mark.parametrize("plain", ["demo", "cli", "system"])
def test_a_plain_string_is_refused_not_trusted(plain):
    with pytest.raises(PlainStringActor):
        is_system_actor(plain)
    with pytest.raises(PlainStringActor):
        actor_name(plain)


def test_a_system_actor_needs_a_name():
    with pytest.raises(ValueError):
        SystemActor("")


@pytest.mark.django_db
def test_a_service_refuses_a_plain_string_where_a_system_actor_would_pass():
    from kaifang.ledgers.services import check_can_write
    from kaifang.orgs.models import OrgUnit, UnitKind

    unit = OrgUnit.objects.get(kind=UnitKind.PROVINCE)
    check_can_write(SystemActor("cli"), unit)  # trusted: no error
    with pytest.raises(PlainStringActor):
        check_can_write("cli", unit)


def test_a_name_typed_at_a_failed_sign_in_is_recorded_but_trusted_for_nothing():
    tried = UnverifiedName("hunnan")
    assert is_system_actor(tried) is False
    assert actor_name(tried) == "hunnan"
    assert actor_user(tried) is None
