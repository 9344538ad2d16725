"""Alerts and cluster events in chat (issue #16).

`receiver` takes Alertmanager's webhook on any replica; `watcher` turns the
cluster watch into signals on the leader; `notifier` posts one card per
alert or signal per channel on the `ChatSurface`s and updates it in place,
under `flood` control; `routes` says which channels; `actions` handles the
card's buttons through the executor's gate; `service` runs it all in
`chatops run`. Imports nothing of the adapters.
"""
