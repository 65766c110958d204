# virt: one libvirt domain (community.libvirt.virt) driven with virsh: define from XML (only
# when the definition differs, see libvirt.sh), the run state, autostart, undefine, and the
# read-only commands (status, get_xml, list_vms, info, nodeinfo, virttype, freemem, uuid).
#
# ea_virt URI NAME COMMAND STATE AUTOSTART XML LEAVES HASH KEY FLAGS UNDEFINE
#   COMMAND   '' or create define destroy freemem get_xml info list_vms nodeinfo pause
#             shutdown start status stop undefine unpause uuid virttype
#   STATE     '' or running shutdown destroyed paused (list_vms: the state to list)
#   AUTOSTART '' leave it, 1 or 0
#   XML       file with the desired domain XML ('' = none), LEAVES its comparable fields
#   HASH      sha1 of the canonical desired XML, KEY the name of its state record
#   FLAGS     letters: u=the XML has its own uuid, f=force (undefine destroys it first)
#   UNDEFINE  extra virsh undefine options, space-separated (--nvram --managed-save ...)

ea__virt_list() {
    # $1 uri, $2 state filter ('' = all): the list_vms field
    case $2 in
        running) __ea_f=--state-running ;;
        paused) __ea_f=--state-paused ;;
        shutdown) __ea_f=--state-shutoff ;;
        destroyed | crashed) __ea_f=--state-other ;;
        *) __ea_f=--all ;;
    esac
    if [ -n "$2" ] && [ "$__ea_f" != --all ]; then
        ea__lv_names "$1" list --all "$__ea_f" || return 1
    else
        ea__lv_names "$1" list --all || return 1
    fi
    ea_field_file list_vms "$(ea__lv_get out)"
}

ea__virt_info() {
    # $1 uri: one tab-separated row per domain: name state maxMem memory nrVirtCpu cpuTime
    # autostart (the info field)
    ea__lv_names "$1" list --all || return 1
    __ea_names=$(ea_tmp names) || return 1
    __ea_rows=$(ea_tmp rows) || return 1
    cat "$(ea__lv_get out)" >"$__ea_names"
    while IFS= read -r __ea_d; do
        ea__lv_state dom "$1" "$__ea_d" || return 1
        awk -F': *' -v n="$__ea_d" -v s="$(ea__lv_get status)" -v a="$(ea__lv_get auto)" '
            $1 == "Max memory" { mx = $2 + 0 } $1 == "Used memory" { m = $2 + 0 }
            $1 == "CPU(s)" { c = $2 } $1 == "CPU time" { t = $2 + 0 }
            END { printf "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", n, s, mx, m, c, t * 1e9, a }' \
            "$(ea__lv_get out)" >>"$__ea_rows"
    done <"$__ea_names"
    ea_field_file info "$__ea_rows"
}

ea__virt_host() {
    # $1 uri, $2 command: the host-wide read-only commands
    case $2 in
        list_vms) ea__virt_list "$1" "$3" ;;
        info) ea__virt_info "$1" ;;
        nodeinfo)
            ea__lv_run "$1" nodeinfo nodeinfo || return 1
            ea_field_file nodeinfo "$(ea__lv_get out)"
            ;;
        virttype)
            ea__lv_run "$1" version version || return 1
            ea_field virttype "$(sed -n 's/^Using API: \([^ ]*\).*/\1/p' "$(ea__lv_get out)")"
            ;;
        freemem)
            ea__lv_run "$1" freecell freecell || return 1
            ea_field freemem "$(awk '{ print $(NF - 1) * 1024; exit }' "$(ea__lv_get out)")"
            ;;
    esac
}

ea__virt_to() {
    # $1 uri, $2 name, $3 wanted: running shutdown destroyed paused unpaused
    __ea_st=$(ea__lv_get status)
    __ea_do=
    case $3:$__ea_st in
        running:paused | unpaused:paused) __ea_do=resume ;;
        running:shutdown | running:crashed) __ea_do=start ;;
        shutdown:running | shutdown:paused) __ea_do=shutdown ;;
        destroyed:running | destroyed:paused | destroyed:crashed) __ea_do=destroy ;;
        paused:running) __ea_do=suspend ;;
        paused:shutdown) __ea_do="start --paused" ;;
    esac
    [ -n "$__ea_do" ] || return 0
    ea_changed
    ea_is_check && return 0
    # shellcheck disable=SC2086 # the verb and its option are two words
    ea__lv_run "$1" "$__ea_do $2" $__ea_do "$2"
}

ea_virt() {
    __ea_uri=$1
    __ea_name=$2
    __ea_cmd=$3
    __ea_state=$4
    __ea_auto=$5
    __ea_xml=$6
    __ea_leaves=$7
    __ea_hash=$8
    __ea_key=$9
    __ea_flags=${10}
    __ea_undef=${11}
    ea__lv_init "$__ea_uri" || return 1
    case $__ea_cmd in
        list_vms | info | nodeinfo | virttype | freemem)
            ea__virt_host "$__ea_uri" "$__ea_cmd" "$__ea_state"
            return
            ;;
    esac
    ea__lv_load dom "$__ea_uri" "$__ea_name" "$__ea_xml" "$__ea_leaves" "$__ea_hash" \
        "$__ea_key" "$__ea_flags" || return 1
    if [ "$__ea_cmd" = undefine ]; then
        # as libvirt does: a running domain stays running, transient, unless forced
        case $__ea_flags in
            *f*) ea__virt_to "$__ea_uri" "$__ea_name" destroyed || return 1 ;;
        esac
        # shellcheck disable=SC2086 # extra options are words
        ea__lv_undefine dom "$__ea_uri" "$__ea_name" "$__ea_key" $__ea_undef
        return
    fi
    [ "$__ea_cmd" = define ] && [ -z "$__ea_state" ] && [ -z "$__ea_auto" ] && return 0
    case $__ea_cmd:$__ea_state in
        # nothing to stop: a missing domain is as shut off as it gets
        destroy:* | shutdown:* | stop:* | *:destroyed | *:shutdown)
            [ "$(ea__lv_get exists)" = 1 ] || return 0
            ;;
    esac
    ea__lv_missing domain "$__ea_name" || return 1
    if [ -n "$__ea_auto" ]; then
        ea__lv_autostart dom "$__ea_uri" "$__ea_name" "$__ea_auto" || return 1
    fi
    case $__ea_cmd in
        status)
            ea_field status "$(ea__lv_get status)"
            return 0
            ;;
        uuid)
            ea__lv_run "$__ea_uri" "reading the uuid of $__ea_name" domuuid "$__ea_name" || return 1
            ea_field uuid "$(sed -n 1p "$(ea__lv_get out)")"
            return 0
            ;;
        get_xml)
            ea__lv_run "$__ea_uri" "reading the XML of $__ea_name" dumpxml "$__ea_name" || return 1
            ea_field_file get_xml "$(ea__lv_get out)"
            return 0
            ;;
        create | start) __ea_state=running ;;
        shutdown | stop) __ea_state=shutdown ;;
        destroy) __ea_state=destroyed ;;
        pause) __ea_state=paused ;;
        unpause) __ea_state=unpaused ;;
    esac
    if [ -n "$__ea_state" ]; then
        ea__virt_to "$__ea_uri" "$__ea_name" "$__ea_state" || return 1
    fi
    return 0
}
