# package_facts: list the installed packages of each asked manager (in order) as
# tab-separated lines, for ansible_facts.packages. No Python: dpkg-query, apk, opkg, rpm,
# pacman answer directly.
#
# ea_package_facts STRATEGY MANAGERS...
#   STRATEGY  first (stop at the first manager that lists something) or all
#   MANAGERS  apt apk opkg rpm pacman, in the order to try
# Fields: pkgs_<manager> (name TAB version TAB arch TAB release TAB epoch TAB category
# lines), found (the managers that listed packages, one a line), missing (present, empty).

ea__pf_list() {
    # $1 manager, $2 output file: 0 when the manager is usable
    case $1 in
        apt)
            command -v dpkg-query >/dev/null 2>&1 || return 1
            __ea_arch=$(dpkg --print-architecture 2>/dev/null)
            # shellcheck disable=SC2016 # dpkg-query's ${...} fields, not the shell's
            LC_ALL=C dpkg-query -W -f='${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\t${Section}\n' 2>/dev/null |
                awk -F '\t' -v a="$__ea_arch" '
                    substr($1, 2, 1) == "n" || substr($1, 2, 1) == "c" { next }
                    { n = $2; if ($4 != a && $4 != "all") n = n ":" $4
                      printf "%s\t%s\t%s\t\t\t%s\n", n, $3, $4, $5 }' >"$2"
            ;;
        apk)
            command -v apk >/dev/null 2>&1 || return 1
            LC_ALL=C apk info -v 2>/dev/null | awk '
                NF { n = split($1, p, "-")
                     if (n >= 3) { name = p[1]; for (i = 2; i <= n - 2; i++) name = name "-" p[i]
                                   printf "%s\t%s\t\t%s\t\t\n", name, p[n-1], p[n] }
                     else printf "%s\t\t\t\t\t\n", $1 }' >"$2"
            ;;
        opkg)
            command -v opkg >/dev/null 2>&1 || return 1
            LC_ALL=C opkg list-installed 2>/dev/null |
                awk '$2 == "-" { printf "%s\t%s\t\t\t\t\n", $1, $3 }' >"$2"
            ;;
        rpm)
            command -v rpm >/dev/null 2>&1 || return 1
            LC_ALL=C rpm -qa --qf '%{NAME}\t%{VERSION}\t%{ARCH}\t%{RELEASE}\t%{EPOCH}\t\n' >"$2" 2>/dev/null || return 1
            ;;
        pacman)
            command -v pacman >/dev/null 2>&1 || return 1
            LC_ALL=C pacman -Q 2>/dev/null | awk 'NF == 2 { printf "%s\t%s\t\t\t\t\n", $1, $2 }' >"$2"
            ;;
        *) return 1 ;;
    esac
}

ea_package_facts() {
    __ea_strategy=$1
    shift 1
    # Ansible reads apt's and rpm's databases through Python libraries, so a task environment
    # that breaks PATH (package_facts target: PATH: "${PATH}:/tmp/x", taken literally) does
    # not hide them; the system directories after the task's own PATH do that here.
    PATH=${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    __ea_found=
    __ea_missing=
    for __ea_m in "$@"; do
        __ea_f=$(ea_tmp "pf.$__ea_m")
        ea__pf_list "$__ea_m" "$__ea_f" || continue
        if [ ! -s "$__ea_f" ]; then
            __ea_missing="$__ea_missing$__ea_m
"
            continue
        fi
        ea_field_file "pkgs_$__ea_m" "$__ea_f"
        __ea_found="$__ea_found$__ea_m
"
        [ "$__ea_strategy" = first ] && break
    done
    ea_field found "$__ea_found"
    ea_field missing "$__ea_missing"
    return 0
}
