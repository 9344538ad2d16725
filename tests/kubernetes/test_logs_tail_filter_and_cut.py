"""k8s_logs: tail, filter, previous container, and saying what was cut."""

from __future__ import annotations

import pytest

from tests.fake_k8s import planted
from tools.base import Status

from .conftest import context, everything


def _web_pod(fake_k8s) -> str:
    return str(
        next(
            p["metadata"]["name"]
            for p in fake_k8s.objects("Pod", "prod")
            if p["metadata"]["name"].startswith("web-")
        )
    )


async def test_tail_is_sent_and_the_reply_says_how_many_lines(run, fake_k8s):
    pod = _web_pod(fake_k8s)
    result = await run("k8s_logs", name=pod, namespace="prod", tail=50)
    assert result.status is Status.OK
    assert result.text.startswith("fake / prod")
    assert "last 50 lines requested, 50 returned" in result.text
    assert "request=299" in result.code
    assert any(r.param("tailLines") == "50" for r in fake_k8s.requests)


async def test_filter_keeps_matching_lines_and_says_how_many(run, fake_k8s):
    pod = _web_pod(fake_k8s)
    result = await run("k8s_logs", name=pod, namespace="prod", filter="request=19")
    assert "contain 'request=19'" in result.text
    assert all("request=19" in line for line in result.code.splitlines())


async def test_long_output_is_cut_to_the_budget_with_a_notice(run, fake_k8s):
    pod = _web_pod(fake_k8s)
    result = await run("k8s_logs", name=pod, namespace="prod", tail=300, ctx=context(budget=400))
    assert "lines cut" in result.text
    assert len(result.code.splitlines()) < 300


async def test_previous_container_logs_are_redacted(run, fake_k8s):
    pod = next(
        p["metadata"]["name"]
        for p in fake_k8s.objects("Pod", "prod")
        if p["metadata"]["name"].startswith("api-")
    )
    result = await run("k8s_logs", name=pod, namespace="prod", previous=True)
    assert "panic: failed to connect" in result.code
    text = everything(result)
    for value in planted.PLANTED_VALUES:
        assert value not in text


async def test_unknown_container_names_the_choices(run, fake_k8s):
    result = await run("k8s_logs", name=_web_pod(fake_k8s), namespace="prod", container="sidecar")
    assert result.status is Status.ERROR
    assert "choose one of: nginx" in result.text


@pytest.mark.parametrize("since", ["10", "ten minutes", "5w"])
def test_since_must_be_a_duration(ops, since):
    with pytest.raises(ValueError, match="since"):
        ops["k8s_logs"].parse_args({"name": "x", "since": since})
