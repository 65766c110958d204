# getent: read an NSS database like ansible.builtin.getent (the controller parses the lines).
#
# ea_getent DATABASE KEY SERVICE
#   KEY      "=" + the key when given ("" = enumerate the database)
#   SERVICE  NSS service to use (getent -s), "" = the configured ones
# Uses getent; without it (BusyBox) the /etc file of the database is read: passwd, group,
# shadow, gshadow (key = name or number), hosts, services, protocols, networks, ethers.
# Reports: out (the entries, one a line) and getent's exit code as rc (2 = key not found).

ea_getent() {
    __ea_db=$1
    __ea_key=$2
    __ea_service=$3
    __ea_out=$(ea_tmp out)
    if command -v getent >/dev/null 2>&1; then
        set -- getent
        [ -n "$__ea_service" ] && set -- "$@" -s "$__ea_service"
        set -- "$@" "$__ea_db"
        [ -n "$__ea_key" ] && set -- "$@" "${__ea_key#=}"
        "$@" >"$__ea_out" 2>/dev/null
        __ea_rc=$?
    else
        ea__getent_files >"$__ea_out"
        __ea_rc=$?
    fi
    ea_field_file out "$__ea_out"
    ea_field getent_rc "$__ea_rc"
}

ea__getent_files() {
    # getent's answer from the files: rc 0 found, 1 unknown database, 2 key not found
    case $__ea_db in
        passwd | group | shadow | gshadow) __ea_fs=: ;;
        hosts | services | protocols | networks | ethers) __ea_fs=" " ;;
        *) return 1 ;;
    esac
    [ -r "/etc/$__ea_db" ] || return 2
    # shellcheck disable=SC2016
    awk -F "$__ea_fs" -v fs="$__ea_fs" -v db="$__ea_db" -v given="${__ea_key:+1}" -v key="${__ea_key#=}" '
        function hit(   i, n, p) {
            if (!given) return 1
            if (fs == ":") return $1 == key || (key ~ /^[0-9]+$/ && (db == "passwd" || db == "group") && $3 == key)
            if (db == "services") {
                split($2, p, "/")
                if (key == $2 || key == p[1]) return 1
                for (i = 1; i <= NF; i++) if (i != 2 && $i == key) return 1
                return 0
            }
            for (i = 1; i <= NF; i++) if ($i == key) return 1
            return 0
        }
        fs != ":" { sub(/#.*/, ""); if (NF == 0) next }
        hit() { print; found = 1; if (given) exit }
        END { exit (given && !found) ? 2 : 0 }' "/etc/$__ea_db"
}
