"""minikube changes: start, stop, restart, addons, images, delete, with previews and undo plans.

Previews read `profile list -o json` (and `addons list` for addons) to say
what exists now and what will change; a change that cannot go ahead (no such
profile, unknown addon, build context outside the images directory) is
refused in the preview. Long operations report throttled progress lines while
they run and obey the configured timeout.
"""

from __future__ import annotations

from pathlib import Path

from tools.base import OperationResult, Preview, RunContext, Status, UndoPlan
from tools.minikube import args as a
from tools.minikube.cli import MinikubeCli, MinikubeError
from tools.minikube.reads import MinikubeReads, failure


class OutsideBuildDir(ValueError):
    pass


def start_flags(args: a.StartArgs) -> list[str]:
    flags = [f"--profile={args.profile}"]
    flags += [f"--cpus={args.cpus}"] if args.cpus else []
    flags += [f"--memory={args.memory}"] if args.memory else []
    flags += [f"--disk-size={args.disk_size}"] if args.disk_size else []
    flags += [f"--kubernetes-version={args.kubernetes_version}"] if args.kubernetes_version else []
    flags += [f"--driver={args.driver}"] if args.driver else []
    return flags


def _build_args(args: a.ImageBuildArgs, context: Path, dockerfile: Path | None) -> list[str]:
    argv = ["image", "build", f"--profile={args.profile}", f"--tag={args.tag}"]
    argv += [f"--file={dockerfile.relative_to(context)}"] if dockerfile else []
    return [*argv, str(context)]


def _profile_undo(operation: str, profile: str, summary: str, **extra: str) -> UndoPlan:
    return UndoPlan(operation=operation, args={"profile": profile, **extra}, summary=summary)


class MinikubeChanges:
    def __init__(self, cli: MinikubeCli, reads: MinikubeReads) -> None:
        self.cli = cli
        self.reads = reads

    @property
    def timeout_s(self) -> float:
        return self.cli.settings.timeout_s

    async def _existing(self, profile: str, verb: str) -> dict[str, object] | Preview:
        """The profile as `profile list` shows it, or the refusal when it is missing or unreadable."""
        try:
            found = await self.reads.find_profile(profile)
        except MinikubeError as e:
            return Preview(text=f"minikube {verb} cannot go ahead: {e}", ok=False)
        if found is None:
            return Preview(text=f"minikube profile {profile} does not exist", ok=False)
        return found

    async def preview_start(self, args: a.StartArgs, ctx: RunContext) -> Preview:
        try:
            found = await self.reads.find_profile(args.profile)
        except MinikubeError as e:
            return Preview(text=f"minikube start cannot go ahead: {e}", ok=False)
        now = f"currently {found['status']}" if found else "a new profile"
        wanted = " ".join(start_flags(args)[1:]) or "default resources"
        runs = self.cli.plan(["start", *start_flags(args), "--output=json"])
        return Preview(
            text=f"Start minikube profile {args.profile} ({now}) with {wanted}; this can take minutes.\n{runs}"
        )

    async def start(self, args: a.StartArgs, ctx: RunContext) -> OperationResult:
        try:
            await ctx.progress(f"starting minikube profile {args.profile}…")
            await self.cli.run_events(
                ["start", *start_flags(args)], timeout_s=self.timeout_s, progress=ctx.progress
            )
        except MinikubeError as e:
            return failure(f"minikube start --profile={args.profile}", e)
        undo = _profile_undo("minikube_stop", args.profile, f"stop minikube profile {args.profile}")
        return OperationResult(
            status=Status.OK, text=f"minikube profile {args.profile} is running.", undo=undo
        )

    async def preview_stop(self, args: a.ProfileArgs, ctx: RunContext) -> Preview:
        found = await self._existing(args.profile, "stop")
        if isinstance(found, Preview):
            return found
        runs = self.cli.plan(["stop", f"--profile={args.profile}"])
        return Preview(text=f"Stop minikube profile {args.profile} (currently {found['status']}).\n{runs}")

    async def stop(self, args: a.ProfileArgs, ctx: RunContext) -> OperationResult:
        try:
            await self.cli.run(
                ["stop", f"--profile={args.profile}"], timeout_s=self.timeout_s, progress=ctx.progress
            )
        except MinikubeError as e:
            return failure(f"minikube stop --profile={args.profile}", e)
        undo = _profile_undo("minikube_start", args.profile, f"start minikube profile {args.profile} again")
        return OperationResult(
            status=Status.OK, text=f"minikube profile {args.profile} is stopped.", undo=undo
        )

    async def preview_restart(self, args: a.ProfileArgs, ctx: RunContext) -> Preview:
        found = await self._existing(args.profile, "restart")
        if isinstance(found, Preview):
            return found
        profile = f"--profile={args.profile}"
        runs = self.cli.plan(["stop", profile], ["start", profile, "--output=json"])
        return Preview(
            text=f"Restart minikube profile {args.profile} (currently {found['status']}): stop, then start.\n"
            f"{runs}"
        )

    async def restart(self, args: a.ProfileArgs, ctx: RunContext) -> OperationResult:
        profile = f"--profile={args.profile}"
        try:
            await ctx.progress(f"stopping minikube profile {args.profile}…")
            await self.cli.run(["stop", profile], timeout_s=self.timeout_s, progress=ctx.progress)
            await ctx.progress(f"starting minikube profile {args.profile}…")
            await self.cli.run_events(["start", profile], timeout_s=self.timeout_s, progress=ctx.progress)
        except MinikubeError as e:
            return failure(f"minikube restart --profile={args.profile}", e)
        return OperationResult(status=Status.OK, text=f"minikube profile {args.profile} was restarted.")

    async def preview_addon(self, args: a.AddonArgs, ctx: RunContext) -> Preview:
        try:
            document = await self.cli.run_json(["addons", "list", f"--profile={args.profile}"])
        except MinikubeError as e:
            return Preview(text=f"minikube addons {args.action} cannot go ahead: {e}", ok=False)
        current = (document or {}).get(args.addon)
        if current is None:
            return Preview(text=f"minikube has no addon named {args.addon}; see minikube_addons", ok=False)
        status = str(current.get("Status", "unknown"))
        runs = self.cli.plan(["addons", args.action, args.addon, f"--profile={args.profile}"])
        return Preview(
            text=f"{args.action.capitalize()} addon {args.addon} on {args.profile} (currently {status}).\n{runs}"
        )

    async def addon(self, args: a.AddonArgs, ctx: RunContext) -> OperationResult:
        try:
            argv = ["addons", args.action, args.addon, f"--profile={args.profile}"]
            await self.cli.run(argv, timeout_s=self.timeout_s, progress=ctx.progress)
        except MinikubeError as e:
            return failure(f"minikube addons {args.action} {args.addon}", e)
        inverse = "disable" if args.action == "enable" else "enable"
        undo = _profile_undo(
            "minikube_addon", args.profile, f"{inverse} addon {args.addon}", action=inverse, addon=args.addon
        )
        return OperationResult(
            status=Status.OK, text=f"Addon {args.addon} {args.action}d on {args.profile}.", undo=undo
        )

    async def preview_image_load(self, args: a.ImageArgs, ctx: RunContext) -> Preview:
        found = await self._existing(args.profile, "image load")
        return (
            found
            if isinstance(found, Preview)
            else Preview(
                text=f"Load image {args.image} from the local daemon into {args.profile}.\n"
                + self.cli.plan(["image", "load", args.image, f"--profile={args.profile}"])
            )
        )

    async def image_load(self, args: a.ImageArgs, ctx: RunContext) -> OperationResult:
        try:
            argv = ["image", "load", args.image, f"--profile={args.profile}"]
            await self.cli.run(argv, timeout_s=self.timeout_s, progress=ctx.progress)
        except MinikubeError as e:
            return failure(f"minikube image load {args.image}", e)
        undo = _profile_undo(
            "minikube_image_rm", args.profile, f"remove image {args.image}", image=args.image
        )
        return OperationResult(status=Status.OK, text=f"Loaded {args.image} into {args.profile}.", undo=undo)

    def _build_paths(self, args: a.ImageBuildArgs) -> tuple[Path, Path | None]:
        root = Path(self.cli.settings.build_dir).expanduser().resolve()
        context = (root / args.context).resolve()
        if context != root and root not in context.parents:
            raise OutsideBuildDir(
                f"build context {args.context!r} is outside {root} (minikube.build_dir); "
                "only directories inside it can be built"
            )
        if not context.is_dir():
            raise OutsideBuildDir(f"build context {args.context!r} is not a directory in {root}")
        dockerfile = (context / args.file).resolve() if args.file else None
        if dockerfile is not None and context not in dockerfile.parents:
            raise OutsideBuildDir(
                f"Dockerfile {args.file!r} must be inside the build context {args.context!r}"
            )
        return context, dockerfile

    async def preview_image_build(self, args: a.ImageBuildArgs, ctx: RunContext) -> Preview:
        try:
            context, dockerfile = self._build_paths(args)
        except OutsideBuildDir as e:
            return Preview(text=str(e), ok=False)
        runs = self.cli.plan(_build_args(args, context, dockerfile))
        return Preview(
            text=f"Build image {args.tag} from {context} inside minikube profile {args.profile}.\n{runs}"
        )

    async def image_build(self, args: a.ImageBuildArgs, ctx: RunContext) -> OperationResult:
        try:
            context, dockerfile = self._build_paths(args)
            argv = _build_args(args, context, dockerfile)
            await self.cli.run(argv, timeout_s=self.timeout_s, progress=ctx.progress)
        except (MinikubeError, OutsideBuildDir) as e:
            return failure(f"minikube image build {args.context}", e)
        undo = _profile_undo("minikube_image_rm", args.profile, f"remove image {args.tag}", image=args.tag)
        return OperationResult(status=Status.OK, text=f"Built {args.tag} in {args.profile}.", undo=undo)

    async def preview_image_rm(self, args: a.ImageArgs, ctx: RunContext) -> Preview:
        found = await self._existing(args.profile, "image rm")
        return (
            found
            if isinstance(found, Preview)
            else Preview(
                text=f"Remove image {args.image} from minikube profile {args.profile}.\n"
                + self.cli.plan(["image", "rm", args.image, f"--profile={args.profile}"])
            )
        )

    async def image_rm(self, args: a.ImageArgs, ctx: RunContext) -> OperationResult:
        try:
            await self.cli.run(
                ["image", "rm", args.image, f"--profile={args.profile}"], timeout_s=self.timeout_s
            )
        except MinikubeError as e:
            return failure(f"minikube image rm {args.image}", e)
        return OperationResult(status=Status.OK, text=f"Removed {args.image} from {args.profile}.")

    async def preview_delete(self, args: a.ProfileArgs, ctx: RunContext) -> Preview:
        found = await self._existing(args.profile, "delete")
        if isinstance(found, Preview):
            return found
        return Preview(
            text=(
                f"Delete minikube profile {args.profile} ({found['status']}, driver {found['driver']}, "
                f"Kubernetes {found['kubernetes']}) and everything in it; this cannot be undone.\n"
                + self.cli.plan(["delete", f"--profile={args.profile}"])
            )
        )

    async def delete(self, args: a.ProfileArgs, ctx: RunContext) -> OperationResult:
        try:
            found = await self.reads.find_profile(args.profile)
            await self.cli.run(
                ["delete", f"--profile={args.profile}"], timeout_s=self.timeout_s, progress=ctx.progress
            )
        except MinikubeError as e:
            return failure(f"minikube delete --profile={args.profile}", e)
        prior = {k: found[k] for k in ("driver", "kubernetes", "cpus", "memory_mb")} if found else None
        return OperationResult(
            status=Status.OK, text=f"Deleted minikube profile {args.profile}.", prior_state=prior
        )
