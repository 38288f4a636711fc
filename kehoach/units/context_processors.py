from .access import access_for
from .choices import Role


def roles(request):
    access = access_for(getattr(request, "user", None))
    return {
        "access": access,
        "is_coordinator": access.has_role(Role.COORDINATOR),
    }
