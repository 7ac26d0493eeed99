"""Staff roles. Each role is a Django group created by a data migration."""

from enum import StrEnum


class Role(StrEnum):
    INSTRUCTOR = "Instructor"
    REGISTRAR = "Registrar"
    ADMIN = "Administrator"


def user_has_role(user, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return role.value in user.role_names


def is_instructor(user) -> bool:
    return user_has_role(user, Role.INSTRUCTOR)


def is_registrar(user) -> bool:
    return user_has_role(user, Role.REGISTRAR)


def is_admin(user) -> bool:
    return user_has_role(user, Role.ADMIN)


STAFF_ROLE_NAMES = frozenset(role.value for role in Role)


def is_staff_member(user) -> bool:
    """May this person use the staff dashboard at all?"""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or user.role_names & STAFF_ROLE_NAMES)
