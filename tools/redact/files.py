"""Secrets in well-known file and command shapes inside free text: `redact_file_shapes`.

ConfigMap data, node annotations and logs carry whole files and command
lines whose secrets have no `password=` in front of them:
- `.pgpass` lines `host:port:database:user:password`;
- `.netrc` entries `machine h login u password p`;
- cloud-init `chpasswd` lists (`root:secret` lines) and `echo user:pw | chpasswd`;
- htpasswd lines `user:$apr1$…`;
- `mysql … -pSECRET` and `curl -u user:secret`, `Authorization: Basic …`;
- `{name, value}` pairs written out as YAML or JSON (an env list in a manifest).
Only the secret part is replaced, so the file stays readable. Every rule is
prefiltered on a literal, so text without one costs a substring search.
This module must not parse YAML or objects; it reads lines.
"""

from __future__ import annotations

import re

from tools.redact.keys import is_harmless_value, is_secret_key

MASK = "[REDACTED]"

_PGPASS = re.compile(r"(?m)^([^\s:#][^\s:]{0,252}:(?:\d{1,5}|\*):[^\s:]{1,128}:[^\s:]{1,128}:)(\S{1,256})$")
_NETRC = re.compile(r"((?:login|account)[ \t]+\S+[ \t\n]+password[ \t]+)(\S+)")
_PGPASS_HINT = re.compile(r":(?:\d{1,5}|\*):[^\s:]{1,128}:[^\s:]{1,128}:\S")
_CHPASSWD_PIPE = re.compile(
    r"([\w.-]{1,32}):([^\s'\"|:]{1,256})(['\"]?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd)"
)
# Lines of a chpasswd list: `  root:secret`, `- ubuntu:secret` (cloud-init's `list:` or `users:`).
_CHPASSWD_LINE = re.compile(
    r"(?m)^([ \t]*(?:-[ \t]+)?[\"']?[a-z_][\w.-]{0,31}:)([^\s\"':]{1,256})([\"']?[ \t]*)$"
)
_CHPASSWD_BLOCK_LINES = 40
_HTPASSWD = re.compile(
    r"(?m)^([\w.@-]{1,64}:)(\$(?:apr1|2[abyx]?|5|6|y)\$[^\s]{8,256}|\{SHA\}[A-Za-z0-9+/=]{20,64})$"
)
_MYSQL_P = re.compile(r"(\b(?:mysql\w*|mariadb\w*)\b[^\n]{0,300}?[ \t]-p)([^\s\"'-][^\s\"']{0,255})")
_CURL_USER = re.compile(r"((?<!\S)(?:-u|--user|--proxy-user)[ \t=]*[\"']?[^\s:\"']{1,64}:)([^\s\"'@]{1,256})")
_BASIC = re.compile(r"(\b[Bb]asic[ \t]+)([A-Za-z0-9+/]{8,1024}={0,2})(?![A-Za-z0-9+/=])")
# `{name, value}` pairs written out as YAML (`- name: DB_PASSWORD` then `value: …`) or JSON.
_YAML_PAIR = re.compile(
    r"(?m)^([ \t]*-?[ \t]*name:[ \t]*[\"']?([\w.-]{1,80})[\"']?[ \t]*\n[ \t]*value:[ \t]*)([^\n]+)$"
)
_JSON_PAIR = re.compile(
    r'("name"[ \t]*:[ \t]*"([\w.-]{1,80})"[ \t]*,[ \t]*"value"[ \t]*:[ \t]*")((?:[^"\\]|\\.){1,4096})"'
)
_RANDOM_WORDS = frozenset({"random", "r", "*", "!", "x"})


def redact_file_shapes(text: str) -> str:
    """Replace the secret part of every file or command shape above."""
    # Each line-anchored or word-led pattern tries every position, so it runs only when a cheaper
    # necessary part of it occurs: every `.pgpass` line holds a `_PGPASS_HINT` match, every netrc
    # entry a `login` or `account` word.
    if ":" in text and _PGPASS_HINT.search(text):
        text = _PGPASS.sub(lambda m: m.group(1) + MASK, text)
    if "password" in text and ("login" in text or "account" in text):
        text = _NETRC.sub(_netrc_password, text)
    if "chpasswd" in text:
        text = _CHPASSWD_PIPE.sub(lambda m: f"{m.group(1)}:{MASK}{m.group(3)}", text)
        text = _redact_chpasswd_blocks(text)
    if "$" in text or "{SHA}" in text:
        text = _HTPASSWD.sub(lambda m: m.group(1) + MASK, text)
    if "mysql" in text or "mariadb" in text:
        text = _MYSQL_P.sub(lambda m: m.group(1) + MASK, text)
    if "-u" in text:
        text = _CURL_USER.sub(lambda m: m.group(1) + MASK, text)
    if "name" in text and "value" in text:
        text = _YAML_PAIR.sub(_pair_value, text)
        text = _JSON_PAIR.sub(lambda m: _pair_value(m) + '"', text)
    if "asic" in text:
        text = _BASIC.sub(lambda m: m.group(1) + "[REDACTED:authorization]", text)
    return text


def _pair_value(match: re.Match[str]) -> str:
    value = match.group(3)
    if not is_secret_key(match.group(2)) or is_harmless_value(value):
        return match.group(1) + value
    return match.group(1) + MASK


def _netrc_password(match: re.Match[str]) -> str:
    return match.group(1) + (match.group(2) if is_harmless_value(match.group(2)) else MASK)


def _redact_chpasswd_blocks(text: str) -> str:
    """`user:password` lines within the lines that follow each `chpasswd` word."""
    lines = text.split("\n")
    remaining = 0
    for i, line in enumerate(lines):
        if "chpasswd" in line:
            remaining = _CHPASSWD_BLOCK_LINES
            continue
        if remaining <= 0:
            continue
        remaining -= 1
        match = _CHPASSWD_LINE.match(line)
        if match and match.group(2).lower() not in _RANDOM_WORDS and not is_harmless_value(match.group(2)):
            lines[i] = match.group(1) + MASK + match.group(3)
    return "\n".join(lines)
