"""What a change does to each object it touches, as people read it.

- `diff.object_changes(old, new)`: every field path that changes, secret-shaped values
  masked ("changed", never the values).
- `render.describe_effects(effects)`: the full per-object diff a card shows.
- `typed.typed_secret(...)`: a secret value typed in chat (env, manifest, `--set`),
  refused before anything stores or shows it.

Pure functions over `ObjectEffect`s; this package never calls a cluster, helm or `bot`.
"""

from tools.effects.diff import Change, object_changes
from tools.effects.render import describe_effects, effect_label, summarise_effects
from tools.effects.typed import typed_secret_in_manifest, typed_secret_in_values

__all__ = [
    "Change",
    "describe_effects",
    "effect_label",
    "object_changes",
    "summarise_effects",
    "typed_secret_in_manifest",
    "typed_secret_in_values",
]
