"""The real Vagrant lab: vagrant + vagrant-libvirt driving TCG guests, all inside a private netns.

- :mod:`.box` builds a libvirt box from the lab's cached Debian root (no Vagrant Cloud);
- :mod:`.daemons` creates the network namespace and runs virtlogd/virtlockd/libvirtd in it;
- :mod:`.lab` brings the machines of ``vagrant/fleet.yml`` up and down and collects their SSH
  host keys from the serial console into the known_hosts file the ``vagrant:`` source uses.
"""
