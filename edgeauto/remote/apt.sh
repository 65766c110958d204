# apt: Debian packages through apt-get/apt-cache/dpkg-query (no python-apt on the target).
# Ansible's decision rules (ansible.builtin.apt) are re-done here in sh: a package is
# installed when dpkg says "ii"; its candidate is apt-cache policy's (a default_release acts
# as APT::Default-Release, i.e. the 990 pin; `name=ver*` picks the highest available version
# matching the glob, like Ansible's 1001 version pin). Check mode runs apt-get --simulate.
#
# ea_apt STATE FLAGS VALID RELEASE RECOMMENDS DEB UPGRADE DPKGOPTS LOCKTIMEOUT POLICYRCD
#        RETRIES MAXDELAY SPECS...
#   STATE       present latest absent build-dep fixed
#   FLAGS       letters: u=update_cache p=purge a=autoremove f=force d=allow_downgrade
#               o=only_upgrade n=fail_on_autoremove h=allow_change_held_packages
#               z=allow_unauthenticated c=clean k=autoclean
#   VALID       cache_valid_time in seconds (0 = only when update_cache)
#   RECOMMENDS  1, 0, or "" (the OS default)
#   DEB         comma-separated .deb paths on the target, or ""
#   UPGRADE     "", yes, safe, full, dist
#   SPECS       name, name=version(glob), name>=version, or fnmatch patterns (pkg*)
# Fields: ret (which of Ansible's exits was taken), cache_updated, cache_update_time, cmd,
# apt_out, apt_err (apt-get's output), ran (1 when apt-get changed/simulated something).

ea__apt_env() {
    DEBIAN_FRONTEND=noninteractive
    DEBIAN_PRIORITY=critical
    LC_ALL=C
    LANG=C
    LANGUAGE=C
    LC_MESSAGES=C
    export DEBIAN_FRONTEND DEBIAN_PRIORITY LC_ALL LANG LANGUAGE LC_MESSAGES
}

ea__apt_mtime() {
    # Ansible's cache time: the update-success stamp, else the lists directory
    if [ -e /var/lib/apt/periodic/update-success-stamp ]; then
        date -r /var/lib/apt/periodic/update-success-stamp +%s
    elif [ -e /var/lib/apt/lists ]; then
        date -r /var/lib/apt/lists +%s
    else
        echo 0
    fi
}

ea__apt_cache() {
    # apt-cache with the default release (if any) as APT::Default-Release
    if [ -n "$__ea_rel" ]; then
        apt-cache -o "APT::Default-Release=$__ea_rel" "$@"
    else
        apt-cache "$@"
    fi
}

ea__apt_status() {
    # $1 package: sets __ea_inst (1 = dpkg "ii"), __ea_iver, __ea_files (1 = a file list left)
    __ea_inst=0
    __ea_iver=
    __ea_files=0
    __ea_q=$(dpkg-query -W -f='${db:Status-Abbrev}|${Version}\n' "$1" 2>/dev/null | head -n 1)
    case $__ea_q in
        ?i*) __ea_inst=1 ;; # current state installed, whatever the selection (hold)
    esac
    __ea_iver=${__ea_q#*|}
    [ -n "$__ea_q" ] || __ea_iver=
    for __ea_l in /var/lib/dpkg/info/"$1".list /var/lib/dpkg/info/"$1":*.list; do
        [ -s "$__ea_l" ] && __ea_files=1
    done
    return 0
}

ea__apt_policy() {
    # $1 package: sets __ea_cand (candidate or ""), writes the version table to $__ea_vt;
    # returns 1 when apt knows no version of it (unknown or purely virtual)
    ea__apt_cache policy "$1" 2>/dev/null >"$__ea_pol"
    __ea_cand=$(awk '$1 == "Candidate:" { print $2; exit }' "$__ea_pol")
    [ "$__ea_cand" = "(none)" ] && __ea_cand=
    awk '/^  Version table:/ { t = 1; next }
        t && $1 == "***" { print $2; next }
        t && NF == 2 && $2 ~ /^-?[0-9]+$/ { print $1 }' "$__ea_pol" >"$__ea_vt"
    [ -s "$__ea_vt" ]
}

ea__apt_best() {
    # $1 cmp ("", "=", ">="), $2 version: sets __ea_best, the version apt would install
    __ea_best=$__ea_cand
    if [ "$1" = "=" ]; then
        __ea_best=
        while IFS= read -r __ea_v; do
            # shellcheck disable=SC2254 # the version is a glob on purpose (Ansible's fnmatch)
            case $__ea_v in
                $2)
                    if [ -z "$__ea_best" ] || dpkg --compare-versions "$__ea_v" gt "$__ea_best"; then
                        __ea_best=$__ea_v
                    fi
                    ;;
            esac
        done <"$__ea_vt"
    fi
}

ea__apt_vmatch() {
    # $1 installed version, $2 cmp, $3 wanted version: does the installed one satisfy it?
    case $2 in
        "=")
            # shellcheck disable=SC2254
            case $1 in $3) return 0 ;; esac
            return 1
            ;;
        ">=") dpkg --compare-versions "$1" ge "$3" ;;
        *) return 0 ;;
    esac
}

ea__apt_split() {
    # $1 spec: __ea_name, __ea_cmp, __ea_ver (Ansible's re.split('(>?=)', spec, 1))
    __ea_name=$1
    __ea_cmp=
    __ea_ver=
    case $1 in
        *=*)
            __ea_name=${1%%=*}
            __ea_ver=${1#*=}
            __ea_cmp="="
            case $__ea_name in
                *">")
                    __ea_name=${__ea_name%>}
                    __ea_cmp=">="
                    ;;
            esac
            ;;
    esac
}

ea__apt_expand() {
    # $1 file of specs: rewrite it with fnmatch patterns (pkg*) expanded to package names
    : >"$1.x"
    while IFS= read -r __ea_s; do
        ea__apt_split "$__ea_s"
        case $__ea_name in
            *[\*\?\[\]\!]*) ;;
            *)
                printf '%s\n' "$__ea_s" >>"$1.x"
                continue
                ;;
        esac
        [ -s "$__ea_pnames" ] || ea__apt_cache pkgnames 2>/dev/null | sort -u >"$__ea_pnames"
        __ea_hit=0
        while IFS= read -r __ea_n; do
            case $__ea_name in *:*) ;; *) case $__ea_n in *:*) continue ;; esac ;; esac
            # shellcheck disable=SC2254
            case $__ea_n in
                $__ea_name)
                    printf '%s\n' "$__ea_n" >>"$1.x"
                    __ea_hit=1
                    ;;
            esac
        done <"$__ea_pnames"
        if [ "$__ea_hit" = 0 ]; then
            ea_fail "No package(s) matching '$__ea_name' available"
            return 1
        fi
    done <"$1"
    mv "$1.x" "$1"
}

ea__apt_get() {
    # $@ the apt-get command words; runs it with the common options, output to apt_out/err
    __ea_base=$*
    set -- "$@" -y
    if [ -n "$__ea_dpkgopts" ]; then
        __ea_ifs=$IFS
        IFS=,
        for __ea_o in $__ea_dpkgopts; do
            IFS=$__ea_ifs
            set -- "$@" -o "Dpkg::Options::=--$__ea_o"
        done
        IFS=$__ea_ifs
    fi
    [ -n "$__ea_lock" ] && set -- "$@" -o "DPkg::Lock::Timeout=$__ea_lock"
    ea_is_check && set -- "$@" --simulate
    __ea_cmd="apt-get $__ea_base"
    if [ -n "$__ea_rcd" ] && ! ea_is_check; then
        ea__apt_policy_rcd "$@"
    else
        apt-get "$@" >"$__ea_out" 2>"$__ea_err"
    fi
    __ea_arc=$?
    ea_field cmd "$__ea_cmd"
    ea_field_file apt_out "$__ea_out"
    ea_field_file apt_err "$__ea_err"
    return "$__ea_arc"
}

ea__apt_policy_rcd() {
    # policy_rc_d: a /usr/sbin/policy-rc.d answering $__ea_rcd while apt-get runs
    __ea_prc=/usr/sbin/policy-rc.d
    __ea_saved=
    if [ -e "$__ea_prc" ]; then
        __ea_saved=$(ea_tmp policy-rc.d)
        cp -p "$__ea_prc" "$__ea_saved"
    fi
    printf '#!/bin/sh\nexit %s\n' "$__ea_rcd" >"$__ea_prc" && chmod 0755 "$__ea_prc"
    apt-get "$@" >"$__ea_out" 2>"$__ea_err"
    __ea_prrc=$?
    if [ -n "$__ea_saved" ]; then cp -p "$__ea_saved" "$__ea_prc"; else rm -f "$__ea_prc"; fi
    return "$__ea_prrc"
}

ea__apt_fail_cmd() {
    ea_rc "$__ea_arc"
    ea_fail "'$__ea_cmd' failed: $(cat "$__ea_err")"
}

ea__apt_opts() {
    # the option letters shared by install/remove/upgrade runs → words on stdout (one a line)
    case $__ea_flags in *f*) echo --force-yes ;; esac
    case $__ea_flags in *n*) echo --no-remove ;; esac
    case $__ea_flags in *z*) echo --allow-unauthenticated ;; esac
    case $__ea_flags in *d*) echo --allow-downgrades ;; esac
}

ea__apt_words() {
    # $1 file of words: append each line to the command file $2
    cat "$1" >>"$2"
}

ea__apt_run_file() {
    # $1 file with one apt-get word a line: run it
    __ea_wf=$1
    set --
    while IFS= read -r __ea_w; do set -- "$@" "$__ea_w"; done <"$__ea_wf"
    ea__apt_get "$@"
}

ea__apt_cache_step() {
    # update_cache / cache_valid_time, Ansible's way: stale = mtime + valid < now
    __ea_updated=0
    __ea_ctime=$(ea__apt_mtime)
    case $__ea_flags in *u*) ;; *) [ "$__ea_valid" -gt 0 ] || return 0 ;; esac
    __ea_now=$(date +%s)
    [ $((__ea_ctime + __ea_valid)) -ge "$__ea_now" ] && return 0
    if ! ea_is_check; then
        __ea_try=0
        __ea_delay=1
        until apt-get update -q >"$__ea_upd" 2>&1; do
            __ea_try=$((__ea_try + 1))
            if [ "$__ea_try" -ge "$__ea_retries" ]; then
                ea_fail "Failed to update apt cache after $__ea_retries retries: $(tail -n 3 "$__ea_upd")"
                return 1
            fi
            sleep "$__ea_delay"
            __ea_delay=$((__ea_delay * 2))
            [ "$__ea_delay" -gt "$__ea_maxdelay" ] && __ea_delay=$__ea_maxdelay
        done
    fi
    __ea_after=$(ea__apt_mtime)
    if ea_is_check || [ "$__ea_after" != "$__ea_ctime" ]; then __ea_updated=1; fi
    __ea_ctime=$__ea_after
    return 0
}

ea__apt_report_cache() {
    ea_field cache_updated "$__ea_updated"
    ea_field cache_update_time "$__ea_ctime"
}

ea__apt_plan_install() {
    # $1 specs file, $2 plan file (apt-get words), $3 names file: Ansible's install() choice
    : >"$2"
    : >"$3"
    while IFS= read -r __ea_s; do
        if [ "$__ea_state" = build-dep ]; then
            printf '%s\n' "$__ea_s" >>"$2"
            continue
        fi
        ea__apt_split "$__ea_s"
        printf '%s\n' "$__ea_name" >>"$3"
        ea__apt_status "$__ea_name"
        __ea_ok=0
        __ea_can=
        if ea__apt_policy "$__ea_name"; then
            ea__apt_best "$__ea_cmp" "$__ea_ver"
            if [ "$__ea_inst" = 1 ]; then
                if ea__apt_vmatch "$__ea_iver" "$__ea_cmp" "$__ea_ver"; then __ea_ok=1; fi
                if [ -n "$__ea_best" ] && [ "$__ea_best" != "$__ea_iver" ] &&
                    ea__apt_vmatch "$__ea_best" "$__ea_cmp" "$__ea_ver"; then
                    __ea_can=$__ea_best
                fi
            else
                __ea_can=$__ea_best
            fi
        else
            # unknown, or virtual: one installed provider stands for it, else apt decides
            LC_ALL=C apt-cache showpkg "$__ea_name" 2>/dev/null |
                awk '/^Reverse Provides:/ { r = 1; next } r && NF >= 1 { print $1 }' |
                sort -u >"$__ea_prov"
            if [ ! -s "$__ea_prov" ]; then
                ea_fail "No package matching '$__ea_name' is available"
                return 1
            fi
            __ea_can=@
            if [ "$(wc -l <"$__ea_prov")" -eq 1 ]; then
                ea__apt_status "$(cat "$__ea_prov")"
                [ "$__ea_inst" = 1 ] && continue
            fi
        fi
        if [ "$__ea_inst" = 0 ] && [ -n "$__ea_only" ]; then continue; fi
        if [ "$__ea_ok" = 0 ] && [ -z "$__ea_can" ]; then
            ea_fail "no available installation candidate for $__ea_s"
            return 1
        fi
        if [ -n "$__ea_can" ] && { [ "$__ea_inst" = 0 ] || [ "$__ea_state" = latest ] || [ "$__ea_ok" = 0 ]; }; then
            if [ "$__ea_can" != @ ]; then
                printf '%s=%s\n' "$__ea_name" "$__ea_can" >>"$2"
            elif [ -n "$__ea_ver" ]; then
                printf '%s=%s\n' "$__ea_name" "$__ea_ver" >>"$2"
            else
                printf '%s\n' "$__ea_name" >>"$2"
            fi
        elif [ "$__ea_ok" = 1 ] && [ -n "$__ea_can" ] && [ "$__ea_cmp" = "=" ]; then
            printf '%s=%s\n' "$__ea_name" "$__ea_ver" >>"$2"
        fi
    done <"$1"
    return 0
}

ea__apt_install() {
    # $1 specs file
    __ea_plan=$(ea_tmp plan)
    __ea_names=$(ea_tmp names)
    if ! ea__apt_plan_install "$1" "$__ea_plan" "$__ea_names"; then
        ea__apt_report_cache
        return 1
    fi
    ea__apt_report_cache
    if [ ! -s "$__ea_plan" ]; then
        ea_field ret install
        return 0
    fi
    __ea_words=$(ea_tmp words)
    if [ "$__ea_state" = build-dep ]; then
        echo build-dep >"$__ea_words"
    else
        echo install >"$__ea_words"
        case $__ea_flags in *a*) echo --auto-remove >>"$__ea_words" ;; esac
    fi
    case $__ea_flags in *o*) echo --only-upgrade >>"$__ea_words" ;; esac
    [ "$__ea_state" = fixed ] && echo --fix-broken >>"$__ea_words"
    ea__apt_opts >>"$__ea_words"
    if [ -n "$__ea_rel" ]; then printf '%s\n' -t "$__ea_rel" >>"$__ea_words"; fi
    case $__ea_rec in
        0) printf '%s\n' -o APT::Install-Recommends=no >>"$__ea_words" ;;
        1) printf '%s\n' -o APT::Install-Recommends=yes >>"$__ea_words" ;;
    esac
    case $__ea_flags in *h*) echo --allow-change-held-packages >>"$__ea_words" ;; esac
    ea__apt_words "$__ea_plan" "$__ea_words"
    ea_field ret install
    if ! ea__apt_run_file "$__ea_words"; then
        ea__apt_fail_cmd
        return 1
    fi
    ea_field ran 1
    if [ "$__ea_state" = build-dep ]; then
        grep -q '^0 upgraded, 0 newly installed, 0 to remove' "$__ea_out" || ea_changed
    else
        ea_changed
        if ! ea_is_check && command -v apt-mark >/dev/null 2>&1; then
            set --
            while IFS= read -r __ea_n; do set -- "$@" "$__ea_n"; done <"$__ea_names"
            apt-mark manual "$@" >/dev/null 2>&1
        fi
    fi
    return 0
}

ea__apt_remove() {
    # $1 specs file
    __ea_words=$(ea_tmp words)
    echo remove >"$__ea_words"
    echo -q >>"$__ea_words"
    __ea_any=0
    while IFS= read -r __ea_s; do
        ea__apt_split "$__ea_s"
        ea__apt_status "$__ea_name"
        __ea_ok=0
        if [ "$__ea_inst" = 1 ] && ea__apt_vmatch "$__ea_iver" "$__ea_cmp" "$__ea_ver"; then
            __ea_ok=1
        fi
        case $__ea_flags in *p*) [ "$__ea_files" = 1 ] && __ea_ok=1 ;; esac
        if [ "$__ea_ok" = 1 ]; then
            printf '%s\n' "$__ea_s" >>"$__ea_words"
            __ea_any=1
        fi
    done <"$1"
    ea_field ret remove
    [ "$__ea_any" = 1 ] || return 0
    case $__ea_flags in *p*) echo --purge >>"$__ea_words" ;; esac
    case $__ea_flags in *f*) echo --force-yes >>"$__ea_words" ;; esac
    case $__ea_flags in *a*) echo --auto-remove >>"$__ea_words" ;; esac
    case $__ea_flags in *h*) echo --allow-change-held-packages >>"$__ea_words" ;; esac
    if ! ea__apt_run_file "$__ea_words"; then
        ea__apt_fail_cmd
        return 1
    fi
    ea_field ran 1
    ea_changed
}

ea__apt_cleanup() {
    # $1 autoremove|autoclean (only when no package was named)
    __ea_words=$(ea_tmp words)
    echo "$1" >"$__ea_words"
    case $__ea_flags in *p*) echo --purge >>"$__ea_words" ;; esac
    case $__ea_flags in *f*) echo --force-yes >>"$__ea_words" ;; esac
    ea_field ret cleanup
    if ! ea__apt_run_file "$__ea_words"; then
        ea__apt_fail_cmd
        return 1
    fi
    ea_field ran 1
    if [ "$1" = autoremove ]; then
        grep -q 'The following packages will be REMOVED' "$__ea_out" && ea_changed
    else
        grep -q '^Del ' "$__ea_out" && ea_changed
    fi
    return 0
}

ea__apt_upgrade() {
    # $1 yes|safe|full|dist (apt-get: dist-upgrade for full/dist, upgrade --with-new-pkgs else)
    __ea_words=$(ea_tmp words)
    case $1 in
        full | dist) echo dist-upgrade >"$__ea_words" ;;
        *) printf '%s\n' upgrade --with-new-pkgs >"$__ea_words" ;;
    esac
    case $__ea_flags in *a*) echo --auto-remove >>"$__ea_words" ;; esac
    ea__apt_opts >>"$__ea_words"
    if [ -n "$__ea_rel" ]; then printf '%s\n' -t "$__ea_rel" >>"$__ea_words"; fi
    ea_field ret upgrade
    if ! ea__apt_run_file "$__ea_words"; then
        ea__apt_fail_cmd
        return 1
    fi
    ea_field ran 1
    grep -q '^0 upgraded, 0 newly installed, 0 to remove' "$__ea_out" || ea_changed
    return 0
}

ea__apt_deb() {
    # $1 comma-separated .deb paths: install those whose version is not the installed one
    __ea_words=$(ea_tmp words)
    echo install >"$__ea_words"
    __ea_any=0
    __ea_foreign=$(dpkg --print-foreign-architectures 2>/dev/null)
    __ea_ifs=$IFS
    IFS=,
    for __ea_f in $1; do
        IFS=$__ea_ifs
        if [ ! -r "$__ea_f" ]; then
            ea_fail "Unable to install package: could not read $__ea_f"
            return 1
        fi
        __ea_dp=$(dpkg-deb -f "$__ea_f" Package 2>/dev/null)
        __ea_dv=$(dpkg-deb -f "$__ea_f" Version 2>/dev/null)
        if [ -z "$__ea_dp" ] || [ -z "$__ea_dv" ]; then
            ea_fail "Unable to install package: $__ea_f is not a Debian package"
            return 1
        fi
        if [ -n "$__ea_foreign" ]; then
            __ea_dp="$__ea_dp:$(dpkg-deb -f "$__ea_f" Architecture)"
        fi
        ea__apt_status "$__ea_dp"
        if [ "$__ea_inst" = 1 ]; then
            dpkg --compare-versions "$__ea_dv" eq "$__ea_iver" && continue
            if dpkg --compare-versions "$__ea_iver" gt "$__ea_dv"; then
                case $__ea_flags in
                    *[fd]*) ;;
                    *)
                        ea_fail "A later version is already installed"
                        return 1
                        ;;
                esac
            fi
        fi
        case $__ea_f in
            *.deb) ;;
            *)
                # apt-get takes a local file only by its .deb suffix (payloads have none)
                __ea_n=$(ea_tmp "deb$__ea_any.deb")
                cp "$__ea_f" "$__ea_n"
                __ea_f=$__ea_n
                ;;
        esac
        case $__ea_f in
            /*) printf '%s\n' "$__ea_f" >>"$__ea_words" ;;
            *) printf './%s\n' "$__ea_f" >>"$__ea_words" ;;
        esac
        __ea_any=$((__ea_any + 1))
    done
    IFS=$__ea_ifs
    ea_field ret deb
    [ "$__ea_any" -gt 0 ] || return 0
    ea__apt_opts >>"$__ea_words"
    case $__ea_rec in
        0) printf '%s\n' -o APT::Install-Recommends=no >>"$__ea_words" ;;
        1) printf '%s\n' -o APT::Install-Recommends=yes >>"$__ea_words" ;;
    esac
    case $__ea_flags in *h*) echo --allow-change-held-packages >>"$__ea_words" ;; esac
    if ! ea__apt_run_file "$__ea_words"; then
        ea__apt_fail_cmd
        return 1
    fi
    ea_field ran 1
    ea_changed
}

ea_apt() {
    __ea_state=$1
    __ea_flags=$2
    __ea_valid=$3
    __ea_rel=$4
    __ea_rec=$5
    __ea_deb=$6
    __ea_upgrade=$7
    __ea_dpkgopts=$8
    __ea_lock=$9
    __ea_rcd=${10}
    __ea_retries=${11}
    __ea_maxdelay=${12}
    shift 12
    ea__apt_env
    if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
        ea_fail "apt-get and dpkg-query are needed on the target (not a Debian-family system?)"
        return 1
    fi
    [ -n "$__ea_valid" ] || __ea_valid=0
    [ -n "$__ea_retries" ] || __ea_retries=5
    [ -n "$__ea_maxdelay" ] || __ea_maxdelay=12
    __ea_only=
    case $__ea_flags in *o*) __ea_only=1 ;; esac
    __ea_out=$(ea_tmp apt.out)
    __ea_err=$(ea_tmp apt.err)
    __ea_pol=$(ea_tmp policy)
    __ea_vt=$(ea_tmp versions)
    __ea_specs=$(ea_tmp specs)
    __ea_pnames=$(ea_tmp pkgnames)
    __ea_upd=$(ea_tmp update.out)
    __ea_prov=$(ea_tmp providers)
    __ea_latest_all=0
    for __ea_s in "$@"; do
        if [ "$__ea_s" = "*" ]; then __ea_latest_all=1; else printf '%s\n' "$__ea_s"; fi
    done >"$__ea_specs"

    case $__ea_flags in
        *c*)
            if ! ea_is_check; then
                if ! apt-get clean >"$__ea_out" 2>"$__ea_err"; then
                    ea_rc 1
                    ea_fail "apt-get clean failed"
                    return 1
                fi
            fi
            if [ "$#" = 0 ] && [ -z "$__ea_upgrade" ] && [ -z "$__ea_deb" ]; then
                ea_field ret clean
                ea_field_file apt_out "$__ea_out"
                ea_field_file apt_err "$__ea_err"
                ea_changed
                return 0
            fi
            ;;
    esac

    ea__apt_cache_step || return 1
    case $__ea_flags in
        *u*) __ea_cache_asked=1 ;;
        *) __ea_cache_asked=0 ;;
    esac
    [ "$__ea_valid" -gt 0 ] && __ea_cache_asked=1
    if [ "$__ea_cache_asked" = 1 ] && [ "$#" = 0 ] && [ -z "$__ea_upgrade" ] && [ -z "$__ea_deb" ]; then
        ea_field ret cache
        ea__apt_report_cache
        [ "$__ea_updated" = 1 ] && ea_changed
        return 0
    fi

    if [ -n "$__ea_upgrade" ]; then
        ea__apt_upgrade "$__ea_upgrade"
        return
    fi
    if [ -n "$__ea_deb" ]; then
        ea__apt_deb "$__ea_deb"
        return
    fi
    if [ "$__ea_latest_all" = 1 ] && [ "$__ea_state" = latest ]; then
        ea__apt_upgrade yes
        return
    fi
    if [ ! -s "$__ea_specs" ]; then
        case $__ea_flags in
            *k*)
                ea__apt_cleanup autoclean
                return
                ;;
            *a*)
                ea__apt_cleanup autoremove
                return
                ;;
        esac
    fi
    ea__apt_expand "$__ea_specs" || return 1
    case $__ea_state in
        absent) ea__apt_remove "$__ea_specs" ;;
        *) ea__apt_install "$__ea_specs" ;;
    esac
}
