#!/bin/sh
# Reference for W4 (facts): what a fact gatherer reads, in one `ssh host sh -s`.
uname -a
cat /etc/os-release 2>/dev/null
hostname
id
cat /proc/cpuinfo /proc/meminfo /proc/mounts /proc/uptime 2>/dev/null
ip -o addr 2>/dev/null || cat /proc/net/dev
df -P 2>/dev/null
env
