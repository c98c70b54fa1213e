"""The ombudsman's labels (SPEC 1.2, 2.1), in their published spelling and order."""

SERVICE_AREAS = (
    "Adult Care Services",
    "Benefits and Tax",
    "Corporate and Other Services",
    "Education and Children's Services",
    "Environment Services",
    "Highways and Transport",
    "Housing",
    "Planning and Development",
    "Other",
)

OUTCOMES = (
    "Incomplete or Invalid",
    "Advice Given",
    "Referred back for Local Resolution",
    "Closed After Initial Enquiries",
    "Not Upheld",
    "Upheld",
)
UPHELD = "Upheld"
NOT_UPHELD = "Not Upheld"
DETAILED_INVESTIGATION = (NOT_UPHELD, UPHELD)
NOT_FOR_US = ("Incomplete or Invalid", "Advice Given", "Referred back for Local Resolution")
ASSESSED_AND_CLOSED = ("Closed After Initial Enquiries",)

COMPLIANCE = ("on time", "late", "not complied")

# An organisation's own complaints (the Complaint Handling Code): outcomes, and self-assessment answers.
OWN_OUTCOMES = ("upheld", "partly upheld", "not upheld", "withdrawn", "not a complaint")
COMPLIES = ("yes", "partly", "no")

ROLES = ("chief executive", "link officer", "monitoring officer", "leader", "scrutiny chair")
ADDRESSEE = "chief executive"

FROM_CASE_RECORDS = "case records"
FROM_PUBLISHED = "published letter"  # figures read back from published letters and pages (`parse --import`)


def label_key(text: str) -> str:
    """How labels are compared: any case, curly or straight apostrophes, any spacing, -/_ as spaces."""
    text = text.replace("’", "'").replace("-", " ").replace("_", " ").replace("&", " and ")
    return " ".join(text.casefold().split())


def lookup(labels: tuple[str, ...]) -> dict[str, str]:
    return {label_key(label): label for label in labels}

# Authority types (SPEC 1.1) as the letters and the site word them.
TYPE_PLURALS = {"County": "county councils", "District": "district councils", "Metropolitan": "metropolitan boroughs",
                "Unitary": "unitary councils", "London Borough": "London boroughs", "Other": "similar bodies"}
TYPE_NAMES = {"County": "county council", "District": "district council", "Metropolitan": "metropolitan borough",
              "Unitary": "unitary council", "London Borough": "London borough", "Other": "other body"}
