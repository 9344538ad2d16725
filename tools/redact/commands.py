"""Secrets in command lines: flag/value sequences judged together, not item by item.

A container's `args`/`command` list (or a Helm `extraArgs` list) holds
`["--db-password", "x"]`: neither string alone says "secret", the pair does.
`redact_argv` masks the value after a secret-named flag (`--requirepass x`,
`--jwt-signing-key x`), the value of `--flag=value`, mysql's joined `-pX`,
curl's `-u user:password` and `--header "Authorization: …"`. A shell string
(`sh -c "mysql -uroot -pX db"`) is split the way a shell would (shlex) and
each secret token is replaced in place, so the line keeps its shape.
This module only knows command-line conventions; token formats and key/value
text are `patterns.py`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from tools.redact.keys import is_harmless_value, is_secret_key

MASK = "[REDACTED]"
# Programs whose `-p` joined to a value is a password (`-pS3cret`); elsewhere `-p` is a port or path.
_P_IS_PASSWORD = re.compile(r"(?:^|/)(?:mysql\w*|mariadb\w*|mysqldump|mysqladmin|mysqlsh)$")
_USER_FLAGS = frozenset({"-u", "--user", "--proxy-user", "-U"})
_HEADER_FLAGS = frozenset({"-H", "--header"})
_FLAG = re.compile(r"--?[A-Za-z][\w.-]{0,60}")
_SHELL_HINT = re.compile(r"\s-|[|;&]")


def is_secret_flag(arg: str) -> bool:
    """`--db-password`, `-token`, `--requirepass`: a flag whose next item is a secret."""
    return _FLAG.fullmatch(arg) is not None and is_secret_key(arg.lstrip("-"))


def redact_argv(argv: Sequence[str]) -> list[str]:
    """A copy of `argv` with every secret value masked; other items are returned unchanged."""
    out: list[str] = []
    mask_next = False
    user_next = header_next = False
    p_password = any(_P_IS_PASSWORD.search(arg) for arg in argv[:3] if isinstance(arg, str))
    for arg in argv:
        if mask_next:
            out.append(arg if is_harmless_value(arg) or arg.startswith("-") else MASK)
        elif user_next:
            out.append(_mask_user(arg))
        elif header_next:
            out.append(_mask_header(arg))
        else:
            out.append(_masked_item(arg, p_password=p_password))
        mask_next = is_secret_flag(arg)
        user_next = arg in _USER_FLAGS
        header_next = arg in _HEADER_FLAGS
    return out


def _masked_item(arg: str, *, p_password: bool) -> str:
    flag, sep, value = arg.partition("=")
    if sep and _FLAG.fullmatch(flag):
        if is_secret_key(flag.lstrip("-")) and not is_harmless_value(value):
            return f"{flag}={MASK}"
        if flag in _USER_FLAGS:
            return f"{flag}={_mask_user(value)}"
        return arg
    if p_password and arg.startswith("-p") and len(arg) > 2 and not arg.startswith("--"):
        return f"-p{MASK}"
    if arg.startswith("-u") and len(arg) > 2 and ":" in arg and not arg.startswith("--"):
        return f"-u{_mask_user(arg[2:])}"  # curl -uadmin:secret
    if _SHELL_HINT.search(arg):
        return redact_shell(arg)
    return arg


def _mask_user(value: str) -> str:
    """`admin:secret` -> `admin:[REDACTED]`; a bare user name stays."""
    user, sep, password = value.partition(":")
    return f"{user}:{MASK}" if sep and password and not is_harmless_value(password) else value


def _mask_header(value: str) -> str:
    name, sep, rest = value.partition(":")
    if sep and is_secret_key(name.strip()) and rest.strip():
        scheme, space, _ = rest.strip().partition(" ")
        return f"{name}: {scheme} {MASK}" if space else f"{name}: {MASK}"
    return value


def redact_shell(line: str) -> str:
    """A shell command string with the secret tokens a shell would pass replaced in place."""
    try:
        tokens = shlex.split(line, comments=False, posix=True)
    except ValueError:
        return line  # unbalanced quotes: left to the text rules
    if len(tokens) < 2:
        return line
    out = line
    masked = redact_argv(tokens)
    for token, replacement in zip(tokens, masked, strict=True):
        if token == replacement:
            continue
        secret = _secret_part(token, replacement)
        if len(secret) >= 4 or (secret and _alone(out, secret)):
            out = out.replace(secret, MASK)
    return out


def _secret_part(token: str, replacement: str) -> str:
    """What of `token` the mask stands for: the token less what it shares with its replacement."""
    head = _common_prefix(token, replacement)
    tail = _common_prefix(token[head:][::-1], replacement[head:][::-1])
    return token[head : len(token) - tail]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _alone(line: str, secret: str) -> bool:
    """A short secret is replaced only where it stands as its own word, so `pw=ab` keeps `tab`."""
    return re.search(rf"(?<![\w]){re.escape(secret)}(?![\w])", line) is not None
