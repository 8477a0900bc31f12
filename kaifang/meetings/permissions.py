"""Who may do what with a meeting. Scope (which units) comes from `kaifang.orgs.scope`."""

from __future__ import annotations

from typing import Any

from kaifang.accounts.models import Role
from kaifang.accounts.permissions import can_write_for_unit, is_province_user, role_of
from kaifang.meetings.models import Meeting, Venue

ORGANISER_ROLES = {Role.PROVINCE_ADMIN, Role.PROVINCE_SUPERVISOR, Role.CITY_OFFICER}


def can_create_meetings(user: Any) -> bool:
    return role_of(user) in ORGANISER_ROLES


def can_organise(user: Any, meeting: Meeting) -> bool:
    """The organiser: a province (or, for its own meetings, city) user writing for the main venue's unit."""
    return role_of(user) in ORGANISER_ROLES and can_write_for_unit(user, meeting.main_unit)


def can_see_code(user: Any, meeting: Meeting) -> bool:
    """The rotating code is shown at the main venue only: to organisers bound to the main venue's unit."""
    return can_organise(user, meeting) and getattr(user, "unit_id", None) == meeting.main_unit_id


def can_answer_for(user: Any, venue: Venue) -> bool:
    """A venue's receipt is answered by users who write for its unit (its own staff, or its city)."""
    return can_write_for_unit(user, venue.unit)


def can_check_in(user: Any, venue: Venue) -> bool:
    """Only a user bound to the venue's own unit checks it in, with the code seen at the main venue."""
    return can_write_for_unit(user, venue.unit) and getattr(user, "unit_id", None) == venue.unit_id


def can_parse_speeches(user: Any) -> bool:
    return is_province_user(user)
