"""The LGSCO engine's labels (SPEC 1.2, 2.1), in their published spelling and order, read from its scheme's
`labels.toml` and `types.toml` (schemes/lgsco/): change a label's words there, not here. What the engine does with
them (which outcomes are investigations, who a letter is addressed to) is SPEC 2.3 and stays code."""

from ombuds.schemes import DEFAULT, load_scheme
from ombuds.schemes.keys import label_key

__all__ = ["ADDRESSEE", "ASSESSED_AND_CLOSED", "COMPLIANCE", "COMPLIES", "DETAILED_INVESTIGATION",
           "FROM_CASE_RECORDS", "FROM_PUBLISHED", "NOT_FOR_US", "NOT_UPHELD", "OUTCOMES", "OWN_OUTCOMES", "ROLES",
           "SERVICE_AREAS", "TYPE_NAMES", "TYPE_PLURALS", "UPHELD", "label_key", "lookup"]

_LGSCO = load_scheme(DEFAULT)
_OUTCOME = _LGSCO.labels("outcome")

SERVICE_AREAS = _LGSCO.labels("service_area").names
OUTCOMES = _OUTCOME.names
UPHELD = _OUTCOME.get("upheld").name
NOT_UPHELD = _OUTCOME.get("not-upheld").name
DETAILED_INVESTIGATION = (NOT_UPHELD, UPHELD)
NOT_FOR_US = tuple(_OUTCOME.get(i).name for i in ("incomplete-or-invalid", "advice-given",
                                                  "referred-back-for-local-resolution"))
ASSESSED_AND_CLOSED = (_OUTCOME.get("closed-after-initial-enquiries").name,)

COMPLIANCE = _LGSCO.labels("compliance").names

# An organisation's own complaints (the Complaint Handling Code): outcomes, and self-assessment answers.
OWN_OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn", "not a complaint")
COMPLIES = ("yes", "partly", "no")

ROLES = _LGSCO.labels("contact_role").names
ADDRESSEE = _LGSCO.labels("contact_role").get("chief-executive").name

FROM_CASE_RECORDS = "case records"
FROM_PUBLISHED = "published letter"  # figures read back from published letters and pages (`parse --import`)

# Authority types (SPEC 1.1) as the letters and the site word them.
TYPE_PLURALS = {t.id: t.plural for t in _LGSCO.types}
TYPE_NAMES = {t.id: t.name for t in _LGSCO.types}


def lookup(labels: tuple[str, ...]) -> dict[str, str]:
    return {label_key(label): label for label in labels}
