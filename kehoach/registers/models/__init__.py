from .base import RegisterModel, RegisterQuerySet
from .initiatives import Initiative, InitiativeScope, InitiativeStatus

__all__ = ["Initiative", "InitiativeScope", "InitiativeStatus", "RegisterModel", "RegisterQuerySet"]
