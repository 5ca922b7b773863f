"""One search box over every way to find a customer, on the FTS5 index.

What the consultant types is read three ways at once, and the answers are ranked:

0. an identifier typed or scanned in full (customer number, phone or MSISDN, ICCID,
   IMEI, document, order, receipt or invoice number): exact token match;
1. the start of such an identifier (at least :data:`MIN_ID_PREFIX` characters);
2. names where every typed word is a whole name word ("anna ivanova", any order);
3. names where every typed word starts a name word ("iva an");
4. the same on name skeletons (:func:`domain.names.skeleton`): "Aleksandr" finds
   "Alexander", "Shevchenko" finds "Schewtschenko";
5. only when the above found too little: one typing slip per word (two in long words),
   found by comparing the typed word with the index's vocabulary of name words that
   share its first two letters.

Every query goes to SQLite as an FTS5 ``MATCH`` with each token double-quoted, so no
typed text can change the query's meaning or make it fail. Within a rank, results are
ordered by customer number (identifiers) or by name. Nothing here writes.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from app.phones import phone_search_forms
from app.services.customer_index import TABLE, VOCAB, identifier_token
from domain.identifiers.luhn import luhn_valid
from domain.names import latin, skeleton, within_edits
from domain.text import search_key

MAX_QUERY = 100
MIN_QUERY = 2
MIN_ID_PREFIX = 4
MAX_WORDS = 6
FUZZY_MIN_WORD = 4
_WORD = re.compile(r"[^\W_]+")
Take = Callable[[str, int, str], None]


@dataclass(frozen=True)
class Hit:
    customer_id: uuid.UUID
    customer_no: str
    kind: str
    first_name: str
    last_name: str
    company_name: str
    phone: str
    birth_date: date | None
    status: str
    rank: int
    matched_on: str

    @property
    def name(self) -> str:
        if self.kind == "business" and self.company_name:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def identifier_kind(token: str) -> str:
    """What a full identifier most likely is, for the "found by" column."""
    if token.isdigit():
        if len(token) in (19, 20) and token.startswith("89") and luhn_valid(token):
            return "SIM (ICCID)"
        if len(token) == 15 and luhn_valid(token):
            return "phone (IMEI)"
        if 8 <= len(token) <= 15:
            return "phone number"
        return "number"
    if token.startswith("C") and any(ch.isdigit() for ch in token):
        return "customer number"
    if token.startswith(("ORD", "RCP", "RCT")):
        return "order or receipt"
    if token.startswith(("INV", "CRN")):
        return "invoice"
    return "document"


def _has_initials(hit: Hit, initials: list[str]) -> bool:
    words = search_key(hit.first_name, hit.last_name, hit.company_name).split()
    words += latin(" ".join(words)).split()
    return all(any(w.startswith(i) for w in words) for i in initials)


class CustomerSearch:
    def __init__(self, *, region: str) -> None:
        self._region = region

    def search(self, conn: Connection, query: str, *, limit: int) -> list[Hit]:
        typed = query.strip()[:MAX_QUERY]
        if len(typed) < MIN_QUERY:
            return []
        found: dict[str, tuple[int, str]] = {}

        def take(match: str, rank: int, matched_on: str) -> None:
            if len(found) >= limit * 2:
                return
            rows = conn.exec_driver_sql(
                f"SELECT customer_id FROM {TABLE} WHERE {TABLE} MATCH ? LIMIT ?",
                (match, limit),
            )
            for (cid,) in rows:
                if cid not in found:
                    found[cid] = (rank, matched_on)

        if any(ch.isdigit() for ch in typed):
            self._identifiers(conn, typed, take, limit)
        # Words with digits are identifiers, never names. One-letter words ("anna s") are
        # too common to search the index for; they filter the results instead.
        words = [w for w in _WORD.findall(search_key(typed)) if w.isalpha()][:MAX_WORDS]
        initials = [w for w in words if len(w) < 2]
        words = [w for w in words if len(w) >= 2]
        # Skeletons read the words as typed: "č" is "ch", which search_key would make "c".
        typed_words = [
            w
            for w in _WORD.findall(unicodedata.normalize("NFC", typed).casefold())
            if w.isalpha() and len(w) >= 2
        ][:MAX_WORDS]
        if words:
            self._names(conn, words, typed_words, take, limit=limit, found=found)
        hits = self._load(conn, found)
        if initials:
            hits = [h for h in hits if h.rank <= 1 or _has_initials(h, initials)]
        return hits[:limit]

    def _identifiers(self, conn: Connection, typed: str, take: Take, limit: int) -> None:
        forms: list[str] = []
        if re.fullmatch(r"[+\d\s()./-]+", typed):
            forms += phone_search_forms(typed, region=self._region)
        token = identifier_token(typed)
        if token:
            forms.append(token)
        forms = list(dict.fromkeys(forms))
        for form in forms:
            take(f"ids : {_quote(form)}", 0, identifier_kind(form))
        for form in forms:
            if len(form) < MIN_ID_PREFIX:
                continue
            # A prefix such as "49151" may start millions of tokens, and FTS5 would merge
            # all their postings before LIMIT. The vocabulary gives the first few tokens
            # in order at the cost of a range seek; those are then matched exactly.
            lowered = form.lower()
            terms = [
                term
                for (term,) in conn.exec_driver_sql(
                    f"SELECT term FROM {VOCAB} WHERE col = 'ids' AND term >= ? AND term < ? "
                    "LIMIT ?",
                    (lowered, lowered + "\U0010ffff", limit),
                )
            ]
            if terms:
                choices = " OR ".join(_quote(t) for t in terms)
                take(f"ids : ({choices})", 1, identifier_kind(form))

    def _names(
        self,
        conn: Connection,
        words: list[str],
        typed_words: list[str],
        take: Take,
        *,
        limit: int,
        found: dict[str, tuple[int, str]],
    ) -> None:
        def alternatives(word: str, star: str) -> str:
            forms = dict.fromkeys([word, latin(word)])
            return "(" + " OR ".join(_quote(f) + star for f in forms if f) + ")"

        take("names : (" + " AND ".join(alternatives(w, "") for w in words) + ")", 2, "name")
        take("names : (" + " AND ".join(alternatives(w, "*") for w in words) + ")", 3, "name")
        skeletons = [skeleton(w) for w in typed_words]
        # A skeleton much shorter than its word ("zzzzzz" → "s") would match half the city,
        # and a two-letter one ("Popow" → "pv") only stands for itself, not as a prefix.
        if skeletons and all(
            len(s) >= max(2, len(w) // 3) for s, w in zip(skeletons, typed_words, strict=True)
        ):
            take(
                "skeletons : ("
                + " AND ".join(_quote(s) + ("*" if len(s) >= 3 else "") for s in skeletons)
                + ")",
                4,
                "name (spelling)",
            )
        if len(found) >= limit:
            return
        groups: list[str] = []
        fuzzy = False
        for word in words:
            similar = self._similar_words(conn, latin(word)) if len(word) >= FUZZY_MIN_WORD else []
            if similar:
                fuzzy = True
                choices = [_quote(latin(word)) + "*"] + [_quote(s) for s in similar]
                groups.append("(" + " OR ".join(choices) + ")")
            else:
                groups.append(alternatives(word, "*"))
        if fuzzy:
            take("names : (" + " AND ".join(groups) + ")", 5, "name (similar)")

    @staticmethod
    def _similar_words(conn: Connection, word: str) -> list[str]:
        allowed = 1 if len(word) < 8 else 2
        rows = conn.exec_driver_sql(
            f"SELECT term FROM {VOCAB} WHERE col = 'names' AND term >= ? AND term < ? LIMIT 5000",
            (word[:2], word[:2] + "\U0010ffff"),
        )
        out = [term for (term,) in rows if term != word and within_edits(term, word, allowed)]
        return out[:20]

    @staticmethod
    def _load(conn: Connection, found: dict[str, tuple[int, str]]) -> list[Hit]:
        if not found:
            return []
        marks = ", ".join("?" for _ in found)
        rows = conn.exec_driver_sql(
            "SELECT id, customer_no, kind, first_name, last_name, company_name, phone, "
            f"birth_date, status FROM customers WHERE id IN ({marks})",
            tuple(found),
        )
        hits = []
        for cid, number, kind, first, last, company, phone, born, status in rows:
            rank, matched_on = found[cid]
            hits.append(
                Hit(
                    customer_id=uuid.UUID(cid),
                    customer_no=number,
                    kind=kind,
                    first_name=first,
                    last_name=last,
                    company_name=company,
                    phone=phone or "",
                    birth_date=date.fromisoformat(born) if born else None,
                    status=status,
                    rank=rank,
                    matched_on=matched_on,
                )
            )
        hits.sort(
            key=lambda h: (
                h.rank,
                h.customer_no if h.rank <= 1 else search_key(h.last_name, h.first_name),
                h.company_name,
            )
        )
        return hits
