"""The minikube tools: profile status and lifecycle, addons and images, via the minikube CLI.

`minikube_operations()` wires the settings into typed operations for the
registry (`!minikube …` commands and the agent). Operations never decide
policy or approvals; the core does. Long ones (start, restart, image build,
delete) are marked `long_running` and report progress while they run.
"""

from __future__ import annotations

from tools.base import Args, CommandSpec, Operation, PreviewFn, RunFn, Safety
from tools.minikube import args as a
from tools.minikube.changes import MinikubeChanges
from tools.minikube.cli import MinikubeCli, MinikubeError
from tools.minikube.reads import MinikubeReads
from tools.minikube.settings import MinikubeSettings

__all__ = ["MinikubeError", "MinikubeSettings", "minikube_operations"]

_MARGIN_S = 15.0
PROFILE = "minikube profile"


def minikube_operations(*, settings: MinikubeSettings) -> list[Operation]:
    cli = MinikubeCli(settings)
    reads = MinikubeReads(cli)
    changes = MinikubeChanges(cli, reads)
    long_timeout = settings.timeout_s * 2 + _MARGIN_S  # restart is a stop plus a start

    def words(*rest: str) -> tuple[str, ...]:
        return ("minikube", *rest)

    def read(name: str, description: str, model: type[Args], run: RunFn, spec: CommandSpec) -> Operation:
        return Operation(
            name=name,
            description=description,
            safety=Safety.READ,
            args_model=model,
            run=run,
            command=spec,
            kind=PROFILE,
            timeout_s=settings.read_timeout_s + _MARGIN_S,
        )

    def change(
        name: str,
        description: str,
        model: type[Args],
        pair: tuple[RunFn, PreviewFn],
        spec: CommandSpec,
        *,
        safety: Safety = Safety.WRITE,
        long_running: bool = False,
    ) -> Operation:
        run, preview = pair
        return Operation(
            name=name,
            description=description,
            safety=safety,
            args_model=model,
            run=run,
            preview=preview,
            command=spec,
            kind=PROFILE,
            timeout_s=long_timeout,
            long_running=long_running,
        )

    profile = {"-p": "profile"}
    return [
        read(
            "minikube_status",
            "Show a minikube profile's status.",
            a.ProfileArgs,
            reads.status,
            CommandSpec(words("status"), aliases=profile),
        ),
        read(
            "minikube_profiles",
            "List minikube profiles.",
            a.NoArgs,
            reads.profiles,
            CommandSpec(words("profile", "list")),
        ),
        read(
            "minikube_addons",
            "List minikube addons and whether they are enabled.",
            a.ProfileArgs,
            reads.addons,
            CommandSpec(words("addons", "list"), aliases=profile),
        ),
        read(
            "minikube_images",
            "List images inside a minikube profile.",
            a.ProfileArgs,
            reads.images,
            CommandSpec(words("image", "ls"), aliases=profile),
        ),
        read(
            "minikube_version",
            "Show the minikube version.",
            a.NoArgs,
            reads.version,
            CommandSpec(words("version")),
        ),
        change(
            "minikube_start",
            "Start (or create) a minikube profile.",
            a.StartArgs,
            (changes.start, changes.preview_start),
            CommandSpec(words("start"), aliases=profile),
            long_running=True,
        ),
        change(
            "minikube_stop",
            "Stop a minikube profile.",
            a.ProfileArgs,
            (changes.stop, changes.preview_stop),
            CommandSpec(words("stop"), aliases=profile),
            long_running=True,
        ),
        change(
            "minikube_restart",
            "Restart a minikube profile (stop, then start).",
            a.ProfileArgs,
            (changes.restart, changes.preview_restart),
            CommandSpec(words("restart"), aliases=profile),
            long_running=True,
        ),
        change(
            "minikube_addon",
            "Enable or disable a minikube addon.",
            a.AddonArgs,
            (changes.addon, changes.preview_addon),
            CommandSpec(words("addons"), positionals=("action", "addon"), aliases=profile),
        ),
        change(
            "minikube_image_load",
            "Load a local image into a minikube profile.",
            a.ImageArgs,
            (changes.image_load, changes.preview_image_load),
            CommandSpec(words("image", "load"), positionals=("image",), aliases=profile),
            long_running=True,
        ),
        change(
            "minikube_image_build",
            "Build an image inside minikube from the images directory.",
            a.ImageBuildArgs,
            (changes.image_build, changes.preview_image_build),
            CommandSpec(words("image", "build"), positionals=("context",), aliases={**profile, "-t": "tag"}),
            long_running=True,
        ),
        change(
            "minikube_image_rm",
            "Remove an image from a minikube profile.",
            a.ImageArgs,
            (changes.image_rm, changes.preview_image_rm),
            CommandSpec(words("image", "rm"), positionals=("image",), aliases=profile),
        ),
        change(
            "minikube_delete",
            "Delete a minikube profile and all it holds.",
            a.ProfileArgs,
            (changes.delete, changes.preview_delete),
            CommandSpec(words("delete"), aliases=profile),
            safety=Safety.DESTRUCTIVE,
            long_running=True,
        ),
    ]
