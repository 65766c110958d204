# ovs.sh: helpers shared by the Open vSwitch modules (openvswitch_bridge, openvswitch_port,
# openvswitch_db). They drive `ovs-vsctl` only: no Python, no ovsdb client library.
#
# Why the shapes below: the controller decides *what* must hold and sends it as data; the
# target only asks OVSDB whether it already holds and collects the commands that are missing,
# which then run as ONE ovs-vsctl transaction (commands joined by `--`), so a bridge and its
# netdev datapath, or a port and its interface options, appear together or not at all.
#
# A "command line" is one ovs-vsctl argv written as words separated by TAB characters (the
# controller refuses values holding a TAB or a newline, so no quoting is needed). A "plan" is
# lines of TAB-separated words, each a wish and the command that grants it:
#   has  TABLE RECORD COND...     the record satisfies every COL[:KEY]=VALUE condition,
#                                 else: set TABLE RECORD COND...
#   drop TABLE RECORD COL KEY     the map column has no KEY, else: remove TABLE RECORD COL KEY
#   brid BRIDGE KEY [VALUE]       the bridge's external id KEY is VALUE (no VALUE: unset), else:
#                                 br-set-external-id BRIDGE KEY [VALUE] (works on fake bridges)
# Conditions are checked with `ovs-vsctl find`, which parses the wanted value with the
# column's own type: "trunks=20,10" holds for [10, 20], "options:remote_ip=10.0.0.2" for the
# quoted string, so no OVSDB value syntax is re-implemented here.

ea__ovs() {
    # $1 timeout (seconds), $2 database socket ('' = ovs-vsctl's default), then ovs-vsctl's
    # arguments: run it with its stdout on ours; on failure ea_fail naming the command and
    # ovs-vsctl's own error
    __ea_vto=$1
    __ea_vdb=$2
    shift 2
    __ea_verr=$(ea_tmp ovs.err) || return 1
    if ovs-vsctl -t "$__ea_vto" ${__ea_vdb:+"--db=$__ea_vdb"} "$@" 2>"$__ea_verr"; then
        return 0
    fi
    ea_fail "ovs-vsctl $* failed: $(cat "$__ea_verr")"
}

ea__ovs_ready() {
    # $1 timeout, $2 socket: ovs-vsctl exists and ovsdb-server answers (fails saying which not)
    command -v ovs-vsctl >/dev/null 2>&1 || {
        ea_fail "Failed to find required executable \"ovs-vsctl\" in paths: $PATH (install openvswitch-switch)"
        return 1
    }
    ea__ovs "$1" "$2" show >/dev/null
}

ea__ovs_holds() {
    # $1 timeout, $2 socket, $3 table, $4 record, then COL[:KEY]=VALUE conditions. Returns 0
    # when the record satisfies all of them, 1 when not, 2 after ea_fail (no such record…)
    __ea_hto=$1
    __ea_hdb=$2
    __ea_htab=$3
    __ea_hrec=$4
    shift 4
    __ea_huuid=$(ea__ovs "$__ea_hto" "$__ea_hdb" get "$__ea_htab" "$__ea_hrec" _uuid) || return 2
    __ea_hfound=$(ea__ovs "$__ea_hto" "$__ea_hdb" --bare --columns=_uuid find "$__ea_htab" "$@") ||
        return 2
    case "
$__ea_hfound
" in
        *"
$__ea_huuid
"*) return 0 ;;
    esac
    return 1
}

ea__ovs_wish() {
    # $1 timeout, $2 socket, then one plan line's words: print the command line that grants
    # the wish when it does not hold yet (nothing when it holds); 1 after ea_fail
    __ea_wto=$1
    __ea_wdb=$2
    __ea_wkind=$3
    shift 3
    __ea_wtab=$(printf '\t')
    case $__ea_wkind in
        has)
            ea__ovs_holds "$__ea_wto" "$__ea_wdb" "$@"
            case $? in
                0) return 0 ;;
                1) ;;
                *) return 1 ;;
            esac
            __ea_wline="set"
            ;;
        drop)
            __ea_wval=$(ea__ovs "$__ea_wto" "$__ea_wdb" --if-exists get "$1" "$2" "$3:$4") || return 1
            [ -n "$__ea_wval" ] || return 0
            __ea_wline=remove
            ;;
        brid)
            __ea_wval=$(ea__ovs "$__ea_wto" "$__ea_wdb" br-get-external-id "$1" "$2") || return 1
            [ "$__ea_wval" = "${3-}" ] && return 0
            __ea_wline=br-set-external-id
            ;;
        *)
            ea_fail "internal error: unknown OVS plan step '$__ea_wkind'"
            return 1
            ;;
    esac
    for __ea_w in "$@"; do
        __ea_wline="$__ea_wline$__ea_wtab$__ea_w"
    done
    printf '%s\n' "$__ea_wline"
}

ea__ovs_missing() {
    # $1 timeout, $2 socket, $3 plan (newline-separated lines), $4 output file: append the
    # command lines of the wishes that do not hold; 1 after ea_fail
    __ea_mto=$1
    __ea_mdb=$2
    __ea_mplan=$(ea_tmp ovs.plan) || return 1
    printf '%s\n' "$3" >"$__ea_mplan"
    __ea_mout=$4
    __ea_mtab=$(printf '\t')
    while IFS= read -r __ea_mline; do
        [ -n "$__ea_mline" ] || continue
        __ea_moifs=$IFS
        IFS=$__ea_mtab
        set -f
        # shellcheck disable=SC2086 # splitting the line into its TAB-separated words
        set -- $__ea_mline
        IFS=$__ea_moifs
        set +f
        ea__ovs_wish "$__ea_mto" "$__ea_mdb" "$@" >>"$__ea_mout" || return 1
    done <"$__ea_mplan"
    return 0
}

ea__ovs_run() {
    # $1 timeout, $2 socket, $3 file of command lines: run them as one ovs-vsctl transaction
    # (commands joined by --); an empty file runs nothing
    __ea_rto=$1
    __ea_rdb=$2
    __ea_rfile=$3
    [ -s "$__ea_rfile" ] || return 0
    __ea_rtab=$(printf '\t')
    set --
    while IFS= read -r __ea_rline; do
        [ -n "$__ea_rline" ] || continue
        [ "$#" -gt 0 ] && set -- "$@" --
        __ea_roifs=$IFS
        IFS=$__ea_rtab
        set -f
        # shellcheck disable=SC2086 # splitting the line into its TAB-separated words
        set -- "$@" $__ea_rline
        IFS=$__ea_roifs
        set +f
    done <"$__ea_rfile"
    ea__ovs "$__ea_rto" "$__ea_rdb" "$@" >/dev/null
}

ea__ovs_converge() {
    # $1 timeout, $2 socket, $3 file of command lines still missing: report them as
    # `commands`, mark the task changed and (not in check mode) run them in one transaction
    [ -s "$3" ] || return 0
    ea_field_file commands "$3"
    ea_changed
    ea_is_check && return 0
    ea__ovs_run "$1" "$2" "$3"
}

ea__ovs_kernel_datapath() {
    # true when the kernel has the openvswitch datapath module loaded (or built in with a
    # /sys/module entry); without it only the userspace `netdev` datapath works
    [ -d /sys/module/openvswitch ] && return 0
    [ -r /proc/modules ] && grep -q '^openvswitch ' /proc/modules 2>/dev/null
}
