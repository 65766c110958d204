# alternatives: one alternative of an update-alternatives group (Debian's dpkg tool, read
# through its machine-readable --query): installed with its priority and subcommands
# (slaves), selected, the group set back to auto, or removed — community.general's decisions.
#
# ea_alternatives NAME PATH LINK PRIORITY STATE SUBGIVEN SUBS...
#   PRIORITY  '' = keep the current one (50 for a new alternative)
#   STATE     present|selected|auto|absent
#   SUBGIVEN  1 when subcommands were given (then SUBS is the wanted set, maybe empty)
#   SUBS      triples: subcommand name, link, path

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__alt_awk='
# --query output: a header block (Name, Link, Slaves, Status, Value), then one block per
# alternative (Alternative, Priority, Slaves). Prints: mode, value, link, then for `want`:
# found, priority, and its subcommands as "name path link" lines.
/^Link: / && !inalt { link = substr($0, 7) }
/^Status: / { mode = substr($0, 9) }
/^Value: / { value = substr($0, 8) }
/^Alternative: / { inalt = 1; cur = substr($0, 14); slaves = 0; if (cur == want) found = 1 }
/^Priority: / && inalt && cur == want { prio = substr($0, 11) }
/^Slaves:/ { slaves = 1; next }
/^ / && slaves {
    line = substr($0, 2); sp = index(line, " ")
    n = substr(line, 1, sp - 1); p = substr(line, sp + 1)
    if (!inalt) SL[n] = p
    else if (cur == want) { S[++ns] = n; SP[ns] = p }
    next
}
/^[^ ]/ { slaves = 0 }
END {
    printf "%s\n%s\n%s\n%d\n%s\n", mode, value, link, found, prio
    for (i = 1; i <= ns; i++) if (SP[i] != "(null)") printf "%s %s %s\n", S[i], SP[i], SL[S[i]]
}'

ea__alt_run() {
    # the update-alternatives command "$@" in the C locale; fail with its output
    __ea_o=$(LC_ALL=C update-alternatives "$@" 2>&1) || {
        ea_fail "update-alternatives $*: $__ea_o"
        return 1
    }
}

ea_alternatives() {
    __ea_name=$1
    __ea_path=$2
    __ea_link=$3
    __ea_prio=$4
    __ea_state=$5
    __ea_subgiven=$6
    shift 6
    command -v update-alternatives >/dev/null 2>&1 || {
        ea_fail "Failed to find required executable \"update-alternatives\" in paths: $PATH"
        return 1
    }
    __ea_q=$(ea_tmp query) || return 1
    __ea_info=$(ea_tmp info) || return 1
    LC_ALL=C update-alternatives --query "$__ea_name" >"$__ea_q" 2>/dev/null || : >"$__ea_q"
    awk -v want="$__ea_path" "$ea__alt_awk" "$__ea_q" >"$__ea_info"
    {
        IFS= read -r __ea_mode
        IFS= read -r __ea_value
        IFS= read -r __ea_curlink
        read -r __ea_found
        IFS= read -r __ea_curprio
    } <"$__ea_info"
    __ea_cursubs=$(sed 1,5d "$__ea_info" | sort)
    ea_field cur_mode "$__ea_mode"
    ea_field cur_value "$__ea_value"
    ea_field cur_link "$__ea_curlink"
    ea_field found "$__ea_found"
    ea_field cur_priority "$__ea_curprio"
    ea_field cur_subs "$__ea_cursubs"
    __ea_actions=
    if [ "$__ea_state" = absent ]; then
        if [ "$__ea_found" = 1 ]; then
            __ea_actions=remove
            ea_changed
            ea_is_check || ea__alt_run --remove "$__ea_name" "$__ea_path" || return 1
        fi
        ea_field actions "$__ea_actions"
        return 0
    fi
    # the wanted subcommands as sorted "name path link" lines
    __ea_want=$(ea_tmp want) || return 1
    __ea_args=$(ea_tmp args) || return 1
    while [ "$#" -ge 3 ]; do
        printf '%s %s %s\n' "$1" "$3" "$2" >>"$__ea_want"
        shift 3
    done
    __ea_wantsubs=$(sort "$__ea_want")
    __ea_install=0
    if [ "$__ea_found" = 0 ]; then
        __ea_install=1
    elif [ -n "$__ea_prio" ] && [ "$__ea_prio" != "$__ea_curprio" ]; then
        __ea_install=1
    elif [ "$__ea_subgiven" = 1 ] && [ "$__ea_wantsubs" != "$__ea_cursubs" ]; then
        __ea_install=1
    fi
    __ea_uselink=${__ea_link:-$__ea_curlink}
    __ea_useprio=${__ea_prio:-${__ea_curprio:-50}}
    if [ "$__ea_subgiven" = 1 ]; then
        __ea_usesubs=$__ea_wantsubs
    else
        __ea_usesubs=$__ea_cursubs
    fi
    ea_field link "$__ea_uselink"
    ea_field priority "$__ea_useprio"
    ea_field subs "$__ea_usesubs"
    if [ "$__ea_install" = 1 ]; then
        [ -e "$__ea_path" ] || {
            ea_fail "Specified path $__ea_path does not exist"
            return 1
        }
        [ -n "$__ea_uselink" ] || {
            ea_fail "Needed to install the alternative, but unable to do so as we are missing the link"
            return 1
        }
        __ea_actions=install
        ea_changed
        if ! ea_is_check; then
            set -- --install "$__ea_uselink" "$__ea_name" "$__ea_path" "$__ea_useprio"
            if [ -n "$__ea_usesubs" ]; then
                printf '%s\n' "$__ea_usesubs" >"$__ea_args"
                while read -r __ea_sn __ea_sp __ea_sl; do
                    set -- "$@" --slave "$__ea_sl" "$__ea_sn" "$__ea_sp"
                done <"$__ea_args"
            fi
            ea__alt_run "$@" || return 1
        fi
    fi
    if [ "$__ea_state" = selected ] && [ "$__ea_value" != "$__ea_path" ]; then
        __ea_actions="$__ea_actions set"
        ea_changed
        ea_is_check || ea__alt_run --set "$__ea_name" "$__ea_path" || return 1
    fi
    if [ "$__ea_state" = auto ] && [ "$__ea_mode" = manual ]; then
        __ea_actions="$__ea_actions auto"
        ea_changed
        ea_is_check || ea__alt_run --auto "$__ea_name" || return 1
    fi
    ea_field actions "$__ea_actions"
}
