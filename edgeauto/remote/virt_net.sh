# virt_net: one libvirt network (community.libvirt.virt_net) driven with virsh: define from XML
# only when the definition differs (see libvirt.sh), active/inactive, autostart, undefine, and
# the read-only commands (status, get_xml, list_nets, info).
#
# ea_virt_net URI NAME COMMAND STATE AUTOSTART XML LEAVES HASH KEY FLAGS
#   COMMAND   '' or create define destroy get_xml info list_nets start status stop undefine
#   STATE     '' or present absent active inactive (list_nets: active/inactive to list)
#   AUTOSTART '' leave it, 1 or 0
#   XML       file with the desired network XML ('' = none), LEAVES its comparable fields
#   HASH      sha1 of the canonical desired XML, KEY the name of its state record
#   FLAGS     letters: u=the XML has its own uuid

ea__virt_net_info() {
    # $1 uri: one tab-separated row per network: name autostart persistent state bridge uuid
    ea__lv_names "$1" net-list --all || return 1
    __ea_names=$(ea_tmp names) || return 1
    __ea_rows=$(ea_tmp rows) || return 1
    cat "$(ea__lv_get out)" >"$__ea_names"
    while IFS= read -r __ea_n; do
        ea__lv_state net "$1" "$__ea_n" || return 1
        ea__lv_run "$1" "reading $__ea_n" net-info "$__ea_n" || return 1
        awk -F': *' -v n="$__ea_n" -v s="$(ea__lv_get status)" '
            $1 == "UUID" { u = $2 } $1 == "Bridge" { b = $2 }
            $1 == "Autostart" { a = $2 } $1 == "Persistent" { p = $2 }
            END { printf "%s\t%s\t%s\t%s\t%s\t%s\n", n, a, p, s, b, u }' \
            "$(ea__lv_get out)" >>"$__ea_rows"
    done <"$__ea_names"
    ea_field_file networks "$__ea_rows"
}

ea_virt_net() {
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
    ea__lv_init "$__ea_uri" || return 1
    case $__ea_cmd in
        list_nets)
            ea__lv_list net "$__ea_uri" "$__ea_state" list_nets
            return
            ;;
        info)
            ea__virt_net_info "$__ea_uri"
            return
            ;;
    esac
    # removing it: any XML given is not defined first
    [ "$__ea_state" = absent ] || [ "$__ea_cmd" = undefine ] && __ea_xml=''
    ea__lv_load net "$__ea_uri" "$__ea_name" "$__ea_xml" "$__ea_leaves" "$__ea_hash" \
        "$__ea_key" "$__ea_flags" || return 1
    case $__ea_cmd:$__ea_state in
        undefine:* | *:absent)
            [ "$__ea_state" = absent ] && { ea__lv_set_active net "$__ea_uri" "$__ea_name" 0 || return 1; }
            ea__lv_undefine net "$__ea_uri" "$__ea_name" "$__ea_key"
            return
            ;;
    esac
    [ "$__ea_cmd" = define ] && [ -z "$__ea_auto" ] && return 0
    case $__ea_cmd:$__ea_state in
        # nothing to stop: a missing one is as inactive as it gets
        stop:* | destroy:* | *:inactive) [ "$(ea__lv_get exists)" = 1 ] || return 0 ;;
    esac
    ea__lv_missing network "$__ea_name" || return 1
    case $__ea_cmd in
        status)
            ea_field status "$(ea__lv_get status)"
            return 0
            ;;
        get_xml)
            ea__lv_run "$__ea_uri" "reading the XML of $__ea_name" net-dumpxml "$__ea_name" || return 1
            ea_field_file get_xml "$(ea__lv_get out)"
            return 0
            ;;
        create | start) __ea_state=active ;;
        stop | destroy) __ea_state=inactive ;;
    esac
    case $__ea_state in
        active) ea__lv_set_active net "$__ea_uri" "$__ea_name" 1 || return 1 ;;
        inactive) ea__lv_set_active net "$__ea_uri" "$__ea_name" 0 || return 1 ;;
    esac
    if [ -n "$__ea_auto" ]; then
        ea__lv_autostart net "$__ea_uri" "$__ea_name" "$__ea_auto" || return 1
    fi
    return 0
}
