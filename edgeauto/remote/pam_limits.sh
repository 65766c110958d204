# pam_limits: one "domain type item value" line of limits.conf, community.general's rules:
# the matching line's value is replaced (use_max/use_min keep the larger/smaller one), a
# missing line is appended, other lines are kept byte for byte; atomic write.
#
# ea_pam_limits DOMAIN TYPE ITEM VALUE FLAGS DEST COMMENT
#   FLAGS     letters: x=use_max, n=use_min, b=backup, c=create a missing file
#   COMMENT   comment for a written line ('' = keep the line's own comment)

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__pam_awk='
function unl(v) { return v == "unlimited" || v == "infinity" || v == "-1" }
function valid(item, v) {
    if (item == "nice" || item == "priority") return v ~ /^[-+]?[0-9]+$/ && v + 0 >= -20 && v + 0 <= 19
    return unl(v) || v ~ /^[0-9]+$/
}
function entry(v, c) { return domain "\t" type "\t" item "\t" v (c != "" ? "\t#" c : "") }
{
    raw = $0
    if (raw ~ /^#/) { print raw > out; next }
    norm = raw; gsub(/[ \t\r\n\f\v]+/, " ", norm); sub(/^ /, "", norm); sub(/ $/, "", norm)
    if (norm == "") { print raw > out; next }
    oldc = ""
    h = index(norm, "#"); if (h) norm = substr(norm, 1, h - 1)
    h = index(raw, "#"); if (h) oldc = substr(raw, h + 1)
    sub(/ +$/, "", norm)
    nf = split(norm, f, " ")
    if (nf != 4) { print raw > out; next }
    if (!valid(f[3], f[4])) {
        printf "invalid\nInvalid configuration found in %s. Value of %s for item %s is invalid.\n", dest, f[4], f[3] > report
        bad = 1; exit 0
    }
    if (f[1] != domain || f[2] != type || f[3] != item) { print raw > out; next }
    found = 1
    actual = f[4]; nv = value
    if (value == actual) { msg = raw; print raw > out; next }
    au = unl(actual); vu = unl(value)
    if (usemax) { if (au) nv = actual; else if (vu) nv = value; else nv = (value + 0 > actual + 0) ? value : actual }
    if (usemin) {
        if (au && vu) nv = actual; else if (au) nv = value; else if (vu) nv = actual
        else nv = (value + 0 < actual + 0) ? value : actual
    }
    if (nv != actual) { changed = 1; msg = entry(nv, comment != "" ? comment : oldc); print msg > out }
    else { msg = raw; print raw > out }
}
END {
    if (bad) exit 0
    if (!found) { changed = 1; msg = entry(value, comment); print msg > out }
    printf "%d\n%s\n", changed, msg > report
}'

ea_pam_limits() {
    __ea_domain=$1
    __ea_type=$2
    __ea_item=$3
    __ea_value=$4
    __ea_flags=$5
    __ea_dest=$6
    __ea_comment=$7
    __ea_max=0 __ea_min=0 __ea_backup=0 __ea_create=0
    case $__ea_flags in *x*) __ea_max=1 ;; esac
    case $__ea_flags in *n*) __ea_min=1 ;; esac
    case $__ea_flags in *b*) __ea_backup=1 ;; esac
    case $__ea_flags in *c*) __ea_create=1 ;; esac
    __ea_old=$(ea_tmp old) || return 1
    __ea_new=$(ea_tmp new) || return 1
    __ea_rep=$(ea_tmp report) || return 1
    __ea_exists=1
    if [ -f "$__ea_dest" ]; then
        cat "$__ea_dest" >"$__ea_old" || {
            ea_fail "$__ea_dest is not readable. Use sudo"
            return 1
        }
        if ! ea_is_check && [ ! -w "$__ea_dest" ]; then
            ea_fail "$__ea_dest is not writable. Use sudo"
            return 1
        fi
    elif [ "$__ea_create" != 1 ]; then
        ea_fail "$__ea_dest does not exist."
        return 1
    else
        __ea_exists=0
        __ea_dir=$(dirname "$__ea_dest")
        if [ ! -d "$__ea_dir" ] || { ! ea_is_check && [ ! -w "$__ea_dir" ]; }; then
            ea_fail "directory $__ea_dir is not writable (check presence, access rights, use sudo)"
            return 1
        fi
    fi
    awk -v domain="$__ea_domain" -v type="$__ea_type" -v item="$__ea_item" \
        -v value="$__ea_value" -v usemax="$__ea_max" -v usemin="$__ea_min" \
        -v comment="$__ea_comment" -v dest="'$__ea_dest'" \
        -v out="$__ea_new" -v report="$__ea_rep" "$ea__pam_awk" "$__ea_old" || {
        ea_fail "awk failed while reading $__ea_dest"
        return 1
    }
    : >>"$__ea_new"
    {
        read -r __ea_chg
        IFS= read -r __ea_msg
    } <"$__ea_rep"
    if [ "$__ea_chg" = invalid ]; then
        ea_fail "$__ea_msg Value must either be 'unlimited', 'infinity' or -1, all of which indicate no limit, or a limit of 0 or larger (-20 to 19 for nice and priority). Refer to the limits.conf(5) manual pages for more details."
        return 1
    fi
    [ "$__ea_exists" = 0 ] && __ea_chg=1
    ea_field msg "$__ea_msg
"
    if [ "$__ea_chg" = 1 ]; then
        ea_changed
        ea_diff_files "$__ea_old" "$__ea_new" "$__ea_dest" "$__ea_dest"
    fi
    ea_is_check && return 0
    if [ "$__ea_backup" = 1 ] && [ "$__ea_exists" = 1 ]; then
        ea_backup "$__ea_dest" || return 1
    fi
    if [ "$__ea_chg" = 1 ]; then
        ea_atomic_install "$__ea_new" "$__ea_dest" || return 1
    fi
    return 0
}
