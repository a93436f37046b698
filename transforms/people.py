"""Whether a byline name is a person, an organisation (agency, the site itself) or a stray
word (a weekday, a place, "Posted"): authors are people, organisations are a credit."""

from __future__ import annotations

import re
from enum import StrEnum

# News agencies and wire services, lower case: credited, never authors.
AGENCIES = frozenset({
    "afp", "ap", "associated press", "the associated press", "dpa", "reuters", "sid", "kna",
    "epd", "apa", "ansa", "efe", "europa press", "xinhua", "kyodo", "jiji", "yonhap", "pa",
    "press association", "bloomberg", "upi", "anp", "belga", "sda", "keystone-sda", "tt",
    "ntb", "ritzau", "ctk", "pap", "tass", "ria novosti", "aa", "anadolu", "dha", "iha",
    "agencia efe", "agence france-presse", "dts", "cnn wire", "wire services",
})
# Words that make a name an organisation's ("Redaktion", "GmbH", "Staff").
ORG_WORDS = frozenset({
    "gmbh", "ag", "inc", "inc.", "ltd", "ltd.", "llc", "corp", "co.", "kg", "e.v.", "sa",
    "s.a.", "srl", "plc", "redaktion", "redaction", "rédaction", "redacción", "redazione",
    "staff", "team", "desk", "newsroom", "editorial", "editors", "online", "verlag",
    "media", "news", "nachrichten", "zeitung", "magazin", "magazine", "kitchens",
    "pressestelle", "presse", "press", "themes", "seo", "service", "verband", "institut",
    "kreuz", "foundation", "stiftung", "association", "group", "agency", "wire",
})
# Words never part of a person's name in a byline: weekdays, months, cues, roles.
NOT_NAME_WORDS = frozenset({
    # weekdays and months (en, de, fr, es, it)
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "lunes",
    "martes", "miércoles", "jueves", "viernes", "sábado", "domingo", "lunedì", "martedì",
    "mercoledì", "giovedì", "venerdì", "sabato", "january", "february", "march", "april",
    "june", "july", "august", "september", "october", "november", "december", "januar",
    "februar", "märz", "juni", "juli", "oktober", "dezember", "janvier", "février", "mars",
    "avril", "juin", "juillet", "août", "septembre", "octobre", "décembre", "enero",
    "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
    # cues and furniture
    "posted", "updated", "published", "share", "follow", "comments", "comment", "read",
    "more", "photos", "fotos", "videos", "video", "musik", "home", "menu", "login",
    "thank", "you!", "admin", "administrator", "user", "guest", "anonymous", "unknown",
    # countries (a dateline's place, "Frankfurt, Germany")
    "germany", "deutschland", "france", "frankreich", "spain", "spanien", "españa", "italy",
    "italien", "italia", "austria", "österreich", "switzerland", "schweiz", "suisse",
    "usa", "u.s.", "america", "canada", "mexico", "méxico", "china", "japan", "india",
    "russia", "russland", "ukraine", "britain", "england", "uk", "belgium", "belgien",
    "netherlands", "niederlande", "poland", "polen", "sweden", "schweden", "norway",
    "brazil", "brasil", "argentina", "turkey", "türkei", "türkiye", "korea", "australia",
})
# Trailing role words after a name ("Gina Trapani CEO", "Emily Kirkpatrick Updated").
ROLE_TAIL = re.compile(
    r"\s+(?:updated|aktualisiert|ceo|cto|editor|editor-in-chief|contributor|correspondent|"
    r"reporter|redakteur(?:in)?|autor(?:in)?|journalist(?:in)?|staff writer|senior writer|"
    r"writer|columnist|photographer|fotograf(?:in)?|analyst|chefredakteur(?:in)?)\b.*$",
    re.IGNORECASE)


class NameKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    STRAY = "stray"


def _squash(text: str) -> str:
    return re.sub(r"[^\w]+", "", text.casefold())


def name_kind(name: str, site_name: str | None = None, host: str | None = None,
              structured: bool = False) -> NameKind:
    """What a byline name is. `structured`: it came from markup that types it as a person
    (JSON-LD Person, microdata), where a one-word pen name is taken at its word."""
    lowered = name.casefold().strip()
    words = lowered.split()
    if not words:
        return NameKind.STRAY
    if lowered in AGENCIES or lowered.strip("()[]") in AGENCIES:
        return NameKind.ORGANISATION
    squashed = _squash(name)
    if site_name and squashed and (squashed == _squash(site_name)
                                   or squashed in _squash(site_name)):
        return NameKind.ORGANISATION
    if host and len(squashed) >= 3 and squashed in _squash(host):
        return NameKind.ORGANISATION
    if "." in lowered and " " not in lowered:  # "Automobilwoche.de"
        return NameKind.ORGANISATION
    if any(w in ORG_WORDS for w in words):
        return NameKind.ORGANISATION
    if any(w.strip(",.:;") in NOT_NAME_WORDS for w in words):
        return NameKind.STRAY
    if len(words) == 1:
        if name.isupper() and len(name) <= 6:  # "BDZV", "DITIB": an acronym
            return NameKind.ORGANISATION
        return NameKind.PERSON if structured else NameKind.STRAY
    return NameKind.PERSON


def tidy_name(name: str) -> str:
    """A name without a trailing role ("Gina Trapani CEO") and without being printed twice
    ("Kristen Falc'hon Kristen Falc'hon")."""
    name = ROLE_TAIL.sub("", name).strip(" ,;:|·-")
    words = name.split()
    half = len(words) // 2
    if len(words) >= 4 and len(words) % 2 == 0 and words[:half] == words[half:]:
        name = " ".join(words[:half])
    return name
