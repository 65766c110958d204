# apt_repository: one-line apt sources in sources.list / sources.list.d/*.list, as
# ansible.builtin.apt_repository: lines are compared in their normal form (type, options,
# uri, suite, components separated by single spaces); a disabled copy of the line is enabled
# again rather than duplicated; removal drops every enabled copy and deletes a file left empty.
#
# ea_apt_repository STATE SOURCE TARGET MODE UPDATE RETRIES MAXDELAY
#   SOURCE  the normalised source line (the controller validated it)
#   TARGET  the file a new line goes to (Ansible's derived name or `filename`)
#   MODE    mode for the file a line was added to ("" = 0644 on creation, as Ansible)
#   UPDATE  1 = apt-get update after a change (undone if the update fails)
# Fields: added, removed (files, one a line), diff_add (new file's content), diff_rm_N.

# shellcheck disable=SC2016 # awk program
ea__aptrepo_awk='
function trim(s) { sub(/^[ \t\r\n]+/, "", s); sub(/[ \t\r\n]+$/, "", s); return s }
{
    l = trim($0); E = 1; C = ""; V = 0
    if (substr(l, 1, 1) == "#") { E = 0; l = substr(l, 2) }
    i = index(l, "#")
    if (i > 1) { C = trim(substr(l, i + 1)); l = substr(l, 1, i - 1) }
    S = trim(l)
    if (S != "") {
        n = split(S, ch, " ")
        if (ch[1] == "deb" || ch[1] == "deb-src") { V = 1; S = ch[1]; for (k = 2; k <= n; k++) S = S " " ch[k] }
    }
    if (V && S == want) {
        found++
        if (op == "absent" && E) { changed++; next }
        if (op == "present" && !E) { print S (C != "" ? " # " C : ""); changed++; lines++; next }
    }
    print; lines++
}
END { printf "%d %d %d\n", found, changed, lines > report }'

ea__aptrepo_files() {
    # $1 the target file: scanned too when it exists outside sources.list.d/*.list
    [ -f /etc/apt/sources.list ] && echo /etc/apt/sources.list
    for __ea_f in /etc/apt/sources.list.d/*.list; do
        [ -f "$__ea_f" ] && echo "$__ea_f"
    done
    case $1 in
        /etc/apt/sources.list | /etc/apt/sources.list.d/*.list) ;;
        *) [ -f "$1" ] && echo "$1" ;;
    esac
    return 0
}

ea__aptrepo_update() {
    __ea_try=0
    __ea_delay=1
    until LC_ALL=C apt-get update -q >"$__ea_upd" 2>&1; do
        __ea_try=$((__ea_try + 1))
        [ "$__ea_try" -ge "$__ea_retries" ] && return 1
        sleep "$__ea_delay"
        __ea_delay=$((__ea_delay * 2))
        [ "$__ea_delay" -gt "$__ea_maxdelay" ] && __ea_delay=$__ea_maxdelay
    done
    return 0
}

ea_apt_repository() {
    __ea_state=$1
    __ea_src=$2
    __ea_target=$3
    __ea_mode=$4
    __ea_update=$5
    __ea_retries=$6
    __ea_maxdelay=$7
    [ -n "$__ea_retries" ] || __ea_retries=5
    [ -n "$__ea_maxdelay" ] || __ea_maxdelay=12
    __ea_rep=$(ea_tmp repo.report)
    __ea_plan=$(ea_tmp repo.plan)
    __ea_upd=$(ea_tmp repo.update)
    : >"$__ea_plan"
    __ea_found=0
    __ea_n=0
    for __ea_f in $(ea__aptrepo_files "$__ea_target"); do
        __ea_n=$((__ea_n + 1))
        __ea_new=$(ea_tmp "repo.$__ea_n")
        awk -v want="$__ea_src" -v op="$__ea_state" -v report="$__ea_rep" "$ea__aptrepo_awk" "$__ea_f" >"$__ea_new"
        read -r __ea_fd __ea_ch __ea_ln <"$__ea_rep"
        __ea_found=$((__ea_found + __ea_fd))
        if [ "$__ea_f" = "$__ea_target" ] && [ "$__ea_state" = present ]; then
            __ea_tnew=$__ea_new
            __ea_tch=$__ea_ch
            continue
        fi
        [ "$__ea_ch" -gt 0 ] && printf '%s %s %s\n' "$__ea_ln" "$__ea_new" "$__ea_f" >>"$__ea_plan"
    done
    __ea_added=
    if [ "$__ea_state" = present ]; then
        if [ -z "${__ea_tnew:-}" ]; then
            __ea_tnew=$(ea_tmp repo.target)
            __ea_tch=0
        fi
        if [ "$__ea_found" = 0 ]; then
            printf '%s\n' "$__ea_src" >>"$__ea_tnew"
            __ea_tch=1
            [ -e "$__ea_target" ] || __ea_added=$__ea_target
        fi
        [ "$__ea_tch" -gt 0 ] && printf '1 %s %s\n' "$__ea_tnew" "$__ea_target" >>"$__ea_plan"
    fi
    [ -s "$__ea_plan" ] || return 0
    ea_changed
    __ea_removed=
    __ea_i=0
    while read -r __ea_ln __ea_new __ea_f; do
        if [ "$__ea_ln" = 0 ]; then
            __ea_removed="$__ea_removed$__ea_f
"
            if ea_want_diff; then
                ea_field_file "diff_rm_$__ea_i" "$__ea_f"
                ea_field "diff_rm_${__ea_i}_file" "$__ea_f"
                __ea_i=$((__ea_i + 1))
            fi
        fi
    done <"$__ea_plan"
    ea_field added "$__ea_added"
    ea_field removed "$__ea_removed"
    [ -n "$__ea_added" ] && ea_want_diff && ea_field_file diff_add "$__ea_tnew"
    ea_is_check && return 0
    # keep the old files: a failed cache update puts them back
    __ea_bk=$(ea_tmp repo.backups)
    __ea_k=0
    while read -r __ea_ln __ea_new __ea_f; do
        __ea_k=$((__ea_k + 1))
        __ea_dest=$__ea_f
        [ -L "$__ea_f" ] && __ea_dest=$(readlink -f "$__ea_f")
        if [ -e "$__ea_dest" ]; then
            __ea_old=$(ea_tmp "old.$__ea_k")
            cp -p "$__ea_dest" "$__ea_old"
            printf '%s %s\n' "$__ea_old" "$__ea_dest" >>"$__ea_bk"
        else
            printf '%s %s\n' - "$__ea_dest" >>"$__ea_bk"
        fi
        if [ "$__ea_ln" = 0 ]; then
            rm -f "$__ea_f" || {
                ea_fail "cannot remove $__ea_f"
                return 1
            }
            continue
        fi
        mkdir -p "$(dirname "$__ea_dest")"
        ea_atomic_install "$__ea_new" "$__ea_dest" || return 1
        if [ "$__ea_f" = "$__ea_target" ] && [ -n "$__ea_mode" ]; then
            chmod "$__ea_mode" "$__ea_dest" || {
                ea_fail "chmod $__ea_mode $__ea_dest failed"
                return 1
            }
        elif [ "$__ea_f" = "$__ea_added" ]; then
            chmod 0644 "$__ea_dest"
        fi
    done <"$__ea_plan"
    [ "$__ea_update" = 1 ] || return 0
    ea__aptrepo_update && return 0
    while read -r __ea_old __ea_dest; do
        if [ "$__ea_old" = - ]; then rm -f "$__ea_dest"; else cp -p "$__ea_old" "$__ea_dest"; fi
    done <"$__ea_bk"
    ea_fail "Failed to update apt cache after $__ea_retries retries: $(tail -n 3 "$__ea_upd")"
}
