"""The rules of a registrar's bulk issuance rows, as pure functions.

A row names a recipient (e-mail, legal name), an achievement (by code), the
date it was earned and, optionally, an expiry, evidence and the route. Each row
gets a decision — *will issue*, *will skip* (the recipient already holds it, in
force: not an error) or *error* — with messages that name the column and the
value, so a registrar can fix the file in one pass.

No ORM, no settings, no clock: the caller passes the achievements that exist
(``AchievementFacts`` by code), the credentials already held in force (pairs of
normalised e-mail and achievement code) and today's date.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credentials.policies import add_months

MAX_EMAIL_LENGTH = 254  # what the User model stores
MAX_NAME_LENGTH = 200  # Credential.recipient_name
MAX_EVIDENCE_LENGTH = 2_000
MAX_SUGGESTED_CODES = 200  # distinct unknown codes we look for near matches of

# credentials.models.Route's values (a test keeps the two in step).
COURSE, PLAR, RECOGNISED = "course", "plar", "recognised"
ROUTES = (COURSE, PLAR, RECOGNISED)
DEFAULT_ROUTE = RECOGNISED


@dataclass(frozen=True)
class Column:
    """One column of a bulk issuance file, as the page and the template show it."""

    name: str
    required: bool
    description: Promise
    example: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "email",
        True,
        gettext_lazy(
            "The recipient's e-mail address. Someone without an account is "
            "invited to claim the credential."
        ),
        "jane.doe@example.org",
    ),
    Column(
        "legal_name",
        True,
        gettext_lazy(
            "The recipient's name as it is to appear on the credential, up to "
            "200 characters."
        ),
        "Jane Doe",
    ),
    Column(
        "achievement",
        True,
        gettext_lazy(
            "The achievement's code: a microcredential code such as DATA-101, "
            "or a pathway code. Upper or lower case are both fine."
        ),
        "DATA-101",
    ),
    Column(
        "issue_date",
        True,
        gettext_lazy(
            "When it was earned, as YYYY-MM-DD. Past dates are allowed; not a "
            "date in the future, nor one before the achievement existed."
        ),
        "2025-06-30",
    ),
    Column(
        "expiry",
        False,
        gettext_lazy(
            "Optional. YYYY-MM-DD, after the issue date. Empty: the "
            "achievement's renewal policy decides (or it never expires)."
        ),
        "",
    ),
    Column(
        "evidence",
        False,
        gettext_lazy(
            "Optional. A short narrative (up to 2,000 characters) or a web "
            "address starting with https:// or http://."
        ),
        "https://portfolio.example.org/jane-doe/data-101",
    ),
    Column(
        "route",
        False,
        gettext_lazy(
            "Optional. course, plar (prior learning assessment) or recognised "
            "(recognised elsewhere). Empty: recognised."
        ),
        "recognised",
    ),
)
COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)


class RowOutcome(enum.StrEnum):
    ISSUE = "issue"
    SKIP = "skip"
    ERROR = "error"

    @property
    def label(self) -> str:
        return str(_OUTCOME_LABELS[self])


_OUTCOME_LABELS = {
    RowOutcome.ISSUE: gettext_lazy("will issue"),
    RowOutcome.SKIP: gettext_lazy("will skip"),
    RowOutcome.ERROR: gettext_lazy("error"),
}


@dataclass(frozen=True)
class AchievementFacts:
    """What row validation needs to know about one achievement."""

    code: str
    achievement_id: int
    available_from: dt.date  # no credential for it can be dated earlier
    valid_for_months: int | None = None  # its renewal policy; None: no expiry


@dataclass(frozen=True, slots=True)
class RowMessage:
    """One thing to say about a row; ``column`` is None for the whole row."""

    column: str | None
    text: str

    def __str__(self) -> str:
        if not self.column:
            return self.text
        # Translatable, so French gets its space before the colon.
        return _("%(column)s: %(text)s") % {"column": self.column, "text": self.text}


@dataclass(frozen=True, slots=True)
class CleanRow:
    """A row's values once read: what the issuance service needs."""

    email: str  # stripped, lower-cased
    legal_name: str  # stripped, single-spaced, NFC
    achievement: AchievementFacts
    issue_date: dt.date
    expiry: dt.date | None  # as given in the file
    expires_on: dt.date | None  # as given, else by the renewal policy
    evidence_narrative: str
    evidence_url: str
    route: str


@dataclass(frozen=True, slots=True)
class RowDecision:
    line: int
    outcome: RowOutcome
    messages: tuple[RowMessage, ...]
    values: CleanRow | None  # for rows that will issue or skip
    key: tuple[str, str] | None  # (e-mail, achievement code) when both are valid

    @property
    def message(self) -> str:
        return " ".join(str(message) for message in self.messages)


@dataclass(frozen=True)
class Summary:
    issue: int = 0
    skip: int = 0
    error: int = 0

    @property
    def total(self) -> int:
        return self.issue + self.skip + self.error


class AchievementIndex(Mapping[str, AchievementFacts]):
    """The known achievements by code, found exactly or ignoring case.

    Build it once for a whole file: near-match suggestions for unknown codes
    are remembered, and looked for only for the first few hundred distinct
    unknown codes, so a file of garbage stays linear.
    """

    def __init__(self, achievements: Mapping[str, AchievementFacts]) -> None:
        self._by_code = {facts.code: facts for facts in achievements.values()}
        folded: defaultdict[str, list[AchievementFacts]] = defaultdict(list)
        for facts in self._by_code.values():
            folded[facts.code.casefold()].append(facts)
        self._by_folded = {key: tuple(value) for key, value in folded.items()}
        self._suggestions: dict[str, tuple[str, ...]] = {}

    def __getitem__(self, code: str) -> AchievementFacts:
        return self._by_code[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def candidates(self, code: str) -> tuple[AchievementFacts, ...]:
        """The achievement with exactly this code, else those equal ignoring case."""
        exact = self._by_code.get(code)
        if exact is not None:
            return (exact,)
        return self._by_folded.get(code.casefold(), ())

    def suggestions(self, code: str) -> tuple[str, ...]:
        folded = code.casefold()
        if folded in self._suggestions:
            return self._suggestions[folded]
        if len(self._suggestions) >= MAX_SUGGESTED_CODES or len(folded) > 64:
            return ()
        close = difflib.get_close_matches(folded, self._by_folded, n=3, cutoff=0.6)
        found = tuple(facts.code for key in close for facts in self._by_folded[key])
        self._suggestions[folded] = found
        return found


def normalise_email(value: str) -> str:
    """How e-mail addresses are compared: trimmed, NFC, lower-cased."""
    return unicodedata.normalize("NFC", value.strip()).lower()


def normalise_name(value: str) -> str:
    """A legal name as stored: NFC, trimmed, runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFC", value).split())


# Unicode's control characters (Cc) and lone surrogates, which no text file
# can hold and PostgreSQL refuses; a narrative may keep tabs and line breaks.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_IN_NARRATIVE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SPACE = re.compile(r"\s")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_validate_url = URLValidator(schemes=["http", "https"])

_ROUTE_WORDS = {
    "course": COURSE,
    "plar": PLAR,
    "prior learning": PLAR,
    "prior learning assessment": PLAR,
    "prior learning plar": PLAR,
    "recognised": RECOGNISED,
    "recognized": RECOGNISED,
    "recognised elsewhere": RECOGNISED,
    "recognized elsewhere": RECOGNISED,
}


def _shown(value: str, limit: int = 60) -> str:
    """A cell's value, fit to quote in a message: short, printable."""
    text = _FORBIDDEN.sub("\ufffd", value.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(row: Mapping[str, object], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _bad_character(name: str, value: str) -> RowMessage | None:
    pattern = _FORBIDDEN_IN_NARRATIVE if name == "evidence" else _FORBIDDEN
    found = pattern.search(value)
    if found is None:
        return None
    return RowMessage(
        name,
        _(
            "contains an invisible control character (U+%(code)s) at position "
            "%(position)s; remove it."
        )
        % {"code": f"{ord(found.group()):04X}", "position": found.start() + 1},
    )


def _email(raw: str, errors: list[RowMessage]) -> str | None:
    email = normalise_email(raw)
    if not email:
        errors.append(RowMessage("email", _("is empty; every row needs one.")))
        return None
    if len(email) > MAX_EMAIL_LENGTH:
        errors.append(
            RowMessage(
                "email",
                _("is %(length)s characters long; the limit is %(limit)s.")
                % {"length": len(email), "limit": MAX_EMAIL_LENGTH},
            )
        )
        return None
    try:
        validate_email(email)
    except ValidationError:
        errors.append(
            RowMessage(
                "email",
                _("“%(value)s” is not a valid e-mail address.")
                % {"value": _shown(raw)},
            )
        )
        return None
    return email


def _legal_name(raw: str, errors: list[RowMessage]) -> str | None:
    name = normalise_name(raw)
    if not name:
        errors.append(RowMessage("legal_name", _("is empty; every row needs one.")))
        return None
    if len(name) > MAX_NAME_LENGTH:
        errors.append(
            RowMessage(
                "legal_name",
                _("is %(length)s characters long; the limit is %(limit)s.")
                % {"length": len(name), "limit": MAX_NAME_LENGTH},
            )
        )
        return None
    if "@" in name:
        errors.append(
            RowMessage(
                "legal_name",
                _(
                    "“%(value)s” looks like an e-mail address, not a name; are "
                    "the columns in the right order?"
                )
                % {"value": _shown(raw)},
            )
        )
        return None
    return name


def _achievement(
    raw: str, index: AchievementIndex, errors: list[RowMessage]
) -> AchievementFacts | None:
    code = raw.strip()
    if not code:
        errors.append(RowMessage("achievement", _("is empty; every row needs one.")))
        return None
    found = index.candidates(code)
    if len(found) == 1:
        return found[0]
    if found:
        errors.append(
            RowMessage(
                "achievement",
                _(
                    "“%(value)s” matches several codes when case is ignored "
                    "(%(codes)s); write it exactly."
                )
                % {"value": _shown(code), "codes": ", ".join(f.code for f in found)},
            )
        )
        return None
    text = _("no achievement has the code “%(value)s”.") % {"value": _shown(code)}
    suggestions = index.suggestions(code)
    if suggestions:
        text += " " + _("Did you mean %(codes)s?") % {"codes": ", ".join(suggestions)}
    errors.append(RowMessage("achievement", text))
    return None


def _date(column: str, raw: str, errors: list[RowMessage]) -> dt.date | None:
    text = raw.strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    errors.append(
        RowMessage(
            column,
            _("“%(value)s” is not a date written YYYY-MM-DD, such as 2025-06-30.")
            % {"value": _shown(raw)},
        )
    )
    return None


def _evidence(raw: str, errors: list[RowMessage]) -> tuple[str, str]:
    """(narrative, url): at most one of them is set."""
    text = raw.strip().replace("\r\n", "\n")
    if not text:
        return "", ""
    if len(text) > MAX_EVIDENCE_LENGTH:
        errors.append(
            RowMessage(
                "evidence",
                _(
                    "is %(length)s characters long; the limit is %(limit)s. Put "
                    "longer evidence on a web page and give its address."
                )
                % {
                    "length": len(text),
                    "limit": number_format(MAX_EVIDENCE_LENGTH, force_grouping=True),
                },
            )
        )
        return "", ""
    lowered = text.casefold()
    if not (_URL_SCHEME.match(text) or lowered.startswith("www.")):
        return text, ""
    if not lowered.startswith(("http://", "https://")):
        errors.append(
            RowMessage(
                "evidence",
                _("“%(value)s” is not a web address starting with https:// or http://.")
                % {"value": _shown(text)},
            )
        )
        return "", ""
    try:
        if _SPACE.search(text):
            raise ValidationError("space in URL")
        _validate_url(text)
    except ValidationError:
        errors.append(
            RowMessage(
                "evidence",
                _("“%(value)s” is not a valid web address.") % {"value": _shown(text)},
            )
        )
        return "", ""
    return "", text


def _route(raw: str, errors: list[RowMessage]) -> str | None:
    words = " ".join(raw.replace("_", " ").replace("-", " ").casefold().split())
    words = words.replace("(", "").replace(")", "")
    if not words:
        return DEFAULT_ROUTE
    route = _ROUTE_WORDS.get(words)
    if route is None:
        errors.append(
            RowMessage(
                "route",
                _("“%(value)s” is not a route; write course, plar or recognised.")
                % {"value": _shown(raw)},
            )
        )
    return route


def validate_row(
    row: Mapping[str, object],
    *,
    line: int,
    achievements: Mapping[str, AchievementFacts],
    holdings: Collection[tuple[str, str]],
    today: dt.date,
) -> RowDecision:
    """What will happen to one row, and why.

    ``achievements`` maps codes to facts (pass an ``AchievementIndex`` when
    validating many rows); ``holdings`` holds ``(normalise_email(e-mail),
    code)`` for every credential already held and in force. Every problem in
    the row is reported, not only the first.
    """
    index = (
        achievements
        if isinstance(achievements, AchievementIndex)
        else AchievementIndex(achievements)
    )
    cells = {name: _cell(row, name) for name in COLUMN_NAMES}
    errors: list[RowMessage] = []
    unreadable: set[str] = set()
    for name, value in cells.items():
        problem = _bad_character(name, value)
        if problem is not None:
            errors.append(problem)
            unreadable.add(name)

    def readable(name: str) -> bool:
        return name not in unreadable

    email = _email(cells["email"], errors) if readable("email") else None
    name = _legal_name(cells["legal_name"], errors) if readable("legal_name") else None
    facts = (
        _achievement(cells["achievement"], index, errors)
        if readable("achievement")
        else None
    )
    issue_date = None
    if readable("issue_date"):
        if not cells["issue_date"].strip():
            errors.append(RowMessage("issue_date", _("is empty; every row needs one.")))
        else:
            issue_date = _date("issue_date", cells["issue_date"], errors)
    if issue_date is not None and issue_date > today:
        errors.append(
            RowMessage(
                "issue_date",
                _("%(date)s is in the future; today is %(today)s.")
                % {"date": issue_date.isoformat(), "today": today.isoformat()},
            )
        )
    if (
        issue_date is not None
        and facts is not None
        and issue_date < facts.available_from
    ):
        errors.append(
            RowMessage(
                "issue_date",
                _(
                    "%(date)s is before %(code)s existed; it can be issued "
                    "from %(since)s."
                )
                % {
                    "date": issue_date.isoformat(),
                    "code": facts.code,
                    "since": facts.available_from.isoformat(),
                },
            )
        )
    expiry = None
    if readable("expiry") and cells["expiry"].strip():
        expiry = _date("expiry", cells["expiry"], errors)
        if expiry is not None and issue_date is not None and expiry <= issue_date:
            errors.append(
                RowMessage(
                    "expiry",
                    _("%(expiry)s is not after the issue date, %(date)s.")
                    % {"expiry": expiry.isoformat(), "date": issue_date.isoformat()},
                )
            )
    narrative, url = (
        _evidence(cells["evidence"], errors) if readable("evidence") else ("", "")
    )
    route = _route(cells["route"], errors) if readable("route") else None

    key = (email, facts.code) if email is not None and facts is not None else None
    if (
        errors
        or email is None
        or name is None
        or facts is None
        or issue_date is None
        or route is None
    ):  # without errors every value was read; the rest is for the type checker
        return RowDecision(line, RowOutcome.ERROR, tuple(errors), None, key)
    expires_on = expiry
    if expires_on is None and facts.valid_for_months is not None:
        expires_on = add_months(issue_date, facts.valid_for_months)
    values = CleanRow(
        email=email,
        legal_name=name,
        achievement=facts,
        issue_date=issue_date,
        expiry=expiry,
        expires_on=expires_on,
        evidence_narrative=narrative,
        evidence_url=url,
        route=route,
    )
    if key in holdings:
        message = _("already holds %(code)s, in force; nothing to issue.") % {
            "code": facts.code
        }
        return RowDecision(
            line, RowOutcome.SKIP, (RowMessage(None, message),), values, key
        )
    notes: tuple[RowMessage, ...] = ()
    if expires_on is not None and expires_on <= today:
        notes = (
            RowMessage(
                None,
                _("expired on %(date)s; it will be issued as expired.")
                % {"date": expires_on.isoformat()},
            ),
        )
    return RowDecision(line, RowOutcome.ISSUE, notes, values, key)


def duplicate(decision: RowDecision, *, of_line: int) -> RowDecision:
    """A later row for the same e-mail and achievement as ``of_line``."""
    message = RowMessage(
        None,
        _(
            "Duplicate of line %(line)s (same e-mail and achievement); only line "
            "%(line)s is used."
        )
        % {"line": of_line},
    )
    kept = decision.messages if decision.outcome is RowOutcome.ERROR else ()
    return replace(
        decision, outcome=RowOutcome.ERROR, messages=(message, *kept), values=None
    )


def validate_rows(
    rows: Iterable[Mapping[str, object]],
    *,
    achievements: Mapping[str, AchievementFacts],
    holdings: Collection[tuple[str, str]],
    today: dt.date,
    lines: Sequence[int] | None = None,
    first_line: int = 2,
) -> list[RowDecision]:
    """Decide every row of a file, in order; the second and later rows for the
    same e-mail and achievement are errors ("duplicate of line N").

    Line numbers are ``lines`` when given (one per row, as ``read_table``
    reports them), else counted from ``first_line`` (2: the header is line 1).
    Linear in the number of rows; pass ``holdings`` as a set.
    """
    index = (
        achievements
        if isinstance(achievements, AchievementIndex)
        else AchievementIndex(achievements)
    )
    numbered: Iterable[tuple[int, Mapping[str, object]]] = (
        zip(lines, rows, strict=True)
        if lines is not None
        else zip(itertools.count(first_line), rows)
    )
    first_seen: dict[tuple[str, str], int] = {}
    decisions = []
    for line, row in numbered:
        decision = validate_row(
            row, line=line, achievements=index, holdings=holdings, today=today
        )
        if decision.key is not None:
            first = first_seen.setdefault(decision.key, line)
            if first != line:
                decision = duplicate(decision, of_line=first)
        decisions.append(decision)
    return decisions


def summarise(decisions: Iterable[RowDecision]) -> Summary:
    """How many rows will issue, will skip, and are errors."""
    counts = Counter(decision.outcome for decision in decisions)
    return Summary(
        issue=counts[RowOutcome.ISSUE],
        skip=counts[RowOutcome.SKIP],
        error=counts[RowOutcome.ERROR],
    )


def progress(
    total: int, done: int, started_at: dt.datetime | None, now: dt.datetime
) -> tuple[int, float | None, int | None]:
    """A running job's share done (whole percent), its rate (credentials a
    second since it started) and the seconds left at that rate; no rate and no
    estimate until something is done and time has passed."""
    done = max(0, min(done, total))
    percent = 100 * done // total if total else 100
    elapsed = (now - started_at).total_seconds() if started_at else 0.0
    if done == 0 or elapsed <= 0:
        return percent, None, None
    seconds_left = -int(-(total - done) * elapsed // done)  # rounded up
    return percent, done / elapsed, seconds_left
