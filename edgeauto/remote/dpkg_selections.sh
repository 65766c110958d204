# dpkg_selections: set a package's dpkg selection (install, hold, deinstall, purge), as
# ansible.builtin.dpkg_selections: the current one from `dpkg --get-selections NAME`.
#
# ea_dpkg_selections NAME SELECTION
# Fields: before (the current selection, or "not present"), after.

ea_dpkg_selections() {
    __ea_name=$1
    __ea_sel=$2
    if ! command -v dpkg >/dev/null 2>&1; then
        ea_fail "dpkg is not installed on the target"
        return 1
    fi
    __ea_err=$(ea_tmp sel.err)
    __ea_cur=$(LC_ALL=C dpkg --get-selections "$__ea_name" 2>"$__ea_err")
    __ea_rc=$?
    if grep -q 'no packages found matching' "$__ea_err"; then
        ea_fail "Failed to find package '$__ea_name' to perform selection '$__ea_sel'."
        return 1
    fi
    if [ "$__ea_rc" != 0 ]; then
        ea_rc "$__ea_rc"
        ea_fail "dpkg --get-selections failed: $(cat "$__ea_err")"
        return 1
    fi
    if [ -z "$__ea_cur" ]; then
        __ea_cur="not present"
    else
        __ea_cur=$(printf '%s\n' "$__ea_cur" | awk '{ print $2; exit }')
    fi
    ea_field before "$__ea_cur"
    ea_field after "$__ea_sel"
    [ "$__ea_cur" = "$__ea_sel" ] && return 0
    ea_changed
    ea_is_check && return 0
    if ! printf '%s %s\n' "$__ea_name" "$__ea_sel" | LC_ALL=C dpkg --set-selections 2>"$__ea_err"; then
        ea_rc 1
        ea_fail "dpkg --set-selections failed: $(cat "$__ea_err")"
        return 1
    fi
}
