"""Transports: one interface (base.Transport) over OpenSSH, paramiko/fabric, local and docker.

Use :func:`edgeauto.transport.factory.make_transport` to get the right one for a host.
"""
