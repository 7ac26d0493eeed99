"""The French UI: pages, e-mails and the committed translation catalog."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests import factories

PO_FILE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")


# --- the catalog as a file ---------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return re.sub(
        r'\\(["\\nt])',
        lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)),
        body,
    )


def po_entries(path: Path) -> list[PoEntry]:
    """A small reader for the .po format, enough for the checks below."""
    entries: list[PoEntry] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, current = PoEntry(), None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid_plural "):
                current = "plural"
                entry.msgid_plural = _unquote(line[len("msgid_plural ") :])
            elif line.startswith("msgid "):
                current = "msgid"
                entry.msgid = _unquote(line[len("msgid ") :])
            elif match := re.match(r"msgstr(?:\[(\d+)\])? (.*)", line):
                current = int(match.group(1) or 0)
                entry.msgstr[current] = _unquote(match.group(2))
            elif line.startswith('"'):
                if current == "msgid":
                    entry.msgid += _unquote(line)
                elif current == "plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
                else:
                    entry.msgstr[current] += _unquote(line)
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[PoEntry]:
    return [e for e in po_entries(PO_FILE) if not e.obsolete]


def test_french_catalog_declares_french_and_its_two_plural_forms(catalog):
    header = catalog[0]
    assert header.msgid == ""
    assert "Language: fr\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header.msgstr[0]


def test_every_french_message_is_translated_and_none_is_fuzzy(catalog):
    messages = catalog[1:]
    assert len(messages) > 250  # the whole UI, not a sample
    untranslated = [e.msgid for e in messages if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    plural_gaps = [
        e.msgid for e in messages if e.msgid_plural and sorted(e.msgstr) != [0, 1]
    ]
    assert untranslated == []
    assert fuzzy == []
    assert plural_gaps == []


def test_french_messages_keep_every_placeholder_of_the_english(catalog):
    wrong = []
    for entry in catalog[1:]:
        english = set(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural is None:
            if set(PLACEHOLDER.findall(entry.msgstr[0])) != english:
                wrong.append(entry.msgid)
            continue
        plural = set(PLACEHOLDER.findall(entry.msgid_plural))
        # French uses the singular for 0 and 1, so it may drop the count there.
        if not set(PLACEHOLDER.findall(entry.msgstr[0])) <= english | plural:
            wrong.append(entry.msgid)
        if set(PLACEHOLDER.findall(entry.msgstr[1])) != plural:
            wrong.append(entry.msgid_plural)
        if entry.msgstr[0].count("%%") != entry.msgid.count("%%"):
            wrong.append(entry.msgid)
    assert wrong == []


def test_committed_mo_file_is_compiled_from_the_current_po_file(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [msgfmt, "--check", "-o", str(fresh), str(PO_FILE)],
        check=True,
        capture_output=True,
    )

    def messages(path: Path) -> dict:
        with path.open("rb") as handle:
            return dict(gettext.GNUTranslations(handle)._catalog)

    assert messages(MO_FILE) == messages(fresh), (
        "locale/fr/LC_MESSAGES/django.mo is stale: run "
        "`python manage.py compilemessages --ignore=.venv`"
    )


def test_django_translates_key_strings_into_french():
    with translation.override("fr"):
        assert translation.gettext("Microcredentials") == "Microcertifications"
        assert translation.gettext("Completion window") == "Fenêtre d'achèvement"
        assert translation.gettext("Feedback") == "Rétroaction"
        assert translation.gettext("Pathway") == "Parcours"
        assert (
            translation.gettext("Non-credit microcredential")
            == "Microcertification non créditée"
        )
        one = translation.ngettext("%(hours)s hour", "%(hours)s hours", 1)
        many = translation.ngettext("%(hours)s hour", "%(hours)s hours", 30)
    assert one % {"hours": 1} == "1 heure"
    assert many % {"hours": 30} == "30 heures"
    with translation.override("en"):
        assert translation.gettext("Microcredentials") == "Microcredentials"


# --- pages and e-mails ---------------------------------------------------------


@pytest.mark.django_db
def test_catalog_is_in_english_by_default(client, course):
    response = client.get(reverse("courses:catalog"))
    assert '<html lang="en">' in response.text
    assert "<h1>Microcredentials</h1>" in response.text


@pytest.mark.django_db
def test_choosing_french_in_the_footer_shows_the_catalog_in_french(client, course):
    catalog_url = reverse("courses:catalog")
    switched = client.post(
        reverse("set_language"), {"language": "fr", "next": catalog_url}
    )
    assert switched.status_code == 302
    assert switched.url == catalog_url

    response = client.get(catalog_url)

    text = response.text
    assert '<html lang="fr">' in text
    assert response.headers["Content-Language"] == "fr"
    assert "<h1>Microcertifications</h1>" in text
    for label in ("Rechercher", "Niveau", "Mode de prestation", "Parcours"):
        assert f">{label}</label>" in text
    assert "Tous les niveaux" in text
    assert "1 microcertification" in text
    assert "Microcertification non créditée" in text
    assert "30 heures" in text
    assert "Skip to main content" not in text


@pytest.mark.django_db
def test_browser_asking_for_canadian_french_gets_french(client, course):
    response = client.get(
        reverse("courses:catalog"), headers={"Accept-Language": "fr-CA,fr;q=0.9"}
    )
    assert '<html lang="fr">' in response.text
    assert "Catalogue des microcertifications" in response.text


@pytest.mark.django_db
def test_sign_in_page_uses_allauths_own_french_inside_our_layout(client):
    response = client.get(reverse("account_login"), headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in response.text
    assert "Passer au contenu principal" in response.text  # our layout
    assert "Mot de passe" in response.text  # allauth's catalog


@pytest.mark.django_db
def test_learner_who_prefers_french_sees_french_pages(client, learner, course):
    learner.preferred_language = "fr"
    learner.save(update_fields=["preferred_language"])
    client.force_login(learner)

    catalog = client.get(reverse("courses:catalog"))
    detail = client.get(course.get_absolute_url())

    assert '<html lang="fr">' in catalog.text
    assert "Mes apprentissages" in catalog.text
    assert "Fenêtre d'achèvement" in detail.text
    assert "Comment vous êtes évalué" in detail.text
    assert "évaluation sommative" in detail.text


@pytest.mark.django_db
def test_language_chosen_in_the_footer_wins_over_the_profile(client, learner, course):
    learner.preferred_language = "fr"
    learner.save(update_fields=["preferred_language"])
    client.force_login(learner)
    client.post(reverse("set_language"), {"language": "en"})

    response = client.get(reverse("courses:catalog"))

    assert '<html lang="en">' in response.text
    assert "<h1>Microcredentials</h1>" in response.text


@pytest.mark.django_db
def test_french_learner_gets_the_registration_email_in_french(
    learner, offering, django_capture_on_commit_callbacks, mailoutbox
):
    learner.preferred_language = "fr"
    learner.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        factories.enrol(learner, offering)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    title = offering.microcredential.title
    assert message.subject == f"Inscription confirmée\u00a0: {title}"
    html = message.alternatives[0].content
    for body in (message.body, html):
        assert "Bonjour Ada Lovelace," in body
        assert "Vos deux dates" in body
        assert "Remise de la première tentative à l'évaluation sommative" in body
        assert "Fin de la microcertification" in body
        assert "deux tentatives" in body
        assert any(day in body for day in FRENCH_WEEKDAYS)
        assert "You are registered" not in body
    # Sending in French leaves the rest of the process in its own language.
    assert translation.get_language() == settings.LANGUAGE_CODE


@pytest.mark.django_db
def test_english_learner_still_gets_the_registration_email_in_english(
    enrolment, mailoutbox
):
    message = mailoutbox[0]
    assert message.subject.startswith("You are registered: ")
    assert "Your two dates" in message.body


@pytest.mark.django_db
def test_instructor_who_prefers_french_gets_the_staff_dashboard_in_french(
    client, instructor, course
):
    instructor.preferred_language = "fr"
    instructor.save(update_fields=["preferred_language"])
    client.force_login(instructor)

    index = client.get(reverse("admin:index"))
    course_page = client.get(
        reverse("admin:courses_microcredential_change", args=[course.pk])
    )

    assert index.status_code == 200
    assert '<html lang="fr"' in index.text
    assert "Tableau de bord du personnel" in index.text
    assert "Titre de compétences et crédits" in course_page.text
    assert "Gouvernance" in course_page.text
