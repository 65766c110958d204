# jsonobj: set one member of a member object of a JSON file's top-level object (daemon.json's
# runtimes.NAME) without a JSON tool on the target (no jq, no Python). An awk scanner parses the
# whole file (objects, arrays, strings with escapes, literals) to find the spans it needs, and
# only that span is spliced: every other byte of the file stays as it was (comments do not exist
# in JSON; key order, spacing and the final newline are kept). New members follow the file's own
# indentation (the first member's), or stay on one line in a one-line file.
#
# ea__json_set_member FILE KEY NAME VALUE OUT
#   FILE   the JSON file (missing or blank: a new object is written)
#   KEY    the top-level member that holds an object (runtimes)
#   NAME   the member of that object to set (kata)
#   VALUE  its JSON value, one line (compared ignoring whitespace outside strings); "" removes
#          the member (and KEY too when NAME was its only member)
#   OUT    where the new content goes
# Prints "same" or "changed"; on a file it cannot parse prints "error <why, at byte N>" and
# returns 1. Runs in the C locale so lengths are bytes under any awk.

# shellcheck disable=SC2016 # awk program: $ is awk's, not the shell's
ea__json_awk='
function fail(m) { if (err == "") err = m " at byte " P; return 0 }
function ws() { while (P <= N && index(" \t\r\n", substr(S, P, 1)) > 0) P++ }
function jstr(   c) {
    P++
    while (P <= N) {
        c = substr(S, P, 1)
        if (c == "\\") { P += 2; continue }
        P++
        if (c == "\"") return 1
    }
    return fail("unterminated string")
}
function value(role,   c) {
    ws()
    c = substr(S, P, 1)
    if (c == "{") return object(role)
    if (c == "[") return array()
    if (c == "\"") return jstr()
    if (c != "" && index("-0123456789tfn", c) > 0) {
        while (P <= N && index("-+0123456789.eEtrufalsn", substr(S, P, 1)) > 0) P++
        return 1
    }
    return fail(c == "" ? "unexpected end of file" : "unexpected \"" c "\"")
}
function array(   c) {
    P++
    ws()
    if (substr(S, P, 1) == "]") { P++; return 1 }
    while (1) {
        if (!value("")) return 0
        ws()
        c = substr(S, P, 1)
        if (c == ",") { P++; continue }
        if (c == "]") { P++; return 1 }
        return fail("expected \",\" or \"]\"")
    }
}
function object(role,   c, k, ks, vs, r) {
    if (role != "") { opn[role] = P; cnt[role] = 0 }
    P++
    ws()
    if (substr(S, P, 1) == "}") { if (role != "") cls[role] = P; P++; return 1 }
    while (1) {
        ws()
        if (substr(S, P, 1) != "\"") return fail("expected a member name")
        ks = P
        if (role != "" && pend[role] != "") { nxt[pend[role]] = ks; pend[role] = "" }
        if (!jstr()) return 0
        k = substr(S, ks + 1, P - ks - 2)
        ws()
        if (substr(S, P, 1) != ":") return fail("expected \":\"")
        P++
        ws()
        vs = P
        r = (role == "top" && k == key) ? "rt" : ""
        if (role != "" && cnt[role] == 0) first[role] = ks
        if (!value(r)) return 0
        if (r == "rt") {
            kfound = 1; kvs = vs; kve = P; kobj = substr(S, vs, 1) == "{"
            kks = ks; kprev = cnt[role] ? last[role] : 0; nxt["k"] = 0; pend[role] = "k"
        }
        if (role == "rt" && k == name) {
            nfound = 1; nvs = vs; nve = P
            nks = ks; nprev = cnt[role] ? last[role] : 0; nxt["n"] = 0; pend[role] = "n"
        }
        if (role != "") { cnt[role]++; last[role] = P }
        ws()
        c = substr(S, P, 1)
        if (c == ",") { P++; continue }
        if (c == "}") { if (role != "") cls[role] = P; P++; return 1 }
        return fail("expected \",\" or \"}\"")
    }
}
function norm(t,   i, c, o, q) {
    o = ""; q = 0
    for (i = 1; i <= length(t); i++) {
        c = substr(t, i, 1)
        if (q) {
            o = o c
            if (c == "\\") { i++; o = o substr(t, i, 1) } else if (c == "\"") q = 0
        } else if (index(" \t\r\n", c) == 0) {
            o = o c
            if (c == "\"") q = 1
        }
    }
    return o
}
function indent_at(pos,   i, c) {
    # the blanks before pos when pos starts its line, else "\001" (a one-line object)
    i = pos - 1
    while (i >= 1 && index(" \t", substr(S, i, 1)) > 0) i--
    if (i >= 1 && substr(S, i, 1) != "\n") return "\001"
    return substr(S, i + 1, pos - i - 1)
}
function splice(a, b, t) { return substr(S, 1, a - 1) t substr(S, b) }
function cut(prev, ks, ve, nx, role) {
    # remove a member: with the comma before it, else up to the next member, else all inside
    if (prev) return splice(prev, ve, "")
    if (nx) return splice(ks, nx, "")
    return splice(opn[role] + 1, cls[role], "")
}
function member(ind, inner,   m) {
    # KEY: {NAME: VALUE} as a new member, in the style of indentation ind
    m = "\"" name "\": " val
    if (ind == "\001") return "\"" key "\": {" m "}"
    return "\"" key "\": {\n" ind inner m "\n" ind "}"
}
BEGIN {
    src = ENVIRON["__EA_JSRC"]; val = ENVIRON["__EA_JVAL"]
    S = ""
    while ((getline line < src) > 0) S = S line "\n"
    if (S != "" && nl == 0) S = substr(S, 1, length(S) - 1)
    N = length(S)
    P = 1
    ws()
    if (P > N && val == "") { printf "%s", S > out; print "same"; exit 0 }
    if (P > N) {
        printf "{\n    %s\n}\n", member("    ", "    ") > out
        print "changed"
        exit 0
    }
    if (substr(S, P, 1) != "{") { fail("the top level is not an object"); print "error " err; exit 1 }
    if (!value("top")) { print "error " err; exit 1 }
    ws()
    if (P <= N) { fail("text after the top-level object"); print "error " err; exit 1 }
    if (val == "") {
        if (!kfound || !kobj || !nfound) T = S
        else if (cnt["rt"] == 1) T = cut(kprev, kks, kve, nxt["k"], "top")
        else T = cut(nprev, nks, nve, nxt["n"], "rt")
    } else if (!kfound) {
        if (cnt["top"] == 0) {
            T = splice(opn["top"] + 1, cls["top"], "\n    " member("    ", "    ") "\n")
        } else {
            ind = indent_at(first["top"])
            if (ind == "\001") T = splice(last["top"], last["top"], ", " member(ind, ""))
            else T = splice(last["top"], last["top"], ",\n" ind member(ind, ind))
        }
    } else if (!kobj) {
        fail("member \"" key "\" is not an object"); P = kvs
        print "error " err
        exit 1
    } else if (!nfound) {
        if (cnt["rt"] == 0) {
            T = splice(kvs, kve, "{\"" name "\": " val "}")
        } else {
            ind = indent_at(first["rt"])
            sep = (ind == "\001") ? ", " : ",\n" ind
            T = splice(last["rt"], last["rt"], sep "\"" name "\": " val)
        }
    } else if (norm(substr(S, nvs, nve - nvs)) == norm(val)) {
        T = S
    } else {
        T = splice(nvs, nve, val)
    }
    printf "%s", T > out
    print (T == S ? "same" : "changed")
    exit 0
}'

ea__json_set_member() {
    # see the header comment: FILE KEY NAME VALUE OUT
    __ea_jnl=1
    if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' \n')" != 0a ]; then
        __ea_jnl=0
    fi
    __ea_jsrc=$1
    [ -e "$1" ] || __ea_jsrc=/dev/null
    : >"$5"
    # src and the value go through the environment: awk -v would interpret their backslashes
    __EA_JSRC=$__ea_jsrc __EA_JVAL=$4 LC_ALL=C awk -v key="$2" -v name="$3" -v out="$5" \
        -v nl="$__ea_jnl" "$ea__json_awk" </dev/null
}
