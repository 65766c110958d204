"""W2 as a pyinfra deploy (pyinfra 3): the same 10 steps, for the side-by-side benchmark."""

from io import StringIO

from pyinfra import host
from pyinfra.facts.files import File
from pyinfra.operations import files, server

d = host.data.hostdir
for sub in ("etc", "var", "opt"):
    files.directory(name=f"dir {sub}", path=f"{d}/{sub}", mode="755")
files.put(name="app.conf", src=StringIO("listen=8080\nworkers=4\n"), dest=f"{d}/etc/app.conf", mode="644")
files.put(name="motd", src=StringIO("edge site managed by automation\n"), dest=f"{d}/etc/motd", mode="644")
files.put(name="run.sh", src=StringIO("#!/bin/sh\nexec sleep 1\n"), dest=f"{d}/opt/run.sh", mode="755")
files.line(name="max_conn", path=f"{d}/etc/settings.ini", line="^max_conn=.*$", replace="max_conn=100")
files.line(name="log_level", path=f"{d}/etc/settings.ini", line="^log_level=.*$", replace="log_level=info")
files.link(name="current", path=f"{d}/current", target=f"{d}/opt")
if host.get_fact(File, path=f"{d}/var/init.done") is None:
    server.shell(name="init once", commands=[f"cd {d} && sh -c 'echo initialized > var/init.done'"])
