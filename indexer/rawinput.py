"""Input as it arrives (JSON bodies, feed records), checked before any schema sees it.

Anything a partner or a client can send must end as a field-level error, never as a
crash that loses the valid rest of a batch. Python's own parser and marshmallow fail
badly on three things, caught here instead: text that is not valid Unicode (a lone
surrogate from a ``\\ud800`` escape, or an invalid UTF-8 byte decoded with
``surrogateescape``), nesting deeper than the parser's recursion limit, and integers
too long to convert (more than 4,300 digits) or numbers that are not finite.
"""
import json
import math
import re

# Our documents nest three levels (record → location → ...); this leaves ample room.
MAX_DEPTH = 20
# Longer integers than any amount, count or code we accept (VND amounts have 10 digits).
MAX_INT_DIGITS = 30
_LONE = re.compile("[\ud800-\udfff]")
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
# What a subtree nested too deeply is replaced with before parsing (see ``loads``).
TOO_DEEP = "\u0000\u0001vungbuoc:too-deep"


class Oversized(str):
    """An integer literal too long to convert (kept as its text)."""


def _int(text):
    return Oversized(text) if len(text.lstrip("-")) > MAX_INT_DIGITS else int(text)


def loads(text):
    """Parse JSON text like ``json.loads``, without crashing on odd but well-formed input.

    Integers longer than MAX_INT_DIGITS come back as ``Oversized``; containers nested
    deeper than Python's parser can go come back as the string TOO_DEEP. Both, and lone
    surrogates, are then reported by ``problems``. Malformed JSON still raises
    ``json.JSONDecodeError`` (bytes that are not UTF-8: ``UnicodeDecodeError``).
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    try:
        return json.loads(text, parse_int=_int)
    except RecursionError:
        return json.loads(_cap_depth(text, MAX_DEPTH), parse_int=_int)


def _cap_depth(text, limit):
    """``text`` with every container opened at depth ``limit`` replaced by TOO_DEEP."""
    out, depth, start, skip_from = [], 0, 0, None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth == limit + 1 and skip_from is None:
                skip_from = match.start()
        elif token in "]}":
            if depth == limit + 1 and skip_from is not None:
                out.append(text[start:skip_from])
                out.append(json.dumps(TOO_DEEP))
                start, skip_from = match.end(), None
            depth -= 1
    out.append(text[start:] if skip_from is None else text[start:skip_from] + '"')
    return "".join(out)


def printable(text):
    """``text`` with lone surrogates replaced by U+FFFD, safe to echo in a message."""
    return _LONE.sub("\ufffd", text) if isinstance(text, str) else text


def problems(value, prefix=""):
    """Field-level errors ``[{field, messages}]`` of odd input anywhere inside ``value``."""
    out = []
    stack = [(value, prefix, 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if node == TOO_DEEP or isinstance(node, Oversized):
                pass
            elif _LONE.search(node):
                out.append((path, "Not valid text: it holds an invalid UTF-8 byte or a lone "
                                  "surrogate escape (\\ud800-\\udfff)."))
                continue
        if node == TOO_DEEP or (depth > MAX_DEPTH and isinstance(node, (dict, list))):
            out.append((_field_of(path), f"Nested too deeply (more than {MAX_DEPTH} levels)."))
        elif isinstance(node, Oversized):
            out.append((path, f"Number too large (more than {MAX_INT_DIGITS} digits)."))
        elif isinstance(node, float) and not math.isfinite(node):
            out.append((path, "Not a finite number."))
        elif isinstance(node, dict):
            for key, item in node.items():
                name = str(key)
                child = f"{path}.{printable(name)}" if path else printable(name)
                if _LONE.search(name):
                    out.append((child, "Not a valid field name: it holds an invalid UTF-8 "
                                       "byte or a lone surrogate escape."))
                    continue
                stack.append((item, child, depth + 1))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                stack.append((item, f"{path}.{i}" if path else str(i), depth + 1))
    merged = {}
    for path, message in sorted(out):
        merged.setdefault(path or "_schema", []).append(message)
    return [{"field": field, "messages": messages} for field, messages in merged.items()]


def _field_of(path):
    """The field a too-deep value hangs from: its named components, at most three."""
    named = []
    for part in path.split(".") if path else []:
        if part.isdigit() or len(named) == 3:
            break
        named.append(part)
    return ".".join(named)


def json_safe(text):
    """JSON text with lone surrogates written as ``\\uXXXX`` escapes (valid JSON that
    encodes to UTF-8), for answers that echo what a client sent."""
    return _LONE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
