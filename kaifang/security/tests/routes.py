"""Every URL of the project with example arguments, for the route-walking checklist tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

EXAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


@dataclass(frozen=True)
class Route:
    name: str
    url: str
    has_args: bool


def _example(pattern: str) -> str:
    text = re.sub(r"\(\?P<\w+>([\w|]+)\)", lambda m: m.group(1).split("|")[0], pattern)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "x", text)
    text = re.sub(r"<(?:(\w+):)?\w+>", lambda m: EXAMPLE.get(m.group(1) or "str", "1"), text)
    return text.replace("^", "").replace("$", "").replace("\\Z", "")


def walk(patterns: Sequence[Any] | None = None, prefix: str = "/", namespace: str = "") -> Iterator[Route]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            part = _example(str(entry.pattern))
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + part, ns)
        elif isinstance(entry, URLPattern):
            part = _example(str(entry.pattern))
            name = f"{namespace}{entry.name or entry.lookup_str}"
            yield Route(name=name, url=prefix + part, has_args=part != str(entry.pattern) or "<" in str(entry.pattern))
