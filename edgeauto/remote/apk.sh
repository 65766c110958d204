# apk: Alpine packages, the decisions of community.general.apk: a package counts as present
# when the world file names it (top-level), latest when `apk version` shows no newer one,
# absent when `apk info --installed` says so. Check mode adds --simulate.
#
# ea_apk STATE FLAGS WORLD REPOS NAMES...
#   STATE  present latest absent
#   FLAGS  letters: u=update_cache g=upgrade v=available n=no_cache
#   WORLD  the world file consulted for top-level packages
#   REPOS  repositories (one a line) that replace the system ones, or ""
# Fields: pkg_out, pkg_err (apk's output), packages (changed packages, one a line).

ea__apk() {
    # apk with the --no-cache / --repository options of this task
    set -- "$@"
    case $__ea_flags in *n*) set -- --no-cache "$@" ;; esac
    if [ -n "$__ea_repos" ]; then
        while IFS= read -r __ea_r; do
            [ -n "$__ea_r" ] && set -- --repository "$__ea_r" --repositories-file /dev/null "$@"
        done <<EOF
$__ea_repos
EOF
    fi
    LC_ALL=C LANG=C apk "$@"
}

ea__apk_run() {
    # $@ apk words: run, keep output in pkg_out/pkg_err, the changed packages in `packages`
    ea__apk "$@" >"$__ea_out" 2>"$__ea_err"
    __ea_arc=$?
    ea_field_file pkg_out "$__ea_out"
    ea_field_file pkg_err "$__ea_err"
    ea_field packages "$(sed -n 's/^([0-9]*\/[0-9]*)[[:space:]]\{1,\}[^[:space:]]\{1,\}[[:space:]]\{1,\}\([^[:space:]]\{1,\}\).*/\1/p' "$__ea_out")"
    return "$__ea_arc"
}

ea__apk_toplevel() {
    # $1 name: is it in the world file (name, name@tag, name=1.0, name>1 ...)?
    [ -r "$__ea_world" ] || return 1
    # shellcheck disable=SC2013 # the world file is whitespace-separated words
    for __ea_w in $(cat "$__ea_world"); do
        case $__ea_w in
            "$1" | "$1"[@=\<\>~]?*) return 0 ;;
        esac
    done
    return 1
}

ea__apk_latest() {
    # $1 name: 1 unless `apk version` shows an older installed version ("<")
    ea__apk version "$1" 2>/dev/null | awk -v n="$1" '
        index($1, n "-") == 1 && $2 == "<" { old = 1 }
        END { exit old ? 1 : 0 }'
}

ea_apk() {
    __ea_state=$1
    __ea_flags=$2
    __ea_world=$3
    __ea_repos=$4
    shift 4
    if ! command -v apk >/dev/null 2>&1; then
        ea_fail "apk is not installed on the target"
        return 1
    fi
    __ea_out=$(ea_tmp apk.out)
    __ea_err=$(ea_tmp apk.err)
    __ea_sim=
    ea_is_check && __ea_sim=--simulate
    case $__ea_flags in
        *u*)
            # (not in check mode: an index refresh is the only thing it would do)
            if ! ea_is_check; then
                if ! ea__apk update >"$__ea_out" 2>"$__ea_err"; then
                    ea_field_file pkg_out "$__ea_out"
                    ea_field_file pkg_err "$__ea_err"
                    ea_fail "could not update package db"
                    return 1
                fi
            fi
            case $__ea_flags in *g*) ;; *)
                if [ "$#" = 0 ]; then
                    ea_field_file pkg_out "$__ea_out"
                    ea_field_file pkg_err "$__ea_err"
                    ea_field msg "updated repository indexes"
                    ea_changed
                    return 0
                fi
                ;;
            esac
            ;;
    esac
    case $__ea_flags in
        *g*)
            set -- upgrade
            [ -n "$__ea_sim" ] && set -- "$@" --simulate
            case $__ea_flags in *v*) set -- "$@" --available ;; esac
            if ! ea__apk_run "$@"; then
                ea_fail "failed to upgrade packages"
                return 1
            fi
            if head -n 1 "$__ea_out" | grep -q '^OK'; then
                ea_field msg "packages already upgraded"
            else
                ea_field msg "upgraded packages"
                ea_changed
            fi
            return 0
            ;;
    esac
    if [ "$__ea_state" = absent ]; then
        __ea_list=
        for __ea_n in "$@"; do
            if ea__apk -v info --installed "$__ea_n" >/dev/null 2>&1; then
                __ea_list="$__ea_list $__ea_n"
            fi
        done
        __ea_list=${__ea_list# }
        if [ -z "$__ea_list" ]; then
            ea_field msg "package(s) already removed"
            return 0
        fi
        # shellcheck disable=SC2086 # package names: one word each
        ea__apk_run del --purge $__ea_sim $__ea_list
        __ea_rc=$?
        if [ "$__ea_rc" = 0 ] && ! ea_is_check; then
            for __ea_n in $__ea_list; do
                ea__apk -v info --installed "$__ea_n" >/dev/null 2>&1 && __ea_rc=1
            done
        fi
        if [ "$__ea_rc" != 0 ]; then
            ea_fail "failed to remove $__ea_list package(s)"
            return 1
        fi
        ea_field msg "removed $__ea_list package(s)"
        ea_changed
        return 0
    fi
    __ea_inst=
    __ea_upg=
    for __ea_n in "$@"; do
        if ea__apk -v info --description "$__ea_n" 2>/dev/null | grep -q "^$__ea_n: virtual meta package"; then
            for __ea_d in $(ea__apk -v info --depends "$__ea_n" 2>/dev/null | sed 1d); do
                if [ "$__ea_state" = latest ] && ! ea__apk_latest "$__ea_d"; then
                    __ea_upg="$__ea_upg $__ea_d"
                fi
            done
        elif ! ea__apk_toplevel "$__ea_n"; then
            __ea_inst="$__ea_inst $__ea_n"
        elif [ "$__ea_state" = latest ] && ! ea__apk_latest "$__ea_n"; then
            __ea_upg="$__ea_upg $__ea_n"
        fi
    done
    __ea_list="${__ea_inst# }${__ea_upg}"
    __ea_list=${__ea_list# }
    if [ -z "$__ea_list" ]; then
        ea_field msg "package(s) already installed"
        return 0
    fi
    set -- add
    [ -n "$__ea_upg" ] && set -- "$@" --upgrade
    [ -n "$__ea_sim" ] && set -- "$@" --simulate
    # shellcheck disable=SC2086
    if ! ea__apk_run "$@" $__ea_list; then
        ea_fail "failed to install $__ea_list"
        return 1
    fi
    ea_field msg "installed $__ea_list package(s)"
    ea_changed
}
