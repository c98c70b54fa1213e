"""National figures the synthetic data is calibrated to.

From shared/reference/national_totals_by_year.csv (the ombudsman's published annual reviews as reported in the
press; see that file's source_urls). Where a year's figure was not published there, the value is interpolated and
marked so. These shape synthetic data only; no statistic of real authorities is derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class YearTarget:
    received: int  # complaints and enquiries received nationally
    uphold_rate: float  # upheld / detailed investigations
    satisfactory_remedy_rate: float  # satisfactory remedies / upheld
    compliance_rate: float  # (on time + late) / compliance outcomes recorded
    investigated_share: float  # detailed investigations / decisions
    paused_months: int = 0  # months at the start of the year when no new complaints were accepted


TARGETS = {
    2017: YearTarget(17452, 0.57, 0.12, 0.995, 0.24),  # satisfactory remedies, compliance: interpolated
    2018: YearTarget(16899, 0.58, 0.11, 0.994, 0.24),
    2019: YearTarget(17000, 0.61, 0.13, 0.995, 0.23),  # received: interpolated (~17,000)
    2020: YearTarget(11830, 0.67, 0.12, 0.995, 0.24, paused_months=3),  # new complaints paused for Covid-19
    2021: YearTarget(16000, 0.66, 0.12, 0.997, 0.23),  # received: interpolated
    2022: YearTarget(15488, 0.74, 0.12, 0.993, 0.23),
    2023: YearTarget(17937, 0.80, 0.12, 0.995, 0.22),  # 4,003 investigated
    2024: YearTarget(20500, 0.83, 0.12, 0.997, 0.20),  # 22,010 dealt with; 4,441 investigated, 3,665 upheld
}
FIRST_YEAR, LAST_YEAR = min(TARGETS), max(TARGETS)

# Complaints per resident by type, relative to a district: upper tiers run social care, education and highways.
TYPE_WEIGHT = {"County": 1.0, "District": 0.45, "Metropolitan": 1.35, "Unitary": 1.35, "London Borough": 1.45}
OTHER_CASES_PER_YEAR = 0.6  # combined authorities and the like: a handful of complaints in all

# Shares of complaints by service area (label id) and type (the upper tiers' education share grows over the years).
SERVICE_SHARES = {
    "District": {"benefits-and-tax": 14, "corporate-and-other-services": 9, "environment-services": 14,
                 "highways-and-transport": 6, "housing": 27, "planning-and-development": 26, "other": 4},
    "County": {"adult-care-services": 26, "corporate-and-other-services": 6, "education-and-childrens-services": 38,
               "environment-services": 4, "highways-and-transport": 18, "planning-and-development": 3, "other": 5},
    "upper": {"adult-care-services": 16, "benefits-and-tax": 8, "corporate-and-other-services": 6,
              "education-and-childrens-services": 25, "environment-services": 8, "highways-and-transport": 9,
              "housing": 17, "planning-and-development": 7, "other": 4},
}
EDUCATION = "education-and-childrens-services"
EDUCATION_GROWTH = 0.06  # extra weight per year on Education and Children's Services in upper tiers

# Of decisions that are not detailed investigations (outcome ids): not for us (split three ways) and assessed and
# closed.
NOT_INVESTIGATED = {"incomplete-or-invalid": 0.06, "advice-given": 0.03, "referred-back-for-local-resolution": 0.41,
                    "closed-after-initial-enquiries": 0.50}
LATE_SHARE = 0.15  # of complied remedies, the share done late
REMEDIED_BY_OMBUDSMAN = 0.9  # of upheld decisions without a satisfactory remedy: the ombudsman recommended one
PUBLIC_REPORT = 0.006  # of upheld decisions
IMPROVEMENT = 0.05  # of upheld decisions, a service improvement agreed
