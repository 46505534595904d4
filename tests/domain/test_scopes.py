"""Who sees what: the scope rules as the office states them."""

from hypothesis import given
from hypothesis import strategies as st

from appraisal.scopes import Principal, Role, Scope, manage_scope, read_scope


def principal(*roles: Role, person_id=10, section_id=1, led=()) -> Principal:
    return Principal(
        user_id=1, username="u", roles=frozenset(roles), person_id=person_id, section_id=section_id,
        led_section_ids=frozenset(led),
    )


def test_staff_see_only_their_own_records():
    scope = read_scope(principal(Role.STAFF))
    assert scope.contains(10, 1)
    assert not scope.contains(11, 1), "a colleague in the same section is not visible to staff"


def test_a_chief_sees_their_whole_section_but_no_other():
    scope = read_scope(principal(Role.CHIEF, Role.STAFF))
    assert scope.contains(11, 1)
    assert not scope.contains(12, 2)


def test_a_leader_sees_the_sections_they_oversee_and_themselves():
    scope = read_scope(principal(Role.LEADER, person_id=3, section_id=None, led=(2, 3)))
    assert scope.contains(20, 2) and scope.contains(30, 3)
    assert scope.contains(3, None), "a leader sees their own records"
    assert not scope.contains(40, 4)


def test_an_admin_sees_everything():
    assert read_scope(principal(Role.ADMIN)).contains(999, 999)


def test_nobody_manages_their_own_records():
    assert not manage_scope(principal(Role.CHIEF, Role.STAFF, person_id=10, section_id=None)).contains(10, None)
    assert manage_scope(principal(Role.CHIEF, person_id=10, section_id=1)).contains(11, 1)


@given(
    roles=st.sets(st.sampled_from([Role.STAFF, Role.CHIEF, Role.LEADER])),
    led=st.sets(st.integers(1, 9), max_size=3),
    person=st.integers(1, 50),
    section=st.integers(1, 9),
)
def test_more_roles_never_see_less(roles, led, person, section):
    base = principal(*roles, led=led)
    more = principal(*(roles | {Role.CHIEF, Role.LEADER}), led=led)
    if read_scope(base).contains(person, section):
        assert read_scope(more).contains(person, section)


def test_an_empty_scope_contains_nothing():
    assert not Scope().contains(1, 1)
    assert not read_scope(principal(Role.STAFF, person_id=None, section_id=None)).contains(1, 1)
