# replace: substitute every match of a regexp in a file (or in the part between after/before),
# Python's re.subn over lines done by `sed -E` in the C locale (byte semantics).
#
# ea_replace PATH SEDRE SEDREPL AFTER BEFORE ANCHORS BACKUP VALIDATE MODE OWNER GROUP
#            TAIL
#   SEDRE    POSIX ERE of regexp (the controller translated Python's syntax)
#   SEDREPL  the replacement in sed syntax (\1, &, escaped newlines)
#   AFTER    ERE: the section starts after its first match ("" = file start)
#   BEFORE   ERE: the section ends before its last match, or with AFTER the first one after it
#   ANCHORS  letters: a = AFTER only matches at the file start (it began with ^),
#            b = likewise for BEFORE, t = the regexp matches the empty string after a final
#            newline (Python's MULTILINE ^ or $ there): TAIL is appended to such a section
#   TAIL     the replacement expanded for that empty match
# Matches never span a line break (sed works line by line); patterns that name a newline or
# other constructs ERE cannot express go to ea_replace_perl instead.
#
# ea_replace_perl PATH PERLRE TEMPLATE SECTION SECGROUP WHY BACKUP VALIDATE MODE OWNER GROUP
#   Python's algorithm as written, by perl (needs perlre.sh): re.subn(MULTILINE) of PERLRE
#   over the decoded text, or over group SECGROUP of SECTION's DOTALL match; TEMPLATE's
#   group references are \001N\001. WHY names the construct when the host has no perl.

ea__rep_mark_first() {
    # $1 ERE, $2 1 = only on line 1, $3 where (pre: mark before the match, post: after),
    # $4 marker byte, $5 in, $6 out: the first match in the file gets the marker
    __ea_s=$(printf '\001')
    if [ "$3" = pre ]; then __ea_r="$4&"; else __ea_r="&$4"; fi
    if [ "$2" = 1 ]; then
        LC_ALL=C sed -E "1s${__ea_s}$1${__ea_s}${__ea_r}${__ea_s}" "$5" >"$6"
    else
        LC_ALL=C sed -E "\\${__ea_s}$1${__ea_s}{
s${__ea_s}$1${__ea_s}${__ea_r}${__ea_s}
:a
n
ba
}" "$5" >"$6"
    fi
}

ea__rep_split() {
    # $1 file with one marker byte, $2 marker, $3 head out, $4 tail out (marker dropped)
    awk -v m="$2" -v h="$3" -v t="$4" -v lastnl="$(ea__fe_lastnl "$1")" '
        { line[NR] = $0 }
        END {
            f = h
            for (i = 1; i <= NR; i++) {
                nl = (i < NR || lastnl) ? "\n" : ""
                k = (f == h) ? index(line[i], m) : 0
                if (k) {
                    printf "%s", substr(line[i], 1, k - 1) > h
                    f = t
                    printf "%s%s", substr(line[i], k + 1), nl > t
                } else printf "%s%s", line[i], nl > f
            }
            printf "" > h; printf "" > t
        }' "$1"
}

ea__rep_count() {
    # $1 file: number of \003 bytes in it
    tr -cd '\003' <"$1" | wc -c
}

ea_replace() {
    __ea_p=$1
    __ea_re=$2
    __ea_repl=$3
    __ea_after=$4
    __ea_before=$5
    __ea_anchors=$6
    __ea_backup=$7
    __ea_validate=$8
    __ea_mode=$9
    __ea_owner=${10}
    __ea_group=${11}
    __ea_tail=${12}
    ea__rep_editable "$__ea_p" || return 1
    __ea_old=$(ea_tmp old) || return 1
    cat "$__ea_p" >"$__ea_old" || {
        ea_fail "Unable to read the contents of '$__ea_p'."
        return 1
    }
    __ea_pre=$(ea_tmp pre) || return 1
    __ea_sec=$(ea_tmp sec) || return 1
    __ea_post=$(ea_tmp post) || return 1
    __ea_w=$(ea_tmp work) || return 1
    __ea_mk2=$(printf '\002')
    __ea_mk3=$(printf '\003')
    cp "$__ea_old" "$__ea_sec"
    __ea_nomatch=0
    if [ -n "$__ea_after" ]; then
        __ea_one=0
        case $__ea_anchors in *a*) __ea_one=1 ;; esac
        ea__rep_mark_first "$__ea_after" "$__ea_one" post "$__ea_mk2" "$__ea_old" "$__ea_w" || {
            ea_fail "invalid regular expression for sed -E: $__ea_after"
            return 1
        }
        if [ "$(tr -cd '\002' <"$__ea_w" | wc -c)" -ne "$(tr -cd '\002' <"$__ea_old" | wc -c)" ]; then
            ea__rep_split "$__ea_w" "$__ea_mk2" "$__ea_pre" "$__ea_sec"
        else
            __ea_nomatch=1
        fi
    fi
    if [ -n "$__ea_before" ] && [ "$__ea_nomatch" = 0 ]; then
        __ea_one=0
        case $__ea_anchors in *b*) __ea_one=1 ;; esac
        if [ -n "$__ea_after" ]; then
            ea__rep_mark_first "$__ea_before" "$__ea_one" pre "$__ea_mk3" "$__ea_sec" "$__ea_w"
        else
            # greedy: the section ends at the start of the last match
            __ea_g=$(ea_tmp grep) || return 1
            ea__fe_grep "$__ea_before" "$__ea_sec" "$__ea_g" || return 1
            __ea_n=$(awk -F: 'END { print $1 + 0 }' "$__ea_g")
            [ "$__ea_one" = 1 ] && [ "$__ea_n" -gt 1 ] && __ea_n=$(awk -F: 'NR == 1 { print $1 + 0 }' "$__ea_g")
            [ "$__ea_one" = 1 ] && [ "$__ea_n" != 1 ] && __ea_n=0
            if [ "$__ea_n" -gt 0 ]; then
                __ea_s=$(printf '\001')
                LC_ALL=C sed -E "${__ea_n}s${__ea_s}(.*)($__ea_before)${__ea_s}\\1${__ea_mk3}\\2${__ea_s}" \
                    "$__ea_sec" >"$__ea_w"
            else
                cp "$__ea_sec" "$__ea_w"
            fi
        fi
        if [ "$(ea__rep_count "$__ea_w")" -ne "$(ea__rep_count "$__ea_sec")" ]; then
            ea__rep_split "$__ea_w" "$__ea_mk3" "$__ea_sec" "$__ea_post"
        else
            __ea_nomatch=1
        fi
    fi
    if [ "$__ea_nomatch" = 1 ]; then
        ea_field rc 0
        ea_field nomatch 1
        return 0
    fi
    __ea_s=$(printf '\001')
    # count the matches: each becomes one \003 (minus those already in the section)
    LC_ALL=C sed -E "s${__ea_s}${__ea_re}${__ea_s}${__ea_mk3}${__ea_s}g" "$__ea_sec" >"$__ea_w" || {
        ea_fail "Unable to process replace due to error: invalid regular expression for sed -E: $__ea_re"
        return 1
    }
    __ea_count=$(($(ea__rep_count "$__ea_w") - $(ea__rep_count "$__ea_sec")))
    __ea_newsec=$(ea_tmp newsec) || return 1
    LC_ALL=C sed -E "s${__ea_s}${__ea_re}${__ea_s}${__ea_repl}${__ea_s}g" "$__ea_sec" >"$__ea_newsec" || {
        ea_fail "Unable to process replace due to error: sed -E refused the replacement"
        return 1
    }
    case $__ea_anchors in
        *t*)
            if [ ! -s "$__ea_sec" ] || [ "$(ea__fe_lastnl "$__ea_sec")" = 1 ]; then
                printf '%s' "$__ea_tail" >>"$__ea_newsec"
                __ea_count=$((__ea_count + 1))
            fi
            ;;
    esac
    __ea_new=$(ea_tmp new) || return 1
    cat "$__ea_pre" "$__ea_newsec" "$__ea_post" >"$__ea_new"
    __ea_same=0
    cmp -s "$__ea_sec" "$__ea_newsec" && __ea_same=1
    ea__rep_finish "$__ea_p" "$__ea_old" "$__ea_new" "$__ea_count" "$__ea_same" \
        "$__ea_backup" "$__ea_validate" "$__ea_mode" "$__ea_owner" "$__ea_group"
}

ea__rep_editable() {
    # $1 path: fail with Ansible's rc/msg unless it is an existing non-directory
    if [ -d "$1" ]; then
        ea_rc 256
        ea_fail "Path $1 is a directory !"
        return 1
    fi
    if [ ! -e "$1" ]; then
        ea_rc 257
        ea_fail "Path $1 does not exist !"
        return 1
    fi
}

ea__rep_finish() {
    # $1 path, $2 old content, $3 new content, $4 replacements, $5 1 = the section is unchanged,
    # $6..$10 backup validate mode owner group: report, diff, commit, attributes
    ea_field rc 0
    if [ "$4" -gt 0 ] && [ "$5" = 0 ]; then
        ea_changed
        ea_field msg "$4 replacements made"
        ea_diff_files "$2" "$3" "$1" "$1"
        if ! ea_is_check; then
            ea__fe_commit "$3" "$1" "$6" "$7" 1 || return 1
        fi
    else
        ea_field msg ""
    fi
    ea_file_attrs "$1" "$8" "$9" "${10}" 1
}

ea_replace_perl() {
    __ea_p=$1
    __ea_plre=$2
    __ea_pltmpl=$3
    __ea_plsec=$4
    __ea_plgroup=$5
    __ea_why=$6
    __ea_backup=$7
    __ea_validate=$8
    __ea_mode=$9
    __ea_owner=${10}
    __ea_group=${11}
    ea__rep_editable "$__ea_p" || return 1
    ea__pl_need "$__ea_why" || return 1
    __ea_old=$(ea_tmp old) || return 1
    __ea_new=$(ea_tmp new) || return 1
    cat "$__ea_p" >"$__ea_old" || {
        ea_fail "Unable to read the contents of '$__ea_p'."
        return 1
    }
    __ea_res=$(ea__pl_replace "$__ea_plre" "$__ea_pltmpl" "$__ea_plsec" "$__ea_plgroup" \
        "$__ea_old" "$__ea_new") || {
        ea_fail "Unable to process replace due to error: perl could not apply $__ea_plre"
        return 1
    }
    if [ "$__ea_res" = nomatch ]; then
        ea_field rc 0
        ea_field nomatch 1
        return 0
    fi
    __ea_same=0
    [ "${__ea_res#* }" = same ] && __ea_same=1
    ea__rep_finish "$__ea_p" "$__ea_old" "$__ea_new" "${__ea_res%% *}" "$__ea_same" \
        "$__ea_backup" "$__ea_validate" "$__ea_mode" "$__ea_owner" "$__ea_group"
}
