"""The Cron expression of CodePipeline's DeploymentWindow rule, as one regular expression
(so the JSON Schema and `build` agree on it).

CodePipeline user guide, rule-reference-DeploymentWindow: "Cron expressions are comprised
of 6 required fields and one optional field separated by white space": seconds (only *;
the page's own example writes 0), minutes 0-59 (, - * /), hours 0-23 (, - * /),
day-of-month 1-31 (, - * ? / L W), month 1-12 or JAN-DEC (, - * /), day-of-week 1-7 or
SUN-SAT (, - * ? / L #), year 1970-2199 (, - * /, optional); "?" means "no specific value"
and, as in every Quartz-style expression, one of day-of-month and day-of-week is "?".
Names are not case sensitive to CodePipeline; the spec writes them in capitals (one
spelling, and a pattern every JSON Schema validator reads).
"""

from __future__ import annotations


def _list(item: str) -> str:
    """A comma-separated list of items, each optionally a range and with a step."""
    step = r"(/\d{1,4})?"
    single = rf"(\*|{item}(-{item})?){step}"
    return rf"{single}(,{single})*"


_MINUTE = r"[0-5]?\d"
_HOUR = r"(2[0-3]|[01]?\d)"
_DAY = r"(3[01]|[12]\d|0?[1-9])"
_MONTH = r"(1[0-2]|0?[1-9]|(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))"
_WEEKDAY = r"([1-7]|(SUN|MON|TUE|WED|THU|FRI|SAT))"
_YEAR = r"(19[7-9]\d|2[01]\d\d)"

SECONDS = r"(\*|0)"
MINUTES = _list(_MINUTE)
HOURS = _list(_HOUR)
DAY_OF_MONTH = rf"({_list(_DAY)}|L|LW|{_DAY}W)"
MONTHS = _list(_MONTH)
DAY_OF_WEEK = rf"({_list(_WEEKDAY)}|{_WEEKDAY}L|{_WEEKDAY}#[1-5])"
YEARS = _list(_YEAR)

CRON_PATTERN = (
    rf"^{SECONDS} {MINUTES} {HOURS} "
    rf"(\? {MONTHS} {DAY_OF_WEEK}|{DAY_OF_MONTH} {MONTHS} \?)"
    rf"( {YEARS})?$"
)

# DeploymentWindow TimeZone: "Region/City format" (America/New_York), "UTC format" (UTC,
# UTC+05:30, UTC-03:00; the default) or an "Abbreviation format" (EST, IST).
TIMEZONE_PATTERN = r"^([A-Za-z_]+(/[A-Za-z0-9_+-]+)+|UTC([+-]\d{2}:\d{2})?|[A-Z]{2,5})$"
