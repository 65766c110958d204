# blockinfile: insert, update or remove a block of lines between two marker lines
# (Ansible's algorithm: the last BEGIN/END markers, insertafter/insertbefore, BOF/EOF,
# prepend_newline/append_newline), in awk.
#
# ea_blockinfile PATH STATE BLOCK MARKER0 MARKER1 WHERE INSRE FLAGS MODE OWNER GROUP
#                VALIDATE PERL
#   BLOCK     file: marker lines and block lines, every line ending in a newline
#             ("" = no block: state=absent or an empty block)
#   MARKER0   begin marker line without its newline; MARKER1 the end marker line
#   WHERE     after|before (INSRE is the ERE, else BOF/EOF) or bof|eof
#   FLAGS     letters: c=create, b=backup, p=prepend_newline, a=append_newline,
#             m=INSRE has Python's MULTILINE flag (one search of the whole file, as Ansible)
#   PERL      "" = INSRE is POSIX ERE; else INSRE is a perl regexp and PERL names the construct
#             ERE lacks (the failure on a host without perl; needs perlre.sh)
# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__bif_awk='
function ins(k, text,   j) { for (j = n; j > k; j--) { L[j] = L[j-1]; T[j] = T[j-1] } L[k] = text; T[k] = "\n"; n++ }
function del(a, b,   j, c) { c = b - a + 1; for (j = a; j + c < n; j++) { L[j] = L[j+c]; T[j] = T[j+c] } n -= c }
BEGIN {
    n = 0
    while (insre && (getline l < insfile) > 0) { split(l, x, ":"); IM[x[1] - 1] = 1 }
    nb = 0
    while (blockfile != "" && (getline l < blockfile) > 0) B[nb++] = l
}
{ L[n] = $0; T[n] = "\n"; n++ }
END {
    if (n > 0 && !lastnl) T[n-1] = ""
    M0 = ENVIRON["EA_M0"]; M1 = ENVIRON["EA_M1"]
    n0 = -1; n1 = -1
    for (i = 0; i < n; i++) {
        if (T[i] == "\n" && L[i] == M0) n0 = i
        if (T[i] == "\n" && L[i] == M1) n1 = i
    }
    if (n0 < 0 || n1 < 0) {
        n0 = -1
        if (insre) {
            for (i = 0; i < n; i++) if (i in IM) n0 = i
            if (n0 < 0) n0 = n; else if (where == "after") n0++
        } else if (where == "bof") n0 = 0
        else n0 = n
    } else if (n0 < n1) del(n0, n1)
    else { del(n1, n0); n0 = n1 }
    if (n0 > 0 && T[n0-1] == "") T[n0-1] = "\n"
    if (prepend && present && n0 != 0 && !(L[n0-1] == "" && T[n0-1] == "\n")) { ins(n0, ""); n0++ }
    for (i = 0; i < nb; i++) ins(n0 + i, B[i])
    after = n0 + nb
    if (append && present && after < n && !(L[after] == "" && T[after] == "\n")) ins(after, "")
    for (i = 0; i < n; i++) printf "%s%s", L[i], T[i] > out
}'

ea_blockinfile() {
    __ea_p=$1
    __ea_state=$2
    __ea_block=$3
    EA_M0=$4
    EA_M1=$5
    __ea_where=$6
    __ea_insre=$7
    __ea_flags=$8
    __ea_mode=$9
    __ea_owner=${10}
    __ea_group=${11}
    __ea_validate=${12}
    __ea_perl=${13}
    export EA_M0 EA_M1
    __ea_create=0 __ea_backup=0 __ea_pre=0 __ea_app=0
    case $__ea_flags in *c*) __ea_create=1 ;; esac
    case $__ea_flags in *b*) __ea_backup=1 ;; esac
    case $__ea_flags in *p*) __ea_pre=1 ;; esac
    case $__ea_flags in *a*) __ea_app=1 ;; esac
    if [ -d "$__ea_p" ]; then
        ea_rc 256
        ea_fail "Path $__ea_p is a directory !"
        return 1
    fi
    __ea_old=$(ea_tmp old) || return 1
    __ea_new=$(ea_tmp new) || return 1
    __ea_exists=1
    if [ ! -e "$__ea_p" ]; then
        __ea_exists=0
        if [ "$__ea_create" != 1 ]; then
            ea_rc 257
            ea_fail "Path $__ea_p does not exist !"
            return 1
        fi
        if [ "$__ea_state" = absent ]; then
            ea_field msg "File $__ea_p not present"
            return 0
        fi
    else
        cat "$__ea_p" >"$__ea_old" || {
            ea_fail "cannot read $__ea_p"
            return 1
        }
    fi
    __ea_ins=$(ea_tmp ins) || return 1
    __ea_hasins=0
    if [ -n "$__ea_insre" ] && [ -n "$__ea_perl" ]; then
        __ea_hasins=1
        ea__pl_need "$__ea_perl" || return 1
        __ea_multi=0
        case $__ea_flags in *m*) __ea_multi=1 ;; esac
        ea__pl_lines "$__ea_insre" "$__ea_old" "$__ea_ins" "$__ea_multi" "$__ea_where" || return 1
    elif [ -n "$__ea_insre" ]; then
        __ea_hasins=1
        __ea_sent=$(ea_tmp sentinel) || return 1
        ea__fe_sentinel "$__ea_old" "$__ea_sent"
        ea__fe_grep "$__ea_insre" "$__ea_sent" "$__ea_ins" || return 1
    fi
    __ea_present=0
    [ "$__ea_state" = present ] && __ea_present=1
    awk -v lastnl="$(ea__fe_lastnl "$__ea_old")" -v insre="$__ea_hasins" -v insfile="$__ea_ins" \
        -v blockfile="$__ea_block" -v where="$__ea_where" -v present="$__ea_present" \
        -v prepend="$__ea_pre" -v append="$__ea_app" -v out="$__ea_new" \
        "$ea__bif_awk" "$__ea_old" || {
        ea_fail "awk failed while editing $__ea_p"
        return 1
    }
    : >>"$__ea_new"
    __ea_msg=
    if [ "$__ea_exists" = 0 ]; then
        __ea_msg="File created"
    elif ! cmp -s "$__ea_old" "$__ea_new"; then
        if [ -z "$__ea_block" ]; then __ea_msg="Block removed"; else __ea_msg="Block inserted"; fi
    fi
    if [ -n "$__ea_msg" ]; then
        ea_changed
        ea_diff_files "$__ea_old" "$__ea_new" "$__ea_p (content)" "$__ea_p (content)"
        if ! ea_is_check; then
            ea__fe_commit "$__ea_new" "$__ea_p" "$__ea_backup" "$__ea_validate" "$__ea_exists" ||
                return 1
        fi
    fi
    ea_field msg "$__ea_msg"
    if [ -e "$__ea_p" ]; then
        ea_file_attrs "$__ea_p" "$__ea_mode" "$__ea_owner" "$__ea_group" 1 || return 1
    fi
    return 0
}
