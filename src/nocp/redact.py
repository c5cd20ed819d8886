"""Secrets out of everything nocp shows: the `nocp://config` resource, error messages and logs.

The rules, applied to any JSON-like value:

- a value under a key named like a secret (`api_key`, `authorization`, `token`, `password`,
  `secret`, `cookie`, `credentials`…) is replaced, whatever it is;
- every value of an `env` mapping (the environment given to an upstream server) is replaced,
  and every value of a `headers` mapping but those of `SAFE_HEADERS` (`Accept`, `User-Agent`…);
- in a list of arguments, the value of a flag named like a secret (`--*token*`, `--*key*`,
  `--*secret*`, `--*password*`…), whether `--flag=value` or `--flag value`;
- inside any string, credentials in URLs (`https://user:pass@host`), `key=value` pairs with a
  secret-like key (`?access_token=…` in a query too), those flags, `Bearer …` tokens and
  well-known key formats (`sk-…`, `ghp_…`, `AKIA…`) are replaced.

Every pattern runs in time linear in the text (no pattern can restart inside a run it already
scanned, and the parts that could are bounded), so a hostile 1 MB string costs milliseconds,
not minutes; `redact_event` also shortens each log value to `LOG_VALUE_CHARS` first.
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
HEADER_KEYS = frozenset({"headers", "http_headers"})
SAFE_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "connection",
        "content-type",
        "content-length",
        "host",
        "origin",
        "referer",
        "user-agent",
        "mcp-protocol-version",
    }
)
"""Headers shown as they are; every other header's value is replaced (`X-JWT`, `Authentication`…)."""

LOG_VALUE_CHARS = 4_000
"""A log value longer than this is shortened (with a note) before it is redacted and written."""

_SECRET_FLAG_WORDS = r"(?:token|key|secret|passw(?:or)?d|pwd|auth|credential|cookie)"
_SECRET_FLAG = re.compile(rf"-{{1,2}}[\w-]{{0,64}}{_SECRET_FLAG_WORDS}[\w-]{{0,64}}", re.IGNORECASE)
_FLAG_IN_TEXT = re.compile(
    r"(?<![^\s\"'])(?P<flag>-{1,2}[A-Za-z][\w-]{0,64})(?P<sep>=|\s+)(?P<value>[^\s\"']+)"
)
_URL_USERINFO = re.compile(
    r"(?<![a-zA-Z0-9+.-])(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{0,31}://)"
    r"(?P<user>[^/\s:@]{0,256}):(?P<pw>[^/\s@]{1,1024})@"
)
_KEY_SEP = re.compile(r"(?<!\w)(?P<key>[A-Za-z_][\w.-]{0,127})[\"']?[ \t]{0,64}(?:=|:(?!//))[ \t]{0,64}")
_VALUE = re.compile(r"\"[^\"\n]{0,4096}\"|'[^'\n]{0,4096}'|[^\s&,;\"'<>]+")
_BEARER = re.compile(r"(?<![A-Za-z0-9_])([Bb]earer|Basic)[ \t]{1,64}[A-Za-z0-9._~+/=-]{8,}")
_KNOWN_FORMATS = re.compile(
    r"(?<![A-Za-z0-9_-])(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}"
    r"|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,})"
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
            elif name.lower() in HEADER_KEYS and isinstance(item, Mapping):
                out[name] = {str(k): _header(str(k), v) for k, v in item.items()}
            elif is_secret_key(name):
                out[name] = _mask(item)
            else:
                out[name] = redact(item)
        return out
    if isinstance(value, list | tuple):
        return _arguments([redact(item) for item in value])
    if isinstance(value, str):
        return redact_text(value)
    return value


def is_secret_flag(argument: str) -> bool:
    """Whether a command-line flag names a secret (`--token`, `--api-key`, `-password`…).

    Example:
        >>> is_secret_flag("--api-key"), is_secret_flag("--verbose")
        (True, False)
    """
    return _SECRET_FLAG.fullmatch(argument) is not None


def _arguments(items: list[Any]) -> list[Any]:
    """The value after a secret flag (`["--token", "abc"]`) replaced too."""
    for i in range(1, len(items)):
        before, item = items[i - 1], items[i]
        if isinstance(before, str) and isinstance(item, str) and is_secret_flag(before):
            items[i] = _mask(item)
    return items


def _header(name: str, value: Any) -> Any:
    return value if name.lower() in SAFE_HEADERS else _mask(value)


def redact_text(text: str) -> str:
    """`text` with credentials in URLs, secret `key=value` pairs, bearer tokens and known key
    formats replaced.

    Example:
        >>> redact_text("GET https://bob:hunter2@example.com/?api_key=abc123")
        'GET https://bob:***@example.com/?api_key=***'
    """
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _FLAG_IN_TEXT.sub(_flag_value, text)
    text = _redact_pairs(text)
    return _KNOWN_FORMATS.sub(REDACTED, text)


def _flag_value(match: re.Match[str]) -> str:
    if not is_secret_flag(match["flag"]) or match["value"] == REDACTED:
        return match[0]
    return f"{match['flag']}{match['sep']}{REDACTED}"


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
    """A structlog processor applying `redact` to every log event (long values shortened)."""
    redacted: dict[str, Any] = redact({key: _shortened(value) for key, value in event.items()})
    return redacted


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LOG_VALUE_CHARS:
        return f"{value[:LOG_VALUE_CHARS]}… ({len(value) - LOG_VALUE_CHARS:,} more characters)"
    return value
