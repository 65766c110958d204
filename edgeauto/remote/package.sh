# package: the generic package module: find the target's package manager (Ansible's
# ansible_pkg_mgr idea, done on the target) and hand the task to its native function.
#
# ea_package USE PSTATE NAMES...
#   USE    auto, apt, apk or opkg (auto: apt-get+dpkg, then apk, then opkg)
#   PSTATE present latest absent (installed/removed already mapped by the controller)
# Fields: backend (the manager used), then the fields of that manager's function.

ea__package_detect() {
    if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
        echo apt
    elif command -v apk >/dev/null 2>&1; then
        echo apk
    elif command -v opkg >/dev/null 2>&1; then
        echo opkg
    else
        for __ea_m in dnf yum zypper pacman pkg pkg_add emerge xbps-install; do
            if command -v "$__ea_m" >/dev/null 2>&1; then
                echo "other:$__ea_m"
                return 0
            fi
        done
        echo none
    fi
}

ea_package() {
    __ea_use=$1
    __ea_pstate=$2
    shift 2
    [ "$__ea_use" = auto ] && __ea_use=$(ea__package_detect)
    ea_field backend "$__ea_use"
    case $__ea_use in
        apt) ea_apt "$__ea_pstate" "" 0 "" "" "" "" force-confdef,force-confold 60 "" 5 12 "$@" ;;
        apk) ea_apk "$__ea_pstate" "" /etc/apk/world "" "$@" ;;
        opkg)
            if [ "$__ea_pstate" = latest ]; then
                ea_fail "opkg knows no state=latest (community.general.opkg: present or absent)"
                return 1
            fi
            ea_opkg "$__ea_pstate" "" "" "" "$@"
            ;;
        other:*)
            ea_fail "package manager '${__ea_use#other:}' has no native edgeauto driver (native: apt, apk, opkg); use its own module on a target with Python"
            ;;
        *) ea_fail "no supported package manager found on the target (looked for apt-get, apk, opkg, dnf, yum, zypper, pacman)" ;;
    esac
}
