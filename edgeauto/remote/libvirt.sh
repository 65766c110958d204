# libvirt helpers shared by virt.sh, virt_net.sh and virt_pool.sh (no public function): run
# virsh against one URI, read an object's state, converge its definition from a desired XML and
# its autostart flag. KIND is dom, net or pool: the virsh verbs differ only by a prefix.
# How "the definition differs" is decided: see edgeauto/modules/edge/_libvirt.py (a state file
# per object records the desired XML's hash and libvirt's dumpxml hash after our define; an
# object we never defined is compared field by field with ea__lv_flatten).

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__lv_flatten_awk='
function unq(s) {
    gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s)
    gsub(/&apos;/, "'"'"'", s); gsub(/&amp;/, "\\&", s); return s
}
function path(   p, i) { p = st[1]; for (i = 2; i <= n; i++) p = p "/" st[i]; return p }
function push(tag) {
    st[++n] = tag
    if (!skip && (index(tag, ":") || tag == "metadata")) skip = n
}
function pop() { if (skip == n) skip = 0; n-- }
{
    line = $0
    while (line != "") {
        sub(/^[ \t\r]+/, "", line)
        if (line == "") break
        if (substr(line, 1, 4) == "<!--") {
            k = index(line, "-->"); line = k ? substr(line, k + 3) : ""; continue
        }
        if (substr(line, 1, 2) == "<?") {
            k = index(line, "?>"); line = k ? substr(line, k + 2) : ""; continue
        }
        if (substr(line, 1, 2) == "</") { pop(); k = index(line, ">"); line = substr(line, k + 1); continue }
        if (substr(line, 1, 1) == "<") {
            match(line, /^<[^ \t\/>]+/)
            push(substr(line, 2, RLENGTH - 1)); line = substr(line, RLENGTH + 1); p = path()
            while (1) {
                sub(/^[ \t]+/, "", line)
                if (substr(line, 1, 2) == "/>") { line = substr(line, 3); pop(); break }
                if (substr(line, 1, 1) == ">") { line = substr(line, 2); break }
                if (!match(line, /^[^ \t=\/>]+=/)) { line = ""; break }
                an = substr(line, 1, RLENGTH - 1); line = substr(line, RLENGTH + 1)
                q = substr(line, 1, 1); line = substr(line, 2); k = index(line, q)
                av = substr(line, 1, k - 1); line = substr(line, k + 1)
                if (!skip && !index(an, ":") && an != "xmlns") print p "@" an "=" unq(av)
            }
            continue
        }
        k = index(line, "<")
        if (k == 0) { t = line; line = "" } else { t = substr(line, 1, k - 1); line = substr(line, k) }
        sub(/[ \t\r]+$/, "", t)
        if (t != "" && n > 0 && !skip) print path() "=" unq(t)
    }
}'

# every desired leaf (file 2) present in libvirt's (file 1); prints the missing ones. libvirt
# expands a machine alias (q35 → pc-q35-7.2, pc → pc-i440fx-7.2): the alias matches.
# shellcheck disable=SC2016 # awk program
ea__lv_subset_awk='
NR == FNR {
    have[$0] = 1
    if (index($0, "domain/os/type@machine=") == 1) machine = substr($0, 24)
    next
}
$0 in have { next }
index($0, "domain/os/type@machine=") == 1 {
    want = substr($0, 24)
    if (want == "pc") want = "i440fx"
    if (index(machine, "pc-" want "-") == 1) next
}
{ print; miss = 1 }
END { exit miss }'

ea__lv_virsh() {
    # $1 uri, then virsh's arguments: run it in the C locale; output in $__ea_lv_o, errors in
    # $__ea_lv_e; returns virsh's exit status
    __ea_lv_uri=$1
    shift
    LC_ALL=C LANG=C virsh -q -c "$__ea_lv_uri" "$@" >"$__ea_lv_o" 2>"$__ea_lv_e" </dev/null
}

ea__lv_err() {
    # virsh's error output on one line, without its "error: " prefixes
    sed 's/^error: //' "$__ea_lv_e" | tr '\n' ' ' | sed 's/ *$//'
}

ea__lv_run() {
    # $1 uri, $2 what (for the message), then virsh's arguments: fail with virsh's error
    __ea_lv_u=$1
    __ea_lv_w=$2
    shift 2
    ea__lv_virsh "$__ea_lv_u" "$@" && return 0
    ea_fail "$__ea_lv_w failed: $(ea__lv_err)"
}

ea__lv_init() {
    # $1 uri: virsh must exist and the URI must answer (a first answer after libvirtd starts
    # may take ~10 s while it probes QEMU)
    command -v virsh >/dev/null 2>&1 || {
        ea_fail "virsh not found on the target: install libvirt-clients (and libvirt-daemon-system for a local hypervisor)"
        return 1
    }
    __ea_lv_o=$(ea_tmp lv.out) || return 1
    __ea_lv_e=$(ea_tmp lv.err) || return 1
    ea__lv_virsh "$1" uri && return 0
    ea_fail "cannot connect to libvirt at $1: $(ea__lv_err) (is libvirtd running?)"
}

ea__lv_verb() {
    # $1 kind, $2 verb: the virsh command (dom: info → dominfo, uuid → domuuid, define …;
    # net: net-info …; pool: pool-info …)
    case $1:$2 in
        dom:info | dom:uuid) printf 'dom%s' "$2" ;;
        dom:*) printf '%s' "$2" ;;
        *) printf '%s-%s' "$1" "$2" ;;
    esac
}

ea__lv_state() {
    # $1 kind, $2 uri, $3 name: sets __ea_lv_exists, __ea_lv_active, __ea_lv_auto,
    # __ea_lv_persist (1/0) and __ea_lv_status (domains: running paused shutdown crashed;
    # networks and pools: active inactive)
    __ea_lv_exists=0 __ea_lv_active=0 __ea_lv_auto=0 __ea_lv_persist=0 __ea_lv_status=
    __ea_lv_pending=
    if ! ea__lv_virsh "$2" "$(ea__lv_verb "$1" info)" "$3"; then
        grep -q -E "failed to get (domain|network|pool) '|not found: no " "$__ea_lv_e" && return 0
        ea_fail "reading $3 failed: $(ea__lv_err)"
        return 1
    fi
    __ea_lv_exists=1
    while IFS=: read -r __ea_k __ea_v; do
        __ea_v=$(printf '%s' "$__ea_v" | sed 's/^ *//; s/ *$//')
        case $__ea_k:$__ea_v in
            State:running | State:idle | State:blocked) __ea_lv_status=running ;;
            State:paused | State:pmsuspended) __ea_lv_status=paused ;;
            "State:shut off" | "State:in shutdown") __ea_lv_status=shutdown ;;
            State:crashed) __ea_lv_status=crashed ;;
            Active:yes) __ea_lv_status=active ;;
            Active:no) __ea_lv_status=inactive ;;
            Autostart:enable | Autostart:yes) __ea_lv_auto=1 ;;
            Persistent:yes) __ea_lv_persist=1 ;;
        esac
        # pools say State: running / inactive / building / degraded
        if [ "$1" = pool ] && [ "$__ea_k" = State ]; then
            case $__ea_v in
                inactive) __ea_lv_status=inactive ;;
                *) __ea_lv_status=active ;;
            esac
        fi
    done <"$__ea_lv_o"
    case $__ea_lv_status in running | paused | active) __ea_lv_active=1 ;; esac
    return 0
}

ea__lv_dump() {
    # $1 kind, $2 uri, $3 name, $4 output file: the persistent definition as libvirt
    # normalises it (pools without what follows the storage rather than the definition:
    # capacity/allocation/available and the target directory's current permissions)
    ea__lv_run "$2" "reading the definition of $3" "$(ea__lv_verb "$1" dumpxml)" --inactive "$3" ||
        return 1
    if [ "$1" = pool ]; then
        awk '/^ *<permissions>/ { skip = 1 } !skip && !/^ *<(capacity|allocation|available)[ >]/
            /^ *<\/permissions>/ { skip = 0 }' "$__ea_lv_o" >"$4"
    else
        cat "$__ea_lv_o" >"$4"
    fi
}

ea__lv_statefile() {
    # $1 key: where the record of our last define lives (root: /var/lib/edgeauto/libvirt)
    if [ "$(id -u)" = 0 ]; then
        printf '/var/lib/edgeauto/libvirt/%s' "$1"
    else
        printf '%s/edgeauto/libvirt/%s' "${XDG_STATE_HOME:-${HOME:-/tmp}/.local/state}" "$1"
    fi
}

ea__lv_record() {
    # $1 key, $2 desired hash, $3 dumpxml hash: write the state file atomically
    __ea_sf=$(ea__lv_statefile "$1")
    mkdir -p "$(dirname "$__ea_sf")" || {
        ea_fail "cannot create $(dirname "$__ea_sf") for the libvirt state record"
        return 1
    }
    __ea_rec=$(ea_tmp lv.rec) || return 1
    printf '%s %s\n' "$2" "$3" >"$__ea_rec"
    ea_atomic_install "$__ea_rec" "$__ea_sf"
}

ea__lv_forget() {
    # $1 key: drop the state record of an object that is gone
    [ -n "$1" ] && rm -f "$(ea__lv_statefile "$1")"
    return 0
}

ea__lv_define() {
    # $1 kind, $2 uri, $3 name, $4 desired XML file, $5 its leaves file, $6 its hash, $7 state
    # key, $8 1 when the XML carries its own <uuid>. Defines (or re-defines) when the
    # definition differs; check-mode aware; sets the change_reason / created fields and the
    # diff. Leaves __ea_lv_* describing the object as it is afterwards.
    ea__lv_state "$1" "$2" "$3" || return 1
    __ea_cur=$(ea_tmp lv.cur) || return 1
    __ea_sf=$(ea__lv_statefile "$7")
    __ea_need=1 __ea_adopt=0 __ea_why=created __ea_c=
    if [ "$__ea_lv_exists" = 1 ]; then
        ea__lv_dump "$1" "$2" "$3" "$__ea_cur" || return 1
        __ea_c=$(ea_sha1 "$__ea_cur")
        __ea_sh='' __ea_sd=''
        if [ -r "$__ea_sf" ]; then
            read -r __ea_sh __ea_sd <"$__ea_sf" || :
            if [ "$__ea_sh" != "$6" ]; then
                __ea_why="config changed"
            elif [ "$__ea_sd" != "$__ea_c" ]; then
                __ea_why="config changed outside edgeauto"
            else
                __ea_need=0
            fi
        else
            __ea_have=$(ea_tmp lv.have) || return 1
            __ea_miss=$(ea_tmp lv.miss) || return 1
            awk "$ea__lv_flatten_awk" "$__ea_cur" >"$__ea_have" || {
                ea_fail "awk failed while reading the definition of $3"
                return 1
            }
            if awk "$ea__lv_subset_awk" "$__ea_have" "$5" >"$__ea_miss"; then
                __ea_need=0 __ea_adopt=1
            else
                __ea_why="config changed: $(head -n 3 "$__ea_miss" | tr '\n' ' ' | sed 's/ *$//')"
            fi
        fi
    fi
    if [ "$__ea_need" = 0 ]; then
        if [ "$__ea_adopt" = 1 ] && ! ea_is_check; then
            ea__lv_record "$7" "$6" "$__ea_c" || return 1
        fi
        return 0
    fi
    ea_changed
    if [ "$__ea_lv_exists" = 1 ]; then
        ea_field change_reason "$__ea_why"
    else
        ea_field created "$3"
    fi
    ea_diff_files "$__ea_cur" "$4" "$3 (libvirt)" "$3 (desired)"
    if ea_is_check; then
        # what follows (state, autostart) sees the object a real run would have defined
        if [ "$__ea_lv_exists" = 0 ]; then
            __ea_lv_pending=1
            case $1 in dom) __ea_lv_status=shutdown ;; *) __ea_lv_status=inactive ;; esac
        fi
        return 0
    fi
    __ea_def=$4
    if [ "$__ea_lv_exists" = 1 ] && [ "$8" != 1 ]; then
        # keep the object's identity: libvirt refuses a same-named definition with a new uuid
        ea__lv_run "$2" "reading the uuid of $3" "$(ea__lv_verb "$1" uuid)" "$3" || return 1
        read -r __ea_uuid <"$__ea_lv_o" || :
        __ea_def=$(ea_tmp lv.def) || return 1
        awk -v u="$__ea_uuid" '!done && sub(/<\/name>/, "</name><uuid>" u "</uuid>") { done = 1 }
            { print }' "$4" >"$__ea_def"
    fi
    ea__lv_run "$2" "defining $3" "$(ea__lv_verb "$1" define)" "$__ea_def" || return 1
    ea__lv_dump "$1" "$2" "$3" "$__ea_cur" || return 1
    ea__lv_record "$7" "$6" "$(ea_sha1 "$__ea_cur")" || return 1
    ea__lv_state "$1" "$2" "$3"
}

ea__lv_autostart() {
    # $1 kind, $2 uri, $3 name, $4 wanted (1/0): converge the autostart flag (an object a
    # check run would only define starts with autostart off)
    [ "$__ea_lv_auto" = "$4" ] && return 0
    ea_changed
    ea_is_check && return 0
    if [ "$4" = 1 ]; then
        ea__lv_run "$2" "enabling autostart of $3" "$(ea__lv_verb "$1" autostart)" "$3"
    else
        ea__lv_run "$2" "disabling autostart of $3" "$(ea__lv_verb "$1" autostart)" --disable "$3"
    fi || return 1
    __ea_lv_auto=$4
}

ea__lv_missing() {
    # $1 kind word (domain, network, storage pool), $2 name: the object must exist (or be
    # about to be defined by this check run)
    [ "$__ea_lv_exists" = 1 ] && return 0
    [ -n "$__ea_lv_pending" ] && return 0
    if ea_is_check; then
        # as community.libvirt: a check run assumes an earlier task (a define it only
        # predicted) made it; what follows reports the changes a real run would make
        __ea_lv_pending=1
        case $1 in domain) __ea_lv_status=shutdown ;; *) __ea_lv_status=inactive ;; esac
        return 0
    fi
    ea_fail "$1 $2 not found: define it first (give xml)"
}

ea__lv_set_active() {
    # $1 kind, $2 uri, $3 name, $4 1=start 0=stop: networks and pools
    [ "$__ea_lv_active" = "$4" ] && return 0
    ea_changed
    ea_is_check && return 0
    if [ "$4" = 1 ]; then
        ea__lv_run "$2" "starting $3" "$(ea__lv_verb "$1" start)" "$3"
    else
        ea__lv_run "$2" "stopping $3" "$(ea__lv_verb "$1" destroy)" "$3"
    fi || return 1
    __ea_lv_active=$4
}

ea__lv_undefine() {
    # $1 kind, $2 uri, $3 name, $4 state key, then extra undefine options: remove the
    # persistent definition (a running object stays running, transient, as libvirt does)
    __ea_lv_k=$1 __ea_lv_u=$2 __ea_lv_n=$3 __ea_lv_key=$4
    shift 4
    [ "$__ea_lv_persist" = 1 ] || return 0
    ea_changed
    ea_is_check && return 0
    ea__lv_run "$__ea_lv_u" "undefining $__ea_lv_n" "$(ea__lv_verb "$__ea_lv_k" undefine)" \
        "$@" "$__ea_lv_n" || return 1
    ea__lv_forget "$__ea_lv_key"
    __ea_lv_persist=0
}

ea__lv_names() {
    # $1 uri, then the list command and its filters: one name per line into $__ea_lv_o
    __ea_lv_u=$1
    shift
    ea__lv_run "$__ea_lv_u" "listing" "$@" --name || return 1
    sed 's/ *$//; /^$/d' "$__ea_lv_o" >"$__ea_lv_o.n" && mv "$__ea_lv_o.n" "$__ea_lv_o"
}

ea__lv_get() {
    # $1 exists active auto pending status out: what ea__lv_state found (1/0 for the flags,
    # the status word, the virsh output file) for the module files, which read no __ea_lv_*
    case $1 in
        exists) printf '%s' "$__ea_lv_exists" ;;
        active) printf '%s' "$__ea_lv_active" ;;
        auto) printf '%s' "$__ea_lv_auto" ;;
        pending) printf '%s' "$__ea_lv_pending" ;;
        status) printf '%s' "$__ea_lv_status" ;;
        out) printf '%s' "$__ea_lv_o" ;;
    esac
}

ea__lv_list() {
    # $1 kind (net, pool), $2 uri, $3 '' / active / inactive, $4 the result field: the names
    case $3 in
        active | inactive) ea__lv_names "$2" "$1-list" "--$3" ;;
        *) ea__lv_names "$2" "$1-list" --all ;;
    esac || return 1
    ea_field_file "$4" "$__ea_lv_o"
}

ea__lv_load() {
    # $1 kind, $2 uri, $3 name, $4 desired XML file ('' = none), $5 leaves, $6 hash, $7 key,
    # $8 the module's FLAGS (u = the XML has its own uuid): converge the definition when an
    # XML is given, else just read the object's state
    if [ -z "$4" ]; then
        ea__lv_state "$1" "$2" "$3"
        return
    fi
    case $8 in
        *u*) ea__lv_define "$1" "$2" "$3" "$4" "$5" "$6" "$7" 1 ;;
        *) ea__lv_define "$1" "$2" "$3" "$4" "$5" "$6" "$7" 0 ;;
    esac
}
