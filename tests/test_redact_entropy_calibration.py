"""The high-entropy threshold separates random keys from identifiers, in both directions."""

from __future__ import annotations

import base64
import hashlib
import random
import string
import uuid

import pytest

from tools.redact import is_high_entropy, redact_text, shannon_entropy

_RNG = random.Random(99)


def _random_keys(count: int, *, nbytes: int, urlsafe: bool) -> list[str]:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return [encode(_RNG.randbytes(nbytes)).decode() for _ in range(count)]


@pytest.mark.parametrize("nbytes", [24, 30, 32, 48])
@pytest.mark.parametrize("urlsafe", [False, True])
def test_random_base64_keys_are_almost_all_recognised(nbytes: int, urlsafe: bool) -> None:
    keys = _random_keys(400, nbytes=nbytes, urlsafe=urlsafe)
    recognised = sum(is_high_entropy(key) for key in keys)
    # A few random keys come out word-like or single-case; named patterns and key/value rules cover those.
    assert recognised >= 0.95 * len(keys)


def test_random_alphanumeric_api_keys_are_almost_all_recognised() -> None:
    alphabet = string.ascii_letters + string.digits
    keys = ["".join(_RNG.choice(alphabet) for _ in range(40)) for _ in range(400)]
    assert sum(is_high_entropy(key) for key in keys) >= 0.95 * len(keys)


def test_hex_digests_uuids_and_git_shas_are_never_high_entropy() -> None:
    samples = [hashlib.sha256(_RNG.randbytes(16)).hexdigest() for _ in range(100)]
    samples += [hashlib.sha1(_RNG.randbytes(16)).hexdigest() for _ in range(100)]
    samples += [str(uuid.UUID(int=_RNG.getrandbits(128))) for _ in range(100)]
    samples += [s.upper() for s in samples[:50]]
    assert [s for s in samples if is_high_entropy(s)] == []


def test_generated_kubernetes_names_are_never_high_entropy() -> None:
    lower = string.ascii_lowercase + string.digits
    names = [
        f"{'-'.join(_RNG.choice(['web', 'api', 'orders', 'payment', 'gateway']) for _ in range(4))}"
        f"-{''.join(_RNG.choice('0123456789abcdef') for _ in range(9))}"
        f"-{''.join(_RNG.choice(lower) for _ in range(5))}"
        for _ in range(200)
    ]
    assert [n for n in names if len(n) >= 32 and is_high_entropy(n)] == []


def test_camel_case_identifiers_made_of_words_are_not_high_entropy() -> None:
    words = ["Service", "Account", "Token", "Volume", "Projection", "Controller", "Manager", "Pod", "Node"]
    identifiers = [
        "".join(_RNG.choice(words) for _ in range(6)) + str(_RNG.randrange(100)) for _ in range(200)
    ]
    assert [i for i in identifiers if len(i) >= 32 and is_high_entropy(i)] == []


def test_random_base64_scores_higher_entropy_than_identifiers() -> None:
    key = _random_keys(1, nbytes=30, urlsafe=False)[0]
    assert shannon_entropy(key) > shannon_entropy("ServiceAccountTokenVolumeProjection1")
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0


def test_high_entropy_string_inside_a_sentence_is_replaced_alone() -> None:
    key = next(k for k in _random_keys(20, nbytes=33, urlsafe=False) if is_high_entropy(k))
    assert redact_text(f"got {key}, retrying") == "got [REDACTED:high-entropy], retrying"
