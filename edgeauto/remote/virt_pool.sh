# virt_pool: one libvirt storage pool (community.libvirt.virt_pool) driven with virsh: define
# from XML only when the definition differs (see libvirt.sh), build, active/inactive,
# autostart, delete (the storage) and undefine, and the read-only commands (status, get_xml,
# list_pools, info, refresh).
#
# ea_virt_pool URI NAME COMMAND STATE AUTOSTART XML LEAVES HASH KEY FLAGS MODE
#   COMMAND   '' or build create define delete destroy get_xml info list_pools refresh start
#             status stop undefine
#   STATE     '' or present absent undefined active inactive deleted (list_pools: the state)
#   AUTOSTART '' leave it, 1 or 0
#   XML       file with the desired pool XML ('' = none), LEAVES its comparable fields
#   HASH      sha1 of the canonical desired XML, KEY the name of its state record
#   FLAGS     letters: u=the XML has its own uuid
#   MODE      build: '' or --overwrite / --no-overwrite

ea__virt_pool_target() {
    # $1 uri, $2 name: sets __ea_ptype (dir, fs, logical ...) and __ea_ppath (the target path)
    ea__lv_run "$1" "reading the definition of $2" pool-dumpxml --inactive "$2" || return 1
    __ea_ptype=$(sed -n "s/^<pool type=['\"]\([^'\"]*\)['\"].*/\1/p" "$(ea__lv_get out)")
    __ea_ppath=$(awk '/<target>/ { t = 1 } t && /<path>/ { sub(/.*<path>/, ""); sub(/<\/path>.*/, ""); print; exit }' \
        "$(ea__lv_get out)")
}

ea__virt_pool_build() {
    # $1 uri, $2 name, $3 mode options, $4 the desired XML's leaves ('' none): dir pools are
    # built when their directory is missing (idempotent); other kinds every time they are
    # asked to (as virsh would). A pool a check run only predicted defining is judged by the
    # desired XML.
    if [ "$(ea__lv_get pending)" = 1 ]; then
        __ea_ptype='' __ea_ppath=''
        if [ -n "$4" ]; then
            __ea_ptype=$(sed -n 's/^pool@type=//p' "$4")
            __ea_ppath=$(sed -n 's/^pool\/target\/path=//p' "$4")
        fi
    else
        ea__virt_pool_target "$1" "$2" || return 1
    fi
    case $__ea_ptype in
        dir | fs | netfs) [ -n "$__ea_ppath" ] && [ -d "$__ea_ppath" ] && return 0 ;;
    esac
    ea_changed
    ea_is_check && return 0
    # shellcheck disable=SC2086 # the mode option is one word or none
    ea__lv_run "$1" "building $2" pool-build $3 "$2"
}

ea__virt_pool_start() {
    # $1 uri, $2 name: start an inactive pool; a directory pool whose directory is missing
    # is built first (pool-start --build), so define + state: active is enough
    [ "$(ea__lv_get active)" = 1 ] && return 0
    ea_changed
    ea_is_check && return 0
    __ea_build=
    ea__virt_pool_target "$1" "$2" || return 1
    case $__ea_ptype in
        dir | fs | netfs) [ -d "$__ea_ppath" ] || __ea_build=--build ;;
    esac
    # shellcheck disable=SC2086 # --build or nothing
    ea__lv_run "$1" "starting $2" pool-start $__ea_build "$2"
}

ea__virt_pool_delete() {
    # $1 uri, $2 name: stop the pool, then delete its storage; a dir pool whose directory
    # is gone already is unchanged
    [ "$(ea__lv_get exists)" = 1 ] || return 0
    ea__lv_set_active pool "$1" "$2" 0 || return 1
    ea__virt_pool_target "$1" "$2" || return 1
    case $__ea_ptype in
        dir | fs | netfs) [ -e "$__ea_ppath" ] || return 0 ;;
    esac
    ea_changed
    ea_is_check && return 0
    ea__lv_run "$1" "deleting the storage of $2" pool-delete "$2"
}

ea__virt_pool_info() {
    # $1 uri: one tab-separated row per pool: name autostart persistent state type path uuid
    # size_total size_used size_available volume_count
    ea__lv_names "$1" pool-list --all || return 1
    __ea_names=$(ea_tmp names) || return 1
    __ea_rows=$(ea_tmp rows) || return 1
    __ea_vols=$(ea_tmp vols) || return 1
    cat "$(ea__lv_get out)" >"$__ea_names"
    while IFS= read -r __ea_n; do
        ea__lv_state pool "$1" "$__ea_n" || return 1
        __ea_a=no __ea_p=no __ea_s=$(ea__lv_get status) __ea_nv=0
        [ "$(ea__lv_get auto)" = 1 ] && __ea_a=yes
        ea__lv_run "$1" "reading $__ea_n" pool-info "$__ea_n" || return 1
        grep -q '^Persistent: *yes' "$(ea__lv_get out)" && __ea_p=yes
        if [ "$__ea_s" = active ]; then
            ea__lv_run "$1" "listing the volumes of $__ea_n" vol-list "$__ea_n" || return 1
            __ea_nv=$(sed '/^ *$/d' "$(ea__lv_get out)" | wc -l)
        fi
        ea__lv_run "$1" "reading $__ea_n" pool-dumpxml "$__ea_n" || return 1
        awk -v n="$__ea_n" -v a="$__ea_a" -v p="$__ea_p" -v s="$__ea_s" -v nv="$__ea_nv" '
            function val(l) { sub(/^[^>]*>/, "", l); sub(/<.*/, "", l); return l }
            NR == 1 { t = $0; sub(/.*type=./, "", t); sub(/[^a-z0-9_].*/, "", t) }
            /<uuid>/ { u = val($0) } /<capacity/ { c = val($0) } /<allocation/ { al = val($0) }
            /<available/ { av = val($0) } /<target>/ { tg = 1 }
            tg && /<path>/ && path == "" { path = val($0) }
            END { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", n, a, p, s, t, path, u, c, al, av, nv }' \
            "$(ea__lv_get out)" >>"$__ea_rows"
    done <"$__ea_names"
    ea_field_file pools "$__ea_rows"
}

ea_virt_pool() {
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
    __ea_mode=${11}
    ea__lv_init "$__ea_uri" || return 1
    case $__ea_cmd in
        list_pools)
            ea__lv_list pool "$__ea_uri" "$__ea_state" list_pools
            return
            ;;
        info)
            ea__virt_pool_info "$__ea_uri"
            return
            ;;
    esac
    case $__ea_cmd:$__ea_state in
        # removing it: any XML given is not defined first
        undefine:* | *:absent | *:undefined | delete:* | *:deleted) __ea_xml='' ;;
    esac
    ea__lv_load pool "$__ea_uri" "$__ea_name" "$__ea_xml" "$__ea_leaves" "$__ea_hash" \
        "$__ea_key" "$__ea_flags" || return 1
    case $__ea_cmd:$__ea_state in
        undefine:* | *:absent | *:undefined)
            case $__ea_state in
                absent | undefined) ea__lv_set_active pool "$__ea_uri" "$__ea_name" 0 || return 1 ;;
            esac
            ea__lv_undefine pool "$__ea_uri" "$__ea_name" "$__ea_key"
            return
            ;;
        delete:* | *:deleted)
            ea__virt_pool_delete "$__ea_uri" "$__ea_name"
            return
            ;;
    esac
    [ "$__ea_cmd" = define ] && [ -z "$__ea_auto" ] && return 0
    case $__ea_cmd:$__ea_state in
        # nothing to stop: a missing one is as inactive as it gets
        stop:* | destroy:* | *:inactive) [ "$(ea__lv_get exists)" = 1 ] || return 0 ;;
    esac
    ea__lv_missing "storage pool" "$__ea_name" || return 1
    case $__ea_cmd in
        status)
            ea_field status "$(ea__lv_get status)"
            return 0
            ;;
        get_xml)
            ea__lv_run "$__ea_uri" "reading the XML of $__ea_name" pool-dumpxml "$__ea_name" || return 1
            ea_field_file get_xml "$(ea__lv_get out)"
            return 0
            ;;
        refresh)
            ea_is_check && return 0
            ea__lv_run "$__ea_uri" "refreshing $__ea_name" pool-refresh "$__ea_name"
            return
            ;;
        build)
            ea__virt_pool_build "$__ea_uri" "$__ea_name" "$__ea_mode" "$__ea_leaves"
            return
            ;;
        create | start) __ea_state=active ;;
        stop | destroy) __ea_state=inactive ;;
    esac
    case $__ea_state in
        active) ea__virt_pool_start "$__ea_uri" "$__ea_name" || return 1 ;;
        inactive) ea__lv_set_active pool "$__ea_uri" "$__ea_name" 0 || return 1 ;;
    esac
    if [ -n "$__ea_auto" ]; then
        ea__lv_autostart pool "$__ea_uri" "$__ea_name" "$__ea_auto" || return 1
    fi
    return 0
}
