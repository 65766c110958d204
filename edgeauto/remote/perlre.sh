# Python regexps that POSIX ERE cannot express, matched with perl (the controller translated
# them: edgeauto/modules/core/_perlre.py). Used by lineinfile/blockinfile/replace only when a
# pattern needs it; a host without perl fails the task naming the construct.
# Helpers only (ea__pl_*), no module entry. Patterns and templates travel as arguments (never
# inside the perl program text); a template's group N is \001N\001.

ea__pl_need() {
    # $1 what needs perl (the construct): fail unless this host has perl
    command -v perl >/dev/null 2>&1 && return 0
    ea_fail "$1 needs perl on the target (it has no POSIX ERE equivalent) and this host has no perl"
    return 1
}

# shellcheck disable=SC2016 # perl programs: $ is perl's, not the shell's
ea__pl_lines_prog='
my ($re, $file, $multi, $where) = @ARGV;
open(my $fh, "<", $file) or die "cannot read $file: $!\n";
binmode $fh;
local $/;
my $text = <$fh>;
$text = "" unless defined $text;
if ($multi) {
    if ($text =~ /$re/) {
        my $at = $where eq "before" ? $-[0] : $+[0];
        my $n = () = substr($text, 0, $at) =~ /\n/g;
        print $n + 1, ":\n";
    }
    exit 0;
}
my $no = 0;
for my $line (split /(?<=\n)/, $text) {
    $no++;
    print "$no:\n" if $line =~ /$re/;
}'

ea__pl_lines() {
    # $1 perl regexp, $2 file, $3 output: "N:" for each line (with its newline, as Ansible's
    # readlines) the regexp matches; $4 1 = one search of the whole text instead (Python's
    # MULTILINE flag): N is the line its match ends on ($5 after) or starts on ($5 before)
    perl -e "$ea__pl_lines_prog" "$1" "$2" "${4:-0}" "${5:-after}" >"$3" || {
        ea_fail "perl could not match the regular expression: $1"
        return 1
    }
}

# shellcheck disable=SC2016
ea__pl_expand_prog='
my ($re, $tmpl, $file, $k) = @ARGV;
open(my $fh, "<", $file) or die "cannot read $file: $!\n";
binmode $fh;
my $line;
while (<$fh>) { if ($. == $k) { $line = $_; last } }
exit 0 unless defined $line && $line =~ /$re/;
no strict "refs";
my @g = ($&, map { ${$_} } 1 .. $#+);
$tmpl =~ s/\001(\d+)\001/defined $g[$1] ? $g[$1] : ""/ge;
$tmpl =~ s/\n//g;
print $tmpl;'

ea__pl_expand() {
    # $1 perl regexp, $2 template, $3 file, $4 line number: the template expanded with the
    # match on that line (lineinfile backrefs; newlines dropped, the line is one line)
    perl -e "$ea__pl_expand_prog" "$1" "$2" "$3" "$4"
}

# shellcheck disable=SC2016
ea__pl_replace_prog='
my ($re, $tmpl, $section, $group, $in, $out) = @ARGV;
open(my $fh, "<", $in) or die "cannot read $in: $!\n";
binmode $fh;
local $/;
my $text = <$fh>;
$text = "" unless defined $text;
close $fh;
my $decoded = utf8::decode($text);
utf8::decode($_) for ($re, $tmpl, $section);
my ($head, $body, $tail) = ("", $text, "");
if ($section ne "") {
    if ($text !~ /$section/s) { print "nomatch\n"; exit 0 }
    ($head, $body, $tail) = (substr($text, 0, $-[$group]),
        substr($text, $-[$group], $+[$group] - $-[$group]), substr($text, $+[$group]));
}
my $count = 0;
no strict "refs";
(my $new = $body) =~ s{$re}{
    my @g = ($&, map { ${$_} } 1 .. $#+);
    $count++;
    (my $r = $tmpl) =~ s/\001(\d+)\001/defined $g[$1] ? $g[$1] : ""/ge;
    $r
}gme;
my $all = $head . $new . $tail;
utf8::encode($all) if $decoded;
open(my $oh, ">", $out) or die "cannot write $out: $!\n";
binmode $oh;
print $oh $all;
close $oh or die "cannot write $out: $!\n";
print $count, ($new eq $body ? " same" : " changed"), "\n";'

ea__pl_replace() {
    # $1 perl regexp, $2 template, $3 section regexp ("" = the whole file; it is matched with
    # DOTALL and group $4 is the section, as Ansible builds after(?P<subsection>.*?)before),
    # $5 input, $6 output: Python's re.subn(MULTILINE) on the decoded text; prints
    # "COUNT same|changed" or "nomatch"
    perl -e "$ea__pl_replace_prog" "$1" "$2" "$3" "${4:-0}" "$5" "$6"
}

# shellcheck disable=SC2016
ea__pl_whole_prog='
my ($re, $whole) = @ARGV;
local $/ = "\0";
while (my $file = <STDIN>) {
    chomp $file;
    open(my $fh, "<", $file) or next;
    my $text = do { local $/; <$fh> };
    next unless defined $text;
    utf8::decode($text);
    if ($whole) { print "$file\n" if $text =~ /$re/; next }
    for my $line (split /(?<=\n)/, $text) {
        if ($line =~ /\A(?:$re)/) { print "$file\n"; last }
    }
}'

ea__pl_whole_files() {
    # $1 perl regexp, $2 1 = whole text (Python's re.search without flags: find's
    # read_whole_file), 0 = each line with its newline (re.match); stdin NUL-separated file
    # names: print those whose (decoded) text it matches
    perl -e "$ea__pl_whole_prog" "$1" "$2"
}

# shellcheck disable=SC2016
ea__pl_undecodable_prog='
local $/ = "\0";
while (my $file = <STDIN>) {
    chomp $file;
    open(my $fh, "<", $file) or next;
    my $text = do { local $/; <$fh> };
    print "$file\n" if defined $text && !utf8::decode($text);
}'

ea__pl_undecodable_files() {
    # stdin NUL-separated file names: print those that are no valid UTF-8 (perl, else iconv;
    # neither: none are reported)
    if command -v perl >/dev/null 2>&1; then
        perl -e "$ea__pl_undecodable_prog"
    elif command -v iconv >/dev/null 2>&1; then
        tr '\000' '\n' | while IFS= read -r __ea_f; do
            iconv -f UTF-8 -t UTF-8 "$__ea_f" >/dev/null 2>&1 || printf '%s\n' "$__ea_f"
        done
    else
        cat >/dev/null
    fi
}
