"""Read ``edgeauto_hw`` from real hosts for placement: one facts round trip per host.

Only the ``edge`` facts subset is asked for (the hardware probes, docs/edge.md), hosts in
parallel. Hosts whose inventory already gives ``edgeauto_hw`` (a simulated fleet) are not
contacted. A host that cannot be reached is reported as a string — placement turns it into
the "unreachable: …" reason — and never stops the others.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

SUBSET = "edge"


def hosts_to_gather(inventory, names: list[str]) -> list[str]:
    """The hosts without an ``edgeauto_hw`` hostvar (those are simulated, not gathered)."""
    return [n for n in names if "edgeauto_hw" not in inventory.host_vars(n)]


def gather_hw(
    inventory,
    names: list[str],
    options,
    *,
    vault=None,
    forks: int = 5,
    timeout: float = 60.0,
    connection: str | None = None,
) -> dict[str, dict | str]:
    """``{host: edgeauto_hw dict}``, or ``{host: "why not"}`` for a host that failed."""
    from edgeauto.transport.hostvars import connection_vars

    wanted = hosts_to_gather(inventory, names)
    host_vars = {h: connection_vars(inventory, h, vault) for h in wanted}
    if connection:
        for hv in host_vars.values():
            hv["ansible_connection"] = connection

    def one(host: str) -> tuple[str, dict | str]:
        return host, _gather_one(host_vars[host], options, timeout)

    with ThreadPoolExecutor(max_workers=max(1, forks)) as pool:
        return dict(pool.map(one, wanted))


def _gather_one(host_vars: dict, options, timeout: float) -> dict | str:
    from edgeauto.errors import ConnectionFailed, RemoteProtocolError
    from edgeauto.facts.gather import gather
    from edgeauto.transport.factory import make_transport

    transport = None
    try:
        transport = make_transport(host_vars, options=options)
        transport.connect(options.connect_timeout)
        facts, _ = gather(transport, SUBSET, (), timeout=timeout)
    except (ConnectionFailed, RemoteProtocolError) as exc:
        return str(exc)
    finally:
        if transport is not None:
            transport.close()
    hw = facts.get("edgeauto_hw")
    return hw if isinstance(hw, dict) else "the facts had no edgeauto_hw section"
