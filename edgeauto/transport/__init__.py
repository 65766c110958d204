"""Transports: one interface (base.Transport) over OpenSSH, paramiko/fabric, local and docker.

Use :func:`edgeauto.transport.factory.make_transport` to get the right one for a host. Each
transport is a small class in its own module that declares its ``names`` and ``host_vars``
(:mod:`edgeauto.transport.registry` finds them); the shared ``run_script`` body is in
:mod:`edgeauto.transport.pipe`.
"""
