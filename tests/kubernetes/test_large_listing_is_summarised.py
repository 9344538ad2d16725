"""10,000 pods: paged through the API, summarised under the budget, every unhealthy pod counted."""

from __future__ import annotations

from tests.fake_k8s.seed import seed_many_pods
from tools.budget import estimate_tokens

from .conftest import everything


async def test_ten_thousand_pods_fit_two_thousand_tokens(run, fake_k8s):
    unhealthy = seed_many_pods(fake_k8s, 10_000, unhealthy_every=25)
    fake_k8s.reset_requests()
    result = await run("k8s_get", kind="pod", namespace="load")
    assert estimate_tokens(everything(result)) <= 2000
    assert result.text.startswith("fake / load\n10000 pods: 9600 Running, 400 CrashLoopBackOff")
    assert f"{unhealthy} need attention" in result.text
    named = [line for line in result.text.splitlines() if line.startswith("- load-")]
    assert named and all("CrashLoopBackOff" in line for line in named)
    assert f"… and {unhealthy - len(named)} more not shown" in result.text
    assert "narrow with" in result.text
    pages = [r for r in fake_k8s.requests if r.path.endswith("/pods")]
    assert len(pages) >= 20 and all(r.param("limit") == "500" for r in pages)
