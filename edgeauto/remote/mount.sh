# mount: an fstab entry (converged atomically, ansible.posix's line rules) and the live mount
# state (mounted / unmounted / remounted / ephemeral) of one mount point, Linux and BusyBox.
#
# ea_mount PATH SRC FSTYPE OPTS DUMP PASSNO STATE FSTAB FLAGS EPATH ESRC EFSTYPE EOPTS
#   STATE     mounted|unmounted|present|absent|absent_mount|absent_from_fstab|remounted|ephemeral
#   FLAGS     letters: b=backup the fstab, o=opts given (remount with them)
#   EPATH ESRC EFSTYPE EOPTS  the same fields escaped for fstab (\040 space, \046 &, \134 \)

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__mnt_awk='
# mode "set": replace or append the entry; mode "unset": drop it. Lines keep their bytes
# unless rewritten; a missing final newline is added (as ansible.posix reads them).
BEGIN {
    split("src name fstype opts dump passno", LBL, " ")
    name = ENVIRON["EA_M_NAME"]; src = ENVIRON["EA_M_SRC"]; fstype = ENVIRON["EA_M_FSTYPE"]
    opts = ENVIRON["EA_M_OPTS"]; dump = ENVIRON["EA_M_DUMP"]; passno = ENVIRON["EA_M_PASSNO"]
}
{
    line = $0
    t = line; gsub(/^[ \t\r\n\f\v]+/, "", t)
    if (t == "" || substr(t, 1, 1) == "#") { print line > out; next }
    if (mode == "unset") {
        n = split(line, f, /[ \t\r\n\f\v]+/); if (f[1] == "") { for (i = 1; i < n; i++) f[i] = f[i+1]; n-- }
        if (n > 0 && f[n] == "") n--
        if (n != 6) { print line > out; next }
        if (f[2] != name || (hassrc && f[2] == "none" && f[3] == "swap" && f[1] != src)) { print line > out; next }
        changed = 1; next
    }
    body = line; h = index(body, "#"); if (h) body = substr(body, 1, h - 1)
    n = split(body, f, /[ \t\r\n\f\v]+/); if (f[1] == "") { for (i = 1; i < n; i++) f[i] = f[i+1]; n-- }
    if (n > 0 && f[n] == "") n--
    if (n < 4 || n > 6) { print line > out; next }
    d["dump"] = "\001"; d["passno"] = "\001"   # absent fields never equal the wanted ones
    for (i = 1; i <= n; i++) d[LBL[i]] = f[i]
    if (d["name"] != name || (hassrc && d["name"] == "none" && d["fstype"] == "swap" && d["src"] != src)) { print line > out; next }
    exists = 1
    if (d["src"] != src || d["fstype"] != fstype || d["opts"] != opts || d["dump"] != dump || d["passno"] != passno) {
        changed = 1
        print src " " name " " fstype " " opts " " dump " " passno > out
    } else print line > out
}
END {
    if (mode == "set" && !exists) { print src " " name " " fstype " " opts " " dump " " passno > out; changed = 1 }
    print changed + 0 > report
}'

ea__mnt_fstab() {
    # $1 set|unset: edit the fstab into $__ea_newtab; sets __ea_tabchg (1 = it differs)
    # values travel in the environment: awk -v would expand the \040 escapes
    EA_M_NAME=$__ea_epath EA_M_SRC=$__ea_esrc EA_M_FSTYPE=$__ea_efstype EA_M_OPTS=$__ea_eopts \
        EA_M_DUMP=$__ea_dump EA_M_PASSNO=$__ea_passno \
        awk -v mode="$1" -v hassrc="$__ea_hassrc" -v out="$__ea_newtab" -v report="$__ea_rep" \
        "$ea__mnt_awk" "$__ea_oldtab" || {
        ea_fail "awk failed while reading $__ea_fstab"
        return 1
    }
    : >>"$__ea_newtab"
    read -r __ea_tabchg <"$__ea_rep"
}

ea__mnt_write() {
    # install $__ea_newtab as the fstab (backup first when asked)
    ea_is_check && return 0
    if [ "$__ea_backup" = 1 ] && [ -f "$__ea_fstab" ]; then
        ea_backup "$__ea_fstab" || return 1
    fi
    ea_atomic_install "$__ea_newtab" "$__ea_fstab"
}

ea__mnt_mounted() {
    # is something mounted on PATH? (/proc/self/mountinfo escapes like fstab: \040 ...)
    EA_M_P=$__ea_mpath awk 'BEGIN { p = ENVIRON["EA_M_P"] } $5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo 2>/dev/null
}

ea__mnt_src() {
    # the source of the mount on PATH (the field after the fstype; the root for binds)
    EA_M_P=$__ea_mpath awk 'BEGIN { p = ENVIRON["EA_M_P"] } $5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { s = $(i + 2); r = $4 } } END { print s; print r }' /proc/self/mountinfo
}

ea__mnt_why() {
    # $1 mount's output: add why the kernel refused, when that is the reason
    case $1 in
        *"ermission denied"* | *"not permitted"* | *"must be superuser"* | *"only root"*)
            if [ "$(id -u)" = 0 ]; then
                printf '%s (mount(2) refused for root: this host may be a container without the right to mount)' "$1"
            else
                printf '%s (mounting needs root: use become)' "$1"
            fi
            ;;
        *) printf '%s' "$1" ;;
    esac
}

ea__mnt_do() {
    # mount SRC on PATH with FSTYPE/OPTS (explicit arguments: no -T, works with BusyBox)
    if [ "$__ea_opts" = defaults ]; then
        __ea_o=$(mount -t "$__ea_fstype" "$__ea_src" "$__ea_path" 2>&1)
    else
        __ea_o=$(mount -t "$__ea_fstype" -o "$__ea_opts" "$__ea_src" "$__ea_path" 2>&1)
    fi
}

ea__mnt_remount() {
    # remount PATH (with OPTS when given); if that fails: umount, then mount again
    __ea_ro=remount
    [ "$__ea_opts" != defaults ] && __ea_ro="remount,$__ea_opts"
    __ea_o=$(mount -o "$__ea_ro" "$__ea_path" 2>&1) && return 0
    if [ "$__ea_state" = remounted ] && [ "$__ea_optsgiven" = 1 ]; then
        ea_fail 'Options were specified with remounted, but the remount command failed. Failing in order to prevent an unexpected mount result. Try replacing this command with a "state: unmounted" followed by a "state: mounted" using the full desired mount options instead.'
        return 1
    fi
    __ea_o=$(umount "$__ea_path" 2>&1) || return 1
    [ -n "$__ea_src" ] || return 1
    ea__mnt_do
}

ea_mount() {
    __ea_path=$1
    __ea_src=$2
    __ea_fstype=$3
    __ea_opts=$4
    __ea_dump=$5
    __ea_passno=$6
    __ea_state=$7
    __ea_fstab=$8
    __ea_flags=$9
    __ea_epath=${10}
    __ea_esrc=${11}
    __ea_efstype=${12}
    __ea_eopts=${13}
    __ea_mpath=$__ea_epath
    __ea_backup=0 __ea_optsgiven=0 __ea_hassrc=0
    case $__ea_flags in *b*) __ea_backup=1 ;; esac
    case $__ea_flags in *o*) __ea_optsgiven=1 ;; esac
    [ -n "$__ea_src" ] && __ea_hassrc=1
    __ea_oldtab=$(ea_tmp oldtab) || return 1
    __ea_newtab=$(ea_tmp newtab) || return 1
    __ea_rep=$(ea_tmp report) || return 1
    if [ "$__ea_state" != ephemeral ]; then
        if [ -f "$__ea_fstab" ]; then
            cat "$__ea_fstab" >"$__ea_oldtab" || {
                ea_fail "Failed to open $__ea_fstab: cannot read it"
                return 1
            }
        elif ! ea_is_check; then
            if ! { mkdir -p "$(dirname "$__ea_fstab")" && : >>"$__ea_fstab"; }; then
                ea_fail "Failed to open $__ea_fstab due to permission issue"
                return 1
            fi
        fi
    fi
    __ea_chg=0
    case $__ea_state in
        absent_from_fstab | absent | absent_mount)
            ea__mnt_fstab unset || return 1
            [ "$__ea_tabchg" = 1 ] || return 0
            ea_changed
            ea_diff_files "$__ea_oldtab" "$__ea_newtab" "$__ea_fstab" "$__ea_fstab"
            ea__mnt_write || return 1
            [ "$__ea_state" = absent_from_fstab ] && return 0
            ea_is_check && return 0
            if ea__mnt_mounted; then
                __ea_o=$(umount "$__ea_path" 2>&1) || {
                    ea_fail "Error unmounting $__ea_path: $(ea__mnt_why "$__ea_o")"
                    return 1
                }
            fi
            if [ "$__ea_state" = absent ] && [ -e "$__ea_path" ]; then
                __ea_o=$(rmdir "$__ea_path" 2>&1) || {
                    ea_fail "Error rmdir $__ea_path: $__ea_o"
                    return 1
                }
            fi
            return 0
            ;;
        unmounted)
            ea__mnt_mounted || return 0
            ea_changed
            ea_is_check && return 0
            __ea_o=$(umount "$__ea_path" 2>&1) || {
                ea_fail "Error unmounting $__ea_path: $(ea__mnt_why "$__ea_o")"
                return 1
            }
            return 0
            ;;
        present)
            ea__mnt_fstab set || return 1
            [ "$__ea_tabchg" = 1 ] || return 0
            ea_changed
            ea_diff_files "$__ea_oldtab" "$__ea_newtab" "$__ea_fstab" "$__ea_fstab"
            ea__mnt_write
            return
            ;;
        remounted)
            ea_changed
            ea_is_check && return 0
            ea__mnt_remount || {
                [ -n "$__ea_o" ] && ea_fail "Error remounting $__ea_path: $(ea__mnt_why "$__ea_o")"
                return 1
            }
            return 0
            ;;
    esac
    # mounted | ephemeral
    __ea_made=
    if [ ! -e "$__ea_path" ] && ! ea_is_check; then
        __ea_d=$__ea_path
        while [ ! -e "$__ea_d" ]; do
            __ea_made="$__ea_made$__ea_d
"
            __ea_d=$(dirname "$__ea_d")
        done
        ea_login_umask mkdir -p "$__ea_path" || {
            ea_fail "Error making dir $__ea_path"
            return 1
        }
    fi
    __ea_tabchg=0
    if [ "$__ea_state" = mounted ]; then
        ea__mnt_fstab set || return 1
        if [ "$__ea_tabchg" = 1 ]; then
            __ea_chg=1
            ea_diff_files "$__ea_oldtab" "$__ea_newtab" "$__ea_fstab" "$__ea_fstab"
            ea__mnt_write || return 1
        fi
    fi
    __ea_res=0
    if ea__mnt_mounted; then
        if [ "$__ea_state" = ephemeral ]; then
            __ea_s=$(ea__mnt_src | sed -n 1p)
            __ea_r=$(ea__mnt_src | sed -n 2p)
            if [ "$__ea_s" != "$__ea_esrc" ] && [ "$__ea_r" != "$__ea_esrc" ]; then
                ea_fail 'Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with a "state: unmounted" followed by a "state: ephemeral", or use a different destination path.'
                return 1
            fi
            __ea_chg=1
            ea_is_check || ea__mnt_remount || __ea_res=1
        elif [ "$__ea_tabchg" = 1 ] && ! ea_is_check; then
            ea__mnt_remount || __ea_res=1
        fi
    else
        __ea_chg=1
        ea_is_check || ea__mnt_do || __ea_res=1
    fi
    [ "$__ea_chg" = 1 ] && ea_changed
    if [ "$__ea_res" = 1 ]; then
        # a broken fstab entry could stop the next boot: undo the fstab and the made dirs
        if [ "$__ea_tabchg" = 1 ]; then
            ea_atomic_install "$__ea_oldtab" "$__ea_fstab" || true
        fi
        printf '%s' "$__ea_made" | while IFS= read -r __ea_d; do
            [ -n "$__ea_d" ] && rmdir "$__ea_d" 2>/dev/null
        done
        ea_fail "Error mounting $__ea_path: $(ea__mnt_why "$__ea_o")"
        return 1
    fi
    return 0
}
