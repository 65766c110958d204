# accounts: shared helpers of group.sh and user.sh for the account databases.
#
# Lookups go through `getent` when it exists (NSS: also LDAP/sssd accounts, as Ansible's pwd/grp
# modules see them) unless LOCAL is 1; otherwise the /etc files are read. When no account tool
# (shadow's useradd/groupadd, BusyBox adduser/addgroup) exists the files are edited directly:
# under shadow's lock convention (FILE.lock, a hard link holding our pid) and replaced
# atomically (temp file in /etc + mv, old mode/owner kept), so a cut run never leaves a half
# written /etc/passwd.

ea__acc_get() {
    # $1 database (passwd|group|shadow|gshadow), $2 name (or a number for passwd/group),
    # $3 local (1/0): print the entry's line; status 1 if there is none
    if [ "$3" != 1 ] && command -v getent >/dev/null 2>&1; then
        getent "$1" "$2" 2>/dev/null | head -n 1 | grep . && return 0
        return 1
    fi
    [ -r "/etc/$1" ] || return 1
    # shellcheck disable=SC2016
    awk -F: -v k="$2" '
        $1 == k { print; found = 1; exit }
        k ~ /^[0-9]+$/ && $3 == k && !num { num = $0 }
        END { if (!found && num != "") { print num; found = 1 } exit !found }' "/etc/$1"
}

ea__acc_field() {
    # $1 line (colon-separated entry), $2 field number: print that field
    printf '%s\n' "$1" | cut -d: -f"$2"
}

ea__acc_def() {
    # $1 login.defs key, $2 default: the number configured for it
    __ea_acc_v=
    if [ -r /etc/login.defs ]; then
        __ea_acc_v=$(awk -v k="$1" '$1 == k && $2 ~ /^[0-9]+$/ { v = $2 } END { print v }' /etc/login.defs)
    fi
    printf '%s' "${__ea_acc_v:-$2}"
}

ea__acc_free_id() {
    # $1 file (/etc/passwd or /etc/group), $2 min, $3 max, $4 system (1/0), $5 preferred id or
    # "": print an unused id in [min, max] — the preferred one if free, a system account the
    # highest free one (shadow's choice), others one more than the highest used
    # shellcheck disable=SC2016
    awk -F: -v lo="$2" -v hi="$3" -v sys="$4" -v want="$5" '
        { used[$3 + 0] = 1 }
        END {
            if (want != "" && !((want + 0) in used)) { print want; exit 0 }
            if (sys == 1) {
                for (i = hi; i >= lo; i--) if (!(i in used)) { print i; exit 0 }
                exit 1
            }
            top = lo - 1
            for (u in used) if (u + 0 >= lo && u + 0 <= hi && u + 0 > top) top = u + 0
            if (top < hi) { print top + 1; exit 0 }
            for (i = lo; i <= hi; i++) if (!(i in used)) { print i; exit 0 }
            exit 1
        }' "$1"
}

ea__acc_lock() {
    # $1 file: take shadow's lock FILE.lock (a hard link to a file holding our pid); waits up
    # to 15 s for another tool to let go, then fails
    __ea_acc_tmp="$1.$$"
    echo "$$" >"$__ea_acc_tmp" || return 1
    __ea_acc_n=0
    while ! ln "$__ea_acc_tmp" "$1.lock" 2>/dev/null; do
        __ea_acc_n=$((__ea_acc_n + 1))
        if [ "$__ea_acc_n" -ge 15 ]; then
            rm -f "$__ea_acc_tmp"
            return 1
        fi
        sleep 1
    done
    rm -f "$__ea_acc_tmp"
}

ea__acc_unlock() {
    rm -f "$1.lock"
}

ea__acc_edit() {
    # $1 file, $2 awk program, then `-v name=value` pairs for it: rewrite the file under its
    # lock and replace it atomically (nothing happens to a missing file)
    __ea_acc_file=$1
    __ea_acc_prog=$2
    shift 2
    [ -f "$__ea_acc_file" ] || return 0
    ea__acc_lock "$__ea_acc_file" || {
        ea_fail "cannot lock $__ea_acc_file (is another account tool running?)"
        return 1
    }
    __ea_acc_new=$(ea_tmp) || {
        ea__acc_unlock "$__ea_acc_file"
        return 1
    }
    if ! awk -F: -v OFS=: "$@" "$__ea_acc_prog" "$__ea_acc_file" >"$__ea_acc_new"; then
        ea__acc_unlock "$__ea_acc_file"
        ea_fail "cannot rewrite $__ea_acc_file"
        return 1
    fi
    ea_atomic_install "$__ea_acc_new" "$__ea_acc_file" || {
        ea__acc_unlock "$__ea_acc_file"
        return 1
    }
    ea__acc_unlock "$__ea_acc_file"
}

ea__acc_append() {
    # $1 file, $2 line: append one entry (same lock and atomic replace as ea__acc_edit)
    # shellcheck disable=SC2016
    ea__acc_edit "$1" '{ print } END { print line }' -v line="$2"
}

ea__acc_delete() {
    # $1 file, $2 name: remove the entry named so
    # shellcheck disable=SC2016
    ea__acc_edit "$1" '$1 != name { print }' -v name="$2"
}

ea__acc_set_field() {
    # $1 file, $2 name, $3 field number, $4 value: set one field of the named entry
    # shellcheck disable=SC2016
    ea__acc_edit "$1" '$1 == name { $n = v } { print }' -v name="$2" -v n="$3" -v v="$4"
}

ea__acc_members() {
    # $1 file (/etc/group or /etc/gshadow), $2 user, $3 wanted groups (comma list of names),
    # $4 mode: add (append to those) or set (exactly those): rewrite the member lists
    # (the member list is field 4 in both files)
    # shellcheck disable=SC2016
    ea__acc_edit "$1" '
        BEGIN { nw = split(want, W, ","); for (i = 1; i <= nw; i++) if (W[i] != "") G[W[i]] = 1 }
        {
            nm = split($4, M, ","); out = ""; has = 0
            for (i = 1; i <= nm; i++) {
                if (M[i] == "") continue
                if (M[i] == user) { has = 1; if (mode == "set" && !($1 in G)) continue }
                out = out (out == "" ? "" : ",") M[i]
            }
            if (($1 in G) && !has) out = out (out == "" ? "" : ",") user
            $4 = out
            print
        }' -v user="$2" -v want="$3" -v mode="$4"
}

ea__acc_memberships() {
    # $1 user, $2 local (1/0): print the names of the groups listing the user as a member,
    # comma separated, sorted
    if [ "$2" != 1 ] && command -v getent >/dev/null 2>&1; then
        getent group
    else
        cat /etc/group
    fi | awk -F: -v u="$1" '{ n = split($4, M, ","); for (i = 1; i <= n; i++) if (M[i] == u) print $1 }' |
        sort -u | awk '{ printf "%s%s", sep, $0; sep = "," }'
}
