# lineinfile: ensure one line is present (replacing a regexp/search_string match, or inserted
# after/before an anchor) or that matching lines are absent — Ansible's algorithm, in awk.
#
# ea_lineinfile PATH STATE FLAGS REGEXP SEARCH LINE INSERTAFTER INSERTBEFORE INSRE MODE OWNER
#               GROUP VALIDATE SEDRE SEDREPL PERL
#   FLAGS     letters: r=regexp given, s=search_string given, c=create, b=backup,
#             k=backrefs, f=firstmatch
#   REGEXP    POSIX ERE (the controller translated Python's \d \s \w ...)
#   INSRE     ERE of insertafter/insertbefore when it is a pattern (not BOF/EOF), else ""
#   SEDRE/SEDREPL  for backrefs: `sed -E` pattern and replacement that expand the template
#   PERL      "" = the above; else REGEXP and INSRE are perl regexps (a construct ERE lacks;
#             PERL names it for a host without perl) and SEDREPL is the template with group N
#             as \001N\001 (perlre.sh)
# Regexps are matched by `grep -E` (C locale); awk only edits, getting line numbers and texts
# through files and the environment (ENVIRON), so nothing rewrites backslashes.

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__lif_awk='
function rs(s) { sub(/[\r\n]+$/, "", s); return s }
function ins(k, text,   j) { for (j = n; j > k; j--) { L[j] = L[j-1]; T[j] = T[j-1] } L[k] = text; T[k] = "\n"; n++ }
BEGIN {
    n = 0
    while (hasre && (getline l < refile) > 0) { split(l, a, ":"); RM[a[1] - 1] = 1 }
    while (insre && (getline l < insfile) > 0) { split(l, a, ":"); IM[a[1] - 1] = 1 }
}
{ L[n] = $0; T[n] = "\n"; n++ }
END {
    if (n > 0 && !lastnl) T[n-1] = ""
    SS = ENVIRON["EA_SS"]; LINE = ENVIRON["EA_LINE"]; NEW = ENVIRON["EA_NEW"]
    IA = ENVIRON["EA_IA"]; IB = ENVIRON["EA_IB"]
    changed = 0; msg = ""; found = 0
    if (state == "absent") {
        m = 0
        for (i = 0; i < n; i++) {
            if (hasre) hit = (i in RM); else if (hasss) hit = (index(L[i], SS) > 0); else hit = (LINE == rs(L[i]))
            if (hit) { found++; continue }
            K[m] = L[i]; KT[m] = T[i]; m++
        }
        for (i = 0; i < m; i++) printf "%s%s", K[i], KT[i] > out
        if (found > 0) { changed = 1; msg = found " line(s) removed" }
        printf "%s\n%s\n%s\n", changed, found, msg > report
        exit 0
    }
    i0 = -1; i1 = -1; matched = 0; exact = 0
    if (hasre) for (i = 0; i < n; i++) if (i in RM) { i0 = i; matched = 1; if (fm) break }
    if (hasss) for (i = 0; i < n; i++) if (index(L[i], SS) > 0) { i0 = i; matched = 1; if (fm) break }
    if (!matched) {
        for (i = 0; i < n; i++) {
            if (LINE == rs(L[i])) { i0 = i; exact = 1 }
            else if (insre && (i in IM)) {
                if (IA != "") { i1 = i + 1; if (fm) break }
                if (IB != "") { i1 = i; if (fm) break }
            }
        }
    }
    if (i0 != -1) {
        newl = (backrefs && matched) ? NEW : LINE
        if (!(L[i0] == newl && T[i0] == "\n")) { L[i0] = newl; T[i0] = "\n"; msg = "line replaced"; changed = 1 }
    } else if (backrefs) {
    } else if (IB == "BOF" || IA == "BOF") {
        ins(0, LINE); msg = "line added"; changed = 1
    } else if (IA == "EOF" || i1 == -1) {
        if (n > 0 && T[n-1] == "" && L[n-1] !~ /\r$/) T[n-1] = "\n"
        ins(n, LINE); msg = "line added"; changed = 1
    } else if (IA != "" && i1 != -1) {
        if (n == i1) { if (rs(L[i1-1]) != LINE) { ins(n, LINE); msg = "line added"; changed = 1 } }
        else if (LINE != rs(L[i1])) { ins(i1, LINE); msg = "line added"; changed = 1 }
    } else {
        ins(i1, LINE); msg = "line added"; changed = 1
    }
    for (i = 0; i < n; i++) printf "%s%s", L[i], T[i] > out
    printf "%s\n%s\n%s\n", changed, found, msg > report
}'

ea__lif_grep() {
    # $1 ERE, $2 file, $3 output: line numbers (N:...) of matching lines. Regexps are matched
    # by grep -E in the C locale — byte semantics like Ansible's bytes regex; awk is not used
    # for matching because mawk (Debian's default awk) lacks {m,n} intervals.
    if printf 'x\n' | LC_ALL=C grep -a -q x 2>/dev/null; then
        LC_ALL=C grep -a -n -E -e "$1" "$2" >"$3"
    else
        LC_ALL=C grep -n -E -e "$1" "$2" >"$3"
    fi
    [ "$?" -le 1 ] || {
        ea_fail "invalid regular expression for grep -E: $1"
        return 1
    }
}

ea__lif_first_match() {
    # $1 grep line list, $2 firstmatch (1/0): print the 1-based number of the matching line
    awk -F: -v fm="$2" '{ k = $1; if (fm) exit } END { print k + 0 }' "$1"
}

ea_lineinfile() {
    __ea_p=$1
    __ea_state=$2
    __ea_flags=$3
    __ea_re=$4
    EA_SS=$5
    EA_LINE=$6
    EA_IA=$7
    EA_IB=$8
    __ea_insre=$9
    __ea_mode=${10}
    __ea_owner=${11}
    __ea_group=${12}
    __ea_validate=${13}
    __ea_sedre=${14}
    __ea_sedrepl=${15}
    __ea_perl=${16}
    EA_NEW=
    export EA_SS EA_LINE EA_IA EA_IB EA_NEW
    __ea_hasre=0 __ea_hasss=0 __ea_create=0 __ea_backup=0 __ea_backrefs=0 __ea_fm=0
    case $__ea_flags in *r*) __ea_hasre=1 ;; esac
    case $__ea_flags in *s*) __ea_hasss=1 ;; esac
    case $__ea_flags in *c*) __ea_create=1 ;; esac
    case $__ea_flags in *b*) __ea_backup=1 ;; esac
    case $__ea_flags in *k*) __ea_backrefs=1 ;; esac
    case $__ea_flags in *f*) __ea_fm=1 ;; esac
    if [ -d "$__ea_p" ]; then
        ea_rc 256
        ea_fail "Path $__ea_p is a directory !"
        return 1
    fi
    __ea_old=$(ea_tmp old) || return 1
    __ea_new=$(ea_tmp new) || return 1
    __ea_rep=$(ea_tmp report) || return 1
    __ea_exists=1
    if [ ! -e "$__ea_p" ]; then
        __ea_exists=0
        if [ "$__ea_state" = absent ]; then
            ea_field msg "file not present"
            ea_field found 0
            return 0
        fi
        if [ "$__ea_create" != 1 ]; then
            ea_rc 257
            ea_fail "Destination $__ea_p does not exist !"
            return 1
        fi
    else
        cat "$__ea_p" >"$__ea_old" || {
            ea_fail "cannot read $__ea_p"
            return 1
        }
    fi
    __ea_lastnl=1
    if [ -s "$__ea_old" ] && [ "$(tail -c 1 "$__ea_old" | wc -l)" -eq 0 ]; then
        __ea_lastnl=0
    fi
    # lines that had a newline get the sentinel byte \036 in its place (see python_re_to_ere)
    __ea_sent=$(ea_tmp sentinel) || return 1
    awk -v lastnl="$__ea_lastnl" 'NR > 1 { print prev "\036" } { prev = $0 }
        END { if (NR) { if (lastnl) print prev "\036"; else print prev } }' "$__ea_old" >"$__ea_sent"
    __ea_relines=$(ea_tmp relines) || return 1
    __ea_inslines=$(ea_tmp inslines) || return 1
    if [ -n "$__ea_perl" ]; then
        ea__pl_need "$__ea_perl" || return 1
    fi
    if [ "$__ea_hasre" = 1 ] && [ -n "$__ea_perl" ]; then
        ea__pl_lines "$__ea_re" "$__ea_old" "$__ea_relines" || return 1
    elif [ "$__ea_hasre" = 1 ]; then
        ea__lif_grep "$__ea_re" "$__ea_sent" "$__ea_relines" || return 1
    fi
    __ea_hasins=0
    if [ -n "$__ea_insre" ]; then
        __ea_hasins=1
        if [ -n "$__ea_perl" ]; then
            ea__pl_lines "$__ea_insre" "$__ea_old" "$__ea_inslines" || return 1
        else
            ea__lif_grep "$__ea_insre" "$__ea_sent" "$__ea_inslines" || return 1
        fi
    fi
    if [ "$__ea_backrefs" = 1 ] && [ "$__ea_state" = present ] && [ -n "$__ea_perl" ]; then
        __ea_k=$(ea__lif_first_match "$__ea_relines" "$__ea_fm")
        if [ "$__ea_k" -gt 0 ]; then
            EA_NEW=$(ea__pl_expand "$__ea_re" "$__ea_sedrepl" "$__ea_old" "$__ea_k" && printf E)
            EA_NEW=${EA_NEW%E}
            export EA_NEW
        fi
    elif [ "$__ea_backrefs" = 1 ] && [ "$__ea_state" = present ]; then
        __ea_k=$(ea__lif_first_match "$__ea_relines" "$__ea_fm")
        if [ "$__ea_k" -gt 0 ]; then
            __ea_sep=$(printf '\001')
            __ea_mk=$(printf '\002')
            EA_NEW=$(sed -n "${__ea_k}p" "$__ea_sent" |
                LC_ALL=C sed -E "s${__ea_sep}${__ea_sedre}${__ea_sep}${__ea_mk}${__ea_sedrepl}${__ea_mk}${__ea_sep}" |
                tr -d '\036' |
                sed -n "s/^[^${__ea_mk}]*${__ea_mk}\\(.*\\)${__ea_mk}[^${__ea_mk}]*\$/\\1/p"
                printf E)
            EA_NEW=${EA_NEW%E}
            EA_NEW=${EA_NEW%"
"}
            export EA_NEW
        fi
    fi
    awk -v state="$__ea_state" -v hasre="$__ea_hasre" -v hasss="$__ea_hasss" \
        -v backrefs="$__ea_backrefs" -v fm="$__ea_fm" -v lastnl="$__ea_lastnl" \
        -v insre="$__ea_hasins" -v refile="$__ea_relines" -v insfile="$__ea_inslines" \
        -v out="$__ea_new" -v report="$__ea_rep" "$ea__lif_awk" "$__ea_old" || {
        ea_fail "awk failed while editing $__ea_p"
        return 1
    }
    : >>"$__ea_new"
    {
        read -r __ea_chg
        read -r __ea_found
        IFS= read -r __ea_msg
    } <"$__ea_rep"
    [ "$__ea_state" = absent ] && ea_field found "$__ea_found"
    if [ "$__ea_chg" = 1 ]; then
        ea_changed
        ea_diff_files "$__ea_old" "$__ea_new" "$__ea_p (content)" "$__ea_p (content)"
        if ! ea_is_check; then
            if [ -n "$__ea_validate" ]; then
                __ea_vcmd="${__ea_validate%%%s*}'$__ea_new'${__ea_validate#*%s}"
                if ! ea_login_umask sh -c "$__ea_vcmd" >"$__ea_rep.v" 2>&1; then
                    ea_field_file validate_output "$__ea_rep.v"
                    ea_fail "failed to validate: $__ea_validate"
                    return 1
                fi
            fi
            if [ "$__ea_exists" = 0 ]; then
                __ea_dir=$(dirname "$__ea_p")
                if [ ! -d "$__ea_dir" ]; then
                    ea_login_umask mkdir -p "$__ea_dir" || {
                        ea_fail "Error creating $__ea_dir"
                        return 1
                    }
                    chmod "$(ea_default_mode directory)" "$__ea_dir"
                fi
            fi
            if [ "$__ea_backup" = 1 ] && [ "$__ea_exists" = 1 ]; then
                ea_backup "$__ea_p" || return 1
            fi
            ea_atomic_install "$__ea_new" "$__ea_p" || return 1
        fi
    fi
    ea_field msg "$__ea_msg"
    if [ -e "$__ea_p" ]; then
        ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
    fi
    return 0
}
