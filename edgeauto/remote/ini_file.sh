# ini_file: set, add or remove an option (or a whole section) in an INI file —
# community.general.ini_file's algorithm in awk (a hidden first section holds the options
# before any header; a sentinel "[" line ends the last section).
#
# ea_ini_file PATH SECTION OPTION VALUES STATE FLAGS MODE OWNER GROUP
#   SECTION  section name ("" = the options before the first section header)
#   OPTION   option name ("" = none: the whole section)
#   VALUES   file: the wanted values, one per line, deduplicated ("" = no values)
#   FLAGS    letters: x=exclusive, n=no_extra_spaces, v=allow_no_value, c=create, b=backup,
#            i=ignore_spaces, m=modify_inactive_option, f=follow
# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__ini_awk='
function ins(k, text,   j) { for (j = n; j > k; j--) { L[j] = L[j-1]; CL[j] = CL[j-1] } L[k] = text; CL[k] = 0; n++ }
function del(k,   j) { for (j = k; j + 1 < n; j++) { L[j] = L[j+1]; CL[j] = CL[j+1] } n-- }
function ws(s) { sub(/^[ \t]*/, "", s); return s }
# is LINE the option (active=1: not a #/; comment)? sets MV (value) and MC (comment char)
function opt(line, active,   s, c) {
    s = ws(line); MC = ""; c = substr(s, 1, 1)
    if (!active && (c == "#" || c == ";")) { MC = c; s = ws(substr(s, 2)) }
    if (OPT == "" || substr(s, 1, length(OPT)) != OPT) return 0
    s = ws(substr(s, length(OPT) + 1))
    if (s == "") { MV = ""; return 1 }
    if (substr(s, 1, 1) != "=") return 0
    MV = ws(substr(s, 2)); return 1
}
function fmt(v) { return nes ? OPT "=" v : OPT " = " v }
function isvalue(v,   k) { for (k = 0; k < nv; k++) if (V[k] == v) return k; return -1 }
function dropvalue(k,   j) { for (j = k; j + 1 < nv; j++) V[j] = V[j+1]; nv-- }
function update(i, newline,   oc, ov) {
    oc = -1
    if (igsp) {
        opt(L[i], 0)
        if (MC == "") { ov = MV; opt(newline, 0); oc = (ov != MV) }
    }
    if (oc == -1) oc = (L[i] != newline)
    if (oc) { L[i] = newline; changed = 1; msg = "option changed" }
    CL[i] = 1
}
function trim(s) { sub(/^[ \t\r\n\f\v]+/, "", s); sub(/[ \t\r\n\f\v]+$/, "", s); return s }
function isheader(line,   s, k) {
    if (substr(line, 1, 1) != "[") return 0
    s = substr(line, 2); sub(/^[ \t\r\n\f\v]*/, "", s)
    if (substr(s, 1, length(SEC)) != SEC) return 0
    s = substr(s, length(SEC) + 1); sub(/^[ \t\r\n\f\v]*/, "", s)
    return substr(s, 1, 1) == "]"
}
BEGIN {
    OPT = ENVIRON["EA_OPT"]; SEC = ENVIRON["EA_SEC"]
    FAKE = "ad01e11446efb704fcdbdb21f2c43757423d91c5"
    if (SEC == "") SEC = FAKE
    SEC = trim(SEC)
    nv = 0
    while (valfile != "" && (getline l < valfile) > 0) V[nv++] = l
    n = 1; L[0] = "[" FAKE "]"
}
{ if (NR == 1 && bom != "" && index($0, bom) == 1) $0 = substr($0, length(bom) + 1); L[n++] = $0 }
END {
    changed = 0; msg = "OK"; novalue = 0
    if (n == 1) L[n++] = ""
    else if (!lastnl) changed = 1
    L[n++] = "["
    within = 0; s0 = 0; s1 = 0
    for (i = 0; i < n; i++) {
        if (within && substr(L[i], 1, 1) == "[") { s1 = i; break }
        if (isheader(L[i])) { within = 1; s0 = i }
    }
    if (!within) { s0 = 0; s1 = 0 }
    for (i = 0; i < n; i++) CL[i] = 0
    if (present && OPT != "") {
        for (i = s0; i < s1; i++) {
            if (!opt(L[i], !inact)) continue
            k = isvalue(MV)
            if (nv > 0 && k >= 0) {
                if (MV == "" && nov) { nl = OPT; novalue = 1 } else nl = fmt(MV)
                update(i, nl); dropvalue(k)
            } else if (nv == 0 && nov) { update(i, OPT); novalue = 1; break }
        }
    }
    if (present && excl && !nov) {
        if (nv > 0) {
            for (i = s0; i < s1; i++) {
                if (!CL[i] && opt(L[i], !inact)) {
                    nl = fmt(V[0]); dropvalue(0); update(i, nl)
                    if (nv == 0) break
                }
            }
        }
        for (i = s1 - 1; i > s0; i--) {
            if (!CL[i] && opt(L[i], !inact)) { del(i); s1--; changed = 1; msg = "option changed" }
        }
    }
    if (present) {
        for (i = s1; i > s0; i--) {
            if (L[i-1] ~ /^[ \t]*([#;].*)?$/) continue
            if (OPT != "" && nv > 0) {
                for (k = nv - 1; k >= 0; k--) { ins(i, fmt(V[k])); s1++; msg = "option added"; changed = 1 }
            } else if (OPT != "" && nv == 0 && nov && !novalue) {
                ins(i, OPT); s1++; msg = "option added"; changed = 1
            }
            break
        }
    }
    if (!present) {
        if (OPT != "") {
            for (i = s1 - 1; i >= s0; i--) {
                if (opt(L[i], 1) && (excl || isvalue(MV) >= 0)) {
                    if (excl || nv > 0) { del(i); s1--; changed = 1; msg = "option changed" }
                }
            }
        } else if (s1 > s0) {
            for (i = s1 - 1; i >= s0; i--) del(i)
            changed = 1; msg = "section removed"
        }
    }
    del(0); n--
    if (!within && present) {
        L[n++] = "[" SEC "]"; msg = "section and option added"
        if (OPT != "" && nv > 0) for (k = 0; k < nv; k++) L[n++] = fmt(V[k])
        else if (OPT != "" && nv == 0 && nov) L[n++] = OPT
        else msg = "only section added"
        changed = 1
    }
    for (i = 0; i < n; i++) printf "%s\n", L[i] > out
    printf "" > out
    printf "%s\n%s\n", changed, msg > report
}'

ea_ini_file() {
    __ea_p=$1
    EA_SEC=$2
    EA_OPT=$3
    __ea_vals=$4
    __ea_state=$5
    __ea_flags=$6
    __ea_mode=$7
    __ea_owner=$8
    __ea_group=$9
    export EA_SEC EA_OPT
    __ea_x=0 __ea_nes=0 __ea_nov=0 __ea_create=0 __ea_backup=0 __ea_igsp=0 __ea_inact=0 __ea_follow=0
    case $__ea_flags in *x*) __ea_x=1 ;; esac
    case $__ea_flags in *n*) __ea_nes=1 ;; esac
    case $__ea_flags in *v*) __ea_nov=1 ;; esac
    case $__ea_flags in *c*) __ea_create=1 ;; esac
    case $__ea_flags in *b*) __ea_backup=1 ;; esac
    case $__ea_flags in *i*) __ea_igsp=1 ;; esac
    case $__ea_flags in *m*) __ea_inact=1 ;; esac
    case $__ea_flags in *f*) __ea_follow=1 ;; esac
    __ea_target=$__ea_p
    if [ "$__ea_follow" = 1 ] && [ -L "$__ea_p" ]; then
        __ea_target=$(ea__fs_realpath "$__ea_p")
    fi
    __ea_old=$(ea_tmp old) || return 1
    __ea_new=$(ea_tmp new) || return 1
    __ea_rep=$(ea_tmp report) || return 1
    __ea_exists=1
    if [ ! -e "$__ea_target" ]; then
        __ea_exists=0
        if [ "$__ea_create" != 1 ]; then
            ea_rc 257
            ea_fail "Destination $__ea_target does not exist!"
            return 1
        fi
    else
        cat "$__ea_target" >"$__ea_old" || {
            ea_fail "cannot read $__ea_target"
            return 1
        }
    fi
    __ea_present=0
    [ "$__ea_state" = present ] && __ea_present=1
    awk -v lastnl="$(ea__fe_lastnl "$__ea_old")" -v valfile="$__ea_vals" -v present="$__ea_present" \
        -v excl="$__ea_x" -v nes="$__ea_nes" -v nov="$__ea_nov" -v igsp="$__ea_igsp" \
        -v inact="$__ea_inact" -v bom="$(printf '\357\273\277')" -v out="$__ea_new" \
        -v report="$__ea_rep" "$ea__ini_awk" "$__ea_old" || {
        ea_fail "awk failed while editing $__ea_p"
        return 1
    }
    {
        read -r __ea_chg
        IFS= read -r __ea_msg
    } <"$__ea_rep"
    ea_field msg "$__ea_msg"
    ea_field path "$__ea_p"
    if [ "$__ea_chg" = 1 ]; then
        ea_changed
        ea_diff_files "$__ea_old" "$__ea_new" "$__ea_target (content)" "$__ea_target (content)"
        if ! ea_is_check; then
            ea__fe_commit "$__ea_new" "$__ea_target" "$__ea_backup" "" "$__ea_exists" 0 ||
                return 1
        fi
    fi
    if [ -e "$__ea_p" ]; then
        ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" "$__ea_follow" || return 1
    fi
    return 0
}
