"""The shape `kehoach import-plan --json` prints (design.md, "Plan import contract").

The reading kept for the review screen may carry more than the printed contract: the signer's
authority line ("TM. ỦY BAN NHÂN DÂN"), which the plan keeps as `signer_authority`. `printed()`
gives the contract exactly as design.md states it.
"""

from typing import Any, NotRequired, TypedDict


class Signer(TypedDict):
    name: str | None
    position: str | None
    authority: NotRequired[str]  # "TM. ỦY BAN NHÂN DÂN": not in the printed contract


class Reference(TypedDict):
    number: str | None
    date: str | None
    issuer: str | None


class Indicator(TypedDict):
    group: str | None
    name: str
    comparator: str | None  # ">=", "<=", "between"
    target: int | float | None
    target_max: int | float | None
    unit: str | None
    commitment: str  # "required" | "aspiration"


class Deadline(TypedDict):
    kind: str  # "date" | "period" | "continuous" | "conditional"
    date: str | None


class Task(TypedDict):
    title: str
    lead_units: list[str]
    coordinating_units: list[str]
    output: str | None
    deadline_text: str | None
    deadline: Deadline | None


class Measure(TypedDict):
    section: str | None
    text: str


class Responsibility(TypedDict):
    unit: str
    duties: list[str]


class PlanContract(TypedDict):
    number: str | None
    date: str | None
    place: str | None
    issuer: str | None
    title: str | None
    signer: Signer | None
    references: list[Reference]
    goals: list[str]
    indicators: list[Indicator]
    tasks: list[Task]
    measures: list[Measure]
    responsibilities: list[Responsibility]


def empty_contract() -> PlanContract:
    return {
        "number": None,
        "date": None,
        "place": None,
        "issuer": None,
        "title": None,
        "signer": None,
        "references": [],
        "goals": [],
        "indicators": [],
        "tasks": [],
        "measures": [],
        "responsibilities": [],
    }


def printed(plan: PlanContract | dict[str, Any]) -> dict[str, Any]:
    """The contract as `kehoach import-plan --json` prints it: the signer is {name, position}."""
    out = dict(plan)
    signer = out.get("signer")
    if signer:
        out["signer"] = {"name": signer.get("name"), "position": signer.get("position")}
    return out
