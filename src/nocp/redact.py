"""Secrets out of everything nocp shows: the `nocp://config` resource, error messages and logs.

Three rules, applied to any JSON-like value:

- a value under a key named like a secret (`api_key`, `authorization`, `token`, `password`,
  `secret`, `cookie`, `credentials`…) is replaced, whatever it is;
- every value of an `env` mapping (the environment given to an upstream server) is replaced;
- inside any string, credentials in URLs (`https://user:pass@host`), `key=value` pairs with a
  secret-like key, `Bearer …` tokens and well-known key formats (`sk-…`, `ghp_…`, `AKIA…`) are
  replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "***"

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "secret",
        "token",
        "apikey",
        "authorization",
        "auth",
        "cookie",
        "credential",
        "credentials",
        "sessionid",
        "signature",
        "bearer",
    }
)
"""Words that make a key name a secret: `GITHUB_TOKEN`, `X-Auth-Token`, `client_secret`. A name
ending in `key` (`API_KEY`, `X-Api-Key`) is one too; `max_tokens` and `keyword` are not."""

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

ENV_KEYS = frozenset({"env", "environment"})

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/\s:@]*):(?P<pw>[^/\s@]+)@")
_KEY_SEP = re.compile(r"(?P<key>[A-Za-z_][\w.-]*)[\"']?\s*(?:=|:(?!//))\s*")
_VALUE = re.compile(r"\"[^\"]*\"|'[^']*'|[^\s&,;\"'<>]+")
_BEARER = re.compile(r"\b([Bb]earer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_KNOWN_FORMATS = re.compile(
    r"\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,})"
)


def is_secret_key(key: str) -> bool:
    """Whether a key (config key, header or env name) names a secret.

    Example:
        >>> is_secret_key("Authorization"), is_secret_key("X-Api-Key"), is_secret_key("keyword")
        (True, True, False)
    """
    words = [w.lower() for w in _WORD.findall(key)]
    if not words:
        return False
    joined = "".join(words)
    return (
        any(w in SECRET_WORDS for w in words)
        or words[-1] == "key"
        or joined in SECRET_WORDS
        or joined.endswith(("apikey", "secretkey", "privatekey", "accesskey"))
    )


def redact(value: Any) -> Any:
    """A copy of `value` with its secrets replaced by `***` (see the module docstring).

    Example:
        >>> redact({"headers": {"Authorization": "Bearer abc"}, "env": {"HOME": "/root"}})
        {'headers': {'Authorization': '***'}, 'env': {'HOME': '***'}}
    """
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            if name.lower() in ENV_KEYS and isinstance(item, Mapping):
                out[name] = {str(k): _mask(v) for k, v in item.items()}
            elif is_secret_key(name):
                out[name] = _mask(item)
            else:
                out[name] = redact(item)
        return out
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_text(text: str) -> str:
    """`text` with credentials in URLs, secret `key=value` pairs, bearer tokens and known key
    formats replaced.

    Example:
        >>> redact_text("GET https://bob:hunter2@example.com/?api_key=abc123")
        'GET https://bob:***@example.com/?api_key=***'
    """
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _redact_pairs(text)
    return _KNOWN_FORMATS.sub(REDACTED, text)


def _redact_pairs(text: str) -> str:
    """`key=value`, `key: value` and `"key": "value"` with a secret-like key: value replaced."""
    parts: list[str] = []
    done = 0
    for match in _KEY_SEP.finditer(text):
        if match.start() < done or not is_secret_key(match["key"]):
            continue
        value = _VALUE.match(text, match.end())
        if value is None:
            continue
        quote = value[0][0] if value[0][0] in "\"'" else ""
        parts += [text[done : match.end()], f"{quote}{REDACTED}{quote}"]
        done = value.end()
    parts.append(text[done:])
    return "".join(parts)


def _mask(value: Any) -> Any:
    """Secrets keep their shape (empty stays empty, so `not set` is still visible)."""
    if value is None or value == "" or value == {} or value == []:
        return value
    if isinstance(value, Mapping):
        return {str(k): _mask(v) for k, v in value.items()}
    return REDACTED


def redact_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> dict[str, Any]:
    """A structlog processor applying `redact` to every log event."""
    redacted: dict[str, Any] = redact(event)
    return redacted
