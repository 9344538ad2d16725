"""Redaction before anything reaches the LLM, the chat, the logs or the audit trail.

- `redact_text(text)`: pattern redaction of free text (tokens, keys, passwords,
  PEM blocks, high-entropy strings) with `[REDACTED:<kind>]` markers.
- `redact_object(obj)`: structural redaction of Kubernetes objects and Helm
  values (Secrets, kubeconfigs, secret-named keys, `{name, value}` pairs,
  `args`/`command` lines, managedFields), then `redact_text` on every string;
  `secret_leaves(obj)`: the literal values it would mask (to scrub free text).
- `is_secret_key(name)` / `is_secret_path(path)`: the one vocabulary of secret names.
- `redact_argv(argv)`: a command line with secret flag values masked.
- `redact_mapping_for_log(d)`: log and audit details, secret-named keys masked.
- `register_secret(value)` / `SecretValues`: the bot's own secret values,
  replaced wherever they appear whatever their shape.

Redaction is idempotent: redacting twice gives the same result as once.
This package must not import `bot`, log, or perform I/O.
"""

from tools.redact.commands import redact_argv
from tools.redact.entropy import is_high_entropy, shannon_entropy
from tools.redact.keys import is_secret_key, is_secret_path
from tools.redact.known import SECRET_VALUES, SecretValues, register_env_secrets, register_secret
from tools.redact.logs import redact_mapping_for_log
from tools.redact.objects import redact_object, secret_leaves
from tools.redact.patterns import redact_text
from tools.redact.results import redact_result

__all__ = [
    "SECRET_VALUES",
    "SecretValues",
    "is_high_entropy",
    "is_secret_key",
    "is_secret_path",
    "redact_argv",
    "redact_mapping_for_log",
    "redact_object",
    "redact_result",
    "redact_text",
    "register_env_secrets",
    "register_secret",
    "secret_leaves",
    "shannon_entropy",
]
