"""A chart (a file the result carries) is uploaded into the channel with `POST /api/v4/files` and
attached to the answer in the thread, by file id."""

from __future__ import annotations

from tests.fake_k8s.server import FakeKubernetes
from tests.fake_mattermost.plugin import ALICE, OPS
from tests.fake_mattermost.server import FakeMattermost
from tests.fake_prometheus.server import FakePrometheus
from tests.mattermost.conftest import running_bot
from tests.mattermost.helpers import answers_to, shown
from tests.prometheus.conftest import seed_web
from tools.kubernetes.clusters import ClusterSet

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_chart_is_uploaded_and_attached_in_the_thread(
    sqlite_url: str,
    fake_mattermost: FakeMattermost,
    fake_prometheus: FakePrometheus,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
) -> None:
    seed_web(fake_prometheus)
    prometheus = {"endpoints": [{"name": "main", "url": fake_prometheus.url}]}
    async with running_bot(
        sqlite_url, fake_mattermost, fake_cluster_set, config={"prometheus": prometheus}
    ) as bot:
        asked = await bot.fake.say(ALICE, "@chatops !chart cpu deploy web -n prod", channel=OPS)
        await bot.fake.wait_until(lambda: len(answers_to(bot.fake, asked["id"])) == 1)
        await bot.settle()
    (upload,) = fake_mattermost.calls("POST", "/files")
    assert upload.body["channel_id"] == OPS.id
    ((name, content),) = upload.body["files"]
    assert name.endswith(".png") and content.startswith(PNG)
    (answer,) = answers_to(fake_mattermost, asked["id"])
    (file_id,) = answer["file_ids"]
    assert fake_mattermost.files[file_id] == (name, content)
    assert "max 400m" in shown(answer["message"])
