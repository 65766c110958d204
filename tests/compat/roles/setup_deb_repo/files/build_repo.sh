#!/bin/sh
# edgeauto stand-in for ansible-core's setup_deb_repo: the same local apt repository (suites
# stable and testing, packages foo/foobar/baz in the same versions and relations), built with
# dpkg-deb alone (no equivs/dpkg-dev from the network) and a Packages index written here.
#
# build_repo.sh REPODIR WORKDIR
set -eu
repo=$1
work=$2

deb() {
    # $1 suite, $2 name, $3 version, rest: extra control lines
    suite=$1 name=$2 version=$3
    shift 3
    tree="$work/pkg/$suite/$name-$version"
    mkdir -p "$tree/DEBIAN" "$tree/usr/share/doc/$name"
    echo "$name $version (edgeauto compat stand-in)" >"$tree/usr/share/doc/$name/README"
    {
        printf 'Package: %s\nVersion: %s\nSection: system\nPriority: optional\n' "$name" "$version"
        printf 'Maintainer: John Doe <john@doe.com>\nArchitecture: all\n'
        for line in "$@"; do printf '%s\n' "$line"; done
        printf 'Description: Dummy package\n'
    } >"$tree/DEBIAN/control"
    dir="$repo/dists/$suite/main/binary-all"
    mkdir -p "$dir"
    dpkg-deb --root-owner-group -Zgzip --build "$tree" "$dir/${name}_${version}_all.deb" >/dev/null
}

index() {
    # $1 suite: Packages.gz beside the .debs (Filename relative to the repository root)
    dir="$repo/dists/$1/main/binary-all"
    for f in "$dir"/*.deb; do
        dpkg-deb -f "$f"
        printf 'Filename: dists/%s/main/binary-all/%s\n' "$1" "${f##*/}"
        printf 'Size: %s\n' "$(wc -c <"$f" | tr -d ' ')"
        printf 'SHA256: %s\n\n' "$(sha256sum "$f" | cut -d' ' -f1)"
    done | gzip -9c >"$dir/Packages.gz"
}

deb stable baz 1.0.0 'Recommends: rolldice'
deb stable foo 1.0.0
deb stable foo 1.0.1
deb stable foobar 1.0.0 'Depends: foo'
deb stable foobar 1.0.1
deb testing foo 2.0.0
deb testing foo 2.0.1
index stable
index testing
# testing is opt-in, as in the real role: apt prefers it only when asked (-t / default_release)
printf 'Codename: stable\n' >"$repo/dists/stable/Release"
printf 'Codename: testing\nNotAutomatic: yes\nButAutomaticUpgrades: yes\n' >"$repo/dists/testing/Release"
