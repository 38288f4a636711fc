from .base import RegisterForm
from .initiatives import InitiativeForm

__all__ = ["InitiativeForm", "RegisterForm"]
