"""`MattermostSurface`: the core's `ChatSurface` port on Mattermost (post a reply, replace it).

`post` renders a `Reply` (`render.py`), uploads its files into the channel
(`POST /api/v4/files`) and creates the post with them, in the thread of
`Place.thread` when there is one; `update` replaces a post's message and
buttons (`PUT /api/v4/posts/{id}`). `tell` is a private note to one person
(`POST /api/v4/posts/ephemeral`). A failed call is logged with its status
and Mattermost's error id (never the token) and reported as None / False,
never raised: the router has already recorded the answer. Nothing here
decides anything.
"""

from __future__ import annotations

import logging

from bot.domain.models import Reply
from bot.domain.ports import Place, PostedRef

from .api import MattermostApi, MattermostError
from .render import Buttons, Rendered, plain_message, render_reply

log = logging.getLogger(__name__)

PLATFORM = "mattermost"


class MattermostSurface:
    def __init__(self, api: MattermostApi, *, buttons: Buttons) -> None:
        self._api = api
        self._buttons = buttons

    @property
    def platform(self) -> str:
        return PLATFORM

    def render(self, reply: Reply, *, lead: str | None = None) -> Rendered:
        return render_reply(reply, buttons=self._buttons, lead=lead)

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        return await self.post_rendered(self.render(reply), place=place)

    async def post_rendered(self, rendered: Rendered, *, place: Place) -> PostedRef | None:
        file_ids: list[str] = []
        for upload in rendered.uploads:
            try:
                file_ids.append(
                    await self._api.upload_file(
                        channel_id=place.channel, filename=upload.filename, content=upload.content
                    )
                )
            except MattermostError as e:
                log.warning("file upload to %s failed: %s", place.channel, e)
        try:
            post = await self._api.create_post(
                channel_id=place.channel,
                message=rendered.message,
                root_id=place.thread,
                props=rendered.props,
                file_ids=tuple(file_ids),
            )
        except MattermostError as e:
            log.warning("post to %s failed: %s", place.channel, e)
            return None
        post_id = post.get("id")
        if not isinstance(post_id, str) or not post_id:
            log.warning("post to %s was answered without a post id", place.channel)
            return None
        return PostedRef(PLATFORM, {"post_id": post_id, "channel_id": place.channel, "root_id": place.thread})

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        post_id = ref.data.get("post_id")
        if ref.platform != PLATFORM or not post_id:
            return False
        rendered = self.render(reply)  # files stay on the post; a new upload would be a new message
        try:
            await self._api.update_post(post_id, message=rendered.message, props=rendered.props)
        except MattermostError as e:
            log.warning("update of post %s failed: %s", post_id, e)
            return False
        return True

    async def tell(self, reply: Reply, *, user_id: str, place: Place) -> bool:
        """A private note to one person in a channel (a refused click, a late answer to a click)."""
        try:
            await self._api.create_ephemeral(
                user_id=user_id, channel_id=place.channel, message=plain_message(reply), root_id=place.thread
            )
        except MattermostError as e:
            log.warning("private note in %s failed: %s", place.channel, e)
            return False
        return True
