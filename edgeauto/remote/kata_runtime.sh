# kata_runtime: a pinned Kata Containers static release in /opt/kata, its shim on containerd's
# PATH, the runtime registered with containerd and Docker; only what differs is changed, and
# only the daemons whose configuration changed are restarted. Every refusal (no KVM, a Docker
# too old for shim-v2 runtimes, no tool to unpack the archive) happens before any change.
#
# ea_kata_runtime STAMP_TEXT ARCHIVE URL ALGO DIGEST TIMEOUT VALIDATE KVM KVM_WHY LINK_DIR
#                 CTD CTD_CONFIG CTD_DROPIN DROPIN_V2 DROPIN_V3 DOCKER DAEMON_JSON NAME ENTRY
#                 NEEDS_SHIM RESTART CHECK STATE
#   STAMP_TEXT  what /opt/kata/.edgeauto-release holds once this release is installed
#   ARCHIVE     the release archive (a payload), "" when the controller knew it was installed
#   URL         or: where the target downloads it (verified against ALGO:DIGEST)
#   KVM         1/0 = the facts' verdict, ? = probe here, skip = require_kvm is false
#   KVM_WHY     the facts' reason for their verdict ("" = none given)
#   CTD/DOCKER  1 register, 0 leave alone, "" = when containerd/dockerd is installed
#   DROPIN_V2/3 the containerd drop-in for config schema 2 (containerd 1.x) / 3 (2.x)
#   ENTRY       daemon.json's runtimes.NAME value; NEEDS_SHIM 1 = it is a runtimeType (Docker 23+)
#   CHECK       fail / report / skip: kata-runtime check
#   STATE       present, or absent: remove what edgeauto installed (the release only when
#               its stamp is there, links only when they point into /opt/kata) and the
#               registrations (drop-in, imports entry, runtimes.NAME)
# Fields: version installed kvm_usable kvm_reason registered reconfigured restarted check_rc
# check_output,
# resend=1 when the release changed since facts and no archive was sent.

ea__kata_kvm() {
    # $1 KVM argument, $2 the facts' reason: succeed when Kata may be installed; fields
    # kvm_usable, kvm_reason
    case $1 in
        skip)
            ea_field kvm_reason "not checked: require_kvm is false"
            return 0
            ;;
        1)
            ea_field kvm_usable 1
            ea_field kvm_reason "edgeauto_hw facts: KVM usable${2:+ ($2)}"
            return 0
            ;;
        0) __ea_why="the edgeauto_hw facts say KVM is not usable on this host${2:+: $2}" ;;
        *)
            __ea_arch=$(uname -m)
            __ea_flags=$(grep -m1 -E '^(flags|Features)[[:space:]]*:' /proc/cpuinfo 2>/dev/null)
            if [ ! -c /dev/kvm ]; then
                __ea_why="/dev/kvm does not exist"
            elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
                __ea_why="/dev/kvm is not readable and writable for $(id -un)"
            else
                case "$__ea_arch: $__ea_flags " in
                    aarch64:* | arm*:*) __ea_why= ;;
                    *" vmx "* | *" svm "*) __ea_why= ;;
                    *) __ea_why="/dev/kvm exists but the CPU has no vmx/svm flag (a software or paravirtual KVM such as PVM cannot boot a stock guest kernel)" ;;
                esac
            fi
            if [ -z "$__ea_why" ]; then
                ea_field kvm_usable 1
                ea_field kvm_reason "probe: /dev/kvm usable on $__ea_arch"
                return 0
            fi
            ;;
    esac
    ea_field kvm_usable 0
    ea_field kvm_reason "$__ea_why"
    ea_fail "refusing to install Kata Containers: it boots every container in a VM and needs usable KVM (/dev/kvm with VT-x/AMD-V, or arm64 virtualization), but $__ea_why. Nothing was changed. (require_kvm: false installs it anyway, for labs and stand-ins only.)"
}

ea__kata_major() {
    # $1 command printing a version somewhere in its first line: print its major number
    "$1" --version 2>/dev/null | awk 'NR == 1 {
        for (i = 1; i <= NF; i++) if ($i ~ /^v?[0-9]+\.[0-9]/) {
            v = $i; sub(/^v/, "", v); split(v, a, "."); print a[1] + 0; exit
        }
    }'
}

ea__kata_wanted() {
    # $1 CTD or DOCKER argument, $2 the daemon binary: 0 when it is to be registered
    case $1 in
        0) return 1 ;;
        1) command -v "$2" >/dev/null 2>&1 || {
            ea_fail "asked to register the runtime with $2, but $2 is not installed here (install it first, or set the option to false)"
            return 2
        } ;;
        *) command -v "$2" >/dev/null 2>&1 || return 1 ;;
    esac
    return 0
}

ea__kata_sweep() {
    # $1 parent of /opt/kata: remove work dirs of earlier runs that were killed mid-install
    for __ea_w in "$1"/.edgeauto-kata.*; do
        [ -d "$__ea_w" ] || continue
        if [ -r "$__ea_w/pid" ] && read -r __ea_p <"$__ea_w/pid" && kill -0 "$__ea_p" 2>/dev/null; then
            continue
        fi
        rm -rf "$__ea_w"
    done
}

ea__kata_fetch() {
    # $1 url $2 algo $3 digest $4 timeout $5 validate $6 output file
    ea__http_fetch GET "$1" "" "$6" "$6.h" "$4" "$5" safe
    __ea_hrc=$?
    if [ "$__ea_hrc" != 0 ]; then
        ea_fail "downloading $1 failed: $(ea__http_why "$__ea_hrc" "$6.h")"
        return 1
    fi
    __ea_st=$(ea__http_status "$6.h")
    if [ "$__ea_st" -ge 400 ] 2>/dev/null; then
        ea_fail "downloading $1 failed: HTTP $__ea_st"
        return 1
    fi
    __ea_got=$(ea__digest "$2" "$6") || {
        ea_fail "no $2 tool on the target to verify the download"
        return 1
    }
    [ "$__ea_got" = "$3" ] || {
        ea_fail "the download of $1 has $2 $__ea_got, but checksum says $3: not installed"
        return 1
    }
}

ea__kata_unpack() {
    # $1 archive, $2 empty work dir, $3 stamp text: unpack and move the tree to /opt/kata
    __ea_kind=$(ea__ua_kind "$1")
    ea__ua_tools "$__ea_kind" || {
        ea_fail "cannot unpack the $__ea_kind release archive here: install tar and the $__ea_kind tool (xz-utils for .tar.xz)"
        return 1
    }
    mkdir "$2/x" || return 1
    # the login umask: directories the archive does not list must not come out 0700
    if ! ea__ua_cat "$1" "$__ea_kind" | ea_login_umask tar -xf - -C "$2/x" 2>"$2/tar.err"; then
        ea_fail "unpacking the release failed: $(tr '\n' ' ' <"$2/tar.err")"
        return 1
    fi
    for __ea_b in containerd-shim-kata-v2 kata-runtime; do
        [ -f "$2/x/opt/kata/bin/$__ea_b" ] && continue
        # shellcheck disable=SC2012 # names for a message only
        ea_fail "not a kata-static release: the archive has no ./opt/kata/bin/$__ea_b (top level: $(ls "$2/x" | tr '\n' ' '))"
        return 1
    done
    printf '%s' "$3" >"$2/x/opt/kata/.edgeauto-release"
    chmod 0644 "$2/x/opt/kata/.edgeauto-release"
    chmod 0755 "$2/x/opt/kata"
    if [ -e /opt/kata ] || [ -L /opt/kata ]; then
        mv /opt/kata "$2/old" || {
            ea_fail "cannot move the old /opt/kata aside"
            return 1
        }
    fi
    mv "$2/x/opt/kata" /opt/kata || {
        mv "$2/old" /opt/kata 2>/dev/null
        ea_fail "cannot move the new release into /opt/kata (the old one is back)"
        return 1
    }
}

ea__kata_release() {
    # $1 stamp text $2 archive $3 url $4 algo $5 digest $6 timeout $7 validate
    # $8 log file ("installed" is appended on a change), $9/$10 diff before/after files
    __ea_cur=
    [ -f /opt/kata/.edgeauto-release ] && __ea_cur=$(cat /opt/kata/.edgeauto-release)
    [ "$__ea_cur" = "$(printf '%s' "$1")" ] && return 0
    if [ -z "$2" ] && [ -z "$3" ]; then
        ea_field resend 1
        ea_fail "/opt/kata changed since facts were gathered; the archive was not sent — re-run the task"
        return 1
    fi
    ea_changed
    echo installed >>"$8"
    printf '/opt/kata: %s\n' "$(printf '%s' "${__ea_cur:-not installed by edgeauto}" | tr '\n' ' ')" >>"$9"
    printf '/opt/kata: %s\n' "$(printf '%s' "$1" | tr '\n' ' ')" >>"${10}"
    ea_is_check && return 0
    ea_login_umask mkdir -p /opt || return 1
    ea__kata_sweep /opt
    __ea_w=$(mktemp -d /opt/.edgeauto-kata.XXXXXXXX) || {
        ea_fail "cannot create a work directory in /opt"
        return 1
    }
    echo "$$" >"$__ea_w/pid"
    __ea_arc=$2
    if [ -z "$__ea_arc" ]; then
        __ea_arc=$__ea_w/archive
        ea__kata_fetch "$3" "$4" "$5" "$6" "$7" "$__ea_arc" || {
            rm -rf "$__ea_w"
            return 1
        }
    fi
    ea__kata_unpack "$__ea_arc" "$__ea_w" "$1"
    __ea_rc=$?
    rm -rf "$__ea_w"
    return "$__ea_rc"
}

ea__kata_links() {
    # $1 link dir, $2/$3 diff before/after files: the shim and kata-runtime linked there
    for __ea_b in containerd-shim-kata-v2 kata-runtime; do
        __ea_l=$1/$__ea_b
        __ea_to=/opt/kata/bin/$__ea_b
        if [ -L "$__ea_l" ] && [ "$(readlink "$__ea_l")" = "$__ea_to" ]; then continue; fi
        if [ -e "$__ea_l" ] && [ ! -L "$__ea_l" ]; then
            ea_fail "$__ea_l exists and is not a link (an older manual install?): remove it, then re-run"
            return 1
        fi
        ea_changed
        printf '%s -> %s\n' "$__ea_l" "$(readlink "$__ea_l" 2>/dev/null)" >>"$2"
        printf '%s -> %s\n' "$__ea_l" "$__ea_to" >>"$3"
        ea_is_check && continue
        rm -f "$__ea_l.edgeauto-new"
        if ! { ea_login_umask mkdir -p "$1" && ln -s "$__ea_to" "$__ea_l.edgeauto-new" &&
            mv -f "$__ea_l.edgeauto-new" "$__ea_l"; }; then
            rm -f "$__ea_l.edgeauto-new"
            ea_fail "cannot link $__ea_l to $__ea_to"
            return 1
        fi
    done
}

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__kata_imports_awk='
function cut(s, t,   i) {
    if (done || !(i = index(s, t))) return s
    done = 1
    return substr(s, 1, i - 1) substr(s, i + length(t))
}
{ line[++n] = $0 }
END {
    q = "\"" path "\""
    for (i = 1; i <= n; i++) {
        if (!tbl && line[i] ~ /^[ \t]*\[/) tbl = i
        if (!tbl && line[i] ~ /^[ \t]*imports[ \t]*=/) imp = i
        if (!tbl && line[i] ~ /^[ \t]*version[ \t]*=/) ver = i
    }
    if (mode == "remove") {
        for (j = imp; imp && j <= n; j++) {
            if (index(line[j], q)) break
            if (index(line[j], "]")) { j = 0; break }
        }
        if (!imp || !j || j > n) { print "same"; exit 0 }
        line[j] = cut(cut(cut(cut(line[j], q ", "), ", " q), q ","), q)
        if (line[j] ~ /^[ \t]*imports[ \t]*=[ \t]*\[[ \t]*\][ \t]*$/ || line[j] ~ /^[ \t]*$/) {
            for (i = j; i < n; i++) line[i] = line[i + 1]
            n--
        }
    } else if (imp) {
        for (j = imp; j <= n; j++) {
            if (index(line[j], q)) { print "same"; exit 0 }
            if (index(line[j], "]")) break
        }
        b = index(line[imp], "[")
        if (!b) { print "error the imports line is not an array: " line[imp]; exit 1 }
        rest = substr(line[imp], b + 1)
        line[imp] = substr(line[imp], 1, b) q (rest ~ /^[ \t]*\]/ ? "" : ", ") rest
    } else {
        add = "imports = [" q "]"
        if (n == 0) { line[++n] = "version = " schema; line[++n] = add }
        else if (ver) { for (i = n; i > ver; i--) line[i + 1] = line[i]; line[ver + 1] = add; n++ }
        else if (tbl) { for (i = n; i >= tbl; i--) line[i + 1] = line[i]; line[tbl] = add; n++ }
        else line[++n] = add
    }
    for (i = 1; i <= n; i++) print line[i] > out
    print "changed"
}'

ea__kata_put() {
    # $1 new content file, $2 destination, $3 daemon to log, $4 log, $5/$6 diff files:
    # install the new content when it differs (atomically; only reported in check mode)
    [ -f "$2" ] && cmp -s "$1" "$2" && return 0
    echo "$3" >>"$4"
    printf '# %s\n' "$2" >>"$5"
    [ -f "$2" ] && cat "$2" >>"$5"
    printf '# %s\n' "$2" >>"$6"
    cat "$1" >>"$6"
    ea_is_check && return 0
    # directories the daemons' configuration needs get the login umask's modes (not 077)
    ea_login_umask mkdir -p "$(dirname "$2")" && ea_atomic_install "$1" "$2"
}

ea__kata_drop() {
    # $1 file, $2 daemon to log, $3 log, $4/$5 diff files: remove the file if it is there
    [ -e "$1" ] || return 0
    echo "$2" >>"$3"
    printf '# %s\n' "$1" >>"$4"
    cat "$1" >>"$4"
    printf '# %s (removed)\n' "$1" >>"$5"
    ea_is_check || rm -f "$1"
}

ea__kata_remove() {
    # $1 link dir, $2 log, $3/$4 diff files: the release edgeauto installed and its links
    for __ea_b in containerd-shim-kata-v2 kata-runtime; do
        [ -L "$1/$__ea_b" ] || continue
        [ "$(readlink "$1/$__ea_b")" = "/opt/kata/bin/$__ea_b" ] || continue
        ea_changed
        printf '%s -> /opt/kata/bin/%s\n' "$1/$__ea_b" "$__ea_b" >>"$3"
        printf '%s (removed)\n' "$1/$__ea_b" >>"$4"
        ea_is_check || rm -f "$1/$__ea_b" || return 1
    done
    [ -f /opt/kata/.edgeauto-release ] || return 0 # none, or not ours: left alone
    ea_changed
    echo installed >>"$2"
    printf '/opt/kata: %s\n' "$(tr '\n' ' ' </opt/kata/.edgeauto-release)" >>"$3"
    printf '/opt/kata (removed)\n' >>"$4"
    ea_is_check && return 0
    __ea_gone=/opt/.edgeauto-kata.gone.$$
    if ! mv /opt/kata "$__ea_gone"; then
        ea_fail "cannot remove /opt/kata"
        return 1
    fi
    rm -rf "$__ea_gone"
}

ea__kata_containerd() {
    # $1 config.toml $2 drop-in path $3 drop-in v2 $4 drop-in v3 $5 log $6/$7 diff files
    __ea_new=$(ea_tmp dropin) || return 1
    if [ -z "$3" ]; then # state=absent: no drop-in, no imports entry
        __ea_schema=2
        ea__kata_drop "$2" containerd "$5" "$6" "$7" || return 1
    elif [ "$(ea__kata_major containerd)" -ge 2 ] 2>/dev/null; then
        __ea_schema=3
        printf '%s' "$4" >"$__ea_new"
    else
        __ea_schema=2
        printf '%s' "$3" >"$__ea_new"
    fi
    [ -n "$3" ] && { ea__kata_put "$__ea_new" "$2" containerd "$5" "$6" "$7" || return 1; }
    __ea_new=$(ea_tmp config) || return 1
    __ea_old=$1
    [ -f "$1" ] || __ea_old=/dev/null
    __ea_mode=add
    [ -z "$3" ] && __ea_mode=remove
    __ea_res=$(awk -v path="$2" -v schema="$__ea_schema" -v out="$__ea_new" -v mode="$__ea_mode" \
        "$ea__kata_imports_awk" "$__ea_old") || {
        ea_fail "$1: ${__ea_res#error }"
        return 1
    }
    [ "$__ea_res" = same ] && return 0
    ea__kata_put "$__ea_new" "$1" containerd "$5" "$6" "$7"
}

ea__kata_docker() {
    # $1 daemon.json $2 runtime name $3 entry $4 log $5/$6 diff files
    __ea_new=$(ea_tmp daemon.json) || return 1
    __ea_res=$(ea__json_set_member "$1" runtimes "$2" "$3" "$__ea_new") || {
        ea_fail "$1 is not JSON edgeauto can merge into (${__ea_res#error }): fix it, or let the docker_engine role render it (docker: false)"
        return 1
    }
    [ "$__ea_res" = same ] && return 0
    ea__kata_put "$__ea_new" "$1" docker "$4" "$5" "$6"
}

ea__kata_restart() {
    # $1 service: restart it when it runs (a stopped daemon reads its config when it starts);
    # print the name when it was (or, in check mode, would be) restarted
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl is-active --quiet "$1" || return 0
        # dockerd's unit allows 3 starts a minute: a change is no crash loop, reset the count
        ea_is_check || {
            systemctl reset-failed "$1" 2>/dev/null
            systemctl restart "$1" >/dev/null
        } || return 1
    elif command -v rc-service >/dev/null 2>&1; then
        rc-service "$1" status >/dev/null 2>&1 || return 0
        ea_is_check || rc-service "$1" restart >/dev/null || return 1
    elif [ -x "/etc/init.d/$1" ]; then
        "/etc/init.d/$1" status >/dev/null 2>&1 || return 0
        ea_is_check || "/etc/init.d/$1" restart >/dev/null || return 1
    else
        return 0
    fi
    printf '%s ' "$1"
}

ea__kata_check() {
    # $1 fail/report/skip: run kata-runtime check; fields check_rc, check_output
    [ "$1" = skip ] && return 0
    [ -x /opt/kata/bin/kata-runtime ] || return 0
    __ea_out=$(ea_tmp check) || return 1
    __ea_rc=0
    /opt/kata/bin/kata-runtime check --no-network-checks >"$__ea_out" 2>&1 </dev/null || __ea_rc=$?
    ea_field check_rc "$__ea_rc"
    ea_field_file check_output "$__ea_out"
    if [ "$__ea_rc" != 0 ] && [ "$1" = fail ]; then
        ea_fail "kata-runtime check failed (rc $__ea_rc): $(tail -n 3 "$__ea_out" | tr '\n' ' ')"
        return 1
    fi
}

ea_kata_runtime() {
    __ea_kstamp=$1
    __ea_karc=$2
    __ea_kurl=$3
    __ea_kalgo=$4
    __ea_kdig=$5
    __ea_ktmo=$6
    __ea_kval=$7
    __ea_kkvm=$8
    __ea_kwhy=$9
    __ea_klink=${10}
    __ea_kctd=${11}
    __ea_kconf=${12}
    __ea_kdrop=${13}
    __ea_kv2=${14}
    __ea_kv3=${15}
    __ea_kdock=${16}
    __ea_kjson=${17}
    __ea_kname=${18}
    __ea_kentry=${19}
    __ea_kshim=${20}
    __ea_krst=${21}
    __ea_kchk=${22}
    __ea_kstate=${23}
    ea_field version "$(printf '%s\n' "$__ea_kstamp" | sed -n 's/^version=//p')"
    # refusals first: nothing may change on a host that cannot run what is installed
    if [ "$__ea_kstate" = present ]; then
        ea__kata_kvm "$__ea_kkvm" "$__ea_kwhy" || return 1
    fi
    __ea_kc=0 __ea_kd=0
    ea__kata_wanted "$__ea_kctd" containerd && __ea_kc=1
    [ "$?" = 2 ] && return 1
    ea__kata_wanted "$__ea_kdock" dockerd && __ea_kd=1
    [ "$?" = 2 ] && return 1
    if [ "$__ea_kd" = 1 ] && [ "$__ea_kshim" = 1 ] && [ "$__ea_kstate" = present ]; then
        __ea_kmaj=$(ea__kata_major dockerd)
        if [ "${__ea_kmaj:-0}" -lt 23 ]; then
            ea_fail "Docker $(dockerd --version 2>/dev/null | sed 's/^Docker version //; s/,.*//') runs only runc-compatible runtimes; Kata 2+ is a shim-v2 runtime (runtimeType io.containerd.kata.v2) and needs Docker 23 or later. Upgrade Docker, use Kata through containerd only (docker: false), or give docker_runtime_path (labs and stand-ins)."
            return 1
        fi
    fi
    __ea_klog=$(ea_tmp log) || return 1
    __ea_kb=$(ea_tmp before) || return 1
    __ea_ka=$(ea_tmp after) || return 1
    if [ "$__ea_kstate" = absent ]; then
        ea__kata_remove "$__ea_klink" "$__ea_klog" "$__ea_kb" "$__ea_ka" || return 1
        __ea_kentry='' __ea_kv2='' __ea_kv3=''

    else
        ea__kata_release "$__ea_kstamp" "$__ea_karc" "$__ea_kurl" "$__ea_kalgo" "$__ea_kdig" \
            "$__ea_ktmo" "$__ea_kval" "$__ea_klog" "$__ea_kb" "$__ea_ka" || return 1
        ea__kata_links "$__ea_klink" "$__ea_kb" "$__ea_ka" || return 1
    fi
    __ea_kreg=
    if [ "$__ea_kc" = 1 ]; then
        ea__kata_containerd "$__ea_kconf" "$__ea_kdrop" "$__ea_kv2" "$__ea_kv3" "$__ea_klog" \
            "$__ea_kb" "$__ea_ka" || return 1
        __ea_kreg=containerd
    fi
    if [ "$__ea_kd" = 1 ]; then
        ea__kata_docker "$__ea_kjson" "$__ea_kname" "$__ea_kentry" "$__ea_klog" \
            "$__ea_kb" "$__ea_ka" || return 1
        __ea_kreg="$__ea_kreg docker"
    fi
    [ "$__ea_kstate" = absent ] && __ea_kreg=
    ea_field registered "$__ea_kreg"
    __ea_kinst=0
    grep -qx installed "$__ea_klog" && __ea_kinst=1
    ea_field installed "$__ea_kinst"
    grep -qx -e containerd -e docker "$__ea_klog" && ea_changed
    [ -s "$__ea_ka" ] && ea_diff_files "$__ea_kb" "$__ea_ka" "kata_runtime (before)" "kata_runtime (after)"
    __ea_krs='' __ea_kre=''
    for __ea_ks in containerd docker; do
        grep -qx "$__ea_ks" "$__ea_klog" && __ea_kre="$__ea_kre $__ea_ks"
    done
    ea_field reconfigured "$__ea_kre"
    if [ "$__ea_krst" = 1 ]; then
        for __ea_ks in containerd docker; do
            grep -qx "$__ea_ks" "$__ea_klog" || continue
            __ea_krs="$__ea_krs$(ea__kata_restart "$__ea_ks")" || {
                ea_fail "restarting $__ea_ks after its configuration changed failed: see its logs (journalctl -u $__ea_ks)"
                return 1
            }
        done
    fi
    ea_field restarted "$__ea_krs"
    if [ "$__ea_kstate" = absent ] || { ea_is_check && [ "$__ea_kinst" = 1 ]; }; then
        return 0 # removed, or not there yet: nothing to check
    fi
    ea__kata_check "$__ea_kchk"
}
