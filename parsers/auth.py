"""Who may speak for an address: the From field's mailboxes, and the verdict of the office's own
mail server on them (Authentication-Results, RFC 8601, read as DMARC aligns it).

Pure and linear: comments and quoted strings are skipped by one scan with a depth counter (the
email package recurses once per nested comment and gives up near 1,000 levels), every header
value looked at is cut first, and at most MAX_AUTH_HEADERS headers are read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_AUTH_HEADERS = 10
AUTH_HEADER_CHARS = 4000
MAX_RESULTS = 20

# Second-level labels under which a country's registry hands out names ("example.gov.vn",
# "example.com.vn", "example.co.uk"): the organisational domain then has three labels. A small
# stand-in for the Public Suffix List, enough for the units' own domains (docs/security.md).
SECOND_LEVEL = frozenset({
    "ac", "biz", "co", "com", "edu", "gov", "health", "info", "int", "ltd", "mil", "name", "net",
    "nhs", "or", "org", "plc", "pro", "sch", "ne", "go", "gob", "gouv",
})

_METHOD = re.compile(r"\s*([A-Za-z0-9_.-]{1,40})\s*=\s*([A-Za-z]{1,20})")
_PROPERTY = re.compile(r"([A-Za-z]{1,20})\.([A-Za-z0-9_-]{1,40})\s*=\s*([^\s;]{1,300})")


@dataclass(frozen=True, slots=True)
class AuthResults:
    """One Authentication-Results header: who added it, and its results as
    (method, result, domain) with the domain the result is about ('' when not said).

    Example: AuthResults("mx.doankhoi.vn", (("spf", "pass", "stp.gov.vn"),
                                            ("dmarc", "pass", "stp.gov.vn")))
    """

    authserv_id: str
    results: tuple[tuple[str, str, str], ...] = ()


def strip_comments(text: str, *, quotes: bool = False) -> str:
    """`text` without its (nested) comments, and with `quotes` without its quoted strings; a
    backslash escapes the next character inside either. One pass, any depth."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    start = 0
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
            continue
        if (depth or quoted) and ch == "\\":
            escaped = True
            continue
        if quoted:
            if ch == '"':
                quoted = False
                start = i + 1
            continue
        if ch == "(":
            if depth == 0:
                out.append(text[start:i])
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append(" ")
                start = i + 1
        elif ch == '"' and quotes and depth == 0:
            out.append(text[start:i] + " ")
            quoted = True
    if depth == 0 and not quoted:
        out.append(text[start:])
    return "".join(out)


def _domain(value: str) -> str:
    value = value.strip().strip("\"'<>").lower()
    return value.rsplit("@", 1)[-1].strip(".")


def read_authentication_results(values: Sequence[object]) -> tuple[AuthResults, ...]:
    """The Authentication-Results headers of a message, topmost first, parsed (comments are
    never read: "spf=fail (but dkim=pass)" has one result)."""
    out = []
    for value in values[:MAX_AUTH_HEADERS]:
        text = strip_comments(str(value)[:AUTH_HEADER_CHARS])
        pieces = text.split(";")
        head = pieces[0].split()
        if head and "=" in head[0]:
            # No authserv-id (Microsoft 365 writes "spf=pass ...; dkim=...; dmarc=..."): the
            # first piece is a result already.
            head = []
        else:
            pieces = pieces[1:]
        results = []
        for piece in pieces[:MAX_RESULTS]:
            m = _METHOD.match(piece)
            if m is None:
                continue
            method, result = m.group(1).lower(), m.group(2).lower()
            if method not in ("spf", "dkim", "dmarc"):
                continue
            props = {f"{p.lower()}.{n.lower()}": v for p, n, v in _PROPERTY.findall(piece)}
            if method == "dkim":
                domain = props.get("header.d") or props.get("header.i", "")
            elif method == "spf":
                domain = props.get("smtp.mailfrom") or props.get("smtp.helo", "")
            else:
                domain = props.get("header.from", "")
            results.append((method, result, _domain(domain)))
        out.append(AuthResults(head[0].lower() if head else "", tuple(results)))
    return tuple(out)


def organisational_domain(domain: str) -> str:
    """The registered part of a domain: two labels, or three under a country's second-level
    label ("mail.stp.hanoi.gov.vn" -> "hanoi.gov.vn", "mx.example.com" -> "example.com")."""
    labels = [x for x in domain.lower().strip(".").split(".") if x]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (DMARC, RFC 7489 §3.1): the same organisational domain."""
    return bool(domain) and bool(from_domain) and (
        organisational_domain(domain) == organisational_domain(from_domain))


def authentication_verdict(headers: Sequence[AuthResults], from_address: str,
                           authserv_id: str = "") -> str:
    """"pass", "fail" or "" (no verdict) of the office's own server on a From address.

    The server's header is the topmost one carrying `authserv_id`, or, with none configured,
    the topmost header of all (a server adds its own on top; those below came with the
    message). DMARC about the From domain decides when it passed or failed. Otherwise an SPF or
    DKIM pass counts only for a domain aligned with From's; a failing SPF or DKIM with no
    aligned pass is a fail.
    """
    wanted = authserv_id.strip().lower()
    chosen = next((h for h in headers if h.authserv_id == wanted), None) if wanted else (
        headers[0] if headers else None)
    if chosen is None:
        return ""
    from_domain = _domain(from_address) if "@" in from_address else ""
    for method, result, domain in chosen.results:
        if method == "dmarc" and result in ("pass", "fail") and (
                not domain or aligned(domain, from_domain)):
            return result
    if any(method in ("spf", "dkim") and result == "pass" and aligned(domain, from_domain)
           for method, result, domain in chosen.results):
        return "pass"
    if any((method == "spf" and result in ("fail", "softfail"))
           or (method in ("dkim", "dmarc") and result == "fail")
           for method, result, _ in chosen.results):
        return "fail"
    return ""
