# opkg: OpenWrt/Yocto packages, the decisions of community.general.opkg: a package is present
# when `opkg list-installed NAME` lists it ("NAME - VERSION", with the version when NAME=VERSION
# was asked), and is installed/removed one by one, each checked again afterwards.
#
# ea_opkg STATE FORCE FLAGS EXECUTABLE NAMES...
#   STATE       present absent
#   FORCE       the --force-<FORCE> option, or ""
#   FLAGS       letters: u=update_cache
#   EXECUTABLE  the opkg binary ("" = opkg from PATH)
# Fields: count (packages changed), pkg_out, pkg_err (opkg's output).

ea__opkg_has() {
    # $1 name, $2 version or "": is it installed (in that version)?
    LC_ALL=C "$__ea_opkg" list-installed "$1" 2>/dev/null | awk -v n="$1" -v v="$2" '
        $1 == n && $2 == "-" && (v == "" || $3 == v) { found = 1 }
        END { exit found ? 0 : 1 }'
}

ea_opkg() {
    __ea_state=$1
    __ea_force=$2
    __ea_flags=$3
    __ea_opkg=$4
    shift 4
    [ -n "$__ea_opkg" ] || __ea_opkg=opkg
    if ! command -v "$__ea_opkg" >/dev/null 2>&1; then
        ea_fail "opkg is not installed on the target ($__ea_opkg not found)"
        return 1
    fi
    __ea_out=$(ea_tmp opkg.out)
    __ea_err=$(ea_tmp opkg.err)
    : >"$__ea_out"
    : >"$__ea_err"
    case $__ea_flags in
        *u*)
            if ! ea_is_check && ! LC_ALL=C "$__ea_opkg" update >>"$__ea_out" 2>>"$__ea_err"; then
                ea_field_file pkg_out "$__ea_out"
                ea_field_file pkg_err "$__ea_err"
                ea_fail "could not update package db"
                return 1
            fi
            ;;
    esac
    __ea_count=0
    for __ea_p in "$@"; do
        __ea_n=${__ea_p%%=*}
        __ea_v=
        case $__ea_p in *=*) __ea_v=${__ea_p#*=} ;; esac
        if [ "$__ea_state" = absent ]; then
            ea__opkg_has "$__ea_n" "" || continue
            set -- remove
        else
            if ea__opkg_has "$__ea_n" "$__ea_v" && [ "$__ea_force" != reinstall ]; then
                continue
            fi
            set -- install
        fi
        [ -n "$__ea_force" ] && set -- "$@" "--force-$__ea_force"
        __ea_count=$((__ea_count + 1))
        ea_is_check && continue
        if [ "$1" = remove ]; then
            LC_ALL=C "$__ea_opkg" "$@" "$__ea_n" >>"$__ea_out" 2>>"$__ea_err"
            if ea__opkg_has "$__ea_n" ""; then
                ea_field_file pkg_out "$__ea_out"
                ea_field_file pkg_err "$__ea_err"
                ea_fail "failed to remove $__ea_n"
                return 1
            fi
        else
            LC_ALL=C "$__ea_opkg" "$@" "$__ea_p" >>"$__ea_out" 2>>"$__ea_err"
            if ! ea__opkg_has "$__ea_n" "$__ea_v"; then
                ea_field_file pkg_out "$__ea_out"
                ea_field_file pkg_err "$__ea_err"
                ea_fail "failed to install $__ea_p"
                return 1
            fi
        fi
    done
    ea_field count "$__ea_count"
    ea_field_file pkg_out "$__ea_out"
    ea_field_file pkg_err "$__ea_err"
    if [ "$__ea_state" = absent ]; then
        if [ "$__ea_count" -gt 0 ]; then
            ea_field msg "removed $__ea_count package(s)"
        else
            ea_field msg "package(s) already absent"
        fi
    elif [ "$__ea_count" -gt 0 ]; then
        ea_field msg "installed $__ea_count package(s)"
    else
        ea_field msg "package(s) already present"
    fi
    [ "$__ea_count" -gt 0 ] && ea_changed
    return 0
}
