# edgeauto_hw probe: what the hardware is, read with cat/grep/awk from procfs and sysfs.
#
# Everything is read under a root prefix: $1, else $EA_HW_ROOT, else "" (the live system).
# With a prefix it runs against a recorded tree (tests/fixtures/hw/<kind>/), so nothing here
# may run a command that looks at the live machine unless the prefix is empty.
# Output: key=value lines, parsed on the controller by edgeauto/facts/edge_hw.py (the WHY of
# each key is documented there and in docs/edge.md). POSIX sh, BusyBox-friendly: no lspci,
# lsusb, readlink or Python.

_eaf_hw_read() {
  # _eaf_hw_read VAR FILE: VAR = the first line of FILE, or "" (sysfs attributes may fail
  # to read, e.g. speed of a link that is down). The shell's read: no fork per file.
  _eaf_v=
  [ -r "$2" ] && IFS= read -r _eaf_v 2>/dev/null <"$2"
  eval "$1=\$_eaf_v"
}

_eaf_hw_kv() {
  # _eaf_hw_kv KEY FILE: print KEY=<first line of FILE>
  _eaf_hw_read _eaf_v "$2"
  printf '%s=%s\n' "$1" "$_eaf_v"
}

_eaf_hw_uevent() {
  # the value of KEY= in a uevent file
  [ -r "$1" ] && sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1
}

_eaf_hw_cpu() {
  _r="$1"
  # live: uname -m (what this userland runs as, e.g. under qemu-user); a tree: its kernel.arch
  if [ -z "$_r" ]; then
    printf 'machine=%s\n' "$(uname -m)"
  elif [ -r "$_r/proc/sys/kernel/arch" ]; then
    _eaf_hw_kv machine "$_r/proc/sys/kernel/arch"
  fi
  if [ -r "$_r/proc/cpuinfo" ]; then
    # first value of each key of interest, and the number of logical CPUs
    awk 'BEGIN { split("model name|Hardware|Model|cpu model|vendor_id|flags|Features|CPU implementer|CPU part|isa", w, "|"); for (i in w) want[w[i]] = 1 }
      { k = $0; sub(/[ \t]*:.*/, "", k) }
      k == "processor" { n++ }
      (k in want) && !(k in seen) { seen[k] = 1; v = $0; sub(/^[^:]*:[ \t]*/, "", v); print "cpuinfo=" k "=" v }
      END { print "cpu_count=" n + 0 }' "$_r/proc/cpuinfo" 2>/dev/null
  fi
  _eaf_hw_kv cpu_online "$_r/sys/devices/system/cpu/online"
  [ -r "$_r/proc/meminfo" ] && sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\).*/mem_kb=\1/p' "$_r/proc/meminfo"
  for _f in "$_r/sys/firmware/devicetree/base/model" "$_r/proc/device-tree/model"; do
    [ -r "$_f" ] || continue
    printf 'dt_model=%s\n' "$(tr -d '\000' <"$_f")"
    break
  done
  for _f in "$_r/sys/firmware/devicetree/base/compatible" "$_r/proc/device-tree/compatible"; do
    [ -r "$_f" ] || continue
    printf 'dt_compatible=%s\n' "$(tr '\000' ' ' <"$_f")"
    break
  done
  for _f in sys_vendor product_name board_name; do
    _eaf_hw_kv "dmi_$_f" "$_r/sys/class/dmi/id/$_f"
  done
}

_eaf_hw_kvm() {
  _r="$1"
  if [ -e "$_r/dev/kvm" ]; then
    printf 'dev_kvm=1\n'
    # opening it read-write is what QEMU/Kata do first; ( ) keeps the descriptor local
    if (: <>"$_r/dev/kvm") 2>/dev/null; then printf 'dev_kvm_rw=1\n'; fi
  fi
  # the KVM backend in use: built-in or loaded modules both show up in /sys/module
  for _m in kvm_intel kvm_amd kvm_pvm; do
    [ -d "$_r/sys/module/$_m" ] && printf 'kvm_module=%s\n' "$_m"
  done
  printf 'uid=%s\n' "$(id -u 2>/dev/null)"
}

_eaf_hw_virt() {
  _r="$1"
  _eaf_hw_kv container_file "$_r/run/systemd/container"
  [ -r "$_r/proc/1/environ" ] &&
    tr '\000' '\n' 2>/dev/null <"$_r/proc/1/environ" | sed -n 's/^container=/container_env=/p' | head -n 1
  [ -e "$_r/.dockerenv" ] && printf 'dockerenv=1\n'
  # the host's own PID 1 sits in the root cgroup (or init.scope); a container's does not
  [ -r "$_r/proc/1/cgroup" ] &&
    sed -n 's/^0::/pid1_cgroup=/p; s/^[0-9]*:name=systemd:/pid1_cgroup=/p' "$_r/proc/1/cgroup" 2>/dev/null
  [ -e "$_r/run/.containerenv" ] && printf 'podmanenv=1\n'
  # the capability bounding set: can this (container) host run dockerd, OVS, libvirtd?
  [ -r "$_r/proc/self/status" ] &&
    sed -n 's/^CapBnd:[[:space:]]*/cap_bnd=/p' "$_r/proc/self/status" 2>/dev/null
  _eaf_hw_kv hypervisor_type "$_r/sys/hypervisor/type"
  if [ -z "$_r" ] && command -v systemd-detect-virt >/dev/null 2>&1; then
    printf 'sdv_container=%s\n' "$(systemd-detect-virt -c 2>/dev/null)"
    printf 'sdv_vm=%s\n' "$(systemd-detect-virt -v 2>/dev/null)"
  fi
}

_eaf_hw_devices() {
  _r="$1" _v='' _p='' _n='' _c=''
  for _d in "$_r"/sys/bus/usb/devices/*; do
    [ -r "$_d/idVendor" ] || continue
    _eaf_hw_read _v "$_d/idVendor"
    _eaf_hw_read _p "$_d/idProduct"
    _eaf_hw_read _n "$_d/product"
    printf 'usb=%s:%s %s\n' "$_v" "$_p" "$_n"
  done
  for _d in "$_r"/sys/bus/pci/devices/*; do
    [ -r "$_d/vendor" ] || continue
    _eaf_hw_read _v "$_d/vendor"
    _eaf_hw_read _p "$_d/device"
    _eaf_hw_read _c "$_d/class"
    printf 'pci=%s:%s %s %s\n' "$_v" "$_p" "$_c" "${_d##*/}"
  done
  for _d in "$_r"/sys/class/fpga_manager/*; do
    [ -e "$_d" ] || continue
    _eaf_hw_read _n "$_d/name"
    printf 'fpga_manager=%s %s\n' "${_d##*/}" "$_n"
  done
}

_eaf_hw_nics() {
  # nic=physical|driver|speed|mac|operstate|devtype|arphrd|name (one with a device/ is hardware)
  _r="$1" _s='' _a='' _o='' _y=''
  for _d in "$_r"/sys/class/net/*; do
    [ -e "$_d/address" ] || continue
    _n=${_d##*/}
    [ "$_n" = lo ] && continue
    _p=0
    [ -e "$_d/device" ] && _p=1
    _t=$(_eaf_hw_uevent "$_d/uevent" DEVTYPE)
    [ -z "$_t" ] && [ -e "$_d/wireless" ] && _t=wlan
    _eaf_hw_read _s "$_d/speed"
    _eaf_hw_read _a "$_d/address"
    _eaf_hw_read _o "$_d/operstate"
    _eaf_hw_read _y "$_d/type"
    printf 'nic=%s|%s|%s|%s|%s|%s|%s|%s\n' "$_p" "$(_eaf_hw_uevent "$_d/device/uevent" DRIVER)" \
      "$_s" "$_a" "$_o" "$_t" "$_y" "$_n"
  done
}

_eaf_hw_trust() {
  _r="$1" _v=''
  for _d in "$_r"/sys/class/tpm/tpm[0-9]*; do
    [ -e "$_d" ] || continue
    _c=
    [ -r "$_d/caps" ] && _c=$(sed -n 's/^TCG version: *//p' "$_d/caps" 2>/dev/null)
    [ -z "$_c" ] && [ -r "$_d/device/caps" ] &&
      _c=$(sed -n 's/^TCG version: *//p' "$_d/device/caps" 2>/dev/null)
    _eaf_hw_read _v "$_d/tpm_version_major"
    printf 'tpm=%s|%s|%s\n' "${_d##*/}" "$_v" "$_c"
  done
  for _f in "$_r"/dev/tpm[0-9]* "$_r"/dev/tpmrm[0-9]* "$_r"/dev/sgx_enclave "$_r"/dev/sgx/enclave \
    "$_r"/dev/isgx "$_r"/dev/tee[0-9]* "$_r"/dev/teepriv[0-9]*; do
    [ -e "$_f" ] && printf 'dev=%s\n' "${_f#"$_r"/dev/}"
  done
  for _d in "$_r"/sys/class/tee/tee[0-9]*; do
    [ -e "$_d" ] || continue
    printf 'tee=%s|%s\n' "${_d##*/}" "$(_eaf_hw_uevent "$_d/device/uevent" DRIVER)"
  done
  for _d in "$_r"/sys/bus/tee/devices/*; do
    [ -e "$_d" ] && printf 'tee_bus=%s\n' "${_d##*/}"
  done
  [ -e "$_r/sys/firmware/devicetree/base/firmware/optee" ] && printf 'dt_optee=1\n'
}

_eaf_hw_system() {
  # init system and package manager, by what is installed under the prefix (not $PATH)
  _r="$1"
  _eaf_hw_kv init_comm "$_r/proc/1/comm"
  [ -d "$_r/run/systemd/system" ] && printf 'init_mark=systemd\n'
  { [ -x "$_r/sbin/openrc" ] || [ -x "$_r/sbin/openrc-run" ]; } && printf 'init_mark=openrc\n'
  [ -x "$_r/sbin/procd" ] && printf 'init_mark=procd\n'
  { [ -x "$_r/sbin/runit" ] || [ -x "$_r/usr/bin/runit" ]; } && printf 'init_mark=runit\n'
  [ -r "$_r/etc/inittab" ] && printf 'init_mark=inittab\n'
  # ls -l shows where /sbin/init points (BusyBox init is a link to busybox); no readlink needed
  _l=$(ls -l "$_r/sbin/init" 2>/dev/null)
  case "$_l" in *" -> "*) printf 'init_link=%s\n' "${_l##* -> }" ;; esac
  for _p in apt-get dnf yum zypper apk opkg pacman xbps-install; do
    for _b in usr/bin bin usr/sbin sbin; do
      if [ -x "$_r/$_b/$_p" ]; then
        printf 'pkg=%s\n' "$_p"
        break
      fi
    done
  done
}

_eaf_edge_hw() {
  _eaf_r="${1:-${EA_HW_ROOT:-}}"
  _eaf_hw_cpu "$_eaf_r"
  _eaf_hw_kvm "$_eaf_r"
  _eaf_hw_virt "$_eaf_r"
  _eaf_hw_devices "$_eaf_r"
  _eaf_hw_nics "$_eaf_r"
  _eaf_hw_trust "$_eaf_r"
  _eaf_hw_system "$_eaf_r"
  return 0
}
