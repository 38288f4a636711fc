"""The JSON sent to the city's reporting system for an issued report (schema "kehoach.report/1").

Stable codes only: indicator codes (CT01…), task codes (NV01… from the plan's order), status and
assessment codes, ISO dates, decimal values as strings. The envelope (key, creation time, sender) is
added by `exchange.enqueue`. Documented in docs/exchange.md.
"""

from typing import Any

from .models import Report

SCHEMA = "kehoach.report/1"
INDICATORS_SCHEMA = "kehoach.indicators/1"
INDICATOR_FIELDS = (
    "code",
    "name",
    "unit_of_measure",
    "comparator",
    "target",
    "target_max",
    "value",
    "assessment",
    "source",
)


def report_payload(report: Report) -> dict[str, Any]:
    entry = report.document
    data = report.data
    return {
        "schema": SCHEMA,
        "kind": "report.issued",
        "document": {
            "uid": str(entry.uid),
            "number": entry.number,
            "symbol": entry.symbol,
            "number_symbol": entry.number_symbol,
            "issued_on": entry.issued_on.isoformat(),
            "title": entry.title,
            "signer_name": entry.signer_name,
            "signer_position": entry.signer_position,
        },
        "report": {"id": report.pk},
        "plan": data["plan"],
        "period": {k: v for k, v in data["period"].items() if not k.startswith("source_")},
        "as_of": data["as_of"],
        "summary": data["summary"],
        "indicators": [{k: item[k] for k in INDICATOR_FIELDS} for item in data["indicators"]],
        "tasks": [
            {
                k: item[k]
                for k in (
                    "code",
                    "title",
                    "lead_units",
                    "due_on",
                    "completed_on",
                    "status",
                    "percent_complete",
                    "results",
                    "outputs",
                )
            }
            for item in data["tasks"]
        ],
        "narratives": {
            "shortcomings": report.shortcomings,
            "next_steps": report.next_steps,
            "proposals": report.proposals,
        },
    }


def indicators_payload(data: dict[str, Any]) -> dict[str, Any]:
    """A period's accepted indicator values on their own, for systems that take figures, not reports."""
    return {
        "schema": INDICATORS_SCHEMA,
        "kind": "indicators.period",
        "plan": data["plan"],
        "period": {k: v for k, v in data["period"].items() if not k.startswith("source_")},
        "as_of": data["as_of"],
        "indicators": [{k: item[k] for k in INDICATOR_FIELDS} for item in data["indicators"]],
    }
