#!/bin/sh
# Hand-written reference for W2: the same 10 steps, check-before-change, one `ssh host sh -s`
# per host. This is the physical limit edgeauto is measured against (one round trip).
set -eu
d="$1"
changed=0
mark() { changed=$((changed + 1)); }
for sub in etc var opt; do
    [ -d "$d/$sub" ] || { mkdir -p "$d/$sub"; chmod 0755 "$d/$sub"; mark; }
done
put() { # put PATH MODE CONTENT
    if [ ! -f "$1" ] || [ "$(cat "$1"; echo x)" != "$(printf '%s' "$3"; echo x)" ]; then
        printf '%s' "$3" > "$1.tmp.$$" && chmod "$2" "$1.tmp.$$" && mv "$1.tmp.$$" "$1"; mark
    fi
}
put "$d/etc/app.conf" 0644 "listen=8080
workers=4
"
put "$d/etc/motd" 0644 "edge site managed by automation
"
put "$d/opt/run.sh" 0755 "#!/bin/sh
exec sleep 1
"
line() { # line FILE PREFIX LINE
    [ -f "$1" ] || { : > "$1"; chmod 0644 "$1"; }
    if grep -qx "$3" "$1"; then return 0; fi
    if grep -q "^$2" "$1"; then sed -i "s|^$2.*|$3|" "$1"; else echo "$3" >> "$1"; fi
    mark
}
line "$d/etc/settings.ini" "max_conn=" "max_conn=100"
line "$d/etc/settings.ini" "log_level=" "log_level=info"
[ "$(readlink "$d/current" 2>/dev/null || true)" = "$d/opt" ] || { ln -sfn "$d/opt" "$d/current"; mark; }
[ -e "$d/var/init.done" ] || { (cd "$d" && sh -c 'echo initialized > var/init.done'); mark; }
echo "changed=$changed"
