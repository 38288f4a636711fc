from .base import RegisterFilter
from .initiatives import InitiativeFilter

__all__ = ["InitiativeFilter", "RegisterFilter"]
