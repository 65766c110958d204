# openvswitch_db: one column (or one key of a map column) of one OVSDB record set, removed or
# read — openvswitch.openvswitch.openvswitch_db's job, driven through ovs-vsctl.
#
# ea_openvswitch_db TIMEOUT SOCKET STATE TABLE RECORD COL KEY VALUE
#   TIMEOUT   ovs-vsctl -t seconds; SOCKET the database socket ('' = default)
#   STATE     present (COL[:KEY] = VALUE), absent (KEY removed, or with VALUE only when it
#             has that value; without KEY the column is cleared), read (reported as `value`)
#   KEY       the key of a map column ('' = the whole column)

ea_openvswitch_db() {
    __ea_to=$1
    __ea_db=$2
    __ea_state=$3
    __ea_tbl=$4
    __ea_rec=$5
    __ea_col=$6
    __ea_key=$7
    __ea_val=$8
    ea__ovs_ready "$__ea_to" "$__ea_db" || return 1
    __ea_todo=$(ea_tmp ovs.todo) || return 1
    __ea_ref=$__ea_col
    [ -n "$__ea_key" ] && __ea_ref="$__ea_col:$__ea_key"
    __ea_uuid=$(ea__ovs "$__ea_to" "$__ea_db" --if-exists get "$__ea_tbl" "$__ea_rec" _uuid) || return 1
    if [ -z "$__ea_uuid" ] && ea_is_check; then
        # an earlier task of this check run would have created it: predict the set
        if [ "$__ea_state" = read ]; then
            ea_field msg "check mode: no record $__ea_rec in table $__ea_tbl yet; nothing to read"
        elif [ "$__ea_state" = present ]; then
            printf 'set\t%s\t%s\t%s=%s\n' "$__ea_tbl" "$__ea_rec" "$__ea_ref" "$__ea_val" >"$__ea_todo"
            ea_field msg "check mode: no record $__ea_rec in table $__ea_tbl yet; it would be set when it exists"
        fi
        ea__ovs_converge "$__ea_to" "$__ea_db" "$__ea_todo"
        return
    fi
    __ea_whole=$(ea__ovs "$__ea_to" "$__ea_db" get "$__ea_tbl" "$__ea_rec" "$__ea_col") || return 1
    if [ "$__ea_state" = read ]; then
        printf 'get\t%s\t%s\t%s\n' "$__ea_tbl" "$__ea_rec" "$__ea_ref" >"$__ea_todo"
        ea_field_file commands "$__ea_todo"
        if [ -n "$__ea_key" ]; then
            __ea_whole=$(ea__ovs "$__ea_to" "$__ea_db" get "$__ea_tbl" "$__ea_rec" "$__ea_ref") || return 1
        fi
        ea_field value "$__ea_whole"
        return 0
    fi
    case $__ea_whole in
        "{"*)
            if [ -z "$__ea_key" ] && [ "$__ea_state" = present ]; then
                ea_fail "missing required arguments: key for map type of column ($__ea_tbl $__ea_rec $__ea_col is a map: $__ea_whole)"
                return 1
            fi
            ;;
    esac
    if [ -n "$__ea_key" ]; then
        __ea_old=$(ea__ovs "$__ea_to" "$__ea_db" --if-exists get "$__ea_tbl" "$__ea_rec" "$__ea_ref") || return 1
    else
        __ea_old=$__ea_whole
    fi
    __ea_new=$__ea_old
    if [ "$__ea_state" = present ]; then
        ea__ovs_holds "$__ea_to" "$__ea_db" "$__ea_tbl" "$__ea_rec" "$__ea_ref=$__ea_val"
        case $? in
            0) ;;
            1)
                printf 'set\t%s\t%s\t%s=%s\n' "$__ea_tbl" "$__ea_rec" "$__ea_ref" "$__ea_val" >"$__ea_todo"
                __ea_new=$__ea_val
                ;;
            *) return 1 ;;
        esac
    elif [ -n "$__ea_key" ]; then
        __ea_drop=0
        if [ -n "$__ea_old" ]; then
            __ea_drop=1
            if [ -n "$__ea_val" ]; then
                ea__ovs_holds "$__ea_to" "$__ea_db" "$__ea_tbl" "$__ea_rec" "$__ea_ref=$__ea_val"
                case $? in
                    0) ;;
                    1) __ea_drop=0 ;;
                    *) return 1 ;;
                esac
            fi
        fi
        if [ "$__ea_drop" = 1 ]; then
            printf 'remove\t%s\t%s\t%s\t%s\n' "$__ea_tbl" "$__ea_rec" "$__ea_col" "$__ea_key" >"$__ea_todo"
            __ea_new=
        fi
    else
        case $__ea_whole in
            "[]" | "{}" | '""') ;;
            *)
                printf 'clear\t%s\t%s\t%s\n' "$__ea_tbl" "$__ea_rec" "$__ea_col" >"$__ea_todo"
                __ea_new="(cleared)"
                ;;
        esac
    fi
    ea__ovs_converge "$__ea_to" "$__ea_db" "$__ea_todo" || return 1
    if ! ea_is_check && [ -s "$__ea_todo" ]; then
        __ea_new=$(ea__ovs "$__ea_to" "$__ea_db" --if-exists get "$__ea_tbl" "$__ea_rec" "$__ea_ref") || return 1
    fi
    ea_field value "$__ea_new"
    if [ -s "$__ea_todo" ] && ea_want_diff; then
        ea_field diff_before "$__ea_tbl $__ea_rec $__ea_ref: $__ea_old
"
        ea_field diff_after "$__ea_tbl $__ea_rec $__ea_ref: $__ea_new
"
        ea_field diff_before_header "$__ea_tbl $__ea_rec"
        ea_field diff_after_header "$__ea_tbl $__ea_rec"
    fi
    return 0
}
